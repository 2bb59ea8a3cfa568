using System.Net;
using System.Text.Json.Nodes;
using Orchard.Functions.Functions.Timers;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

public sealed class HealthFunctionsTests
{
    [Fact]
    public async Task GetHealth_ReportsTheTimerInactiveAndWhatStops_WhenItsScheduleSettingIsMissing()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { [JobCleanupFunctions.ScheduleSetting] = null });

        var (status, health) = await ApiHost.ReadAsync(await host.Client.GetAsync(new Uri("health", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", (string?)health!["status"]);
        var timers = health["timers"]!.AsArray().ToDictionary(t => (string)t!["function"]!, t => t!);
        Assert.False((bool)timers["CleanUpJobs"]["active"]!);
        Assert.Equal(JobCleanupFunctions.ScheduleSetting, (string?)timers["CleanUpJobs"]["setting"]);
        Assert.True((bool)timers["SweepWorkers"]["active"]!);
        Assert.Equal("0 * * * * *", (string?)timers["SweepWorkers"]["schedule"]);
        var problem = Assert.Single(health["problems"]!.AsArray());
        Assert.Contains("Timers__JobCleanup", (string?)problem, StringComparison.Ordinal);
        Assert.Contains("old jobs are never purged", (string?)problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHealth_ReportsOkWithEveryTimerActive_WhenSchedulesAreSet()
    {
        await using var host = await ApiHost.StartAsync();

        var (status, health) = await ApiHost.ReadAsync(await host.Client.GetAsync(new Uri("health", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", (string?)health!["status"]);
        Assert.All(health["timers"]!.AsArray(), t => Assert.True((bool)t!["active"]!));
        Assert.Equal(2, health["timers"]!.AsArray().Count);
        Assert.Equal("redis", (string?)health["store"]);
        Assert.True((bool)health["audio_tools"]!["available"]!);
        Assert.Equal("01:00:00", (string?)health["function_timeout"]);
        Assert.Empty(health["problems"]!.AsArray());
    }
}
