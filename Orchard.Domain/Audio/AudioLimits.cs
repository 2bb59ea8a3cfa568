using System.Globalization;

namespace Orchard.Domain.Audio;

/// <summary>
/// The bounds on what the master decodes, checked at the probe (so the caller hears before 202) and again while
/// decoding (a header may lie). Every decoded byte and every buffer is then proportional to at most
/// <c>Storage:MaxRecordingDuration</c> of 16 kHz mono, and the resampler's filter to at most 384 kHz → 16 kHz.
/// </summary>
public static class AudioLimits
{
    /// <summary>Lowest input sample rate: 8 kHz telephone audio. Lower rates expand up to 16,000× when resampled.</summary>
    public const int MinSampleRate = 8_000;

    /// <summary>Highest input sample rate: the fastest rate studio converters record at.</summary>
    public const int MaxSampleRate = 384_000;

    /// <summary>Most input channels: beyond any real microphone array, and each frame is mixed down in memory.</summary>
    public const int MaxChannels = 32;

    /// <summary>Throws when a stated sample rate or channel count is outside the bounds.</summary>
    /// <exception cref="AudioLimitException">Out of bounds.</exception>
    public static void CheckFormat(int? sampleRate, int? channels)
    {
        if (sampleRate is { } rate && rate is < MinSampleRate or > MaxSampleRate)
        {
            throw new AudioLimitException(string.Create(CultureInfo.InvariantCulture,
                $"The recording states a sample rate of {rate:N0} Hz; Orchard accepts {MinSampleRate:N0} to {MaxSampleRate:N0} Hz. Convert it first (for example: ffmpeg -i input -ar 16000 output.wav) and submit it again."));
        }

        if (channels is { } count && count is < 1 or > MaxChannels)
        {
            throw new AudioLimitException(string.Create(CultureInfo.InvariantCulture,
                $"The recording states {count:N0} channels; Orchard accepts 1 to {MaxChannels}. Mix it down first (for example: ffmpeg -i input -ac 1 output.wav) and submit it again."));
        }
    }

    /// <summary>Throws when a duration stated by the container is over the limit.</summary>
    /// <exception cref="AudioLimitException">Over the limit.</exception>
    public static void CheckDuration(TimeSpan? duration, TimeSpan max)
    {
        if (duration is { } d && d > max)
        {
            throw new AudioLimitException(string.Create(CultureInfo.InvariantCulture,
                $"The recording lasts {Format(d)}; Orchard accepts at most {Format(max)} (Storage:MaxRecordingDuration). Split it into shorter recordings and submit each."));
        }
    }

    /// <summary>The error when decoding ran past the limit although the container stated less.</summary>
    internal static AudioLimitException DecodedPastLimit(string formatName, TimeSpan max, TimeSpan? stated) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"The {formatName} recording decodes to more than {Format(max)} (Storage:MaxRecordingDuration){(stated is { } s ? $" although its header states {Format(s)}" : string.Empty)}, so decoding stopped there. Split it into shorter recordings and submit each."));

    /// <summary>Samples at 16 kHz the limit allows.</summary>
    internal static long MaxSamples(TimeSpan max) => (long)Math.Ceiling(max.TotalSeconds * AudioFormat.SampleRate);

    /// <summary>Input frames at <paramref name="sampleRate"/> the limit allows.</summary>
    internal static long MaxFrames(TimeSpan max, int sampleRate) => (long)Math.Ceiling(max.TotalSeconds * sampleRate);

    private static string Format(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes:D2} min {t.Seconds:D2} s")
        : t.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes} min {t.Seconds:D2} s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.##} s");
}
