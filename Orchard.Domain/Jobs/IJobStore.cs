namespace Orchard.Domain.Jobs;

/// <summary>
/// The live, queryable view of jobs. The orchestration is the source of truth; every write here is absolute
/// and idempotent so that a retried activity never double-counts and a lost record can be written again whole.
/// </summary>
public interface IJobStore
{
    /// <summary>Creates a job in <see cref="JobStatus.Created"/>; throws <see cref="DuplicateJobException"/> if it exists.</summary>
    Task CreateAsync(JobSummary job, CancellationToken cancellationToken = default);

    /// <summary>The summary, or null when unknown.</summary>
    Task<JobSummary?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The summary with every chunk, or null when unknown.</summary>
    Task<JobDocument?> GetDocumentAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the job to a new status (legal moves only: <see cref="InvalidJobTransitionException"/>); staying put is a
    /// no-op. A finished job gets its retention TTL. Throws <see cref="JobNotFoundException"/> when the record is gone.
    /// </summary>
    Task<JobSummary> TransitionAsync(string jobId, JobTransition transition, CancellationToken cancellationToken = default);

    /// <summary>Writes a whole job (summary and chunks) as given, replacing what is there: the restore path.</summary>
    Task SaveAsync(JobDocument document, CancellationToken cancellationToken = default);

    /// <summary>Sets these chunks as given (absolute) and recounts; false when the job record is gone (nothing written).</summary>
    Task<bool> SetChunksAsync(string jobId, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken = default);

    /// <summary>Sets the job's callback delivery state, keeping its TTL; false when the job record is gone.</summary>
    Task<bool> SetCallbackAsync(string jobId, Webhooks.CallbackState state, CancellationToken cancellationToken = default);

    /// <summary>Newest first, from the index; never scans keys.</summary>
    Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>Exact counts from the indexes; jobs past their retention leave the counts at that moment.</summary>
    Task<JobStats> GetStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the job, its chunks and its index entries; false when it was not there.</summary>
    Task<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Drops index entries whose job record was deleted by hand; returns how many. Not for request paths.</summary>
    Task<int> CleanupDanglingAsync(CancellationToken cancellationToken = default);
}
