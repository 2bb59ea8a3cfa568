using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Audio;
using Orchard.Domain.Hosting;
using Orchard.Domain.State;

namespace Orchard.Domain.Application;

/// <summary>A timer as <c>/health</c> shows it: active when its schedule setting resolves.</summary>
public sealed record TimerHealth(string Function, string Setting, bool Active, string? Schedule);

/// <summary>ffmpeg and ffprobe as the start-up check found them.</summary>
public sealed record AudioToolsHealth(bool Available, IReadOnlyList<string> Missing);

/// <summary>
/// <c>ok</c> or <c>degraded</c>, with a sentence per problem. A degraded app still serves: restarting it would not
/// set a missing setting or install a tool, so the answer stays 200 and says what to fix.
/// </summary>
public sealed record Health(
    string Status, IReadOnlyList<TimerHealth> Timers, string Store, AudioToolsHealth AudioTools, string FunctionTimeout, IReadOnlyList<string> Problems);

/// <summary>
/// What this instance runs with, read from the app's own configuration so it reports the same under the Functions
/// host and the local host: which timers run (a timer whose schedule setting is missing is disabled by the host,
/// silently), the state store, the audio tools, and host.json's <c>functionTimeout</c>.
/// </summary>
public sealed class HealthReport(IConfiguration configuration, StateBackend backend, AudioTools tools, IEnumerable<TimerSetting> timers)
{
    public const string Ok = "ok";
    public const string Degraded = "degraded";

    /// <summary>The timers whose schedule setting resolves to nothing.</summary>
    public IReadOnlyList<TimerSetting> InactiveTimers => TimerSetting.Inactive(timers, configuration);

    /// <summary>The report, with <paramref name="functionTimeout"/> (host.json's, as the caller reads it) as it is.</summary>
    public Health Read(string functionTimeout)
    {
        var timerHealth = timers
            .Select(t => t.ReadSchedule(configuration) is { } schedule
                ? new TimerHealth(t.Function, t.Setting, Active: true, schedule)
                : new TimerHealth(t.Function, t.Setting, Active: false, Schedule: null))
            .ToList();
        var missingTools = tools.Missing;
        var problems = InactiveTimers.Select(t => t.MissingMessage)
            .Concat(missingTools.Select(tool => $"{tool} cannot run here: every submission is refused with 503 until it is installed (deploy the container image with ffmpeg)."))
            .ToList();
        return new Health(
            problems.Count == 0 ? Ok : Degraded,
            timerHealth,
            backend.Kind,
            new AudioToolsHealth(missingTools.Count == 0, missingTools),
            functionTimeout,
            problems);
    }
}

/// <summary>Says at start-up, loudly, which timers will not run: the Functions host only disables them and goes on.</summary>
public sealed partial class InactiveTimerWarning(IConfiguration configuration, IEnumerable<TimerSetting> timers, ILogger<InactiveTimerWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var timer in TimerSetting.Inactive(timers, configuration))
        {
            LogTimerInactive(logger, timer.MissingMessage);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    static partial void LogTimerInactive(ILogger logger, string message);
}
