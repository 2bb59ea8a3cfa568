using System.Numerics;
using System.Runtime.InteropServices;

namespace Orchard.Domain.Audio;

/// <summary>A half-open range of samples [Start, End) on the original timeline.</summary>
internal readonly record struct SampleRange(long Start, long End)
{
    public long Length => End - Start;
}

/// <summary>What the detector found: levels, and where the pauses are.</summary>
internal sealed class SilenceAnalysis
{
    public required long SampleCount { get; init; }
    /// <summary>Median of the per-frame noise floors.</summary>
    public required double NoiseFloorDb { get; init; }
    public required double SpeechLevelDb { get; init; }
    /// <summary>Median of the per-frame thresholds (for reporting).</summary>
    public required double ThresholdDb { get; init; }

    /// <summary>Per-frame threshold (dBFS): it follows the local noise floor.</summary>
    public required float[] FrameThresholdDb { get; init; }

    /// <summary>Per-frame level (dBFS) after smoothing.</summary>
    public required float[] SmoothedDb { get; init; }

    /// <summary>Per-frame level (dBFS) without smoothing, used to find the quietest point when no pause exists.</summary>
    public required float[] FrameDb { get; init; }

    /// <summary>Every run of unvoiced frames, whatever its length, in order.</summary>
    public required IReadOnlyList<SampleRange> Pauses { get; init; }

