using System.Text.Json.Serialization;

namespace Orchard.Domain.Audio;

/// <summary>One stretch of audio kept in a compacted chunk.</summary>
/// <param name="CompactedStartMs">Where the stretch starts in the compacted audio sent to the worker.</param>
/// <param name="OriginalStartMs">Where it starts on the original recording's timeline.</param>
/// <param name="LengthMs">Its length, the same in both.</param>
public sealed record CompactionSegment(
    [property: JsonPropertyName("compacted_start_ms")] double CompactedStartMs,
    [property: JsonPropertyName("original_start_ms")] double OriginalStartMs,
    [property: JsonPropertyName("length_ms")] double LengthMs);

/// <summary>
/// Maps times in a chunk's compacted audio (long pauses shortened) back to the ORIGINAL recording's timeline,
/// chunk start offset included. Immutable and small: one segment per kept stretch.
/// </summary>
public sealed class CompactionMap
{
    /// <summary>Creates a map from its segments, which must be ordered and contiguous in compacted time.</summary>
    [JsonConstructor]
    public CompactionMap(IReadOnlyList<CompactionSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0)
        {
            throw new ArgumentException("a compaction map needs at least one segment", nameof(segments));
        }

        for (var i = 1; i < segments.Count; i++)
        {
            if (segments[i].CompactedStartMs < segments[i - 1].CompactedStartMs)
            {
                throw new ArgumentException("segments must be ordered by compacted start", nameof(segments));
            }
        }

        Segments = segments.ToArray();
    }

    /// <summary>The kept stretches, ordered.</summary>
    [JsonPropertyName("segments")]
    public IReadOnlyList<CompactionSegment> Segments { get; }

    /// <summary>Start of the chunk on the original timeline (ms).</summary>
    [JsonIgnore]
    public double OriginalStartMs => Segments[0].OriginalStartMs;

    /// <summary>Length of the compacted audio (ms).</summary>
    [JsonIgnore]
    public double CompactedDurationMs => Segments[^1].CompactedStartMs + Segments[^1].LengthMs;

    /// <summary>
    /// Maps a time reported by a worker (ms into the compacted chunk) to the original recording's timeline (ms).
    /// Times before 0 or after the end extrapolate from the first or last stretch.
    /// </summary>
    public double ToOriginalMs(double compactedMs)
    {
        var segments = Segments;
        int lo = 0, hi = segments.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (segments[mid].CompactedStartMs <= compactedMs)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var s = segments[lo];
        return s.OriginalStartMs + (compactedMs - s.CompactedStartMs);
    }

    /// <summary>Maps a compacted time to ms from the chunk's own start (original timeline, no recording offset).</summary>
    public double ToChunkRelativeMs(double compactedMs) => ToOriginalMs(compactedMs) - OriginalStartMs;

    /// <summary>The identity map of an uncompacted stretch.</summary>
    public static CompactionMap Identity(double originalStartMs, double lengthMs) => new([new CompactionSegment(0, originalStartMs, lengthMs)]);

    internal static CompactionMap FromSamples(IReadOnlyList<SampleRange> kept)
    {
        var segments = new List<CompactionSegment>(kept.Count);
        long compacted = 0;
        foreach (var r in kept)
        {
            segments.Add(new CompactionSegment(AudioFormat.SamplesToMs(compacted), AudioFormat.SamplesToMs(r.Start), AudioFormat.SamplesToMs(r.Length)));
            compacted += r.Length;
        }

        return new CompactionMap(segments);
    }
}
