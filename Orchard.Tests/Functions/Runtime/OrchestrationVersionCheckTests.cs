using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Orchard.Functions.Runtime;
using Orchard.LocalHost;

namespace Orchard.Tests.Functions.Runtime;

public sealed class OrchestrationVersionCheckTests
{
    [Fact]
    public void Read_FindsTheCurrentVersionAndCurrentOrOlder_InTheRepositoryHostJson()
    {
        var (version, strategy) = OrchestrationVersionCheck.Read(File.ReadAllText(FunctionTimeoutCheck.HostJsonPath));

        Assert.Equal(JobVersions.Current, version);
        Assert.Equal("CurrentOrOlder", strategy);
        Assert.Equal(JobVersions.Current, HostJson.Load(HostJson.DefaultPath).Durable["DefaultVersion"]);
    }

    [Fact]
    public async Task StartAsync_Passes_WithTheRepositoryHostJson()
    {
        await Check(new Dictionary<string, string?>()).StartAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData("3.0", null, "newer than the newest")]
    [InlineData("", null, "is not set")]
    [InlineData("2.0", "None", "CurrentOrOlder")]
    [InlineData("2.0", "Strict", "CurrentOrOlder")]
    public async Task StartAsync_RefusesNamingTheSetting_WhenAnAppSettingOverridesHostJsonBadly(string version, string? strategy, string expected)
    {
        var settings = new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:durableTask:defaultVersion"] = version };
        if (strategy is not null)
        {
            settings["AzureFunctionsJobHost:extensions:durableTask:versionMatchStrategy"] = strategy;
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Check(settings).StartAsync(CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("host.json extensions.durableTask.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("1.0", false)]
    [InlineData("2.0", true)]
    [InlineData("10.0", true)]
    public void ChecksFleetFirst_FollowsTheInstancesVersion_NotTheBuilds(string? version, bool expected)
    {
        Assert.Equal(expected, JobVersions.ChecksFleetFirst(version));
    }

    [Fact]
    public void Problem_AcceptsAnOlderDefaultVersion_ForATwoStepRollout()
    {
        Assert.Null(JobVersions.Problem(JobVersions.PrepareFirst, "CurrentOrOlder"));
        Assert.Equal(JobVersions.Current, JobVersions.Known[^1]);
    }

    private static OrchestrationVersionCheck Check(Dictionary<string, string?> settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), NullLogger<OrchestrationVersionCheck>.Instance);
}
