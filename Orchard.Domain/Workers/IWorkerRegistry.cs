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

    /// <summary>Marks a self-enrolled worker unverified (a first enrollment; a registration again keeps what it earned).</summary>
    Task<Worker?> MarkUnverifiedAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records one check of an enrolled worker's answer against a trusted worker's: agreement counts toward
    /// <paramref name="verifyAnswers"/> (then the worker is verified); disagreement quarantines it with <paramref name="reason"/>.
    /// </summary>
    Task<Worker?> RecordVerificationAsync(string workerId, bool agreed, int verifyAnswers, string? reason, CancellationToken cancellationToken = default);

    Task<WorkerStats> GetStatsAsync(CancellationToken cancellationToken = default);
}
