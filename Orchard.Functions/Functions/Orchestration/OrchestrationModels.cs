using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>
/// The input of a job's orchestration (its instance id is the job id). <see cref="Rules"/> are fixed when the job
/// starts: they travel in the input, so every replay decides as the first run did.
/// </summary>
public sealed record JobRequest(string JobId, bool Purify, string? Language, DispatchRules Rules)
{
    /// <summary>Set when the orchestration continued as new in the processing phase: what is open, done and given up.</summary>
    public FlowState? Flow { get; init; }

    /// <summary>The job has a callback_url: once it ends, its callback's delivery is started.</summary>
    public bool Callback { get; init; }

    /// <summary>The client asked that the job's audio go to trusted workers only.</summary>
    public bool TrustedOnly { get; init; }
}

/// <summary>How a job's orchestration ended.</summary>
public sealed record JobOutcome(string JobId, JobStatus Status, int Segments, string? Error);

/// <summary>A status change for a job, through an activity (orchestrators do no I/O).</summary>
public sealed record JobStatusUpdate(string JobId, JobStatus Status, string? Error = null, double? DurationMs = null);

/// <summary>The chunks the orchestration reviews against the queue.</summary>
public sealed record ReviewRequest(string JobId, IReadOnlyList<int> Indexes);

/// <summary>Leases to end because they were held past their chunk's timeout.</summary>
public sealed record RevokeRequest(string JobId, IReadOnlyList<string> LeaseIds, string Reason);

/// <summary>Whether any online worker may still serve the job (those in <see cref="Declined"/> refused it).</summary>
public sealed record FleetCheck(string JobId, string? Language, IReadOnlyList<string> Declined);

/// <summary>A job's chunks to take out of the queue when it stops.</summary>
public sealed record WithdrawRequest(string JobId, IReadOnlyList<int> Indexes);

/// <summary>The end of a job that could not transcribe every chunk: its chunks given up, and why dispatch stopped if it did.</summary>
public sealed record PartialTranscriptRequest(string JobId, IReadOnlyList<ChunkFailure> Failed, string? Stopped);