    /// <summary>Frames in [start, end) whose own (unsmoothed) level is above their threshold.</summary>
    public int VoicedFramesIn(long start, long end)
    {
        var count = 0;
        var first = (int)(start / SilenceDetector.FrameSamples);
        var last = (int)Math.Min(FrameDb.Length - 1, (end - 1) / SilenceDetector.FrameSamples);
        for (var f = first; f <= last; f++)
        {
            if (FrameDb[f] > FrameThresholdDb[f] && FrameDb[f] > -90)
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>
/// Energy-based pause detector. Levels are measured on 20 ms frames and smoothed over 100 ms; the threshold
/// sits above a noise floor estimated from the recording itself (a low percentile of frame levels), so steady
/// background noise does not hide the pauses the way a fixed threshold does.
/// </summary>
internal static class SilenceDetector
{
    /// <summary>Analysis frame and step: 20 ms at 16 kHz.</summary>
    public const int FrameSamples = 320;

    private const int SmoothingFrames = 5;
    private const float DigitalSilenceDb = -90f;
    private const double NoiseFloorPercentile = 0.01;
    private const double LocalFloorPercentile = 0.10;
    private const int FloorBlockFrames = 500; // 10 s
    private const int FloorNeighbourBlocks = 3;
    private const double SpeechPercentile = 0.95;
    private const double MinDynamicRangeDb = 6;
    private const double SteadySoundDb = -50;

    /// <summary>Computes 20 ms frame levels over a whole signal in one sequential pass.</summary>
    public static float[] MeasureFrames(PcmFile pcm, CancellationToken ct)
    {
        var frames = (int)((pcm.SampleCount + FrameSamples - 1) / FrameSamples);
        var db = new float[frames];
        const int blockFrames = 2048;
        var block = new float[blockFrames * FrameSamples];
        var bytes = pcm.IsWorkerFormat ? new byte[block.Length * 2] : null;
        for (var f0 = 0; f0 < frames; f0 += blockFrames)
        {
            ct.ThrowIfCancellationRequested();
            var start = (long)f0 * FrameSamples;
            var n = (int)Math.Min(block.Length, pcm.SampleCount - start);
            var nFrames = (n + FrameSamples - 1) / FrameSamples;
            if (bytes is not null)
            {
                pcm.ReadBytes(start, bytes.AsSpan(0, n * 2));
                var shorts = MemoryMarshal.Cast<byte, short>(bytes.AsSpan(0, n * 2));
                for (var i = 0; i < nFrames; i++)
                {
                    var len = Math.Min(FrameSamples, n - (i * FrameSamples));
                    db[f0 + i] = ToDb(FramePower(shorts.Slice(i * FrameSamples, len)));
                }
            }
            else
            {
                pcm.Read(start, block.AsSpan(0, n));
                for (var i = 0; i < nFrames; i++)
                {
                    var len = Math.Min(FrameSamples, n - (i * FrameSamples));
                    db[f0 + i] = ToDb(FramePower(block.AsSpan(i * FrameSamples, len)));
                }
            }
        }

        return db;
    }

    public static float ToDb(double meanSquare) => (float)(10 * Math.Log10(meanSquare + 1e-12));

    /// <summary>
    /// Mean power of a frame around its own mean (normalised to full scale). Removing the frame's mean discards
    /// what varies slower than the frame (DC, most rumble), which would otherwise fill the pauses.
    /// </summary>
    public static double FramePower(ReadOnlySpan<short> samples)
    {
        var squares = Vector<long>.Zero;
        var sums = Vector<int>.Zero;
        var i = 0;
        var width = Vector<short>.Count;
        for (; i <= samples.Length - width; i += width)
        {
            Vector.Widen(new Vector<short>(samples[i..]), out var lo, out var hi);
            sums += lo + hi;
            var sq = (lo * lo) + (hi * hi); // each square is at most 2^30; two overflow int only into uint range
            Vector.Widen(sq.As<int, uint>(), out var a, out var b);
            squares += (a + b).As<ulong, long>();
        }

        long sumSq = Vector.Sum(squares);
        long sum = Vector.Sum(sums);
        for (; i < samples.Length; i++)
        {
            sumSq += samples[i] * samples[i];
            sum += samples[i];
        }

        var n = samples.Length;
        return Math.Max(0, (sumSq - ((double)sum * sum / n)) / n) / 1073741824.0;
    }

    /// <inheritdoc cref="FramePower(ReadOnlySpan{short})"/>
    public static double FramePower(ReadOnlySpan<float> samples)
    {
        var squares = Vector<float>.Zero;
        var sums = Vector<float>.Zero;
        var i = 0;
        for (; i <= samples.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(samples[i..]);
            squares += v * v;
            sums += v;
        }

        double sumSq = Vector.Sum(squares);
        double sum = Vector.Sum(sums);
        for (; i < samples.Length; i++)
        {
            sumSq += samples[i] * samples[i];
            sum += samples[i];
        }

        var n = samples.Length;
        return Math.Max(0, (sumSq - (sum * sum / n)) / n);
    }

    /// <summary>Finds levels, thresholds and pauses from frame levels.</summary>
    public static SilenceAnalysis Analyse(float[] frameDb, long sampleCount)
    {
        var smoothed = Smooth(frameDb);
        var thresholds = new float[smoothed.Length];
        var audible = smoothed.Where(d => d > DigitalSilenceDb).ToArray();
        double floor, speech;
        if (audible.Length == 0)
        {
            floor = speech = DigitalSilenceDb;
            Array.Fill(thresholds, float.PositiveInfinity);
        }
        else
        {
            Array.Sort(audible);
            var globalFloor = audible[(int)(NoiseFloorPercentile * (audible.Length - 1))];
            speech = audible[(int)(SpeechPercentile * (audible.Length - 1))];
            var localFloors = LocalFloors(smoothed, globalFloor);
            for (var f = 0; f < smoothed.Length; f++)
            {
                var range = speech - localFloors[f];
                thresholds[f] = range < MinDynamicRangeDb
                    // No dynamics: either a steady sound (sent on, a worker may still hear words) or near-silence.
                    ? (speech > SteadySoundDb ? float.NegativeInfinity : float.PositiveInfinity)
                    : (float)(localFloors[f] + Math.Clamp(0.35 * range, 3.5, 15));
            }

            floor = Median(localFloors);
        }

        var threshold = Median(thresholds);
        // Frames of digital silence are pauses even when the threshold says "all voiced".
        var pauses = new List<SampleRange>();
        var runStart = -1;
        for (var f = 0; f <= smoothed.Length; f++)
        {
            var quiet = f < smoothed.Length && (smoothed[f] <= thresholds[f] || smoothed[f] <= DigitalSilenceDb);
            if (quiet && runStart < 0)
            {
                runStart = f;
            }
            else if (!quiet && runStart >= 0)
            {
                pauses.Add(new SampleRange((long)runStart * FrameSamples, Math.Min(sampleCount, (long)f * FrameSamples)));
                runStart = -1;
            }
        }

        return new SilenceAnalysis
        {
            SampleCount = sampleCount, NoiseFloorDb = floor, SpeechLevelDb = speech, ThresholdDb = threshold, FrameThresholdDb = thresholds,
            SmoothedDb = smoothed, FrameDb = frameDb, Pauses = pauses,
        };
    }

    /// <summary>Convenience for tests and callers holding the whole signal in memory.</summary>
    public static float[] MeasureFrames(ReadOnlySpan<float> signal)
    {
        var frames = (signal.Length + FrameSamples - 1) / FrameSamples;
        var db = new float[frames];
        for (var f = 0; f < frames; f++)
        {
            var len = Math.Min(FrameSamples, signal.Length - (f * FrameSamples));
            db[f] = ToDb(FramePower(signal.Slice(f * FrameSamples, len)));
        }

        return db;
    }

    /// <summary>
    /// Noise floor per frame: a low percentile of each 10 s block, lowered to the median of the blocks within
    /// +-30 s when that is lower. The floor so follows noise that changes during a recording (the median switches
    /// at the change), a block of continuous speech takes its neighbours' floor, and a block holding the only pause
    /// keeps its own. Never below the global floor, which guards against a few dropouts.
    /// </summary>
    private static float[] LocalFloors(float[] smoothed, float globalFloor)
    {
        var blockCount = (smoothed.Length + FloorBlockFrames - 1) / FloorBlockFrames;
        var blockFloors = new float[blockCount];
        var scratch = new List<float>(FloorBlockFrames);
        for (var b = 0; b < blockCount; b++)
        {
            scratch.Clear();
            for (var f = b * FloorBlockFrames; f < Math.Min(smoothed.Length, (b + 1) * FloorBlockFrames); f++)
            {
                if (smoothed[f] > DigitalSilenceDb)
                {
                    scratch.Add(smoothed[f]);
                }
            }

            scratch.Sort();
            blockFloors[b] = scratch.Count == 0 ? float.PositiveInfinity : scratch[(int)(LocalFloorPercentile * (scratch.Count - 1))];
        }

        var floors = new float[smoothed.Length];
        for (var b = 0; b < blockCount; b++)
        {
            scratch.Clear();
            for (var k = Math.Max(0, b - FloorNeighbourBlocks); k <= Math.Min(blockCount - 1, b + FloorNeighbourBlocks); k++)
            {
                if (!float.IsPositiveInfinity(blockFloors[k]))
                {
                    scratch.Add(blockFloors[k]);
                }
            }

            scratch.Sort();
            var local = scratch.Count == 0 ? globalFloor : Math.Min(scratch[(scratch.Count - 1) / 2], blockFloors[b]);
            var value = Math.Max(local, globalFloor);
            floors.AsSpan(b * FloorBlockFrames, Math.Min(FloorBlockFrames, smoothed.Length - (b * FloorBlockFrames))).Fill(value);
        }

        return floors;
    }

    private static double Median(float[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        // A strided sample is plenty for a reported figure and keeps hour-long recordings cheap.
        var stride = Math.Max(1, values.Length / 4096);
        var sample = new float[(values.Length + stride - 1) / stride];
        for (var i = 0; i < sample.Length; i++)
        {
            sample[i] = values[i * stride];
        }

        Array.Sort(sample);
        return sample[sample.Length / 2];
    }

    private static float[] Smooth(float[] db)
    {
        // Averaging in the power domain over a centred 100 ms window: a burst raises its neighbours, never the
        // reverse, so a pause edge can only move away from speech.
        var power = new double[db.Length];
        for (var f = 0; f < db.Length; f++)
        {
            power[f] = Math.Pow(10, db[f] / 10);
        }

        var result = new float[db.Length];
        const int half = SmoothingFrames / 2;
        for (var f = 0; f < db.Length; f++)
        {
            double sum = 0;
            var lo = Math.Max(0, f - half);
            var hi = Math.Min(db.Length - 1, f + half);
            for (var k = lo; k <= hi; k++)
            {
                sum += power[k];
            }

            result[f] = ToDb(sum / (hi - lo + 1));
        }

        return result;
    }
}
