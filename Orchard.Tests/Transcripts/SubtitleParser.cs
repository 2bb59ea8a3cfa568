using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchard.Tests.Transcripts;

/// <summary>One subtitle cue.</summary>
public sealed record Cue(TimeSpan Start, TimeSpan End, string Text);

/// <summary>
/// Strict readers of SubRip and WebVTT as players parse them: anything a standard parser would reject or misread
/// (a bad timing line, a cue without text, "-->" in text, an end not after its start, a missing header) fails.
/// </summary>
public static partial class SubtitleParser
{
    public static IReadOnlyList<Cue> ParseSrt(string content)
    {
        var cues = new List<Cue>();
        foreach (var block in Blocks(content))
        {
            Assert.True(block.Length >= 3, $"an SRT cue needs a number, a timing line and text: '{string.Join("|", block)}'");
            Assert.Equal((cues.Count + 1).ToString(CultureInfo.InvariantCulture), block[0]);
            var timing = SrtTiming().Match(block[1]);
            Assert.True(timing.Success, $"bad SRT timing line '{block[1]}'");
            cues.Add(Build(Time(timing, 1), Time(timing, 5), block[2..]));
        }

        return cues;
    }

    public static IReadOnlyList<Cue> ParseVtt(string content)
    {
        var blocks = Blocks(content);
        Assert.NotEmpty(blocks);
        Assert.Matches("^WEBVTT([ \t].*)?$", blocks[0][0]);
        Assert.Single(blocks[0]);
        var cues = new List<Cue>();
        foreach (var block in blocks.Skip(1))
        {
            var line = block[0].Contains("-->", StringComparison.Ordinal) ? 0 : 1;
            Assert.True(block.Length > line + 1, $"a WebVTT cue needs a timing line and text: '{string.Join("|", block)}'");
            var timing = VttTiming().Match(block[line]);
            Assert.True(timing.Success, $"bad WebVTT timing line '{block[line]}'");
            cues.Add(Build(Time(timing, 1), Time(timing, 5), block[(line + 1)..]));
        }

        return cues;
    }

    private static Cue Build(TimeSpan start, TimeSpan end, string[] text)
    {
        Assert.True(end > start, $"a cue must end after it starts ({start} --> {end})");
        Assert.All(text, t =>
        {
            Assert.False(string.IsNullOrWhiteSpace(t));
            Assert.DoesNotContain("-->", t, StringComparison.Ordinal);
        });
        return new Cue(start, end, string.Join("\n", text));
    }

    private static List<string[]> Blocks(string content)
    {
        Assert.DoesNotContain("\r", content, StringComparison.Ordinal);
        return content.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(b => b.Trim('\n').Split('\n'))
            .Where(b => b.Length > 0 && b[0].Length > 0)
            .ToList();
    }

    private static TimeSpan Time(Match m, int first) => new(
        0,
        int.Parse(m.Groups[first].Value.Length == 0 ? "0" : m.Groups[first].Value, CultureInfo.InvariantCulture),
        int.Parse(m.Groups[first + 1].Value, CultureInfo.InvariantCulture),
        int.Parse(m.Groups[first + 2].Value, CultureInfo.InvariantCulture),
        int.Parse(m.Groups[first + 3].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$")]
    private static partial Regex SrtTiming();

    [GeneratedRegex(@"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3}) --> (?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})(?: .*)?$")]
    private static partial Regex VttTiming();
}
