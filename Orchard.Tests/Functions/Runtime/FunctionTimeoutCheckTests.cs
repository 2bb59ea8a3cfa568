using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Audio;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Storage;
using Orchard.Functions.Runtime;

namespace Orchard.Tests.Functions.Runtime;

public sealed class FunctionTimeoutCheckTests
{
    [Fact]
    public void Check_Passes_WithTheRepositoryHostJsonAndDefaultSettings()
    {
        var limit = FunctionTimeoutCheck.ReadFunctionTimeout(File.ReadAllText(FunctionTimeoutCheck.HostJsonPath));

        Assert.Equal(TimeSpan.FromHours(1), limit);
        Check(new DispatchOptions()).Check(limit);
    }

    [Fact]
    public void Check_ThrowsNamingTheSetting_WhenADeliveryDoesNotFit()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Check(new DispatchOptions()).Check(TimeSpan.FromMinutes(10)));

        Assert.Contains("Dispatch:TimeoutCap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ThrowsNamingTheSettings_WhenAPreparationDoesNotFit()
    {
        var check = Check(new DispatchOptions { TimeoutCap = TimeSpan.FromMinutes(5) });

        var error = Assert.Throws<InvalidOperationException>(() => check.Check(TimeSpan.FromMinutes(20)));

        Assert.Contains("Audio:FfmpegTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:MaxRecordingDuration", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"version": "2.0", "functionTimeout": "-1"}""")]
    [InlineData("""{"version": "2.0"}""")]
    public void ReadFunctionTimeout_GivesNoLimit_WhenUnboundedOrAbsent(string hostJson)
    {
        Assert.Null(FunctionTimeoutCheck.ReadFunctionTimeout(hostJson));
    }

    static FunctionTimeoutCheck Check(DispatchOptions dispatch) =>
        new(Options.Create(dispatch), Options.Create(new AudioOptions()), Options.Create(new StorageOptions()), NullLogger<FunctionTimeoutCheck>.Instance);
}
