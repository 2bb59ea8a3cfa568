using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchard.Worker.Engines;

/// <summary>One word PocketSphinx recognized, with its time in the audio.</summary>
/// <param name="Text">The word, without the <c>(2)</c> pronunciation-variant mark.</param>
/// <param name="Start">Where it starts.</param>
/// <param name="End">Where it ends.</param>
public sealed record RecognizedWord(string Text, TimeSpan Start, TimeSpan End);

/// <summary>
/// Reads what <c>pocketsphinx_continuous -time yes</c> (Debian's 0.8) prints on stdout, and groups its words into segments.
/// Per utterance it prints the hypothesis on one line, then one line per token:
/// <c>word start end confidence</c>, times in seconds from the start of the file, e.g. <c>probably(2) 0.480 0.750 0.033501</c>.
/// </summary>
public static partial class PocketSphinxOutput
{
    /// <summary>A pause longer than this between two words starts a new segment.</summary>
    public static readonly TimeSpan SegmentPause = TimeSpan.FromSeconds(0.5);

    /// <summary>A segment holds at most this many words, so long unbroken speech still gets timestamps.</summary>
    public const int SegmentMaxWords = 10;

    /// <summary>The words in <paramref name="stdout"/>, in order, without fillers (<c>&lt;s&gt;</c>, <c>&lt;sil&gt;</c>, <c>[NOISE]</c>, ...).</summary>
    public static IReadOnlyList<RecognizedWord> ParseWords(string stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var words = new List<RecognizedWord>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // Hypothesis lines are bare words (the dictionary has no numbers), so only token lines match.
            var match = TokenLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var token = match.Groups["word"].Value;
            if (IsFiller(token))
            {
                continue;
            }

            var start = TimeSpan.FromSeconds(double.Parse(match.Groups["start"].Value, CultureInfo.InvariantCulture));
            var end = TimeSpan.FromSeconds(double.Parse(match.Groups["end"].Value, CultureInfo.InvariantCulture));
            words.Add(new RecognizedWord(Variant().Replace(token, string.Empty), start, end < start ? start : end));
        }

        return words;
    }

    /// <summary>
    /// Groups <paramref name="words"/> into segments: a new one after a pause over <see cref="SegmentPause"/> or
    /// <see cref="SegmentMaxWords"/> words. Times are clamped into [0, <paramref name="duration"/>] and kept in order.
    /// </summary>
    public static IReadOnlyList<EngineSegment> Group(IReadOnlyList<RecognizedWord> words, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(words);
        var segments = new List<EngineSegment>();
        var current = new List<RecognizedWord>();
        var floor = TimeSpan.Zero;

        void Flush()
        {
            if (current.Count == 0)
            {
                return;
            }

            var start = Clamp(current[0].Start, floor, duration);
            var end = Clamp(current[^1].End, start, duration);
            segments.Add(new EngineSegment(start, end, string.Join(' ', current.Select(w => w.Text))));
            floor = end;
            current.Clear();
        }

        foreach (var word in words)
        {
            if (current.Count > 0 && (word.Start - current[^1].End > SegmentPause || current.Count >= SegmentMaxWords))
            {
                Flush();
            }

            current.Add(word);
        }

        Flush();
        return segments;
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? (min > max ? min : max) : value;

    /// <summary>Sentence marks, silence and noise tokens: <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;sil&gt;</c>, <c>[NOISE]</c>, <c>++UH++</c>.</summary>
    private static bool IsFiller(string token) =>
        token.StartsWith('<') || token.StartsWith('[') || token.StartsWith("++", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<word>\S+) (?<start>\d+(?:\.\d+)?) (?<end>\d+(?:\.\d+)?) (?<confidence>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenLine();

    [GeneratedRegex(@"\(\d+\)$", RegexOptions.CultureInvariant)]
    private static partial Regex Variant();
}
