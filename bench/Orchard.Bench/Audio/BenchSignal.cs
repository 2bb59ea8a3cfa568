using System.Buffers.Binary;
using Orchard.Domain.Audio;

namespace Orchard.Bench.Audio;

/// <summary>Streams a long 16 kHz mono 16-bit WAV of speech-like bursts over pink noise, with known burst times.</summary>
internal static class BenchSignal
{
    private const int Rate = AudioFormat.SampleRate;

    /// <summary>
    /// Bursts of 2.2-4.3 s at the given level, separated by pauses drawn 70% from 0.3-1.5 s, 20% from 1.5-3.5 s,
    /// 10% from 3.5-6 s; pink noise under everything. Returns the burst ranges (samples).
    /// </summary>
    public static List<(long Start, long End)> WriteWav(string path, double seconds, int seed, double speechDb = -24, double noiseDb = -50)
    {
        var random = new Random(seed);
        var total = (long)(seconds * Rate);
        var bursts = new List<(long, long)>();
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var header = new byte[AudioFormat.WavHeaderBytes];
        AudioFormat.WriteWavHeader(header, total);
        stream.Write(header);
        var pink = new PinkNoise(random, noiseDb);
        var bytes = new byte[7 * Rate * 2];
        var segment = new float[7 * Rate];
        long written = 0;
        var speaking = false;
        while (written < total)
        {
            var length = speaking ? 2.2 + (random.NextDouble() * 2.1) : Pause(random);
            var n = (int)Math.Min(total - written, (long)(length * Rate));
            Array.Clear(segment, 0, n);
            if (speaking)
            {
                Burst(segment.AsSpan(0, n), random, speechDb);
                bursts.Add((written, written + n));
            }

            for (var i = 0; i < n; i++)
            {
                var v = Math.Clamp(MathF.Round((segment[i] + pink.Next()) * 32768f), short.MinValue, short.MaxValue);
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), (short)v);
            }

            stream.Write(bytes, 0, n * 2);
            written += n;
            speaking = !speaking;
        }

        return bursts;
    }

    private static double Pause(Random random)
    {
        var u = random.NextDouble();
        return u < 0.7 ? 0.3 + (random.NextDouble() * 1.2) : u < 0.9 ? 1.5 + (random.NextDouble() * 2.0) : 3.5 + (random.NextDouble() * 2.5);
    }

    private static void Burst(Span<float> output, Random random, double levelDb)
    {
        var f0 = 110 + (random.NextDouble() * 110);
        var phase = random.NextDouble() * Math.PI * 2;
        double theta = 0, power = 0;
        for (var i = 0; i < output.Length; i++)
        {
            var t = (double)i / Rate;
            theta += 2 * Math.PI * f0 * (1 + (0.05 * Math.Sin(2 * Math.PI * 0.7 * t))) / Rate;
            var x = theta + phase;
            var c2 = 2 * Math.Cos(x);
            double prev = 0, cur = Math.Sin(x), v = 0;
            for (var h = 1; h * f0 < 3800; h++)
            {
                v += cur / h;
                (prev, cur) = (cur, (c2 * cur) - prev);
            }

            v *= 0.7 + (0.3 * Math.Cos((2 * Math.PI * 4 * t) + (0.3 * phase)));
            output[i] = (float)v;
            power += v * v;
        }

        var scale = (float)(Math.Pow(10, levelDb / 20) / Math.Sqrt(power / output.Length));
        for (var i = 0; i < output.Length; i++)
        {
            output[i] *= scale;
        }
    }

    /// <summary>Reads a 16-bit mono WAV's samples as floats (bench-sized inputs only).</summary>
    public static float[] ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var n = (bytes.Length - AudioFormat.WavHeaderBytes) / 2;
        var result = new float[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(AudioFormat.WavHeaderBytes + (i * 2))) / 32768f;
        }

        return result;
    }

    private sealed class PinkNoise(Random random, double levelDb)
    {
        // Paul Kellet's economy filter has unit-variance input and about 3.3x gain in RMS.
        private readonly float _scale = (float)(Math.Pow(10, levelDb / 20) / 3.3);
        private double _b0, _b1, _b2;

        public float Next()
        {
            var w = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            _b0 = (0.99765 * _b0) + (w * 0.0990460);
            _b1 = (0.96300 * _b1) + (w * 0.2965164);
            _b2 = (0.57000 * _b2) + (w * 1.0526913);
            return (float)(_b0 + _b1 + _b2 + (w * 0.1848)) * _scale;
        }
    }
}
