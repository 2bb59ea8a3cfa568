namespace Orchard.Domain.Security;

/// <summary>A client the administrator issued a key to. Only the key's SHA-256 is kept; the key is shown once.</summary>
public sealed record ClientRecord(string Id, string Name, string KeyHash, DateTimeOffset CreatedAt);

/// <summary>
/// An enrolled worker's credential: the SHA-256 of its token and whether it is trusted. A worker with none was
/// registered or added by the administrator: trusted, and it authenticates as the administrator did.
/// </summary>
public sealed record WorkerCredential(string WorkerId, string TokenHash, bool Trusted, DateTimeOffset EnrolledAt);

/// <summary>What <c>POST /uploads</c> granted: one upload blob, at most <see cref="DeclaredBytes"/>, for <see cref="Owner"/>.</summary>
public sealed record UploadGrant(string UploadId, long DeclaredBytes, string Owner);

/// <summary>A fixed window's count after this call, and how long until the window ends.</summary>
public readonly record struct RateCount(long Count, TimeSpan ResetsIn);

/// <summary>
/// Where identities, ownership and counters live: Redis (one round trip per read-modify-write) or memory, beside the
/// other stores. Only the store knows key names (<see cref="State.RedisKeys"/>).
/// </summary>
public interface ISecurityStore
{
    /// <summary>Adds a client unless <paramref name="max"/> exist already; false then.</summary>
    Task<bool> AddClientAsync(ClientRecord client, int max, CancellationToken cancellationToken = default);

    Task<ClientRecord?> FindClientByKeyHashAsync(string keyHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ClientRecord>> ListClientsAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the client and its key at once; false when unknown.</summary>
    Task<bool> RemoveClientAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary>Sets the worker's credential, revoking the token it replaces in the same step.</summary>
    Task SetWorkerCredentialAsync(WorkerCredential credential, CancellationToken cancellationToken = default);

    Task<WorkerCredential?> GetWorkerCredentialAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>The worker a token belongs to, or null.</summary>
    Task<string?> FindWorkerByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default);

    /// <summary>Every enrolled worker's credential, by worker id (bounded by <c>State:MaxWorkers</c> in practice).</summary>
    Task<IReadOnlyDictionary<string, WorkerCredential>> ListWorkerCredentialsAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes the worker's token and forgets its credential; false when it had none.</summary>
    Task<bool> RemoveWorkerCredentialAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Counts one call in the fixed window of <paramref name="window"/> for this identity and bucket, atomically.</summary>
    Task<RateCount> HitAsync(string bucket, string identity, TimeSpan window, CancellationToken cancellationToken = default);

    Task AddOwnedJobAsync(string owner, string jobId, DateTimeOffset createdAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// The owner's job ids, newest first, from (and excluding) a position: score ≤ <paramref name="maxScore"/> ("+inf"
    /// for the start), and at that score only ids ordered before <paramref name="afterId"/>; at most <paramref name="count"/>.
    /// </summary>
    Task<IReadOnlyList<(string JobId, double Score)>> OwnedJobsAsync(string owner, string maxScore, string afterId, int count, CancellationToken cancellationToken = default);

    Task RemoveOwnedJobAsync(string owner, string jobId, CancellationToken cancellationToken = default);

    Task SaveUploadGrantAsync(UploadGrant grant, TimeSpan lifetime, CancellationToken cancellationToken = default);

    Task<UploadGrant?> GetUploadGrantAsync(string uploadId, CancellationToken cancellationToken = default);
}
