using System.Text.Json;

namespace Orchard.Domain.Dispatch;

/// <summary>One segment as a worker reports it: times relative to the audio it was sent.</summary>
public sealed record WorkerSegment(string? Start, string? End, double StartMs, double EndMs, string Text);

/// <summary>A worker's validated answer to <c>POST /transcribe</c> (the seed worker contract).</summary>
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

    public required double SentMs { get; init; }

    /// <summary>Wall time of the delivery as the master measured it.</summary>
    public required double ElapsedMs { get; init; }

    public required WorkerTranscription Transcription { get; init; }
}
