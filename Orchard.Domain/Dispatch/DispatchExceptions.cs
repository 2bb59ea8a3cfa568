namespace Orchard.Domain.Dispatch;

/// <summary>How a delivery to a worker failed.</summary>
public enum WorkerFailureKind
{
    Unreachable,
    Timeout,
    ServerError,
    InvalidAnswer,
}

/// <summary>A worker could not transcribe a chunk; the chunk is retried elsewhere. Matched by the orchestration's retry logic.</summary>
public sealed class WorkerFailedException(string workerId, WorkerFailureKind kind, string message, Exception? inner = null)
    : Exception($"Worker {workerId} failed ({kind}): {message}", inner)
{
    public string WorkerId { get; } = workerId;

    public WorkerFailureKind Kind { get; } = kind;
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
