using System.Globalization;
using System.Text.Json;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Audio;

/// <summary>What a quick look at a file found.</summary>
/// <param name="IsAudio">Always true for a returned result; non-audio throws instead.</param>
/// <param name="Duration">Duration from the header, when the container states it.</param>
/// <param name="FormatName">Container name ("wav", "mp3", "mov,mp4,m4a,...", ...).</param>
/// <param name="CodecName">Codec of the first audio stream, when known.</param>
/// <param name="SampleRate">Sample rate of the first audio stream, when known.</param>
/// <param name="Channels">Channel count of the first audio stream, when known.</param>
public sealed record AudioProbeResult(bool IsAudio, TimeSpan? Duration, string FormatName, string? CodecName, int? SampleRate, int? Channels);

/// <summary>
/// Tells quickly whether a file is audio: a WAV header is parsed in-process, anything else goes to ffprobe. What it
/// states is held to <see cref="AudioLimits"/>, so a recording the master will not decode is refused before 202.
/// </summary>
public static class AudioProbe
{
    /// <summary>What a client is told when ffprobe or ffmpeg cannot read a file; their own words go to the log.</summary>
    public const string NotReadable = "not an audio file ffmpeg can read: convert it to WAV, FLAC, MP3, OGG or M4A and submit it again";

    private const double MaxStatedSeconds = 1e9;
    private static readonly TimeSpan DefaultMaxDuration = new StorageOptions().MaxRecordingDuration;

    /// <summary>Probes with default options (ffprobe on the PATH).</summary>
    /// <exception cref="NotAudioException">The file is not audio.</exception>
    /// <exception cref="EmptyAudioException">The file is empty or holds no samples.</exception>
    public static Task<AudioProbeResult> ProbeAsync(string path, CancellationToken ct) => ProbeAsync(path, new AudioOptions(), ct);

    /// <summary>Probes with the given options (ffprobe path and timeout).</summary>
    /// <exception cref="NotAudioException">The file is not audio.</exception>
    /// <exception cref="EmptyAudioException">The file is empty or holds no samples.</exception>
    public static Task<AudioProbeResult> ProbeAsync(string path, AudioOptions options, CancellationToken ct) => ProbeAsync(path, options, DefaultMaxDuration, ct);

    /// <summary>Probes with the given options and longest accepted duration.</summary>
    /// <exception cref="NotAudioException">The file is not audio.</exception>
    /// <exception cref="EmptyAudioException">The file is empty or holds no samples.</exception>
    /// <exception cref="AudioLimitException">The sample rate, channel count or stated duration is out of bounds.</exception>
    public static async Task<AudioProbeResult> ProbeAsync(string path, AudioOptions options, TimeSpan maxDuration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException("audio input not found", path);
        }

        if (info.Length == 0)
        {
            throw new EmptyAudioException("the recording is empty (0 bytes)");
        }

        var wav = WavFile.TryOpen(path);
        if (wav is not null)
        {
            // Whatever the codec: the header alone is enough to refuse 349 MHz or 65,535 channels.
            AudioLimits.CheckFormat(wav.SampleRate, wav.Channels);
            if (wav.FrameCount == 0)
            {
                throw new EmptyAudioException("the WAV file holds no audio samples");
            }

            if (wav.IsPcm)
            {
                var duration = TimeSpan.FromSeconds((double)wav.FrameCount / wav.SampleRate);
                AudioLimits.CheckDuration(duration, maxDuration);
                return new AudioProbeResult(true, duration, "wav", wav.CodecName, wav.SampleRate, wav.Channels);
            }
        }

        var probed = await FfprobeAsync(path, options, ct);
        AudioLimits.CheckFormat(probed.SampleRate, probed.Channels);
        AudioLimits.CheckDuration(probed.Duration, maxDuration);
        return probed;
    }

    private static async Task<AudioProbeResult> FfprobeAsync(string path, AudioOptions options, CancellationToken ct)
    {
        string[] args = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-select_streams", "a", "-protocol_whitelist", "file", LocalFileUrl(path)];
        var result = await ExternalTool.RunAsync(options.FfprobePath, args, options.FfmpegTimeout, captureStdout: true, ct);
        if (result.ExitCode != 0)
        {
            throw new NotAudioException(NotReadable) { Detail = FirstLines(result.StandardError) };
        }

        try
        {
            using var doc = JsonDocument.Parse(result.StandardOutput);
            var root = doc.RootElement;
            var format = root.TryGetProperty("format", out var f) ? f : default;
            var formatName = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("format_name", out var fn) ? fn.GetString() ?? "unknown" : "unknown";
            if (!root.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
            {
                throw new NotAudioException($"not an audio file ffmpeg can read: no audio stream in this {formatName} file");
            }

            var stream = streams[0];
            TimeSpan? duration = null;
            if (TryDouble(format, "duration", out var d) || TryDouble(stream, "duration", out d))
            {
                // Clamped: a hostile header may state any number, and TimeSpan overflows past ~29,000 years.
                duration = TimeSpan.FromSeconds(Math.Min(d, MaxStatedSeconds));
            }

            if (duration is { TotalMilliseconds: <= 0 })
            {
                throw new EmptyAudioException($"the {formatName} file holds no audio samples");
            }

            var codec = stream.TryGetProperty("codec_name", out var c) ? c.GetString() : null;
            // ffprobe prints 0 for what it could not tell: unknown, left to the decode caps (ffmpeg resamples itself).
            int? rate = TryDouble(stream, "sample_rate", out var r) && r > 0 ? (int)Math.Min(r, int.MaxValue) : null;
            int? channels = stream.TryGetProperty("channels", out var ch) && ch.ValueKind == JsonValueKind.Number && ch.TryGetInt32(out var n) && n > 0 ? n : null;
            return new AudioProbeResult(true, duration, formatName, codec, rate, channels);
        }
        catch (JsonException ex)
        {
            throw new NotAudioException(NotReadable, ex) { Detail = $"unreadable ffprobe output ({ex.Message})" };
        }
    }

    private static bool TryDouble(JsonElement element, string name, out double value)
    {
        value = 0;
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var p))
        {
            return false;
        }

        return p.ValueKind switch
        {
            JsonValueKind.Number => p.TryGetDouble(out value),
            JsonValueKind.String => double.TryParse(p.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            _ => false,
        } && double.IsFinite(value);
    }

    /// <summary>
    /// A file: URL, so a name that looks like a URL or an option is still read as a local file; with the "file"
    /// protocol whitelist a playlist-like input cannot make ffmpeg fetch anything else either.
    /// </summary>
    internal static string LocalFileUrl(string path) => "file:" + Path.GetFullPath(path);

    internal static string FirstLines(string stderr)
    {
        var text = string.IsNullOrWhiteSpace(stderr) ? "(ffmpeg gave no detail)" : stderr.Trim();
        return text.Length <= 600 ? text : text[..600] + "...";
    }
}
