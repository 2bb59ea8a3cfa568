namespace Orchard.Domain.Audio;

/// <summary>Outcome of a purification pass.</summary>
internal sealed record PurifyResult(PcmFile Output, float[] FrameDb, double GainDb, double NoiseFloorBeforeDb);

/// <summary>
/// Cleans speech recordings in one streaming STFT pass: the magnitude response of a 4th-order Butterworth
/// high-pass at 80 Hz removes rumble, spectral subtraction (noise spectrum averaged over the recording's quietest
/// frames) reduces stationary noise, then a single gain brings the speech level to the target without letting the
/// peak exceed the ceiling. Every gain is real (zero phase) and analysis and synthesis windows are centred on the
/// same samples, so nothing moves on the timeline, not even low frequencies (a recursive high-pass would delay them).
/// </summary>
internal static class Purifier
{
    public const double HighPassHz = 80;
    public const double TargetSpeechDb = -20;
    public const double PeakCeiling = 0.89; // about -1 dBFS
    public const double MaxGainDb = 30;
    private const int FftSize = 512;
    private const int Hop = FftSize / 2;
    private const float OverSubtraction = 2.5f;
    private const float GainFloor = 0.1f; // -20 dB: deeper cuts make musical noise
    private const double QuietPercentile = 0.10;
    private const int MaxNoiseFrames = 600;
    private const double MinNoiseDistanceDb = 6;
    private const int MinNoiseFrames = 25;
    private const double CleanFloorDb = -80;
    private const int BlockSamples = 1 << 16;

    public static PurifyResult Run(PcmFile input, float[] inputFrameDb, string outputPath, CancellationToken ct)
    {
        var fft = new Fft(FftSize);
        var window = new float[FftSize];
        for (var i = 0; i < FftSize; i++)
        {
            // sqrt of a periodic Hann: analysis x synthesis sums to one at 50% overlap.
            window[i] = (float)Math.Sqrt(0.5 - (0.5 * Math.Cos(2 * Math.PI * i / FftSize)));
        }

        var highPass = new float[(FftSize / 2) + 1];
        for (var k = 0; k < highPass.Length; k++)
        {
            highPass[k] = (float)Math.Sqrt(HighPassPowerResponse((double)k * AudioFormat.SampleRate / FftSize));
        }

        var noise = EstimateNoise(input, inputFrameDb, fft, window, out var noiseFloorDb);
        var frames = (int)((input.SampleCount + SilenceDetector.FrameSamples - 1) / SilenceDetector.FrameSamples);
        var outDb = new float[frames];
        var frameAcc = 0.0;
        var frameFill = 0;
        var frameIndex = 0;
        var peak = 0f;

        using (var writer = new PcmWriter(outputPath, PcmSampleFormat.Float32))
        {
            // The signal is seen with Hop zeros in front, so output sample i is padded sample i + Hop.
            var frame = new float[FftSize];
            var re = new float[FftSize];
            var im = new float[FftSize];
            var gains = new float[(FftSize / 2) + 1];
            var power = new float[(FftSize / 2) + 1];
            var overlap = new float[Hop];
            var outBlock = new float[Hop];
            var block = new float[BlockSamples];
            long read = 0;
            long written = 0;
            var fill = Hop; // frame[0..Hop) holds the zero padding at first
            var flushed = 0;
            var skip = Hop;
            while (written < input.SampleCount)
            {
                ct.ThrowIfCancellationRequested();
                var n = (int)Math.Min(BlockSamples, input.SampleCount - read);
                Span<float> data;
                if (n > 0)
                {
                    input.Read(read, block.AsSpan(0, n));
                    data = block.AsSpan(0, n);
                    read += n;
                }
                else
                {
                    // Flush with zeros until every real sample has left the overlap-add.
                    data = block.AsSpan(0, Hop);
                    data.Clear();
                    flushed += Hop;
                }

                var pos = 0;
                while (pos < data.Length)
                {
                    var take = Math.Min(FftSize - fill, data.Length - pos);
                    data.Slice(pos, take).CopyTo(frame.AsSpan(fill));
                    fill += take;
                    pos += take;
                    if (fill < FftSize)
                    {
                        continue;
                    }

                    ProcessFrame(frame, window, fft, re, im, power, gains, noise, highPass);
                    for (var i = 0; i < Hop; i++)
                    {
                        outBlock[i] = overlap[i] + (re[i] * window[i] / FftSize);
                        overlap[i] = re[i + Hop] * window[i + Hop] / FftSize;
                    }

                    frame.AsSpan(Hop).CopyTo(frame);
                    fill = Hop;

                    var emit = outBlock.AsSpan();
                    if (skip > 0)
                    {
                        var s = Math.Min(skip, emit.Length);
                        emit = emit[s..];
                        skip -= s;
                    }

                    var room = (int)Math.Min(emit.Length, input.SampleCount - written);
                    emit = emit[..room];
                    if (emit.IsEmpty)
                    {
                        continue;
                    }

                    writer.Write(emit);
                    written += emit.Length;
                    foreach (var v in emit)
                    {
                        var a = Math.Abs(v);
                        if (a > peak)
                        {
                            peak = a;
                        }

                        frameAcc += v * v;
                        if (++frameFill == SilenceDetector.FrameSamples)
                        {
                            outDb[frameIndex++] = SilenceDetector.ToDb(frameAcc / frameFill);
                            frameAcc = 0;
                            frameFill = 0;
                        }
                    }
                }

                if (flushed > 4 * FftSize)
                {
                    break;
                }
            }

            if (frameFill > 0 && frameIndex < outDb.Length)
            {
                outDb[frameIndex] = SilenceDetector.ToDb(frameAcc / frameFill);
            }
        }

        var gainDb = ChooseGainDb(outDb, peak);
        var gain = (float)Math.Pow(10, gainDb / 20);
        for (var i = 0; i < outDb.Length; i++)
        {
            outDb[i] += (float)gainDb;
        }

        var output = new PcmFile(outputPath, 0, input.SampleCount, PcmSampleFormat.Float32, gain);
        return new PurifyResult(output, outDb, gainDb, noiseFloorDb);
    }

