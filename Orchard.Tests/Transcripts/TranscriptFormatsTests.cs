using Orchard.Domain.Jobs;
using Orchard.Domain.Transcripts;

namespace Orchard.Tests.Transcripts;

public sealed class TranscriptFormatsTests
{
    private static readonly Transcript Sample = new()
    {
        Text = "hello world again",
        TotalProcessingTimeMs = 10,
        DurationMs = 3_800_000,
        Segments =
        [
            new TranscriptSegment("00:00:01.000", "00:00:02.500", 1000, 2500, " hello "),
            new TranscriptSegment("00:00:03.000", "00:00:03.000", 3000, 3000, "zero --> length"),
            new TranscriptSegment("00:00:04.000", "00:00:05.000", 4000, 5000, "   "),
            new TranscriptSegment("01:02:03.004", "01:02:04.005", 3_723_004, 3_724_005, "two\nlines\r\nhere"),
        ],
    };

    [Fact]
    public void Render_WritesSrtAStrictParserAccepts_WithOriginalTimes()
    {
        var rendered = TranscriptFormats.Render(Sample, "srt");

        var cues = SubtitleParser.ParseSrt(rendered.Content);

        Assert.Equal([1000, 3000, 3_723_004], cues.Select(c => c.Start.TotalMilliseconds));
        Assert.Equal([2500, 3001, 3_724_005], cues.Select(c => c.End.TotalMilliseconds));
        Assert.Equal(["hello", "zero -> length", "two lines here"], cues.Select(c => c.Text));
        Assert.StartsWith("application/x-subrip", rendered.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WritesVttAStrictParserAccepts_WithOriginalTimes()
    {
        var rendered = TranscriptFormats.Render(Sample, "VTT");

        var cues = SubtitleParser.ParseVtt(rendered.Content);

        Assert.Equal([1000, 3000, 3_723_004], cues.Select(c => c.Start.TotalMilliseconds));
        Assert.Contains("01:02:03.004 --> 01:02:04.005", rendered.Content, StringComparison.Ordinal);
        Assert.StartsWith("text/vtt", rendered.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WritesOneLinePerSegment_WhenTxt()
    {
        var rendered = TranscriptFormats.Render(Sample, "txt");

        Assert.Equal("hello\nzero --> length\ntwo lines here\n", rendered.Content);
    }

    // Chunk 0 (0–60 s) transcribed, chunk 1 (60–118.5 s) failed, chunk 2 (118.5–180 s) transcribed, chunk 3 (180–240 s) left.
    private static readonly Transcript PartialSample = new()
    {
        Text = "one two three",
        TotalProcessingTimeMs = 10,
        DurationMs = 240_000,
        Segments =
        [
            new TranscriptSegment("00:00:01.000", "00:00:02.000", 1_000, 2_000, "one") { ChunkIndex = 0 },
            new TranscriptSegment("00:00:59.000", "00:01:00.000", 59_000, 60_000, "two") { ChunkIndex = 0 },
            new TranscriptSegment("00:02:00.000", "00:02:01.000", 120_000, 121_000, "three") { ChunkIndex = 2 },
        ],
        Partial = true,
        Gaps =
        [
            new TranscriptGap("00:01:00.000", "00:01:58.500", 60_000, 118_500, 1, "failed 5 times; last: HTTP 500"),
            new TranscriptGap("00:03:00.000", "00:04:00.000", 180_000, 240_000, 3, "No worker became free within 30 minutes."),
        ],
    };

    [Fact]
    public void Render_MarksEachGapInTime_WhenTxt()
    {
        var rendered = TranscriptFormats.Render(PartialSample, "txt");

        Assert.Equal("one\ntwo\n[untranscribed 00:01:00\u201300:01:59]\nthree\n[untranscribed 00:03:00\u201300:04:00]\n", rendered.Content);
    }

    [Theory]
    [InlineData("srt")]
    [InlineData("vtt")]
    public void Render_GivesEachGapACueAStrictParserAccepts_WhenSrtOrVtt(string format)
    {
        var content = TranscriptFormats.Render(PartialSample, format).Content;

        var cues = format == "srt" ? SubtitleParser.ParseSrt(content) : SubtitleParser.ParseVtt(content);

        Assert.Equal(["one", "two", "[untranscribed 00:01:00\u201300:01:59]", "three", "[untranscribed 00:03:00\u201300:04:00]"], cues.Select(c => c.Text));
        Assert.Equal([1_000, 59_000, 60_000, 120_000, 180_000], cues.Select(c => c.Start.TotalMilliseconds));
        Assert.Equal(118_500, cues[2].End.TotalMilliseconds);
        Assert.Equal(240_000, cues[4].End.TotalMilliseconds);
    }

    [Fact]
    public void Render_ListsGapsBesideTheOriginalFields_WhenJsonIsPartial()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(TranscriptFormats.Render(PartialSample, "json").Content)!;

        Assert.True((bool)json["partial"]!);
        Assert.Equal("one two three", (string?)json["text"]);
        Assert.Equal(3, (int)json["segments_count"]!);
        var gap = json["gaps"]![0]!;
        Assert.Equal("00:01:00.000", (string?)gap["start"]);
        Assert.Equal("00:01:58.500", (string?)gap["end"]);
        Assert.Equal(60_000, (long)gap["start_ms"]!);
        Assert.Equal(118_500, (long)gap["end_ms"]!);
        Assert.Equal(1, (int)gap["chunk_index"]!);
        Assert.Equal("failed 5 times; last: HTTP 500", (string?)gap["reason"]);
        Assert.Null(System.Text.Json.Nodes.JsonNode.Parse(TranscriptFormats.Render(Sample, "json").Content)!["partial"]);
    }

    [Fact]
    public void Render_WritesTheJoinedTextThenTheMarkers_WhenNoSegmentCarriesText()
    {
        var transcript = PartialSample with { Text = "spoken", Segments = [] };

        var rendered = TranscriptFormats.Render(transcript, "txt");

        Assert.Equal("spoken\n[untranscribed 00:01:00\u201300:01:59]\n[untranscribed 00:03:00\u201300:04:00]\n", rendered.Content);
    }

    [Fact]
    public void Parse_ThrowsNamingTheFormats_WhenFormatUnknown()
    {
        var error = Assert.Throws<InvalidRequestException>(() => TranscriptFormats.Parse("pdf"));

        Assert.Contains("json, txt, srt, vtt", error.Message, StringComparison.Ordinal);
        Assert.Equal("json", TranscriptFormats.Parse(null));
    }
}
