using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>The input of a job's orchestration (its instance id is the job id).</summary>
public sealed record JobRequest(string JobId, bool Purify, string? Language, DispatchLimits Limits)
{
    /// <summary>Set when the orchestration continued as new after a batch: what is left to transcribe.</summary>
    public DispatchState? Continuation { get; init; }
}

/// <summary>The dispatch phase carried across continue-as-new: chunks still to transcribe, longest first.</summary>
public sealed record DispatchState(double DurationMs, IReadOnlyList<PendingChunk> Remaining, int Transcribed, int SpeechChunks);

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
public sealed record ChunkBatch(string JobId, string? Language, IReadOnlyList<PendingChunk> Chunks, DispatchLimits Limits);

/// <summary>How a batch ended: chunks it could not get transcribed, with why.</summary>
public sealed record BatchOutcome(int Transcribed, IReadOnlyList<int> Untranscribed, string? Error);
