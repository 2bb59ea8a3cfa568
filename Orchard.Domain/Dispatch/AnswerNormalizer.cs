using System.Text.Json;
using Orchard.Domain.Jobs;
using Orchard.Domain.Transcripts;

namespace Orchard.Domain.Dispatch;

/// <summary>A worker's <c>/transcribe</c> answer as sent, before anything is trusted: every field may be missing.</summary>
public sealed record WorkerAnswer
{
    public string? Text { get; init; }

    public double? TimeMs { get; init; }

    public JsonElement? Metadata { get; init; }

    public IReadOnlyList<WorkerAnswerSegment?>? Segments { get; init; }
}

/// <summary>One segment as sent; times in milliseconds of the audio sent.</summary>
public sealed record WorkerAnswerSegment(string? Start, string? End, double? StartMs, double? EndMs, string? Text);

/// <summary>A usable answer and what making it usable changed.</summary>
public sealed record NormalizedAnswer(WorkerTranscription Transcription, AnswerChanges Changes);

/// <summary>An answer that cannot be read; <see cref="Exception.Message"/> says why, the same way for the same answer.</summary>
public sealed class AnswerUnreadableException(string reason) : Exception(reason);

/// <summary>
/// Turns what real engines answer into segments the transcript can use, rejecting only what cannot be read.
/// PocketSphinx reports word times seconds past the end of the audio; Whisper ends its last segment at its 30 s
/// window, overlaps segments, sends empty, whitespace and zero-length segments and repeats lines. So: times are
/// clamped into [0, audio sent], segments sorted by start (stably, overlaps kept in order), only segments with no
/// text dropped (a segment clamped to zero length keeps its words), repeated lines kept and counted. Unreadable:
/// neither segments nor text, a segment without numeric times, or more text than the audio could hold.
/// </summary>
public static class AnswerNormalizer
{
    /// <summary>
    /// Characters of text allowed per second of audio sent. Fast speech is about 20 characters a second, and
    /// Whisper emits at most 448 tokens per 30 s window; five times the first covers both with room.
    /// </summary>
    public const int TextCharsPerSecond = 100;

    /// <summary>Characters allowed on top of the proportional bound, for very short chunks.</summary>
    public const int TextSlackChars = 4096;

    /// <summary>The most text an answer may carry for <paramref name="sentMs"/> of audio (its text, and its segments' texts together).</summary>
    public static long MaxTextChars(double sentMs) => TextSlackChars + (long)Math.Ceiling(Math.Max(0, sentMs) / 1000 * TextCharsPerSecond);

    /// <summary>Normalises <paramref name="answer"/> to <paramref name="sentMs"/> of audio; throws <see cref="AnswerUnreadableException"/>.</summary>
    public static NormalizedAnswer Normalize(WorkerAnswer answer, double sentMs)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Segments is null && answer.Text is null)
        {
            throw new AnswerUnreadableException("the answer has neither 'segments' nor 'text'");
        }

        var limit = MaxTextChars(sentMs);
        if (answer.Text is { } whole && whole.Length > limit)
        {
            throw TooMuchText(whole.Length, limit, sentMs);
        }

        var kept = new List<(int Order, WorkerSegment Segment)>();
        long segmentChars = 0;
        var clamped = 0;
        var dropped = 0;
        var raw = answer.Segments ?? [];
        for (var i = 0; i < raw.Count; i++)
        {
            var s = raw[i] ?? throw new AnswerUnreadableException($"segment {i} is null");
            segmentChars += s.Text?.Length ?? 0;
            if (segmentChars > limit)
            {
                throw TooMuchText(segmentChars, limit, sentMs);
            }

            if (string.IsNullOrWhiteSpace(s.Text))
            {
                dropped++;
                continue;
            }

            if (s.StartMs is not { } start || s.EndMs is not { } end || !double.IsFinite(start) || !double.IsFinite(end))
            {
                throw new AnswerUnreadableException($"segment {i} lacks numeric 'start_ms' and 'end_ms'");
            }

            var from = Math.Clamp(start, 0, sentMs);
            var to = Math.Clamp(end, from, sentMs);
            if (from != start || to != end)
            {
                clamped++;
            }

            kept.Add((kept.Count, new WorkerSegment(TimeFormat.Clock(from), TimeFormat.Clock(to), from, to, s.Text)));
        }

        // OrderBy is stable: overlapping segments and equal starts keep the worker's order.
        var sorted = kept.OrderBy(k => k.Segment.StartMs).ToList();
        var reordered = kept.Skip(1).Where((k, i) => k.Segment.StartMs < kept[i].Segment.StartMs).Count();
        var repeated = sorted.Skip(1).Where((k, i) => string.Equals(k.Segment.Text.Trim(), sorted[i].Segment.Text.Trim(), StringComparison.Ordinal)).Count();
        var segments = sorted.Select(k => k.Segment).ToList();
        var untimed = 0;
        if (segments.Count == 0 && !string.IsNullOrWhiteSpace(answer.Text))
        {
            // Text without a timed segment still reaches the transcript: as one segment over the whole chunk.
            segments.Add(new WorkerSegment(TimeFormat.Clock(0), TimeFormat.Clock(sentMs), 0, sentMs, answer.Text.Trim()));
            untimed = 1;
        }

        var transcription = new WorkerTranscription
        {
            Text = answer.Text ?? string.Join(' ', segments.Select(s => s.Text.Trim())),
            TimeMs = answer.TimeMs is { } ms && double.IsFinite(ms) && ms > 0 ? (long)Math.Min(ms, long.MaxValue / 2) : 0,
            Metadata = answer.Metadata,
            Segments = segments,
        };
        return new NormalizedAnswer(transcription, new AnswerChanges(clamped, reordered, dropped, repeated, untimed));
    }

    private static AnswerUnreadableException TooMuchText(long chars, long limit, double sentMs) =>
        new($"the answer holds over {limit} characters of text ({chars} so far), more than {sentMs / 1000:0.#} s of audio can hold ({TextCharsPerSecond} a second plus {TextSlackChars})");
}
