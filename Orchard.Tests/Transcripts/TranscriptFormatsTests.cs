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

    [Fact]
    public void Parse_ThrowsNamingTheFormats_WhenFormatUnknown()
    {
        var error = Assert.Throws<InvalidRequestException>(() => TranscriptFormats.Parse("pdf"));

        Assert.Contains("json, txt, srt, vtt", error.Message, StringComparison.Ordinal);
        Assert.Equal("json", TranscriptFormats.Parse(null));
    }
}
