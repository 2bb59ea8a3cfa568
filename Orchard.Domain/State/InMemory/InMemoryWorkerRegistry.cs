using Microsoft.Extensions.Options;
using Orchard.Domain.Workers;

namespace Orchard.Domain.State.InMemory;

/// <summary>Workers in process memory (the fallback), with the same TTL, claim and history rules as Redis.</summary>
public sealed class InMemoryWorkerRegistry(IOptions<StateOptions> options, TimeProvider time) : IWorkerRegistry
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Worker> workers = new(StringComparer.Ordinal);

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<Worker> AddAsync(string url, CancellationToken cancellationToken = default)
    {
        var id = WorkerUrl.Normalize(url);
        lock (gate)
        {
            Purge();
            if (workers.ContainsKey(id))
            {
                throw new DuplicateWorkerException(id);
            }

            EnsureRoom();

            return Task.FromResult(workers[id] = WorkerFactory.New(id, id, null, null, selfRegistered: false, NowMs));
        }
    }

    public Task<Worker> RegisterAsync(WorkerRegistration registration, CancellationToken cancellationToken = default)
    {
        var now = NowMs;
        var fresh = WorkerFactory.FromRegistration(registration, now);
        lock (gate)
        {
            Purge();
            if (!workers.TryGetValue(fresh.Id, out var existing))
            {
                EnsureRoom();
                return Task.FromResult(workers[fresh.Id] = fresh);
            }

            var updated = existing with
            {
                Url = fresh.Url ?? existing.Url,
                Name = fresh.Name ?? existing.Name,
                Model = fresh.Model ?? existing.Model,
                // Declaring no languages again means every language; a registration always says what it serves now.
                Languages = fresh.Languages,
                SelfRegistered = true,
                LastSeenMs = now,
                LastError = null,
                Status = LiveClaim(existing, now) ? WorkerStatus.Busy : WorkerStatus.Online,
            };
            return Task.FromResult(workers[fresh.Id] = updated);
        }
    }

    private void EnsureRoom()
    {
        if (workers.Count >= options.Value.MaxWorkers)
        {
            throw new WorkerLimitReachedException(options.Value.MaxWorkers);
        }
    }

    public Task<Worker?> HeartbeatAsync(string workerId, CancellationToken cancellationToken = default) =>
        RecordProbeAsync(workerId, healthy: true, error: null, cancellationToken);

    public Task<Worker?> RecordProbeAsync(string workerId, bool healthy, string? error, CancellationToken cancellationToken = default)
    {
        var now = NowMs;
        lock (gate)
        {
            Purge();
            if (!workers.TryGetValue(workerId, out var w))
            {
                return Task.FromResult<Worker?>(null);
            }

            if (healthy)
            {
                w = w with { LastSeenMs = now, LastError = null, Status = LiveClaim(w, now) ? WorkerStatus.Busy : WorkerStatus.Online };
            }
            else if (!LiveClaim(w, now))
            {
                w = w with { Status = WorkerStatus.Offline, LastError = error };
            }

            return Task.FromResult<Worker?>(workers[workerId] = w);
        }
    }

    public Task<bool> RemoveAsync(string workerId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            return Task.FromResult(workers.Remove(workerId));
        }
    }

    public Task<Worker?> GetAsync(string workerId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            return Task.FromResult(workers.GetValueOrDefault(workerId));
        }
    }

    public Task<IReadOnlyList<Worker>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Purge();
            return Task.FromResult<IReadOnlyList<Worker>>(
                workers.Values.OrderBy(w => w.RegisteredAtMs).ThenBy(w => w.Id, StringComparer.Ordinal).ToArray());
        }
    }

    public Task<Worker?> MarkUnverifiedAsync(string workerId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Locked<Worker?>((all, _) => all.TryGetValue(workerId, out var w)
            ? all[workerId] = w.Trust == WorkerTrust.Trusted ? w with { Trust = WorkerTrust.Unverified } : w
            : null));

    public Task<Worker?> RecordVerificationAsync(string workerId, bool agreed, int verifyAnswers, string? reason, CancellationToken cancellationToken = default) =>
        Task.FromResult(Locked<Worker?>((all, _) =>
        {
            if (!all.TryGetValue(workerId, out var w))
            {
                return null;
            }

            if (w.Trust is WorkerTrust.Unverified or WorkerTrust.Verified)
            {
                w = agreed
                    ? w with { VerifiedAnswers = w.VerifiedAnswers + 1, Trust = w.VerifiedAnswers + 1 >= verifyAnswers ? WorkerTrust.Verified : w.Trust }
                    : w with { Trust = WorkerTrust.Quarantined, QuarantineReason = reason };
            }

            return all[workerId] = w;
        }));

    /// <summary>Runs <paramref name="body"/> on the workers under the registry's lock (the lease store's atomic steps).</summary>
    internal T Locked<T>(Func<Dictionary<string, Worker>, long, T> body)
    {
        var now = NowMs;
        lock (gate)
        {
            Purge();
            return body(workers, now);
        }
    }

    /// <summary>The worker after its claim ended with <paramref name="outcome"/>: the same rules as the Redis scripts.</summary>
    internal static Worker Released(Worker w, ReleaseOutcome outcome, PerformanceSample? sample, string? error, long now) => (outcome == ReleaseOutcome.Provisional ? ReleaseOutcome.Succeeded : outcome) switch
    {
        ReleaseOutcome.Unreachable => w with { Claim = null, Status = WorkerStatus.Offline, FailedChunks = w.FailedChunks + 1, ConsecutiveFailures = w.ConsecutiveFailures + 1, CooldownUntilMs = now + Worker.CooldownMs(w.ConsecutiveFailures + 1), LastError = error },
        ReleaseOutcome.Failed => w with { Claim = null, Status = WorkerStatus.Online, LastSeenMs = now, FailedChunks = w.FailedChunks + 1, ConsecutiveFailures = w.ConsecutiveFailures + 1, CooldownUntilMs = now + Worker.CooldownMs(w.ConsecutiveFailures + 1), LastError = error },
        ReleaseOutcome.Declined => w with { Claim = null, Status = WorkerStatus.Online, LastSeenMs = now, LastError = error },
        ReleaseOutcome.Returned => w with { Claim = null, Status = WorkerStatus.Online, LastSeenMs = now },
        _ => w with
        {
            Claim = null,
            Status = WorkerStatus.Online,
            LastSeenMs = now,
            LastError = null,
            CompletedChunks = w.CompletedChunks + 1,
            ConsecutiveFailures = 0,
            Performance = sample is null ? w.Performance : w.Performance.Append(sample).TakeLast(Worker.HistoryLength).ToArray(),
        },
    };

    public async Task<WorkerStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        WorkerFactory.Count(await ListAsync(cancellationToken), NowMs, options.Value.WorkerOfflineAfter);

    private static bool LiveClaim(Worker w, long now) => w.Claim is not null && w.Claim.LeaseUntilMs > now;

    // The same rule as the Redis key's TTL: gone once both the last success + expiry and any live claim have passed.
    private void Purge()
    {
        var now = NowMs;
        var expiry = (long)options.Value.WorkerExpiry.TotalMilliseconds;
        foreach (var w in workers.Values.Where(w => Math.Max(w.LastSeenMs + expiry, w.Claim?.LeaseUntilMs ?? 0) <= now).ToArray())
        {
            workers.Remove(w.Id);
        }
    }
}
