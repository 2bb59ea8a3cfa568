using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using StackExchange.Redis;

namespace Orchard.Domain.State.Redis;

/// <summary>Jobs in Redis: <c>job:&lt;id&gt;</c> JSON summary, <c>chunks:&lt;id&gt;</c> hash, sorted-set indexes.</summary>
public sealed class RedisJobStore : IJobStore
{
    private static readonly string LegalMoves =
        "," + string.Join(',', JobLifecycle.Moves().Select(m => $"{RedisKeys.StatusName(m.From)}>{RedisKeys.StatusName(m.To)}")) + ",";

    private static readonly string TerminalNames =
        string.Join(',', Enum.GetValues<JobStatus>().Where(JobLifecycle.IsTerminal).Select(RedisKeys.StatusName));

    private static readonly string StatusNames = string.Join(',', Enum.GetValues<JobStatus>().Select(RedisKeys.StatusName));

    private static readonly string TransitionScript = JobScripts.WithLifecycle(JobScripts.Transition, LegalMoves, TerminalNames, StatusNames);

    private static readonly string SaveScript = JobScripts.WithLifecycle(JobScripts.Save, LegalMoves, TerminalNames, StatusNames);

    private readonly IConnectionMultiplexer redis;
    private readonly RedisKeys keys;
    private readonly StateOptions options;
    private readonly TimeProvider time;
    private readonly RedisResilience resilience;

    public RedisJobStore(IConnectionMultiplexer redis, IOptions<StateOptions> options, TimeProvider time, ILogger<RedisJobStore> logger)
    {
        this.redis = redis;
        this.options = options.Value;
        this.time = time;
        keys = new RedisKeys(this.options.KeyPrefix);
        resilience = new RedisResilience(this.options.OutageRetryBudget, time, logger);
    }

    private IDatabase Db => redis.GetDatabase();

    public async Task CreateAsync(JobSummary job, CancellationToken cancellationToken = default)
    {
        var json = OrchardJson.Serialize(job with { Status = JobStatus.Created });
        var created = await resilience.RunAsync(nameof(CreateAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(
                JobScripts.Create,
                [keys.Job(job.JobId), keys.JobIndex, keys.JobsWithStatus(JobStatus.Created)],
                [job.JobId, json, job.CreatedAt.ToUnixTimeMilliseconds()])) == 1,
            cancellationToken);
        if (!created)
        {
            throw new DuplicateJobException(job.JobId);
        }
    }

    public Task SaveAsync(JobDocument document, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(document with { Summary = Recount(document) }, cancellationToken);

    public Task<JobSummary?> GetAsync(string jobId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetAsync), async () =>
        {
            var raw = await Db.StringGetAsync(keys.Job(jobId));
            return raw.IsNull ? null : OrchardJson.Deserialize<JobSummary>(raw.ToString());
        }, cancellationToken);

