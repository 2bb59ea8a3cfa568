using Orchard.Worker.Audio;

namespace Orchard.Tests.Worker;

public class ExternalProcessTests
{
    [Fact]
    public void Find_LooksUpNamesOnPath_AndChecksPaths()
    {
        Assert.Equal("/bin/sh", ExternalProcess.Find("/bin/sh"));
        Assert.NotNull(ExternalProcess.Find("sh"));
        Assert.Null(ExternalProcess.Find("no-such-program-orchard"));
        Assert.Null(ExternalProcess.Find("/nonexistent/sh"));
    }

    [Fact]
    public async Task RunAsync_CollectsBothStreamsAndExitCode()
    {
        var result = await ExternalProcess.RunAsync("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    [Fact]
    public async Task RunAsync_KillsTheProcess_WhenCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var run = ExternalProcess.RunAsync("/bin/sh", ["-c", "echo started; exec sleep 600"], cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
