namespace Orchard.Domain.Workers;

/// <summary>
/// A chunk made ready for any worker that suits it. <see cref="Exclude"/>: workers that must not take it (they declined
/// the job, or hold the lease a hedge races). <see cref="MaxRatio"/>: only a measured worker at least this fast may take
/// it (a hedge goes only to a worker expected to finish sooner).
/// </summary>
public sealed record ChunkOffer(string JobId, int Index, string ChunkId, double SentMs, string? Language)
{
    /// <summary>Which attempt taking it starts (1 for the first).</summary>
    public int Attempt { get; init; } = 1;

    public IReadOnlyList<string> Exclude { get; init; } = [];

    public double? MaxRatio { get; init; }

    /// <summary>A second copy of a leased chunk, raced against a straggler: ready although the chunk is leased.</summary>
    public bool Hedge { get; init; }

    /// <summary>Only a trusted worker may take it (the job asked for it, or an enrolled worker's answer awaits a check).</summary>
    public bool TrustedOnly { get; init; }
}

/// <summary>Which end of the ready queue suits a worker: the longest chunk for a fast one, the shortest for a slow or new one.</summary>
public enum LeasePick
{
    Longest,
    Shortest,
}

/// <summary>A worker asking for a chunk: the lease id the master chose, which end suits it, and how long it lives unrenewed.</summary>
public sealed record LeaseRequest(string WorkerId, string LeaseId, LeasePick Pick, TimeSpan Ttl, int MaxScan);

/// <summary>One worker holding one chunk until <see cref="ExpiresAtMs"/> unless renewed (Unix ms).</summary>
public sealed record ChunkLease(string LeaseId, string JobId, int Index, string ChunkId, string WorkerId, double SentMs, string? Language, int Attempt, long LeasedAtMs, long ExpiresAtMs);

/// <summary>What a lease request found.</summary>
public enum LeaseTakeStatus
{
    /// <summary>A chunk was leased (or the worker's live lease returned again: a retried call).</summary>
    Leased,

    /// <summary>No ready chunk suits the worker.</summary>
    NoWork,

    /// <summary>The registry does not know the worker: it must register again.</summary>
    UnknownWorker,

    /// <summary>The worker failed recently and cools down until <see cref="LeaseTake.RetryAtMs"/>.</summary>
    Cooling,
}

/// <summary>
/// What a lease request found; with a lease, <see cref="Worker"/> is the worker's record as the take left it (null when
/// the store cannot tell, so the caller reads it).
/// </summary>
public sealed record LeaseTake(LeaseTakeStatus Status, ChunkLease? Lease = null, long RetryAtMs = 0, Worker? Worker = null);

/// <summary>
/// A lease ended. <see cref="Won"/>: this lease's answer completed the chunk (the first valid answer); the chunk's other
/// leases (a hedge) were cancelled with it, listed in <see cref="Cancelled"/>.
/// </summary>
public sealed record LeaseEnd(ChunkLease Lease, bool Won, IReadOnlyList<ChunkLease> Cancelled);

/// <summary>
/// The ready queue and the leases on it, shared by every master instance. Only atomic steps live here: which chunk
/// suits which worker, attempts and hedging are decided by the dispatch policy and passed in.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Makes chunks ready; a chunk already answered, or already waiting, is left as it is. Returns how many became ready.</summary>
    Task<int> OfferAsync(IReadOnlyList<ChunkOffer> offers, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically takes the first suitable ready chunk from the <see cref="LeaseRequest.Pick"/> end for an idle, known
    /// worker and leases it. A worker that already holds a live lease gets that lease back (a retried call).
    /// </summary>
    Task<LeaseTake> TakeAsync(LeaseRequest request, CancellationToken cancellationToken = default);

    Task<ChunkLease?> GetAsync(string leaseId, CancellationToken cancellationToken = default);

    /// <summary>Extends a live lease of this worker by <paramref name="ttl"/>; null when it is lost (expired, cancelled, answered, not this worker's).</summary>
    Task<ChunkLease?> RenewAsync(string leaseId, string workerId, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a live lease and releases its worker with <paramref name="outcome"/>. <see cref="ReleaseOutcome.Succeeded"/>
    /// completes the chunk (never offered again) and cancels its other leases. Null when the lease is already gone.
    /// </summary>
    Task<LeaseEnd?> EndAsync(string leaseId, ReleaseOutcome outcome, PerformanceSample? sample, string? error, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="EndAsync(string, ReleaseOutcome, PerformanceSample?, string?, CancellationToken)"/>; with
    /// <paramref name="refusedJob"/> the worker refused the job (its language) and is never offered its other chunks.
    /// </summary>
    Task<LeaseEnd?> EndAsync(string leaseId, ReleaseOutcome outcome, PerformanceSample? sample, string? error, bool refusedJob, CancellationToken cancellationToken = default);

    /// <summary>Ends up to <paramref name="max"/> leases whose time ran out (their worker went silent: unreachable) and returns them.</summary>
    Task<IReadOnlyList<ChunkLease>> ReapAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Removes a job from the queue: its waiting chunks, and its leases (their workers freed, nothing counted).</summary>
    Task WithdrawAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken = default);

    /// <summary>Where each of a job's chunks stands in the queue: waiting, and its live leases (for the orchestration's review).</summary>
    Task<IReadOnlyList<ChunkQueueState>> InspectAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken = default);
}

/// <summary>One chunk in the queue: <see cref="Ready"/> while it waits for a worker; its live leases.</summary>
public sealed record ChunkQueueState(int Index, bool Ready, IReadOnlyList<ChunkLease> Leases);