    /// <summary>Gain (dB) that brings the voiced frames' level to the target, never pushing the peak past the ceiling.</summary>
    internal static double ChooseGainDb(float[] frameDb, float peak)
    {
        if (peak <= 0)
        {
            return 0;
        }

        var analysis = SilenceDetector.Analyse(frameDb, (long)frameDb.Length * SilenceDetector.FrameSamples);
        double sum = 0;
        var n = 0;
        for (var f = 0; f < frameDb.Length; f++)
        {
            if (frameDb[f] > analysis.FrameThresholdDb[f])
            {
                sum += Math.Pow(10, frameDb[f] / 10);
                n++;
            }
        }

        var speechDb = n > 0 ? 10 * Math.Log10(sum / n) : analysis.SpeechLevelDb;
        var wanted = Math.Min(MaxGainDb, TargetSpeechDb - speechDb);
        var ceiling = 20 * Math.Log10(PeakCeiling / peak);
        return Math.Min(wanted, ceiling);
    }

    private static void ProcessFrame(float[] frame, float[] window, Fft fft, float[] re, float[] im, float[] power, float[] gains, float[] noise, float[] highPass)
    {
        for (var i = 0; i < FftSize; i++)
        {
            re[i] = frame[i] * window[i];
            im[i] = 0;
        }

        fft.Transform(re, im, inverse: false);
        var bins = (FftSize / 2) + 1;
        for (var k = 0; k < bins; k++)
        {
            power[k] = (re[k] * re[k]) + (im[k] * im[k]);
        }

        for (var k = 0; k < bins; k++)
        {
            // Smoothing the observed power over neighbouring bins tames the random peaks that become musical noise.
            var p = (power[Math.Max(0, k - 1)] + power[k] + power[Math.Min(bins - 1, k + 1)]) / 3f;
            var g2 = p <= 0 ? 0 : 1f - (OverSubtraction * noise[k] / p);
            gains[k] = MathF.Max(GainFloor, MathF.Sqrt(MathF.Max(0, g2))) * highPass[k];
        }

        for (var k = 0; k < bins; k++)
        {
            re[k] *= gains[k];
            im[k] *= gains[k];
            if (k > 0 && k < FftSize / 2)
            {
                re[FftSize - k] *= gains[k];
                im[FftSize - k] *= gains[k];
            }
        }

        fft.Transform(re, im, inverse: true);
    }

