using System.Globalization;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Audio;

/// <summary>A decoded input: the 16 kHz mono signal on disk plus what the input was.</summary>
internal sealed record DecodedAudio(PcmFile Pcm, string FormatName, bool InProcess);

/// <summary>
/// Turns any input into a 16 kHz mono PCM file. PCM WAV is read in-process (used as-is when it already is
/// 16 kHz mono 16-bit); everything else is decoded by ffmpeg into a temporary raw file.
/// </summary>
internal static class AudioDecoder
{
    private const int BlockFrames = 1 << 15;

    // ffmpeg prints these for broken input but often still exits 0, so they are what reveals corruption.
    private static readonly string[] CorruptionMarkers =
    [
        "Invalid data", "decode_frame", "ended prematurely", "CRC mismatch", "Header missing", "exceeds containing",
        "Error while decoding", "corrupt", "Truncat", "invalid",
    ];

    public static Task<DecodedAudio> DecodeAsync(string inputPath, string workDirectory, AudioOptions options, CancellationToken ct) =>
        DecodeAsync(inputPath, workDirectory, options, new StorageOptions().MaxRecordingDuration, ct);

    /// <summary>Decodes at most <paramref name="maxDuration"/>; a recording that turns out longer is refused, never cut.</summary>
    /// <exception cref="AudioLimitException">Out of <see cref="AudioLimits"/>, whatever the header stated.</exception>
    public static async Task<DecodedAudio> DecodeAsync(string inputPath, string workDirectory, AudioOptions options, TimeSpan maxDuration, CancellationToken ct)
    {
        var length = new FileInfo(inputPath).Length;
        if (length == 0)
        {
            throw new EmptyAudioException("the recording is empty (0 bytes)");
        }

        var wav = WavFile.TryOpen(inputPath);
        if (wav is not null)
        {
            // Checked here too: decoding does not rely on a probe having run on these very bytes.
            AudioLimits.CheckFormat(wav.SampleRate, wav.Channels);
        }

        if (wav is not null && wav.IsPcm)
        {
            if (wav.FrameCount == 0)
            {
                throw new EmptyAudioException("the WAV file holds no audio samples");
            }

            // The frame count comes from the data actually present (a streaming header's size runs to the end of
            // the file, an overstated one is refused as truncated), so this bounds what the loop below reads.
            if (wav.FrameCount > AudioLimits.MaxFrames(maxDuration, wav.SampleRate))
            {
                throw AudioLimits.DecodedPastLimit("wav", maxDuration, null);
            }

            if (wav.IsWorkerFormat)
            {
                return new DecodedAudio(new PcmFile(inputPath, wav.DataOffset, wav.FrameCount, PcmSampleFormat.Int16), "wav", true);
            }

            var converted = Path.Combine(workDirectory, "decoded.pcm");
            var samples = ConvertWav(inputPath, wav, converted, ct);
            return new DecodedAudio(new PcmFile(converted, 0, samples, PcmSampleFormat.Int16), "wav", true);
        }

        var probe = await AudioProbe.ProbeAsync(inputPath, options, maxDuration, ct);
        var output = Path.Combine(workDirectory, "decoded.pcm");
        // The container's duration can lie (a WAV's byte rate, an MP3 without a Xing header): ffmpeg stops one second
        // past the limit by time (-t) and by bytes written (-fs), and anything past the limit is refused below.
        var capSamples = AudioLimits.MaxSamples(maxDuration) + AudioFormat.SampleRate;
        string[] args =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file", "-i", AudioProbe.LocalFileUrl(inputPath), "-map", "0:a:0", "-vn", "-sn", "-dn",
            "-ac", "1", "-ar", AudioFormat.SampleRate.ToString(CultureInfo.InvariantCulture), "-f", "s16le", "-acodec", "pcm_s16le",
            "-t", (capSamples / (double)AudioFormat.SampleRate).ToString("0.###", CultureInfo.InvariantCulture),
            "-fs", (capSamples * 2).ToString(CultureInfo.InvariantCulture), "-y", output,
        ];
        var result = await ExternalTool.RunAsync(options.FfmpegPath, args, options.FfmpegTimeout, captureStdout: false, ct);
        if (result.ExitCode != 0)
        {
            throw new AudioDecodeException($"the {probe.FormatName} file could not be decoded (ffmpeg stopped with an error): repair or convert it to WAV, FLAC, MP3, OGG or M4A and submit it again")
            {
                Detail = $"ffmpeg exited with {result.ExitCode}: {AudioProbe.FirstLines(result.StandardError)}",
            };
        }

        if (CorruptionMarkers.Any(m => result.StandardError.Contains(m, StringComparison.OrdinalIgnoreCase)))
        {
            throw new AudioDecodeException($"the {probe.FormatName} file is truncated or corrupt: it does not decode cleanly to its end; repair or convert it and submit it again")
            {
                Detail = AudioProbe.FirstLines(result.StandardError),
            };
        }

        var sampleCount = File.Exists(output) ? new FileInfo(output).Length / 2 : 0;
        if (sampleCount == 0)
        {
            throw new EmptyAudioException($"the {probe.FormatName} file holds no audio samples");
        }

        if (sampleCount > AudioLimits.MaxSamples(maxDuration))
        {
            File.Delete(output);
            throw AudioLimits.DecodedPastLimit(probe.FormatName, maxDuration, probe.Duration);
        }

        if (probe.Duration is { } expected)
        {
            var decodedSeconds = (double)sampleCount / AudioFormat.SampleRate;
            var missing = expected.TotalSeconds - decodedSeconds;
            if (missing > Math.Max(0.5, 0.02 * expected.TotalSeconds))
            {
                throw new AudioDecodeException(string.Create(CultureInfo.InvariantCulture,
                    $"the {probe.FormatName} file is truncated: its header states {expected.TotalSeconds:F2} s but only {decodedSeconds:F2} s decode"));
            }
        }

        return new DecodedAudio(new PcmFile(output, 0, sampleCount, PcmSampleFormat.Int16), probe.FormatName, false);
    }

    /// <summary>Downmixes and resamples a PCM WAV to a raw 16 kHz mono 16-bit file, block by block.</summary>
    private static long ConvertWav(string inputPath, WavFile wav, string outputPath, CancellationToken ct)
    {
        using var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var writer = new PcmWriter(outputPath, PcmSampleFormat.Int16);
        var resampler = wav.SampleRate == AudioFormat.SampleRate ? null : new Resampler(wav.SampleRate, AudioFormat.SampleRate);
        var bytes = new byte[BlockFrames * wav.BlockAlign];
        var mono = new float[BlockFrames];
        input.Position = wav.DataOffset;
        var remaining = wav.FrameCount;
        Action<ReadOnlySpan<float>> emit = s => writer.Write(s);
        while (remaining > 0)
        {
            ct.ThrowIfCancellationRequested();
            var frames = (int)Math.Min(BlockFrames, remaining);
            input.ReadExactly(bytes, 0, frames * wav.BlockAlign);
            wav.DecodeMono(bytes.AsSpan(0, frames * wav.BlockAlign), mono);
            if (resampler is null)
            {
                writer.Write(mono.AsSpan(0, frames));
            }
            else
            {
                resampler.Process(mono.AsSpan(0, frames), emit);
            }

            remaining -= frames;
        }

        resampler?.Flush(emit);
        if (writer.SamplesWritten == 0)
        {
            throw new EmptyAudioException("the WAV file holds too few samples to resample");
        }

        return writer.SamplesWritten;
    }
}
