using System.Buffers.Binary;
using System.Diagnostics;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

/// <summary>A burst placed by <see cref="TestSignalBuilder"/>, in samples.</summary>
public readonly record struct Burst(long Start, long End)
{
    public double StartMs => Start * 1000.0 / AudioFormat.SampleRate;
    public double EndMs => End * 1000.0 / AudioFormat.SampleRate;
}

/// <summary>Generates 16 kHz test signals: speech-like bursts and noise with known on/off times.</summary>
public sealed class TestSignalBuilder
{
    public const int Rate = AudioFormat.SampleRate;
    private readonly float[] _speech;
    private readonly float[] _noise;
    private readonly Random _random;
    private readonly List<Burst> _bursts = [];

    public TestSignalBuilder(double seconds, int seed = 1)
    {
        _speech = new float[(int)Math.Round(seconds * Rate)];
        _noise = new float[_speech.Length];
        _random = new Random(seed);
    }

    public IReadOnlyList<Burst> Bursts => _bursts;
    public int Length => _speech.Length;

    /// <summary>A harmonic, syllable-modulated burst (no internal pause) at the given RMS level.</summary>
    public TestSignalBuilder AddBurst(double startSeconds, double durationSeconds, double levelDbfs = -24)
    {
        var start = (long)Math.Round(startSeconds * Rate);
        var end = Math.Min(_speech.Length, (long)Math.Round((startSeconds + durationSeconds) * Rate));
        var f0 = 110 + (_random.NextDouble() * 110);
        var phase = _random.NextDouble() * Math.PI * 2;
        var buffer = new double[end - start];
        double power = 0;
        double theta = 0;
        for (var i = 0; i < buffer.Length; i++)
        {
            var t = (double)i / Rate;
            var pitch = f0 * (1 + (0.05 * Math.Sin(2 * Math.PI * 0.7 * t)));
            // sin(h x) by the Chebyshev recurrence: one sin/cos per sample instead of one per harmonic.
            theta += 2 * Math.PI * pitch / Rate;
            var x = theta + phase;
            var c2 = 2 * Math.Cos(x);
            double prev = 0, cur = Math.Sin(x), v = 0;
            for (var h = 1; h * f0 < 3800; h++)
            {
                v += cur / h;
                (prev, cur) = (cur, (c2 * cur) - prev);
            }

            // Syllable-rate modulation that starts near its peak, so the on time is unambiguous.
            v *= 0.7 + (0.3 * Math.Cos((2 * Math.PI * 4 * t) + (0.3 * phase)));
            buffer[i] = v;
            power += v * v;
        }

        var scale = Math.Pow(10, levelDbfs / 20) / Math.Sqrt(power / buffer.Length);
        for (var i = 0; i < buffer.Length; i++)
        {
            _speech[start + i] += (float)(buffer[i] * scale);
        }

        _bursts.Add(new Burst(start, end));
        return this;
    }

    /// <summary>Bursts of the given lengths separated by the given pauses, starting after a first pause.</summary>
    public TestSignalBuilder AddBurstSequence(double firstPause, IEnumerable<(double Burst, double Pause)> pattern, double levelDbfs = -24)
    {
        var t = firstPause;
        foreach (var (burst, pause) in pattern)
        {
            if (t + burst > (double)_speech.Length / Rate)
            {
                break;
            }

            AddBurst(t, burst, levelDbfs);
            t += burst + pause;
        }

        return this;
    }

    public TestSignalBuilder AddWhiteNoise(double levelDbfs) => AddNoise(levelDbfs, _ => Gaussian());

    public TestSignalBuilder AddPinkNoise(double levelDbfs)
    {
        // Paul Kellet's economy pink filter.
        double b0 = 0, b1 = 0, b2 = 0;
        return AddNoise(levelDbfs, _ =>
        {
            var w = Gaussian();
            b0 = (0.99765 * b0) + (w * 0.0990460);
            b1 = (0.96300 * b1) + (w * 0.2965164);
            b2 = (0.57000 * b2) + (w * 1.0526913);
            return b0 + b1 + b2 + (w * 0.1848);
        });
    }

    public TestSignalBuilder AddBrownNoise(double levelDbfs)
    {
        double y = 0;
        return AddNoise(levelDbfs, _ =>
        {
            y = (0.998 * y) + Gaussian();
            return y;
        });
    }

