using System.ComponentModel.DataAnnotations;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class AudioOptionsTests
{
    private static List<ValidationResult> Validate(AudioOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Validate_Passes_WithDefaults()
    {
        var options = new AudioOptions();
        Assert.Empty(Validate(options));
        Assert.Equal((30, 180, 700, 1000, 300), (options.MinChunkSeconds, options.MaxChunkSeconds, options.MinSilenceMs, options.CompactPauseLongerThanMs, options.CompactedGapMs));
        Assert.Equal(TimeSpan.FromMinutes(10), options.FfmpegTimeout);
    }

    [Fact]
    public void Validate_Fails_WhenMinChunkExceedsMax()
    {
        Assert.NotEmpty(Validate(new AudioOptions { MinChunkSeconds = 200, MaxChunkSeconds = 100 }));
    }

    [Fact]
    public void Validate_Fails_WhenOutOfRange()
    {
        Assert.NotEmpty(Validate(new AudioOptions { MinSilenceMs = 5 }));
        Assert.NotEmpty(Validate(new AudioOptions { FfmpegTimeout = TimeSpan.Zero }));
    }
}
