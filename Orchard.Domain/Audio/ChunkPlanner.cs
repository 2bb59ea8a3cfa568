namespace Orchard.Domain.Audio;

/// <summary>One planned chunk: its range on the original timeline and the stretches kept after compaction.</summary>
internal sealed record ChunkPlan(int Index, SampleRange Range, bool IsSilent, IReadOnlyList<SampleRange> Kept)
{
    public long KeptSamples => Kept.Sum(k => k.Length);
}

/// <summary>
/// Cuts a recording into chunks that tile it exactly: in the middle of pauses of at least MinSilenceMs, with
/// lengths between MinChunkSeconds and MaxChunkSeconds; where a window has no pause, at the quietest frame of
/// its last part. Then shortens long pauses inside each chunk.
/// </summary>
internal static class ChunkPlanner
{
    /// <summary>Fewer voiced frames than this (200 ms in all) and a chunk counts as silent: a click is not speech.</summary>
    private const int MinVoicedFrames = 10;

    /// <summary>Share of the longest chunk, at its end, searched for the quietest frame when no pause exists.</summary>
    private const double FallbackSearchShare = 0.2;

    public static IReadOnlyList<ChunkPlan> Plan(SilenceAnalysis analysis, AudioOptions options) => PlanEach(analysis, options).ToList();

    /// <summary>
    /// The chunks one at a time, in order, each as soon as the cut that ends it is found: the cuts are decided left to
    /// right and none looks back, so a chunk handed out is final and the list is the same as <see cref="Plan"/>'s.
    /// </summary>
    public static IEnumerable<ChunkPlan> PlanEach(SilenceAnalysis analysis, AudioOptions options)
    {
        long start = 0;
        var index = 0;
        foreach (var end in EachCut(analysis, options).Append(analysis.SampleCount))
        {
            var range = new SampleRange(start, end);
            var silent = analysis.VoicedFramesIn(start, end) < MinVoicedFrames;
            yield return new ChunkPlan(index++, range, silent, Compact(range, analysis.Pauses, options));
            start = end;
        }
    }

    /// <summary>Cut positions (sample indices, strictly increasing, excluding 0 and the end).</summary>
    public static List<long> FindCuts(SilenceAnalysis analysis, AudioOptions options) => EachCut(analysis, options).ToList();

    /// <summary>The cuts of <see cref="FindCuts"/>, each as soon as it is decided.</summary>
    private static IEnumerable<long> EachCut(SilenceAnalysis analysis, AudioOptions options)
    {
        var total = analysis.SampleCount;
        var min = (long)options.MinChunkSeconds * AudioFormat.SampleRate;
        var max = (long)options.MaxChunkSeconds * AudioFormat.SampleRate;
        var minSilence = AudioFormat.MsToSamples(options.MinSilenceMs);
        var candidates = analysis.Pauses.Where(p => p.Length >= minSilence).Select(p => p.Start + (p.Length / 2)).ToArray();
        long start = 0;
        var next = 0;
        var targetLength = options.TargetChunkSeconds > 0 ? Math.Clamp((long)options.TargetChunkSeconds * AudioFormat.SampleRate, min, max) : max;
        var stopAt = Math.Min(max, targetLength + (targetLength / 2));
        while (total - start > stopAt)
        {
            var lo = start + min;
            var hi = start + max;
            if (total - min >= lo)
            {
                // Leave room for a full-length last chunk when the recording allows it.
                hi = Math.Min(hi, total - min);
            }

            while (next < candidates.Length && candidates[next] < lo)
            {
                next++;
            }

            // The silence nearest the target length; with no target, the last one before the maximum.
            var target = start + targetLength;
            long cut = -1;
            for (var i = next; i < candidates.Length && candidates[i] <= hi; i++)
            {
                if (cut < 0 || Math.Abs(candidates[i] - target) <= Math.Abs(cut - target))
                {
                    cut = candidates[i];
                }
            }

            if (cut < 0)
            {
                cut = QuietestPoint(analysis, Math.Max(lo, hi - (long)(FallbackSearchShare * max)), hi);
            }

            yield return cut;
            start = cut;
        }
    }

    private static long QuietestPoint(SilenceAnalysis analysis, long from, long to)
    {
        var first = (int)(from / SilenceDetector.FrameSamples);
        var last = (int)Math.Min(analysis.FrameDb.Length - 1, (to / SilenceDetector.FrameSamples) - 1);
        var best = first;
        for (var f = first; f <= last; f++)
        {
            if (analysis.FrameDb[f] < analysis.FrameDb[best])
            {
                best = f;
            }
        }

        var point = ((long)best * SilenceDetector.FrameSamples) + (SilenceDetector.FrameSamples / 2);
        return Math.Clamp(point, from, to);
    }

    /// <summary>
    /// The detector's pause edges can reach into the soft onset or tail of speech (quiet consonants, fades): this
    /// much of each pause edge is always kept, on top of the gap, so compaction never eats into speech and the
    /// worker still hears a real pause between the words it separates.
    /// </summary>
    internal const int SpeechEdgeMarginMs = 150;

    /// <summary>
    /// Stretches of the chunk kept after pauses longer than the limit shrink to the gap (half at each edge).
    /// <paramref name="pauses"/> are ordered and disjoint, as the detector finds them.
    /// </summary>
    public static IReadOnlyList<SampleRange> Compact(SampleRange chunk, IReadOnlyList<SampleRange> pauses, AudioOptions options)
    {
        var limit = AudioFormat.MsToSamples(options.CompactPauseLongerThanMs);
        var halfGap = AudioFormat.MsToSamples(options.CompactedGapMs) / 2;
        var margin = AudioFormat.MsToSamples(SpeechEdgeMarginMs);
        var kept = new List<SampleRange>();
        var cursor = chunk.Start;
        // Only the pauses that overlap the chunk: found by binary search and left at the chunk's end, so planning a
        // recording is linear in its pauses rather than chunks × pauses.
        for (var i = FirstEndingAfter(pauses, chunk.Start); i < pauses.Count && pauses[i].Start < chunk.End; i++)
        {
            var p = pauses[i];
            var a = Math.Max(p.Start, chunk.Start) + margin;
            var b = Math.Min(p.End, chunk.End) - margin;
            if (b - a <= limit)
            {
                continue;
            }

            var removeFrom = a + halfGap;
            var removeTo = b - halfGap;
            if (removeFrom > cursor)
            {
                kept.Add(new SampleRange(cursor, removeFrom));
            }

            cursor = removeTo;
        }

        if (chunk.End > cursor || kept.Count == 0)
        {
            kept.Add(new SampleRange(cursor, Math.Max(cursor, chunk.End)));
        }

        return kept;
    }

    /// <summary>Index of the first of the ordered, disjoint <paramref name="pauses"/> that ends after <paramref name="position"/>.</summary>
    private static int FirstEndingAfter(IReadOnlyList<SampleRange> pauses, long position)
    {
        int lo = 0, hi = pauses.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (pauses[mid].End <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