    private TestSignalBuilder AddNoise(double levelDbfs, Func<int, double> next)
    {
        var raw = new double[_noise.Length];
        double power = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = next(i);
            power += raw[i] * raw[i];
        }

        var scale = Math.Pow(10, levelDbfs / 20) / Math.Sqrt(power / raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            _noise[i] += (float)(raw[i] * scale);
        }

        return this;
    }

    public float[] Build() => _speech.Zip(_noise, (s, n) => s + n).ToArray();
    public float[] SpeechOnly() => (float[])_speech.Clone();
    public float[] NoiseOnly() => (float[])_noise.Clone();

    private double Gaussian()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Writes 16 kHz mono 16-bit WAV.</summary>
    public static void WriteWav(string path, ReadOnlySpan<float> samples)
    {
        var bytes = new byte[44 + (samples.Length * 2)];
        AudioFormat.WriteWavHeader(bytes, samples.Length);
        var data = ToInt16(samples);
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44 + (i * 2)), data[i]);
        }

        File.WriteAllBytes(path, bytes);
    }

    public static short[] ToInt16(ReadOnlySpan<float> samples)
    {
        var result = new short[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            result[i] = (short)Math.Clamp(MathF.Round(samples[i] * 32768f), short.MinValue, short.MaxValue);
        }

        return result;
    }

    /// <summary>Reads the samples of a 16-bit mono WAV written by the pipeline.</summary>
    public static short[] ReadWav16(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(22)));
        Assert.Equal(Rate, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(34)));
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40)) / 2;
        Assert.Equal(bytes.Length, 44 + (n * 2));
        var result = new short[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + (i * 2)));
        }

        return result;
    }

    /// <summary>Mean power (dB) over the given ranges, each trimmed by a margin at both ends.</summary>
    public static double PowerDb(ReadOnlySpan<float> signal, IEnumerable<(long Start, long End)> ranges, long margin)
    {
        double sum = 0;
        long n = 0;
        foreach (var (s, e) in ranges)
        {
            for (var i = s + margin; i < e - margin && i < signal.Length; i++)
            {
                sum += signal[(int)i] * signal[(int)i];
                n++;
            }
        }

        return 10 * Math.Log10((sum / Math.Max(1, n)) + 1e-15);
    }

    /// <summary>The gaps between bursts (and before the first / after the last).</summary>
    public IEnumerable<(long Start, long End)> Gaps()
    {
        long cursor = 0;
        foreach (var b in _bursts.OrderBy(b => b.Start))
        {
            if (b.Start > cursor)
            {
                yield return (cursor, b.Start);
            }

            cursor = Math.Max(cursor, b.End);
        }

        if (cursor < _speech.Length)
        {
            yield return (cursor, _speech.Length);
        }
    }

    /// <summary>
    /// A PCM WAV header stating any sample rate and channel count (even ones no real file has), followed by
    /// <paramref name="dataBytes"/> bytes of silence: 44 + 16 = 60 bytes by default, like the upload that once
    /// claimed 349,000,001 Hz.
    /// </summary>
    public static byte[] HostileWav(uint sampleRate, ushort channels, int dataBytes = 16, uint? declaredDataBytes = null)
    {
        var bytes = new byte[44 + dataBytes];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(36 + dataBytes));
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), channels);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), unchecked(sampleRate * channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(32), unchecked((ushort)(channels * 2)));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(34), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), declaredDataBytes ?? (uint)dataBytes);
        return bytes;
    }

    /// <summary>
    /// A WAV holding <paramref name="seconds"/> of MP3 whose format chunk overstates the byte rate 100×, so ffprobe
    /// reports a hundredth of the real duration: a header that under-reports what the data decodes to.
    /// </summary>
    public static void WavUnderstatingItsDuration(string path, double seconds)
    {
        var honest = path + ".honest.wav";
        Ffmpeg("-f", "lavfi", "-i", FormattableString.Invariant($"sine=frequency=440:duration={seconds}"), "-ar", "16000", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", honest);
        var bytes = File.ReadAllBytes(honest);
        File.Delete(honest);
        Assert.Equal("fmt ", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(0x55, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(20)));
        var byteRate = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), byteRate * 100);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Runs ffmpeg (test fixtures only) and fails the test when it fails.</summary>
    public static void Ffmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "ffmpeg timed out");
        Assert.True(p.ExitCode == 0, "ffmpeg failed: " + err);
    }
}

/// <summary>A temporary directory deleted with the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orchard-audio-test-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
