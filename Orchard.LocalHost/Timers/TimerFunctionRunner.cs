using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchard.LocalHost.Functions;

namespace Orchard.LocalHost.Timers;

/// <summary>
/// Runs every <c>timerTrigger</c> function on its own schedule: one loop per function, so one run at a time per
/// function; a failing run is logged and the loop goes on. A schedule that does not resolve or parse puts that function
/// in error, as in the Functions host: it is logged and never runs, and the host and the other functions go on.
/// </summary>
public sealed partial class TimerFunctionRunner(
    IReadOnlyList<FunctionDescriptor> functions,
    IServiceProvider services,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<TimerFunctionRunner> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>();
        foreach (var function in functions.Where(f => f.IsTimer))
        {
            var method = FunctionMethod.Resolve(function);
            if (TryParse(function, out var schedule))
            {
                loops.Add(RunLoopAsync(method, schedule, function.Trigger!.RunOnStartup, stoppingToken));
            }
        }

        return Task.WhenAll(loops);
    }

    bool TryParse(FunctionDescriptor function, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TimerSchedule? schedule)
    {
        try
        {
            schedule = TimerSchedule.Parse(function.Trigger!.Schedule ?? "", configuration);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or NCrontab.CrontabException)
        {
            LogInError(logger, function.Name, ex.Message);
            schedule = null;
            return false;
        }
    }

    async Task RunLoopAsync(FunctionMethod method, TimerSchedule schedule, bool runOnStartup, CancellationToken stoppingToken)
    {
        var name = method.Definition.Name;
        LogScheduled(logger, name, schedule.Expression);
        var last = DateTime.MinValue;
        if (runOnStartup)
        {
            await RunOnceAsync(method, schedule, last, isPastDue: false, stoppingToken);
            last = clock.GetUtcNow().UtcDateTime;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // A run that outlasted its period fires once, late, rather than catching up every missed tick.
            var isPastDue = clock.GetUtcNow().UtcDateTime - next > TimeSpan.FromSeconds(1);
            await RunOnceAsync(method, schedule, last, isPastDue, stoppingToken);
            last = next;
        }
    }

    async Task RunOnceAsync(FunctionMethod method, TimerSchedule schedule, DateTime last, bool isPastDue, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var info = new TimerInfo
        {
            IsPastDue = isPastDue,
            ScheduleStatus = new ScheduleStatus { Last = last, Next = schedule.GetNextOccurrence(now), LastUpdated = now },
        };
        try
        {
            await using var scope = services.CreateAsyncScope();
            var arguments = method.Parameters
                .Select(p => p.ParameterType == typeof(TimerInfo) ? info
                    : p.ParameterType == typeof(CancellationToken) ? stoppingToken
                    : typeof(DurableTaskClient).IsAssignableFrom(p.ParameterType) ? scope.ServiceProvider.GetRequiredService<DurableTaskClient>()
                    : p.HasDefaultValue ? p.DefaultValue
                    : (object?)null)
                .ToArray();
            await method.InvokeAsync(scope.ServiceProvider, arguments);
            LogRan(logger, method.Definition.Name);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
#pragma warning disable CA1031 // A failing run must not stop the schedule.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, method.Definition.Name, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The '{Function}' function is in error: {Reason} It will not run.")]
    static partial void LogInError(ILogger logger, string function, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Timer function {Function} scheduled: {Schedule}")]
    static partial void LogScheduled(ILogger logger, string function, string schedule);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer function {Function} ran")]
    static partial void LogRan(ILogger logger, string function);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {Function} failed")]
    static partial void LogFailed(ILogger logger, string function, Exception exception);
}

public static class TimerFunctionServiceCollectionExtensions
{
    /// <summary>Runs the <c>timerTrigger</c> functions among <paramref name="functions"/> on their schedules while the host runs.</summary>
    public static IServiceCollection AddTimerFunctions(this IServiceCollection services, IEnumerable<FunctionDescriptor> functions)
    {
        var timers = functions.Where(f => f.IsTimer).ToList();
        services.AddHostedService(sp => new TimerFunctionRunner(
            timers,
            sp,
            sp.GetRequiredService<IConfiguration>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILogger<TimerFunctionRunner>>()));
        return services;
    }
}
