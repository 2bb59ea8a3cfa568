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

    private static string Text(Transcript transcript)
    {
        var lines = transcript.Segments.Select(s => OneLine(s.Text)).Where(t => t.Length > 0).ToArray();
        return lines.Length == 0 ? transcript.Text + "\n" : string.Join('\n', lines) + "\n";
    }

    private static string Cues(Transcript transcript, bool vtt)
    {
        var output = new StringBuilder();
        if (vtt)
        {
            output.Append("WEBVTT\n\n");
        }

        var number = 0;
        foreach (var segment in transcript.Segments)
        {
            var text = OneLine(segment.Text).Replace("-->", "->", StringComparison.Ordinal);
            if (text.Length == 0)
            {
                continue;
            }

            // A cue must end after it starts; a zero-length segment gets one millisecond.
            var end = Math.Max(segment.EndMs, segment.StartMs + 1);
            var separator = vtt ? '.' : ',';
            output.Append((++number).ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append(TimeFormat.Clock(segment.StartMs, separator)).Append(" --> ").Append(TimeFormat.Clock(end, separator)).Append('\n')
                .Append(text).Append("\n\n");
        }

        return output.ToString();
    }

    // A blank line ends a cue, so a segment's text is one line without control characters.
    private static string OneLine(string text) =>
        string.Join(' ', new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
