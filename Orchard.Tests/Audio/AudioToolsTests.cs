using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public sealed class AudioToolsTests
{
    [Fact]
    public async Task CheckAsync_FindsNothingMissing_WhenFfmpegAndFfprobeAreInstalled()
    {
        var tools = new AudioTools(Options.Create(new AudioOptions()), NullLogger<AudioTools>.Instance);

        await tools.CheckAsync(CancellationToken.None);

        Assert.Empty(tools.Missing);
        tools.ThrowIfMissing();
    }

    [Fact]
    public async Task ThrowIfMissing_NamesTheToolButNotItsPath_WhenItCannotStart()
    {
        var tools = new AudioTools(Options.Create(new AudioOptions { FfprobePath = "/opt/secret-place/ffprobe" }), NullLogger<AudioTools>.Instance);

        await tools.CheckAsync(CancellationToken.None);

        Assert.Equal(["ffprobe"], tools.Missing);
        var error = Assert.Throws<AudioToolMissingException>(tools.ThrowIfMissing);
        Assert.Contains("ffprobe is not installed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-place", error.Message, StringComparison.Ordinal);
    }
}
