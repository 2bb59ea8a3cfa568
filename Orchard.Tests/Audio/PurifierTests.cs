using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class PurifierTests
{
    private const long Margin = 1_600; // 100 ms trimmed at each edge when measuring

    private static TestSignalBuilder Noisy(string noise)
    {
        var b = new TestSignalBuilder(30, seed: 7);
        b.AddBurstSequence(1.5, Enumerable.Range(0, 12).Select(i => (2.0 + (i % 3 * 0.5), 0.8 + (i % 4 * 0.6))));
        _ = noise == "brown" ? b.AddBrownNoise(-30) : b.AddPinkNoise(-32);
        return b;
    }

    private static float[] Purify(float[] signal, TempDir dir, out PurifyResult result)
    {
        var path = dir.File("in.wav");
        TestSignalBuilder.WriteWav(path, signal);
        using var pcm = new PcmFile(path, 44, signal.Length, PcmSampleFormat.Int16);
        result = Purifier.Run(pcm, SilenceDetector.MeasureFrames(pcm, CancellationToken.None), dir.File("out.f32"), CancellationToken.None);
        var output = new float[signal.Length];
        using (result.Output)
        {
            result.Output.Read(0, output);
        }

        return output;
    }

    private static double Snr(TestSignalBuilder b, float[] signal)
    {
        var burstPower = Math.Pow(10, TestSignalBuilder.PowerDb(signal, b.Bursts.Select(x => (x.Start, x.End)), Margin) / 10);
        var gapPower = Math.Pow(10, TestSignalBuilder.PowerDb(signal, b.Gaps(), Margin) / 10);
        return 10 * Math.Log10(Math.Max(1e-12, burstPower - gapPower) / gapPower);
    }

    [Theory]
    [InlineData("pink")]
    [InlineData("brown")]
    public void Run_ImprovesSnrBySixDb_SpeechOverNoise(string noise)
    {
        using var dir = new TempDir();
        var b = Noisy(noise);
        var input = b.Build();
        var output = Purify(input, dir, out _);
        var gain = Snr(b, output) - Snr(b, input);
        Assert.True(gain >= 6, $"SNR gain {gain:F1} dB");
    }

    [Fact]
    public void Run_KeepsBurstTiming_NoTimelineShift()
    {
        using var dir = new TempDir();
        var b = Noisy("pink");
        var clean = b.SpeechOnly();
        var output = Purify(b.Build(), dir, out _);
        Assert.Equal(clean.Length, output.Length);

        // Cross-correlate the outputs with the clean speech over +-20 ms: the best lag must be (about) zero.
        var bestLag = 0;
        var best = double.MinValue;
        for (var lag = -320; lag <= 320; lag += 4)
        {
            double acc = 0;
            for (var i = 16_000; i < clean.Length - 16_000; i += 3)
            {
                acc += clean[i] * output[i + lag];
            }

            if (acc > best)
            {
                best = acc;
                bestLag = lag;
            }
        }

        Assert.InRange(bestLag, -16, 16); // within 1 ms
    }

    [Fact]
    public void Run_NormalisesLoudness_WithoutClipping()
    {
        using var dir = new TempDir();
        var b = new TestSignalBuilder(10, seed: 2);
        b.AddBurst(1, 3, levelDbfs: -38).AddBurst(5, 3, levelDbfs: -38).AddWhiteNoise(-70);
        var output = Purify(b.Build(), dir, out var result);
        Assert.True(result.GainDb > 10, $"gain {result.GainDb:F1} dB");
        var speechDb = TestSignalBuilder.PowerDb(output, b.Bursts.Select(x => (x.Start, x.End)), Margin);
        Assert.InRange(speechDb, -23, -17);
        Assert.True(output.Max(Math.Abs) <= Purifier.PeakCeiling + 1e-3);
    }

    [Fact]
    public void ChooseGainDb_StopsAtPeakCeiling_WhenPeakIsHigh()
    {
        var frames = Enumerable.Range(0, 500).Select(i => i % 10 < 5 ? -40f : -80f).ToArray();
        var gain = Purifier.ChooseGainDb(frames, peak: 0.5f);
        Assert.Equal(20 * Math.Log10(Purifier.PeakCeiling / 0.5), gain, 3);
    }
}