    public Task<JobDocument?> GetDocumentAsync(string jobId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetDocumentAsync), async () =>
        {
            // Two commands, one round trip.
            var batch = Db.CreateBatch();
            var summaryTask = batch.StringGetAsync(keys.Job(jobId));
            var chunksTask = batch.HashValuesAsync(keys.Chunks(jobId));
            batch.Execute();
            var raw = await summaryTask;
            var chunks = await chunksTask;
            if (raw.IsNull)
            {
                return null;
            }

            var records = chunks.Select(c => OrchardJson.Deserialize<ChunkRecord>(c.ToString())).OrderBy(c => c.Index).ToArray();
            return new JobDocument(OrchardJson.Deserialize<JobSummary>(raw.ToString()), records);
        }, cancellationToken);

    public Task<JobSummary> TransitionAsync(string jobId, JobTransition transition, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(TransitionAsync), async () =>
        {
            var now = time.GetUtcNow();
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
                TransitionScript,
                [keys.Job(jobId), keys.Chunks(jobId), keys.JobIndex, keys.JobExpiry, .. keys.AllStatusIndexes()],
                [
                    jobId,
                    RedisKeys.StatusName(transition.Status),
                    now.ToUnixTimeMilliseconds(),
                    IsoTime(now),
                    (long)options.JobRetention.TotalMilliseconds,
                    transition.Error ?? string.Empty,
                    transition.DurationMs?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
                ]))!;
            return result[0].ToString() switch
            {
                "ok" => OrchardJson.Deserialize<JobSummary>(result[1].ToString()),
                "missing" => throw new JobNotFoundException(jobId),
                _ => throw new InvalidJobTransitionException(jobId, OrchardJson.Deserialize<JobStatus>($"\"{result[1]}\""), transition.Status),
            };
        }, cancellationToken);

    public Task<bool> SetChunksAsync(string jobId, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken = default)
    {
        var args = new RedisValue[2 + (chunks.Count * 3)];
        args[0] = IsoTime(time.GetUtcNow());
        args[1] = OrchardJson.Serialize(JobLifecycle.FinalChunkStatus).Trim('"');
        for (var i = 0; i < chunks.Count; i++)
        {
            args[2 + (i * 3)] = chunks[i].Index;
            args[3 + (i * 3)] = OrchardJson.Serialize(chunks[i]);
            args[4 + (i * 3)] = OrchardJson.Serialize(chunks[i].Status).Trim('"');
        }

        return resilience.RunAsync(nameof(SetChunksAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(JobScripts.SetChunks, [keys.Job(jobId), keys.Chunks(jobId)], args)) == 1,
            cancellationToken);
    }

    public Task<bool> SetCallbackAsync(string jobId, Webhooks.CallbackState state, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(SetCallbackAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(JobScripts.SetCallback, [keys.Job(jobId)], [OrchardJson.Serialize(state)])) == 1,
            cancellationToken);

    public Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        var limit = Math.Clamp(query.Limit, 1, 1000);
        var (maxScore, cursorId) = JobCursor.Parse(query.Cursor);
        var index = query.Status is { } status ? keys.JobsWithStatus(status) : keys.JobIndex;
        return resilience.RunAsync(nameof(ListAsync), async () =>
        {
            var rows = (RedisResult[])(await Db.ScriptEvaluateAsync(
                JobScripts.List, [index], [keys.JobPrefix, maxScore, cursorId, limit]))!;
            var jobs = new List<JobSummary>(rows.Length / 3);
            for (var i = 0; i < rows.Length; i += 3)
            {
                jobs.Add(OrchardJson.Deserialize<JobSummary>(rows[i + 2].ToString()));
            }

            var next = jobs.Count == limit ? JobCursor.Format(rows[^3].ToString(), rows[^2].ToString()) : null;
            return new JobPage(jobs, next);
        }, cancellationToken);
    }

    public Task<JobStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetStatsAsync), async () =>
        {
            var counts = (long[])(await Db.ScriptEvaluateAsync(
                JobScripts.Stats,
                [keys.JobIndex, keys.JobExpiry, .. keys.AllStatusIndexes()],
                [time.GetUtcNow().ToUnixTimeMilliseconds()]))!;
            var byStatus = Enum.GetValues<JobStatus>().Select((s, i) => (s, n: counts[i + 1])).ToDictionary(x => x.s, x => x.n);
            return new JobStats(
                Total: counts[0],
                Active: JobLifecycle.ActiveStatuses.Sum(s => byStatus[s]),
                Completed: byStatus[JobStatus.Completed],
                Failed: byStatus[JobStatus.Failed],
                Cancelled: byStatus[JobStatus.Cancelled]);
        }, cancellationToken);

    public Task<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(DeleteAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(
                JobScripts.Delete,
                [keys.Job(jobId), keys.Chunks(jobId), keys.JobIndex, keys.JobExpiry, .. keys.AllStatusIndexes()],
                [jobId])) == 1,
            cancellationToken);

    public async Task<int> CleanupDanglingAsync(CancellationToken cancellationToken = default)
    {
        var removed = 0;
        var statusIndexes = keys.AllStatusIndexes();
        await foreach (var page in ScanIndexAsync(cancellationToken))
        {
            var batch = Db.CreateBatch();
            var exists = page.Select(id => batch.KeyExistsAsync(keys.Job(id))).ToArray();
            batch.Execute();
            await Task.WhenAll(exists);
            var gone = page.Where((_, i) => !exists[i].Result).Select(id => (RedisValue)id).ToArray();
            if (gone.Length == 0)
            {
                continue;
            }

            var tx = Db.CreateTransaction();
            _ = tx.SortedSetRemoveAsync(keys.JobIndex, gone);
            _ = tx.SortedSetRemoveAsync(keys.JobExpiry, gone);
            foreach (var index in statusIndexes)
            {
                _ = tx.SortedSetRemoveAsync(index, gone);
            }

            await tx.ExecuteAsync();
            removed += gone.Length;
        }

        return removed;
    }

    private async IAsyncEnumerable<string[]> ScanIndexAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = new List<string>(500);
        await foreach (var entry in Db.SortedSetScanAsync(keys.JobIndex, pageSize: 500).WithCancellation(cancellationToken))
        {
            page.Add(entry.Element.ToString());
            if (page.Count == 500)
            {
                yield return page.ToArray();
                page.Clear();
            }
        }

        if (page.Count > 0)
        {
            yield return page.ToArray();
        }
    }

    private Task SaveCoreAsync(JobDocument document, CancellationToken cancellationToken)
    {
        var summary = document.Summary;
        var args = new List<RedisValue>(6 + (document.Chunks.Count * 2))
        {
            summary.JobId,
            OrchardJson.Serialize(summary),
            RedisKeys.StatusName(summary.Status),
            summary.CreatedAt.ToUnixTimeMilliseconds(),
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            (long)options.JobRetention.TotalMilliseconds,
        };
        foreach (var chunk in document.Chunks)
        {
            args.Add(chunk.Index);
            args.Add(OrchardJson.Serialize(chunk));
        }

        RedisKey[] scriptKeys = [keys.Job(summary.JobId), keys.Chunks(summary.JobId), keys.JobIndex, keys.JobExpiry, .. keys.AllStatusIndexes()];
        return resilience.RunAsync(nameof(SaveAsync), () => Db.ScriptEvaluateAsync(SaveScript, scriptKeys, [.. args]), cancellationToken);
    }

    /// <summary>The counts a document implies; the restore path writes them absolutely.</summary>
    internal static JobSummary Recount(JobDocument document) => document.CountedSummary();

    private static string IsoTime(DateTimeOffset at) => OrchardJson.Serialize(at).Trim('"');
}
