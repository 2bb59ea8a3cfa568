using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class ChunkPlannerTests
{
    private const int Rate = AudioFormat.SampleRate;

    private static SilenceAnalysis Analysis(long samples, params SampleRange[] pauses)
    {
        // Frames are loud (-20 dB) except inside the given pauses (-70 dB).
        var frames = new float[(samples + 319) / 320];
        Array.Fill(frames, -20f);
        foreach (var p in pauses)
        {
            for (var f = p.Start / 320; f < p.End / 320; f++)
            {
                frames[f] = -70f;
            }
        }

        return SilenceDetector.Analyse(frames, samples);
    }

    private static SampleRange Seconds(double from, double to) => new((long)(from * Rate), (long)(to * Rate));

    [Fact]
    public void FindCuts_CutsInMiddleOfSilence_WhenPauseInWindow()
    {
        var analysis = Analysis(100L * Rate, Seconds(40, 42));
        var options = new AudioOptions { MinChunkSeconds = 30, MaxChunkSeconds = 60 };
        var cut = Assert.Single(ChunkPlanner.FindCuts(analysis, options));
        Assert.InRange(cut, 40.9 * Rate, 41.1 * Rate);
    }

    [Fact]
    public void FindCuts_CutsAtQuietestFrameOfLastPart_WhenNoPause()
    {
        var frames = new float[(100 * Rate) / 320];
        Array.Fill(frames, -20f);
        frames[(int)(55.0 * Rate / 320)] = -45f; // a brief dip, too short to be a pause
        var analysis = SilenceDetector.Analyse(frames, 100L * Rate);
        var options = new AudioOptions { MinChunkSeconds = 30, MaxChunkSeconds = 60 };
        var cuts = ChunkPlanner.FindCuts(analysis, options);
        Assert.InRange(cuts[0], 55.0 * Rate, 55.02 * Rate);
    }

    [Fact]
    public void Plan_TilesTimelineWithinBounds_ManyPauses()
    {
        var pauses = Enumerable.Range(0, 60).Select(i => Seconds((i * 11) + 8, (i * 11) + 9)).ToArray();
        var total = 660L * Rate + 123;
        var options = new AudioOptions();
        var plans = ChunkPlanner.Plan(Analysis(total, pauses), options);
        Assert.Equal(0, plans[0].Range.Start);
        Assert.Equal(total, plans[^1].Range.End);
        for (var i = 0; i < plans.Count; i++)
        {
            Assert.Equal(i, plans[i].Index);
            if (i > 0)
            {
                Assert.Equal(plans[i - 1].Range.End, plans[i].Range.Start);
            }

            Assert.True(plans[i].Range.Length <= 180L * Rate);
            if (i < plans.Count - 1)
            {
                Assert.True(plans[i].Range.Length >= 30L * Rate);
            }
        }
    }

    [Fact]
    public void Plan_OneChunk_WhenShorterThanMinimum()
    {
        var plans = ChunkPlanner.Plan(Analysis(10L * Rate, Seconds(3, 5)), new AudioOptions());
        var plan = Assert.Single(plans);
        Assert.Equal(new SampleRange(0, 10L * Rate), plan.Range);
    }

    [Fact]
    public void Compact_ShortensOnlyLongPauses_KeepingEdgeMarginAndHalfGapAtEachEdge()
    {
        var options = new AudioOptions { CompactPauseLongerThanMs = 1000, CompactedGapMs = 300 };
        var chunk = Seconds(0, 20);
        var kept = ChunkPlanner.Compact(chunk, [Seconds(2, 2.8), Seconds(5, 9)], options);
        Assert.Equal([Seconds(0, 5.3), Seconds(8.7, 20)], kept);
    }

    [Fact]
    public void Compact_KeepsWholeChunk_WhenNoLongPause()
    {
        var kept = ChunkPlanner.Compact(Seconds(10, 20), [Seconds(2, 9)], new AudioOptions());
        Assert.Equal([Seconds(10, 20)], kept);
    }

    [Fact]
    public void Plan_ShortensEveryLongPauseAndMapsEachBurstBack_FiftyThousandPauses()
    {
        // 50,000 periods of 0.1 s speech + 1.4 s pause (about 21 hours): every pause inside a chunk is longer than
        // the limit once its edge margins are kept, every cut falls in the middle of a pause (too short to shorten).
        const int periods = 50_000;
        const int speechFrames = 5, pauseFrames = 70;
        const int periodFrames = speechFrames + pauseFrames;
        var frames = new float[periods * periodFrames];
        var pauses = new SampleRange[periods];
        for (var k = 0; k < periods; k++)
        {
            frames.AsSpan(k * periodFrames, speechFrames).Fill(-20f);
            frames.AsSpan((k * periodFrames) + speechFrames, pauseFrames).Fill(-70f);
            pauses[k] = new SampleRange(((long)k * periodFrames + speechFrames) * 320, (long)(k + 1) * periodFrames * 320);
        }

        var thresholds = new float[frames.Length];
        Array.Fill(thresholds, -45f);
        var analysis = new SilenceAnalysis
        {
            SampleCount = (long)frames.Length * 320, NoiseFloorDb = -70, SpeechLevelDb = -20, ThresholdDb = -45,
            FrameThresholdDb = thresholds, SmoothedDb = frames, FrameDb = frames, Pauses = pauses,
        };
        var options = new AudioOptions();

        var plans = ChunkPlanner.Plan(analysis, options);

        Assert.InRange(plans.Count, 1000, 1500);
        const long period = periodFrames * 320;
        var shortened = period - (long)(options.CompactedGapMs + (2 * ChunkPlanner.SpeechEdgeMarginMs)) * Rate / 1000 - (speechFrames * 320);
        foreach (var plan in plans)
        {
            Assert.False(plan.IsSilent);
            // Bursts whose whole following pause lies in this chunk: each such pause loses the same amount.
            var first = (plan.Range.Start + period - 1) / period;
            var interior = Enumerable.Range(0, (int)((plan.Range.End / period) - first))
                .Count(i => ((first + i) * period) + (speechFrames * 320) >= plan.Range.Start && (first + i + 1) * period <= plan.Range.End);
            Assert.Equal(interior + 1, plan.Kept.Count);
            Assert.Equal(plan.Range.Length - (interior * shortened), plan.KeptSamples);
            var map = CompactionMap.FromSamples(plan.Kept);
            for (var i = 0; i < interior; i++)
            {
                // The (i+1)-th burst of the chunk starts i+1 shortened pauses later in the compacted audio.
                var burst = (first + i + 1) * period;
                var compacted = AudioFormat.SamplesToMs(burst - plan.Range.Start - ((i + 1) * shortened));
                Assert.Equal(AudioFormat.SamplesToMs(burst), map.ToOriginalMs(compacted), 6);
            }
        }
    }
}
