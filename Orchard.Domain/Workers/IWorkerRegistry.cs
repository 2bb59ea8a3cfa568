namespace Orchard.Domain.Workers;

/// <summary>The worker fleet: registration, liveness, atomic claims (leases) and speed history.</summary>
public interface IWorkerRegistry
{
    /// <summary>Adds a worker by URL (the original's <c>/workers/add</c>); throws <see cref="DuplicateWorkerException"/>.</summary>
    Task<Worker> AddAsync(string url, CancellationToken cancellationToken = default);

    /// <summary>Registers or updates a self-registering worker; registering again is an update, never a duplicate.</summary>
    Task<Worker> RegisterAsync(WorkerRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>Marks the worker alive; null when the master no longer knows it (it should register again).</summary>
    Task<Worker?> HeartbeatAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Records a health probe of an idle URL worker: success keeps it online, failure marks it offline.</summary>
    Task<Worker?> RecordProbeAsync(string workerId, bool healthy, string? error, CancellationToken cancellationToken = default);

    /// <summary>Removes a worker; false when unknown.</summary>
    Task<bool> RemoveAsync(string workerId, CancellationToken cancellationToken = default);

    Task<Worker?> GetAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Every known worker (offline ones until their key expires), from the index.</summary>
    Task<IReadOnlyList<Worker>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically picks an idle, online worker that serves <c>/transcribe</c> and claims it until the lease ends:
    /// workers with no speed history first (to measure them), then the fastest. Null when none is free.
    /// </summary>
    Task<ClaimedWorker?> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default);

    /// <summary>Claims this worker if it is idle and online; null otherwise.</summary>
    Task<ClaimedWorker?> ClaimWorkerAsync(string workerId, ClaimRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the claim with this token (a stale token changes nothing and returns false), records the outcome and,
    /// on success, the performance sample; an unreachable worker becomes offline.
    /// </summary>
    Task<bool> ReleaseAsync(string workerId, string token, ReleaseOutcome outcome, PerformanceSample? sample, string? error, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a success (and its sample) but keeps the claim for <paramref name="hold"/> more, so the orchestration
    /// can hand the worker its next chunk without claiming it again. False when the token is stale.
    /// </summary>
    Task<bool> HandOverAsync(string workerId, string token, PerformanceSample sample, TimeSpan hold, CancellationToken cancellationToken = default);

    /// <summary>Extends a live claim with this token for the next chunk; null when the claim has lapsed or moved on.</summary>
    Task<ClaimedWorker?> RenewClaimAsync(string workerId, string token, string chunkId, TimeSpan lease, CancellationToken cancellationToken = default);

    Task<WorkerStats> GetStatsAsync(CancellationToken cancellationToken = default);
}
