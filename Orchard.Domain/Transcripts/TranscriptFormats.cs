using System.Globalization;
using System.Text;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;

namespace Orchard.Domain.Transcripts;

/// <summary>A transcript rendered for download.</summary>
public sealed record RenderedTranscript(string Content, string ContentType);

/// <summary>
/// A transcript as <c>json</c> (the original's result object), <c>txt</c>, <c>srt</c> or <c>vtt</c>; every time is on
/// the original recording's timeline.
/// </summary>
public static class TranscriptFormats
{
    public static IReadOnlyList<string> Names { get; } = ["json", "txt", "srt", "vtt"];

    /// <summary>The canonical format name (default json); throws <see cref="InvalidRequestException"/> for others.</summary>
    public static string Parse(string? format)
    {
        var name = string.IsNullOrWhiteSpace(format) ? "json" : format.Trim().ToLowerInvariant();
        return Names.Contains(name) ? name : throw new InvalidRequestException($"format must be one of {string.Join(", ", Names)}.");
    }

    public static RenderedTranscript Render(Transcript transcript, string format)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        return Parse(format) switch
        {
            "txt" => new RenderedTranscript(Text(transcript), "text/plain; charset=utf-8"),
            "srt" => new RenderedTranscript(Cues(transcript, vtt: false), "application/x-subrip; charset=utf-8"),
            "vtt" => new RenderedTranscript(Cues(transcript, vtt: true), "text/vtt; charset=utf-8"),
            _ => new RenderedTranscript(OrchardJson.Serialize(transcript), "application/json; charset=utf-8"),
        };
    }

    /// <summary>The line that stands for a gap in txt, srt and vtt (JSON lists gaps in <c>gaps</c>).</summary>
    public static string GapMarker(TranscriptGap gap)
    {
        ArgumentNullException.ThrowIfNull(gap);
        return $"[untranscribed {TimeFormat.Range(gap.StartMs, gap.EndMs)}]";
    }

    private static string Text(Transcript transcript)
    {
        var lines = Entries(transcript).Select(e => e.Gap is null ? OneLine(e.Segment!.Text) : GapMarker(e.Gap)).Where(t => t.Length > 0).ToList();
        if (lines.Count == (transcript.Gaps?.Count ?? 0) && transcript.Text.Length > 0)
        {
            // No segment carries text: the joined text stands in for them, before the markers.
            lines.Insert(0, transcript.Text);
        }

        return lines.Count == 0 ? transcript.Text + "\n" : string.Join('\n', lines) + "\n";
    }

    private static string Cues(Transcript transcript, bool vtt)
    {
        var output = new StringBuilder();
        if (vtt)
        {
            output.Append("WEBVTT\n\n");
        }

        var number = 0;
        foreach (var entry in Entries(transcript))
        {
            var (startMs, endMs, text) = entry.Gap is { } gap
                ? (gap.StartMs, gap.EndMs, GapMarker(gap))
                : (entry.Segment!.StartMs, entry.Segment.EndMs, OneLine(entry.Segment.Text).Replace("-->", "->", StringComparison.Ordinal));
            if (text.Length == 0)
            {
                continue;
            }

            // A cue must end after it starts; a zero-length segment gets one millisecond.
            var end = Math.Max(endMs, startMs + 1);
            var separator = vtt ? '.' : ',';
            output.Append((++number).ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append(TimeFormat.Clock(startMs, separator)).Append(" --> ").Append(TimeFormat.Clock(end, separator)).Append('\n')
                .Append(text).Append("\n\n");
        }

        return output.ToString();
    }

    /// <summary>
    /// Segments in order with each gap where its chunk falls: segments come chunk by chunk, and a gap is a chunk's
    /// whole range, so a gap goes before the first segment of a later chunk.
    /// </summary>
    private static IEnumerable<(TranscriptSegment? Segment, TranscriptGap? Gap)> Entries(Transcript transcript)
    {
        var gaps = transcript.Gaps ?? [];
        var next = 0;
        foreach (var segment in transcript.Segments)
        {
            for (; next < gaps.Count && gaps[next].ChunkIndex < segment.ChunkIndex; next++)
            {
                yield return (null, gaps[next]);
            }

            yield return (segment, null);
        }

        for (; next < gaps.Count; next++)
        {
            yield return (null, gaps[next]);
        }
    }

    // A blank line ends a cue, so a segment's text is one line without control characters.
    private static string OneLine(string text) =>
        string.Join(' ', new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