    /// <summary>Average power spectrum of the quietest frames.</summary>
    private static float[] EstimateNoise(PcmFile input, float[] frameDb, Fft fft, float[] window, out double floorDb)
    {
        var bins = (FftSize / 2) + 1;
        var noise = new float[bins];
        floorDb = -120;
        if (frameDb.Length < 3)
        {
            return noise;
        }

        // A recording whose quiet stretches are (near) digital silence has no noise to remove. Without this check the
        // quietest non-silent frames would be weak speech (soft onsets, fricatives), and subtracting their spectrum
        // strips exactly the consonants a recogniser needs.
        var all = (float[])frameDb.Clone();
        Array.Sort(all);
        if (all[(int)(QuietPercentile * (all.Length - 1))] <= CleanFloorDb)
        {
            floorDb = all[(int)(0.05 * (all.Length - 1))];
            return noise;
        }

        var sorted = frameDb.Where(d => d > -90).ToArray();
        if (sorted.Length == 0)
        {
            return noise;
        }

        Array.Sort(sorted);
        var limit = sorted[(int)(QuietPercentile * (sorted.Length - 1))];
        floorDb = sorted[(int)(0.05 * (sorted.Length - 1))];
        if (sorted[(int)(0.95 * (sorted.Length - 1))] - limit < MinNoiseDistanceDb)
        {
            // The quietest frames are not clearly quieter than the loud ones (no pauses): they would be speech,
            // and subtracting them would eat the speech, so noise reduction stays off.
            return noise;
        }
        var quiet = new List<int>();
        for (var f = 0; f + 1 < frameDb.Length; f++)
        {
            // A 512-sample window spans this frame and most of the next, so both must be quiet.
            if (frameDb[f] <= limit && frameDb[f + 1] <= limit && ((long)f * SilenceDetector.FrameSamples) + FftSize <= input.SampleCount)
            {
                quiet.Add(f);
            }
        }

        if (quiet.Count < MinNoiseFrames)
        {
            // Under half a second of quiet audio says nothing reliable about the noise.
            return noise;
        }

        var stride = Math.Max(1, quiet.Count / MaxNoiseFrames);
        var re = new float[FftSize];
        var im = new float[FftSize];
        var used = 0;
        for (var q = 0; q < quiet.Count; q += stride)
        {
            input.Read((long)quiet[q] * SilenceDetector.FrameSamples, re);
            for (var i = 0; i < FftSize; i++)
            {
                re[i] *= window[i];
                im[i] = 0;
            }

            fft.Transform(re, im, inverse: false);
            for (var k = 0; k < bins; k++)
            {
                noise[k] += (re[k] * re[k]) + (im[k] * im[k]);
            }

            used++;
        }

        for (var k = 0; k < bins; k++)
        {
            noise[k] /= used;
        }

        return noise;
    }

    /// <summary>|H(f)|^2 of a 4th-order Butterworth high-pass at <see cref="HighPassHz"/>.</summary>
    internal static double HighPassPowerResponse(double hz)
    {
        var r = Math.Pow(hz / HighPassHz, 8);
        return r / (1 + r);
    }
}
