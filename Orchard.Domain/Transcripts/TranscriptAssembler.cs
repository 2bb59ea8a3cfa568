using System.Text;
using Orchard.Domain.Dispatch;

namespace Orchard.Domain.Transcripts;

/// <summary>
/// Joins chunk results into one transcript on the original timeline: each worker time goes through its chunk's
/// compaction map, so shortened pauses and chunk offsets cost no accuracy.
/// </summary>
public static class TranscriptAssembler
{
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

        var segments = new List<TranscriptSegment>();
        var text = new StringBuilder();
        long processing = 0;
        foreach (var chunk in manifest.Chunks.Where(c => !c.IsSilent).OrderBy(c => c.Index))
        {
            var result = results[chunk.Index];
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
