using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

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
/// Every online worker has declined this job (failed its lease with <c>declined</c>): no worker in the fleet can
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
/// The lease is not (or no longer) the caller's: it expired, another worker answered the chunk first, the job was
/// cancelled, or the id is unknown. The worker stops and drops the chunk; a late answer is discarded, not counted.
/// </summary>
public sealed class LeaseLostException(string leaseId)
    : Exception($"Lease {leaseId} is no longer yours: it expired, another worker answered the chunk first, or the job ended. Drop the chunk and ask for another lease.")
{
    public string LeaseId { get; } = leaseId;
}

/// <summary>A worker's answer could not be read; it counts as a failed attempt of the lease.</summary>
public sealed class AnswerRejectedException(string reason)
    : Exception($"The answer could not be read ({reason}); it counts as a failed attempt. Send {{\"text\", \"segments\": [{{\"start\", \"end\", \"text\"}}]}}.")
{
    public string Reason { get; } = reason;
}

/// <summary>A worker speaks a protocol version this master does not.</summary>
public sealed class UnsupportedProtocolException(string version)
    : Exception($"This master speaks worker protocol {LeaseBroker.Protocol}, not '{version}': update the worker (see /openapi.json and docs/worker-protocol.md).")
{
    public string Version { get; } = version;
}

/// <summary>The sentence for a chunk two workers answered with the same unreadable answer.</summary>
public static class ChunkFaults
{
    public static string SameUnreadableAnswer(int chunkIndex, string firstWorkerId, string secondWorkerId, string reason) =>
        $"Chunk {chunkIndex} cannot be transcribed: workers {firstWorkerId} and {secondWorkerId} gave the same unreadable answer ({reason}).";
}

/// <summary>
/// A re-run of an interrupted preparation cut a chunk differently from the chunk the first run stored and offered
/// (the audio settings or tools changed in between): the stored chunks and the new cut no longer tile the recording
/// together, so the job cannot go on.
/// </summary>
public sealed class RecutMismatchException(string jobId, int index)
    : Exception($"Chunk {index} came out differently when the interrupted preparation of this job ran again (the audio settings or tools changed in between), so its chunks no longer fit together: submit the recording again.")
{
    public string JobId { get; } = jobId;

    public int Index { get; } = index;
}
