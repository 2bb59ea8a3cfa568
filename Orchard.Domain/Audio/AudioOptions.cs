using System.ComponentModel.DataAnnotations;

namespace Orchard.Domain.Audio;

/// <summary>Settings of the audio pipeline, bound from the "Audio" configuration section.</summary>
public sealed class AudioOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Audio";

    /// <summary>Shortest chunk (seconds); only the last chunk or a shorter recording may be shorter.</summary>
    [Range(1, 3600)]
    public int MinChunkSeconds { get; set; } = 30;

    /// <summary>Longest chunk (seconds).</summary>
    [Range(2, 7200)]
    public int MaxChunkSeconds { get; set; } = 180;

    /// <summary>
    /// Preferred chunk length (seconds): cuts go to the silence nearest this length, within the bounds. Shorter
    /// chunks spread a recording over an uneven fleet more evenly; longer ones give Whisper more context.
    /// Clamped into [MinChunkSeconds, MaxChunkSeconds]; 0 means as long as the bounds allow.
    /// </summary>
    [Range(0, 7200)]
    public int TargetChunkSeconds { get; set; } = 60;

    /// <summary>Shortest pause (ms) that counts as a silence where a chunk may be cut.</summary>
    [Range(100, 10_000)]
    public int MinSilenceMs { get; set; } = 700;

    /// <summary>Pauses longer than this (ms) are shortened in the audio sent to workers.</summary>
    [Range(200, 3_600_000)]
    public int CompactPauseLongerThanMs { get; set; } = 1000;

    /// <summary>Length (ms) a shortened pause keeps.</summary>
    [Range(0, 10_000)]
    public int CompactedGapMs { get; set; } = 300;

    /// <summary>Path or name of the ffmpeg executable.</summary>
    [Required]
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>Path or name of the ffprobe executable.</summary>
    [Required]
    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>Longest time one ffmpeg or ffprobe run may take before it is killed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FfmpegTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Directory for intermediate PCM files; null means the system temporary directory.</summary>
    public string? TempDirectory { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinChunkSeconds > MaxChunkSeconds)
        {
            yield return new ValidationResult("MinChunkSeconds must not exceed MaxChunkSeconds.", [nameof(MinChunkSeconds), nameof(MaxChunkSeconds)]);
        }

        if (CompactedGapMs >= CompactPauseLongerThanMs)
        {
            yield return new ValidationResult("CompactedGapMs must be shorter than CompactPauseLongerThanMs.", [nameof(CompactedGapMs), nameof(CompactPauseLongerThanMs)]);
        }
    }
}
