namespace Orchard.Domain.Dispatch;

/// <summary>How a delivery to a worker failed.</summary>
public enum WorkerFailureKind
{
    Unreachable,
    Timeout,
    ServerError,
    InvalidAnswer,

    /// <summary>A 4xx: the worker cannot serve this request (a language it does not know), which is not its fault.</summary>
    Declined,
}

/// <summary>A worker could not transcribe a chunk; the chunk is retried elsewhere. Matched by the orchestration's retry logic.</summary>
public sealed class WorkerFailedException(string workerId, WorkerFailureKind kind, string message, Exception? inner = null)
    : Exception($"Worker {workerId} failed ({kind}): {message}", inner)
{
    public string WorkerId { get; } = workerId;

    public WorkerFailureKind Kind { get; } = kind;

    /// <summary>What the worker said, without the worker's name: the same for the same unreadable answer from any worker.</summary>
    public string Reason { get; } = message;
}

/// <summary>
/// The worker refused the chunk as a request it cannot serve (a 4xx, such as a language it does not know). Neither
/// the worker's fault nor an attempt: the orchestration gives the chunk to a worker that has not refused this job.
/// </summary>
public sealed class WorkerDeclinedException(string workerId, int chunkIndex, string reason)
    : Exception($"Worker {workerId} declined chunk {chunkIndex}: {reason}")
{
    public string WorkerId { get; } = workerId;
}

/// <summary>
/// Every online worker has declined this job (<see cref="WorkerDeclinedException"/>): no worker in the fleet can
/// serve it, so the job fails with this sentence instead of waiting for one.
/// </summary>
public sealed class NoWorkerCanServeException(string jobId, string? language, int declined)
    : Exception(language is null
        ? $"Every online worker ({declined}) declined this job's audio, so no worker can transcribe it; the workers' logs say why (their answers are logged by the master, never shown)."
        : $"Every online worker ({declined}) declined this job's language '{language}', so no worker can transcribe it: submit it again with a language the workers serve, or add a worker that serves '{language}'.")
{
    public string JobId { get; } = jobId;
}

/// <summary>
/// Two different workers gave the same unreadable answer for a chunk: the chunk, not the workers, is at fault.
/// The orchestration ends the chunk at once instead of spending the fleet's attempts on it.
/// </summary>
public sealed class ChunkUnreadableException(int chunkIndex, string firstWorkerId, string secondWorkerId, string reason)
    : Exception($"Chunk {chunkIndex} cannot be transcribed: workers {firstWorkerId} and {secondWorkerId} gave the same unreadable answer ({reason}).")
{
    public int ChunkIndex { get; } = chunkIndex;
}

/// <summary>No idle, online worker could be claimed right now; the orchestration waits on a durable timer.</summary>
public sealed class NoWorkerAvailableException(string jobId)
    : Exception($"No worker is free for job {jobId}.")
{
    public string JobId { get; } = jobId;
}

/// <summary>
/// The claim behind a delivery lapsed before the delivery ran (a re-run after the host crashed) and the worker is
/// taken: the chunk goes back to the queue without spending an attempt.
/// </summary>
public sealed class ClaimLostException(string workerId, int chunkIndex)
    : Exception($"The claim on worker {workerId} for chunk {chunkIndex} lapsed and the worker is taken.")
{
    public string WorkerId { get; } = workerId;

    public int ChunkIndex { get; } = chunkIndex;
}
