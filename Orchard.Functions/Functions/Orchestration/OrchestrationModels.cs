using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>The input of a job's orchestration (its instance id is the job id).</summary>
public sealed record JobRequest(string JobId, bool Purify, string? Language, DispatchLimits Limits)
{
    /// <summary>Set when the orchestration continued as new after a batch: what is left to transcribe.</summary>
    public DispatchState? Continuation { get; init; }

    /// <summary>The job has a callback_url: once it ends, its callback's delivery is started.</summary>
    public bool Callback { get; init; }
}

/// <summary>The input of a job's callback delivery (instance id: <see cref="DurableJobOrchestrations.CallbackInstanceId"/>).</summary>
public sealed record CallbackRequest(string JobId, Domain.Webhooks.CallbackSchedule Schedule);

/// <summary>The dispatch phase carried across continue-as-new: chunks still to transcribe, longest first.</summary>
public sealed record DispatchState(double DurationMs, IReadOnlyList<PendingChunk> Remaining, int Transcribed, int SpeechChunks)
{
    /// <summary>Chunks given up in earlier batches, with why: the job ends failed, naming them, once the rest is done.</summary>
    public IReadOnlyList<ChunkFailure> Failed { get; init; } = [];

    /// <summary>Workers that refused this job (a language they do not serve): never offered it again, in any batch.</summary>
    public IReadOnlyList<string> Declined { get; init; } = [];
}

/// <summary>
/// Dispatch settings fixed when the job starts: they travel in the orchestration's input, so every replay sees
/// the same values even if the configuration changes meanwhile.
/// </summary>
public sealed record DispatchLimits(int MaxInFlight, int BatchSize, int MaxAttempts, TimeSpan NoWorkerDeadline, TimeSpan NoWorkerPollInterval)
{
    public static DispatchLimits From(DispatchOptions options) =>
        new(options.MaxInFlight, options.BatchSize, options.MaxAttempts, options.NoWorkerDeadline, options.NoWorkerPollInterval);
}

/// <summary>How a job's orchestration ended.</summary>
public sealed record JobOutcome(string JobId, JobStatus Status, int Segments, string? Error);

/// <summary>A status change for a job, through an activity (orchestrators do no I/O).</summary>
public sealed record JobStatusUpdate(string JobId, JobStatus Status, string? Error = null, double? DurationMs = null);

/// <summary>A bounded slice of a job's chunks, dispatched in one generation of the job's orchestration.</summary>
public sealed record ChunkBatch(string JobId, string? Language, IReadOnlyList<PendingChunk> Chunks, DispatchLimits Limits)
{
    /// <summary>Workers that refused this job in earlier batches.</summary>
    public IReadOnlyList<string> Declined { get; init; } = [];
}

/// <summary>
/// How a batch ended: chunks it gave up (each with its reason), and, when dispatch stopped (no worker came in time),
/// the chunks it left untranscribed and why it stopped.
/// </summary>
public sealed record BatchOutcome(int Transcribed, IReadOnlyList<ChunkFailure> Failed, IReadOnlyList<int> Untranscribed, string? Stopped)
{
    /// <summary>Workers that have refused this job so far, this batch's included.</summary>
    public IReadOnlyList<string> Declined { get; init; } = [];
}

/// <summary>The end of a job that could not transcribe every chunk: its chunks given up, and why dispatch stopped if it did.</summary>
public sealed record PartialTranscriptRequest(string JobId, IReadOnlyList<ChunkFailure> Failed, string? Stopped);
