using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class ResamplerTests
{
    private static float[] Resample(float[] input, int from, int to, int block)
    {
        var output = new List<float>();
        var r = new Resampler(from, to);
        Action<ReadOnlySpan<float>> emit = s => output.AddRange(s.ToArray());
        for (var i = 0; i < input.Length; i += block)
        {
            r.Process(input.AsSpan(i, Math.Min(block, input.Length - i)), emit);
        }

        r.Flush(emit);
        return [.. output];
    }

    [Theory]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(22050)]
    [InlineData(8000)]
    public void Process_KeepsToneAmplitudeAndPhase_AnyRate(int rate)
    {
        var input = Enumerable.Range(0, rate).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 1000 * i / rate))).ToArray();
        var output = Resample(input, rate, 16000, 1000);
        Assert.Equal(16000, output.Length);
        for (var i = 500; i < 15_500; i++)
        {
            var expected = 0.5 * Math.Sin(2 * Math.PI * 1000 * i / 16000);
            Assert.InRange(output[i] - expected, -0.01, 0.01);
        }
    }

    [Fact]
    public void Process_RemovesContentAboveNewNyquist_WhenDownsampling()
    {
        var input = Enumerable.Range(0, 48000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 11000 * i / 48000.0))).ToArray();
        var output = Resample(input, 48000, 16000, 4096);
        var rms = Math.Sqrt(output.Skip(500).Take(15000).Average(v => v * v));
        Assert.True(rms < 0.005, $"alias rms {rms}");
    }

    [Fact]
    public void Process_GivesTheSameOutput_WhetherFedInOneBlockOrMany()
    {
        var input = Enumerable.Range(0, 5 * 44100).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / 44100.0))).ToArray();
        var whole = Resample(input, 44100, 16000, input.Length);
        var pieces = Resample(input, 44100, 16000, 777);
        Assert.Equal(5 * 16000, whole.Length);
        Assert.Equal(pieces, whole);
    }

    [Theory]
    [InlineData(1, 16000)]
    [InlineData(7999, 16000)]
    [InlineData(349_000_001, 16000)]
    [InlineData(44100, 384_001)]
    public void Constructor_Throws_WhenARateIsOutsideTheDecodeBounds(int from, int to)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(from, to));
    }
}
