using Orchard.Domain.Audio;

namespace Orchard.Domain.Transcripts;

/// <summary>How a recording was cut: every chunk with its place on the original timeline and its compaction map.</summary>
public sealed record ChunkManifest
{
    public required string JobId { get; init; }

    public required double DurationMs { get; init; }

    public required bool Purified { get; init; }

    public required IReadOnlyList<ManifestChunk> Chunks { get; init; }

    public static string BlobName(string jobId) => $"jobs/{jobId}/manifest.json";
}

/// <summary>One chunk of a manifest.</summary>
public sealed record ManifestChunk
{
    public required int Index { get; init; }

    public required double StartMs { get; init; }

    public required double EndMs { get; init; }

    public required bool IsSilent { get; init; }

    /// <summary>Length of the compacted audio sent to a worker (0 for silent chunks).</summary>
    public required double SentMs { get; init; }

    public required CompactionMap Map { get; init; }
}
