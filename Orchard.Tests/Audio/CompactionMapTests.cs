using System.Text.Json;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class CompactionMapTests
{
    // Chunk at 60 s: 60.0-62.15 kept, pause shortened, 70.15-75 kept (compacted 2.15 s + 4.85 s).
    private static readonly CompactionMap Map = new([
        new CompactionSegment(0, 60_000, 2_150),
        new CompactionSegment(2_150, 70_150, 4_850),
    ]);

    [Fact]
    public void ToOriginalMs_MapsBothEnds_WhenSegmentStraddlesShortenedPause()
    {
        // A worker segment 1.5 s - 3.0 s starts before the shortened pause and ends after it.
        Assert.Equal(61_500, Map.ToOriginalMs(1_500), 3);
        Assert.Equal(71_000, Map.ToOriginalMs(3_000), 3);
    }

    [Fact]
    public void ToOriginalMs_IncludesChunkOffset_AtStartAndEnd()
    {
        Assert.Equal(60_000, Map.ToOriginalMs(0), 3);
        Assert.Equal(75_000, Map.ToOriginalMs(7_000), 3);
        Assert.Equal(70_150, Map.ToOriginalMs(2_150), 3);
        Assert.Equal(7_000, Map.CompactedDurationMs, 3);
    }

    [Fact]
    public void ToChunkRelativeMs_ExcludesChunkOffset_Always()
    {
        Assert.Equal(11_000, Map.ToChunkRelativeMs(3_000), 3);
    }

    [Fact]
    public void Serialize_RoundTripsWithSnakeCaseFields_SystemTextJson()
    {
        var json = JsonSerializer.Serialize(Map);
        Assert.Contains("\"compacted_start_ms\":2150", json, StringComparison.Ordinal);
        Assert.Contains("\"original_start_ms\":70150", json, StringComparison.Ordinal);
        Assert.Contains("\"length_ms\":4850", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<CompactionMap>(json)!;
        Assert.Equal(Map.Segments, back.Segments);
        Assert.Equal(71_000, back.ToOriginalMs(3_000), 3);
    }

    [Fact]
    public void Constructor_Throws_WhenNoSegments()
    {
        Assert.Throws<ArgumentException>(() => new CompactionMap([]));
    }

    [Fact]
    public void Identity_MapsWithOffsetOnly_Always()
    {
        var map = CompactionMap.Identity(1_000, 500);
        Assert.Equal(1_250, map.ToOriginalMs(250), 6);
    }
}
