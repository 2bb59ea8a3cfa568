using Orchard.Domain.Audio;

namespace Orchard.Tests.Audio;

public class ExternalToolTests
{
    [Fact]
    public async Task RunAsync_KillsAndThrows_WhenTimeoutPasses()
    {
        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<AudioToolException>(() => ExternalTool.RunAsync("sleep", ["30"], TimeSpan.FromMilliseconds(300), false, CancellationToken.None));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_ReturnsStderr_WhenToolFails()
    {
        var result = await ExternalTool.RunAsync("ffmpeg", ["-hide_banner", "-i", "/nonexistent.wav"], TimeSpan.FromSeconds(30), false, CancellationToken.None);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/nonexistent.wav", result.StandardError, StringComparison.Ordinal);
    }
}
