using System.Text.Json;
using System.Text.Json.Serialization;
using Orchard.Domain.Jobs;

namespace Orchard.Domain.Transcripts;

/// <summary>One segment as a worker reports it: times relative to the audio it was sent.</summary>
public sealed record WorkerSegment(string? Start, string? End, double StartMs, double EndMs, string Text);

/// <summary>A worker's answer to <c>POST /transcribe</c> (the seed worker contract), normalised by <see cref="Dispatch.AnswerNormalizer"/>.</summary>
public sealed record WorkerTranscription
{
    public required string Text { get; init; }

    public long TimeMs { get; init; }

    public JsonElement? Metadata { get; init; }

    public required IReadOnlyList<WorkerSegment> Segments { get; init; }
}

/// <summary>A chunk's stored result: the worker's answer and who gave it, kept as a blob.</summary>
public sealed record ChunkResult
{
    public required int Index { get; init; }

    public required string WorkerId { get; init; }

    public string? WorkerUrl { get; init; }

    /// <summary>The lease that answered (a worker sending its answer twice is told it was accepted, once).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LeaseId { get; init; }

    public required double SentMs { get; init; }

    /// <summary>Wall time of the delivery as the master measured it.</summary>
    public required double ElapsedMs { get; init; }

    public required WorkerTranscription Transcription { get; init; }

    /// <summary>What normalising the worker's answer changed; null when nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnswerChanges? Normalized { get; init; }
}

/// <summary>A chunk's last unreadable answer: who gave it and why (the reason is the same for the same answer).</summary>
public sealed record UnreadableAnswer(string WorkerId, string Reason);

/// <summary>An enrolled worker's answer kept until a trusted worker's answer for the same chunk is compared with it.</summary>
public sealed record CandidateAnswer(string WorkerId, string LeaseId, string Text);
