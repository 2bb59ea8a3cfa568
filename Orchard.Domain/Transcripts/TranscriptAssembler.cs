using System.Globalization;
using System.Text;
using Orchard.Domain.Dispatch;

namespace Orchard.Domain.Transcripts;

/// <summary>
/// Joins chunk results into one transcript on the original timeline: each worker time goes through its chunk's
/// compaction map, so shortened pauses and chunk offsets cost no accuracy.
/// </summary>
public static class TranscriptAssembler
{
    /// <summary>At most this many chunks are named one by one in a job's error; all of them are in the transcript's gaps.</summary>
    public const int MaxChunksNamed = 10;

    /// <summary>
    /// Builds the transcript; throws <see cref="InvalidOperationException"/> naming the chunks without a result, since
    /// a transcript with silently missing text is worse than none.
    /// </summary>
    public static Transcript Assemble(ChunkManifest manifest, IReadOnlyDictionary<int, ChunkResult> results)
    {
        var missing = manifest.Chunks.Where(c => !c.IsSilent && !results.ContainsKey(c.Index)).Select(c => c.Index).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"No result for chunk(s) {string.Join(", ", missing)}; the transcript would be incomplete.");
        }

        return Join(manifest, results, gaps: null);
    }

    /// <summary>
    /// The transcript of a job that did not complete: every result there is, and a gap, on the original timeline,
    /// for each speech chunk without one. A gap's reason is the chunk's own (<paramref name="reasons"/>), else
    /// <paramref name="otherwise"/>.
    /// </summary>
    public static Transcript AssemblePartial(ChunkManifest manifest, IReadOnlyDictionary<int, ChunkResult> results, IReadOnlyDictionary<int, string> reasons, string otherwise)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(reasons);
        var gaps = manifest.Chunks
            .Where(c => !c.IsSilent && !results.ContainsKey(c.Index))
            .OrderBy(c => c.Index)
            .Select(c => new TranscriptGap(
                TimeFormat.Clock(c.StartMs), TimeFormat.Clock(c.EndMs), (long)Math.Round(c.StartMs), (long)Math.Round(c.EndMs), c.Index,
                reasons.TryGetValue(c.Index, out var reason) ? reason : otherwise))
            .ToArray();
        return Join(manifest, results, gaps);
    }

    /// <summary>
    /// The error of a job that ended with gaps: each chunk with its own reason in a sentence ("Chunk 3
    /// (00:02:58–00:03:56) could not be transcribed: ..."), the rest after <paramref name="stopReason"/>, and where
    /// the rest of the transcript is.
    /// </summary>
    public static string Describe(string jobId, IReadOnlyList<TranscriptGap> gaps, IReadOnlyDictionary<int, string> reasons, string? stopReason)
    {
        ArgumentNullException.ThrowIfNull(gaps);
        ArgumentNullException.ThrowIfNull(reasons);
        var sentences = new List<string>();
        var own = gaps.Where(g => reasons.ContainsKey(g.ChunkIndex)).ToArray();
        sentences.AddRange(own.Take(MaxChunksNamed).Select(g => $"Chunk {Name(g)} could not be transcribed: {Sentence(g.Reason)}"));
        if (own.Length > MaxChunksNamed)
        {
            sentences.Add($"{own.Length - MaxChunksNamed} more chunks could not be transcribed.");
        }

        var rest = gaps.Where(g => !reasons.ContainsKey(g.ChunkIndex)).ToArray();
        if (stopReason is not null)
        {
            sentences.Add(Sentence(stopReason));
        }

        if (rest.Length > 0)
        {
            var named = string.Join(", ", rest.Take(MaxChunksNamed).Select(Name));
            sentences.Add($"Chunks left untranscribed: {named}{(rest.Length > MaxChunksNamed ? $" and {rest.Length - MaxChunksNamed} more" : string.Empty)}.");
        }

        sentences.Add($"Everything else transcribed is kept, with each gap marked: GET /jobs/{jobId}/transcript.");
        return string.Join(' ', sentences);
    }

    private static string Name(TranscriptGap gap) =>
        string.Create(CultureInfo.InvariantCulture, $"{gap.ChunkIndex} ({TimeFormat.Range(gap.StartMs, gap.EndMs)})");

    private static string Sentence(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length > 0 && trimmed[^1] is '.' or '!' or '?' or '\u2026' ? trimmed : trimmed + ".";
    }

    private static Transcript Join(ChunkManifest manifest, IReadOnlyDictionary<int, ChunkResult> results, IReadOnlyList<TranscriptGap>? gaps)
    {
        var segments = new List<TranscriptSegment>();
        var text = new StringBuilder();
        long processing = 0;
        foreach (var chunk in manifest.Chunks.Where(c => !c.IsSilent).OrderBy(c => c.Index))
        {
            if (!results.TryGetValue(chunk.Index, out var result))
            {
                continue;
            }

            processing += result.Transcription.TimeMs > 0 ? result.Transcription.TimeMs : (long)result.ElapsedMs;
            foreach (var s in result.Transcription.Segments)
            {
                var start = Math.Clamp(chunk.Map.ToOriginalMs(s.StartMs), chunk.StartMs, chunk.EndMs);
                var end = Math.Clamp(chunk.Map.ToOriginalMs(s.EndMs), start, chunk.EndMs);
                var words = s.Text.Trim();
                segments.Add(new TranscriptSegment(TimeFormat.Clock(start), TimeFormat.Clock(end), (long)Math.Round(start), (long)Math.Round(end), words)
                {
                    ChunkIndex = chunk.Index,
                });
            }

            var chunkText = result.Transcription.Text.Trim();
            if (chunkText.Length > 0)
            {
                text.Append(NeedsSpace(text, chunkText) ? " " : string.Empty).Append(chunkText);
            }
        }

        return new Transcript
        {
            Text = text.ToString(),
            Segments = segments,
            TotalProcessingTimeMs = processing,
            DurationMs = manifest.DurationMs,
            Partial = gaps is not null,
            Gaps = gaps,
        };
    }

    /// <summary>
    /// Chunk texts are joined with a space, except between Japanese or Chinese text, which is written without
    /// spaces (the lectures Orchard was first built for are Japanese).
    /// </summary>
    internal static bool NeedsSpace(System.Text.StringBuilder joined, string next) =>
        joined.Length > 0 && !(IsCjk(joined[^1]) || IsCjk(next[0]));

    private static bool IsCjk(char c) =>
        c is (>= '\u3000' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uFF00' and <= '\uFFEF');

    public static string BlobName(string jobId) => $"jobs/{jobId}/transcript.json";
}
