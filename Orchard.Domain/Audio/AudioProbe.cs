using System.Globalization;
using System.Text.Json;

namespace Orchard.Domain.Audio;

/// <summary>What a quick look at a file found.</summary>
/// <param name="IsAudio">Always true for a returned result; non-audio throws instead.</param>
/// <param name="Duration">Duration from the header, when the container states it.</param>
/// <param name="FormatName">Container name ("wav", "mp3", "mov,mp4,m4a,...", ...).</param>
/// <param name="CodecName">Codec of the first audio stream, when known.</param>
/// <param name="SampleRate">Sample rate of the first audio stream, when known.</param>
/// <param name="Channels">Channel count of the first audio stream, when known.</param>
public sealed record AudioProbeResult(bool IsAudio, TimeSpan? Duration, string FormatName, string? CodecName, int? SampleRate, int? Channels);

/// <summary>Tells quickly whether a file is audio: a WAV header is parsed in-process, anything else goes to ffprobe.</summary>
public static class AudioProbe
{
    /// <summary>Probes with default options (ffprobe on the PATH).</summary>
    /// <exception cref="NotAudioException">The file is not audio.</exception>
    /// <exception cref="EmptyAudioException">The file is empty or holds no samples.</exception>
    public static Task<AudioProbeResult> ProbeAsync(string path, CancellationToken ct) => ProbeAsync(path, new AudioOptions(), ct);

    /// <summary>Probes with the given options (ffprobe path and timeout).</summary>
    /// <exception cref="NotAudioException">The file is not audio.</exception>
    /// <exception cref="EmptyAudioException">The file is empty or holds no samples.</exception>
    public static async Task<AudioProbeResult> ProbeAsync(string path, AudioOptions options, CancellationToken ct)
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
            throw new EmptyAudioException($"the input is empty (0 bytes): {Path.GetFileName(path)}");
        }

        var wav = WavFile.TryOpen(path);
        if (wav is not null)
        {
            if (wav.FrameCount == 0)
            {
                throw new EmptyAudioException("the WAV file holds no audio samples");
            }

            if (wav.IsPcm)
            {
                return new AudioProbeResult(true, TimeSpan.FromSeconds((double)wav.FrameCount / wav.SampleRate), "wav", wav.CodecName, wav.SampleRate, wav.Channels);
            }
        }

        return await FfprobeAsync(path, options, ct);
    }

    private static async Task<AudioProbeResult> FfprobeAsync(string path, AudioOptions options, CancellationToken ct)
    {
        string[] args = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-select_streams", "a", "-protocol_whitelist", "file", LocalFileUrl(path)];
        var result = await ExternalTool.RunAsync(options.FfprobePath, args, options.FfmpegTimeout, captureStdout: true, ct);
        if (result.ExitCode != 0)
        {
            throw new NotAudioException($"not an audio file ffmpeg can read: {FirstLines(result.StandardError)}");
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
                duration = TimeSpan.FromSeconds(d);
            }

            if (duration is { TotalMilliseconds: <= 0 })
            {
                throw new EmptyAudioException($"the {formatName} file holds no audio samples");
            }

            var codec = stream.TryGetProperty("codec_name", out var c) ? c.GetString() : null;
            int? rate = TryDouble(stream, "sample_rate", out var r) ? (int)r : null;
            int? channels = stream.TryGetProperty("channels", out var ch) && ch.ValueKind == JsonValueKind.Number ? ch.GetInt32() : null;
            return new AudioProbeResult(true, duration, formatName, codec, rate, channels);
        }
        catch (JsonException ex)
        {
            throw new NotAudioException($"not an audio file ffmpeg can read: unreadable ffprobe output ({ex.Message})", ex);
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
        };
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
