using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchard.Tests.Infrastructure;
using Orchard.LocalHost.Functions;
using Orchard.LocalHost.Timers;

namespace Orchard.Tests.LocalHost;

public sealed class TimerFunctionRunnerTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task StartAsync_RunsFunctionEachSecond_WhenScheduleComesFromSetting()
    {
        var probe = new TimerProbe();
        await using var runner = await StartAsync(probe);

        using var timeout = new CancellationTokenSource(Deadline);
        var first = await probe.Runs.ReadAsync(timeout.Token);
        var second = await probe.Runs.ReadAsync(timeout.Token);

        Assert.NotNull(first.ScheduleStatus);
        Assert.True(second.ScheduleStatus!.LastUpdated > first.ScheduleStatus.LastUpdated);
        Assert.True(second.ScheduleStatus.Next > second.ScheduleStatus.LastUpdated);
    }

    [Fact]
    public async Task StartAsync_KeepsTheSchedule_WhenARunFails()
    {
        var probe = new TimerProbe { FailFirstCall = true };
        await using var runner = await StartAsync(probe);

        using var timeout = new CancellationTokenSource(Deadline);
        var run = await probe.Runs.ReadAsync(timeout.Token);

        Assert.False(run.IsPastDue);
    }

    [Fact]
    public async Task StartAsync_NeverRunsFunctionAndSaysItIsInError_WhenItsScheduleSettingIsMissing()
    {
        var probe = new TimerProbe();
        using var logs = new CapturingLoggerFactory();
        await using var runner = await StartAsync(probe, logs, withUnscheduled: true);

        // Two runs of the scheduled function: a second at least has passed, in which an every-second timer would have fired.
        using var timeout = new CancellationTokenSource(Deadline);
        await probe.Runs.ReadAsync(timeout.Token);
        await probe.Runs.ReadAsync(timeout.Token);

        Assert.Equal(0, probe.UnexpectedRuns);
        Assert.Contains("The 'Unscheduled' function is in error: '%UnsetSchedule%' does not resolve to a value. It will not run.", logs.Lines);
    }

    static async Task<RunningTimers> StartAsync(TimerProbe probe, CapturingLoggerFactory? logs = null, bool withUnscheduled = false)
    {
        var timers = new List<object> { FunctionMetadataWriter.Timer(typeof(SampleTimerFunctions).GetMethod(nameof(SampleTimerFunctions.Tick))!, "%TickSchedule%") };
        if (withUnscheduled)
        {
            timers.Insert(0, FunctionMetadataWriter.Timer(typeof(SampleTimerFunctions).GetMethod(nameof(SampleTimerFunctions.Unscheduled))!, "%UnsetSchedule%"));
        }

        var metadataPath = FunctionMetadataWriter.Write([.. timers]);
        var functions = FunctionMetadata.Read(metadataPath);
        File.Delete(metadataPath);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["TickSchedule"] = "* * * * * *" })
            .Build();
        var services = new ServiceCollection().AddSingleton(probe).BuildServiceProvider();
        ILogger<TimerFunctionRunner> logger = logs is null ? NullLogger<TimerFunctionRunner>.Instance : new Logger<TimerFunctionRunner>(logs);
        var runner = new TimerFunctionRunner(functions, services, configuration, TimeProvider.System, logger);
        await runner.StartAsync(CancellationToken.None);
        return new RunningTimers(runner, services);
    }

    sealed class RunningTimers(TimerFunctionRunner runner, ServiceProvider services) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await runner.StopAsync(timeout.Token);
            runner.Dispose();
            await services.DisposeAsync();
        }
    }
}
