namespace Orchard.Domain.Transcripts;

/// <summary>A segment on the original recording's timeline, in the original master's shape.</summary>
public sealed record TranscriptSegment(string Start, string End, long StartMs, long EndMs, string Text)
{
    /// <summary>The chunk the segment came from.</summary>
    public int ChunkIndex { get; init; }
}

/// <summary>The joined result of a job (the original's <c>result</c> object plus the recording's duration).</summary>
public sealed record Transcript
{
    public required string Text { get; init; }

    public required IReadOnlyList<TranscriptSegment> Segments { get; init; }

    public int SegmentsCount => Segments.Count;

    /// <summary>Sum of the workers' processing times.</summary>
    public required long TotalProcessingTimeMs { get; init; }

    public required double DurationMs { get; init; }
}
