using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class SilenceDetectorTests
{
    private static (TestSignalBuilder Builder, SilenceAnalysis Analysis) Analyse(Action<TestSignalBuilder> noise, int seed = 3)
    {
        var b = new TestSignalBuilder(40, seed);
        b.AddBurstSequence(1.0, Enumerable.Range(0, 20).Select(i => (2.2 + (i % 3 * 0.6), i % 2 == 0 ? 1.0 : 2.5)));
        noise(b);
        var signal = b.Build();
        return (b, SilenceDetector.Analyse(SilenceDetector.MeasureFrames(signal), signal.Length));
    }

    [Theory]
    [InlineData("white", -34)]
    [InlineData("pink", -34)]
    [InlineData("brown", -34)]
    [InlineData("white", -60)]
    public void Analyse_FindsEveryPause_UnderSteadyNoise(string kind, double noiseDb)
    {
        var (b, analysis) = Analyse(s => _ = kind switch
        {
            "pink" => s.AddPinkNoise(noiseDb),
            "brown" => s.AddBrownNoise(noiseDb),
            _ => s.AddWhiteNoise(noiseDb),
        });
        var minSilence = 700 * 16;
        var found = analysis.Pauses.Where(p => p.Length >= minSilence).ToList();
        var gaps = b.Gaps().Where(g => g.End - g.Start >= 1_000 * 16).ToList();

        // Every gap of at least 1 s holds a detected pause of at least 700 ms.
        foreach (var gap in gaps)
        {
            Assert.Contains(found, p => p.Start >= gap.Start && p.End <= gap.End);
        }
    }

    [Fact]
    public void Analyse_PausesNeverOverlapBursts_WithNoise()
    {
        var (b, analysis) = Analyse(s => s.AddPinkNoise(-34));
        foreach (var p in analysis.Pauses)
        {
            Assert.DoesNotContain(b.Bursts, burst => p.Start < burst.End && burst.Start < p.End);
        }
    }

    [Fact]
    public void Analyse_EstimatesNoiseFloorFromRecording_NotFixedLevel()
    {
        var (_, analysis) = Analyse(s => s.AddWhiteNoise(-34));
        Assert.InRange(analysis.NoiseFloorDb, -36, -32);
        Assert.InRange(analysis.ThresholdDb, -33, -25);
    }

    [Fact]
    public void Analyse_HasNoVoicedFrames_WhenDigitalSilence()
    {
        var signal = new float[16_000 * 5];
        var analysis = SilenceDetector.Analyse(SilenceDetector.MeasureFrames(signal), signal.Length);
        Assert.Equal(0, analysis.VoicedFramesIn(0, signal.Length));
        Assert.Equal(new SampleRange(0, signal.Length), Assert.Single(analysis.Pauses));
    }

    [Fact]
    public void MeasureFrames_MatchesFloatPath_ForInt16File()
    {
        using var dir = new TempDir();
        var signal = new TestSignalBuilder(3).AddBurst(0.5, 1).AddWhiteNoise(-50).Build();
        var path = dir.File("a.wav");
        TestSignalBuilder.WriteWav(path, signal);
        using var pcm = new PcmFile(path, 44, signal.Length, PcmSampleFormat.Int16);
        var fromFile = SilenceDetector.MeasureFrames(pcm, CancellationToken.None);
        var fromMemory = SilenceDetector.MeasureFrames(signal);
        Assert.Equal(fromMemory.Length, fromFile.Length);
        for (var i = 0; i < fromFile.Length; i++)
        {
            Assert.InRange(fromFile[i] - fromMemory[i], -0.1, 0.1);
        }
    }

    [Fact]
    public void Analyse_FollowsNoiseFloor_WhenNoiseRisesMidRecording()
    {
        // 60 s with quiet room tone, then 60 s with loud noise (-34 dBFS) under the same speech.
        var b = new TestSignalBuilder(120, seed: 12);
        b.AddBurstSequence(1.0, Enumerable.Range(0, 40).Select(i => (2.5, i % 2 == 0 ? 1.2 : 2.0)));
        var signal = b.Build();
        var loud = new TestSignalBuilder(60, seed: 13).AddWhiteNoise(-34).Build();
        var quiet = new TestSignalBuilder(60, seed: 14).AddWhiteNoise(-65).Build();
        for (var i = 0; i < signal.Length; i++)
        {
            signal[i] += i < quiet.Length ? quiet[i] : loud[i - quiet.Length];
        }

        var analysis = SilenceDetector.Analyse(SilenceDetector.MeasureFrames(signal), signal.Length);
        var found = analysis.Pauses.Where(p => p.Length >= 700 * 16).ToList();
        foreach (var gap in b.Gaps().Where(g => g.End - g.Start >= 1_000 * 16))
        {
            Assert.Contains(found, p => p.Start >= gap.Start && p.End <= gap.End);
        }
    }
}
