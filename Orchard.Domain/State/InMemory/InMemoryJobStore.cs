using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.State.Redis;

namespace Orchard.Domain.State.InMemory;

/// <summary>
/// Jobs in process memory: the fallback when Redis is unreachable at start-up. Same contract as Redis
/// (retention, lifecycle, counts); lost on restart and private to one process.
/// </summary>
public sealed class InMemoryJobStore(IOptions<StateOptions> options, TimeProvider time) : IJobStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> jobs = new(StringComparer.Ordinal);

    public Task CreateAsync(JobSummary job, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            if (jobs.ContainsKey(job.JobId))
            {
                throw new DuplicateJobException(job.JobId);
            }

            jobs[job.JobId] = new Entry(job with { Status = JobStatus.Created }, new SortedDictionary<int, ChunkRecord>(), ExpiryFor(JobStatus.Created));
        }

        return Task.CompletedTask;
    }

    public Task<JobSummary?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            return Task.FromResult(jobs.TryGetValue(jobId, out var e) ? e.Summary : null);
        }
    }

    public Task<JobDocument?> GetDocumentAsync(string jobId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            return Task.FromResult(jobs.TryGetValue(jobId, out var e) ? new JobDocument(e.Summary, e.Chunks.Values.ToArray()) : null);
        }
    }

    public Task<JobSummary> TransitionAsync(string jobId, JobTransition transition, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            if (!jobs.TryGetValue(jobId, out var entry))
            {
                throw new JobNotFoundException(jobId);
            }

            var from = entry.Summary.Status;
            if (from == transition.Status)
            {
                return Task.FromResult(entry.Summary);
            }

            JobLifecycle.EnsureCanMove(jobId, from, transition.Status);
            var now = time.GetUtcNow();
            var terminal = JobLifecycle.IsTerminal(transition.Status);
            var summary = entry.Summary with
            {
                Status = transition.Status,
                UpdatedAt = now,
                Error = transition.Error ?? entry.Summary.Error,
                DurationMs = transition.DurationMs ?? entry.Summary.DurationMs,
                FinishedAt = terminal ? now : entry.Summary.FinishedAt,
            };
            jobs[jobId] = entry with { Summary = summary, ExpiresAt = ExpiryFor(transition.Status) };
            return Task.FromResult(summary);
        }
    }

    public Task SaveAsync(JobDocument document, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var chunks = new SortedDictionary<int, ChunkRecord>(document.Chunks.ToDictionary(c => c.Index));
            jobs[document.Summary.JobId] = new Entry(RedisJobStore.Recount(document), chunks, ExpiryFor(document.Summary.Status));
        }

        return Task.CompletedTask;
    }

    public Task<bool> SetChunksAsync(string jobId, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            if (!jobs.TryGetValue(jobId, out var entry))
            {
                return Task.FromResult(false);
            }

            foreach (var chunk in chunks)
            {
                if (!entry.Chunks.TryGetValue(chunk.Index, out var old) || JobLifecycle.ChunkMayMove(old.Status, chunk.Status))
                {
                    entry.Chunks[chunk.Index] = chunk;
                }
            }

            var recounted = RedisJobStore.Recount(new JobDocument(entry.Summary, entry.Chunks.Values.ToArray()));
            jobs[jobId] = entry with { Summary = recounted with { UpdatedAt = time.GetUtcNow() } };
            return Task.FromResult(true);
        }
    }

    public Task<bool> SetCallbackAsync(string jobId, Webhooks.CallbackState state, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            if (!jobs.TryGetValue(jobId, out var entry))
            {
                return Task.FromResult(false);
            }

            jobs[jobId] = entry with { Summary = entry.Summary with { Callback = state } };
            return Task.FromResult(true);
        }
    }

    public Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        var limit = Math.Clamp(query.Limit, 1, 1000);
        var (maxScore, cursorId) = JobCursor.Parse(query.Cursor);
        var max = maxScore == "+inf" ? double.PositiveInfinity : double.Parse(maxScore, System.Globalization.CultureInfo.InvariantCulture);
        lock (gate)
        {
            Purge();
            // Same order as Redis's ZREVRANGEBYSCORE: score descending, then id descending (ordinal).
            var page = jobs.Values.Select(e => e.Summary)
                .Where(s => query.Status is null || s.Status == query.Status)
                .Select(s => (s, score: (double)s.CreatedAt.ToUnixTimeMilliseconds()))
                .Where(x => x.score < max || (x.score == max && (cursorId.Length == 0 || string.CompareOrdinal(x.s.JobId, cursorId) < 0)))
                .OrderByDescending(x => x.score).ThenByDescending(x => x.s.JobId, StringComparer.Ordinal)
                .Take(limit)
                .ToArray();
            var next = page.Length == limit
                ? JobCursor.Format(page[^1].score.ToString(System.Globalization.CultureInfo.InvariantCulture), page[^1].s.JobId)
                : null;
            return Task.FromResult(new JobPage(page.Select(x => x.s).ToArray(), next));
        }
    }

    public Task<JobStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            var statuses = jobs.Values.Select(e => e.Summary.Status).ToArray();
            return Task.FromResult(new JobStats(
                statuses.Length,
                statuses.Count(s => !JobLifecycle.IsTerminal(s)),
                statuses.Count(s => s == JobStatus.Completed),
                statuses.Count(s => s == JobStatus.Failed),
                statuses.Count(s => s == JobStatus.Cancelled)));
        }
    }

    public Task<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            return Task.FromResult(jobs.Remove(jobId));
        }
    }

    // Nothing can delete a job behind this store's back, so nothing dangles.
    public Task<int> CleanupDanglingAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);

    private DateTimeOffset? ExpiryFor(JobStatus status) =>
        JobLifecycle.IsTerminal(status) ? time.GetUtcNow() + options.Value.JobRetention : null;

    private void Purge()
    {
        var now = time.GetUtcNow();
        foreach (var id in jobs.Where(kv => kv.Value.ExpiresAt <= now).Select(kv => kv.Key).ToArray())
        {
            jobs.Remove(id);
        }
    }

    private sealed record Entry(JobSummary Summary, SortedDictionary<int, ChunkRecord> Chunks, DateTimeOffset? ExpiresAt);
}
