using System.Text.Json.Serialization;

namespace Orchard.Domain.Transcripts;

/// <summary>A segment on the original recording's timeline, in the original master's shape.</summary>
public sealed record TranscriptSegment(string Start, string End, long StartMs, long EndMs, string Text)
{
    /// <summary>The chunk the segment came from.</summary>
    public int ChunkIndex { get; init; }
}

/// <summary>
/// A stretch of the original recording with no transcript: a speech chunk that was never transcribed (it failed on
/// every attempt, no worker came in time, or the job was cancelled first), with why.
/// </summary>
public sealed record TranscriptGap(string Start, string End, long StartMs, long EndMs, int ChunkIndex, string Reason);

/// <summary>The joined result of a job (the original's <c>result</c> object plus the recording's duration).</summary>
public sealed record Transcript
{
    public required string Text { get; init; }

    public required IReadOnlyList<TranscriptSegment> Segments { get; init; }

    public int SegmentsCount => Segments.Count;

    /// <summary>Sum of the workers' processing times.</summary>
    public required long TotalProcessingTimeMs { get; init; }

    public required double DurationMs { get; init; }

    /// <summary>
    /// True for the transcript of a failed or cancelled job: what was transcribed, with <see cref="Gaps"/> where
    /// nothing was. Left out of a completed job's JSON, whose shape stays the original's.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Partial { get; init; }

    /// <summary>The untranscribed stretches, in time order; null (and left out) for a complete transcript.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TranscriptGap>? Gaps { get; init; }
}
