using Microsoft.Extensions.Configuration;

namespace Orchard.Domain.Hosting;

/// <summary>
/// A timer function whose schedule is the app setting <paramref name="Setting"/> (<c>%Setting%</c> in its trigger).
/// The Functions host disables a timer whose setting does not resolve and keeps running, so nothing fails: the job
/// the timer does just stops, which <paramref name="StopsWithout"/> says in words an operator can act on.
/// </summary>
public sealed record TimerSetting(string Function, string Setting, string StopsWithout)
{
    /// <summary>The name to set as an environment variable or Azure app setting (<c>A__B</c> for <c>A:B</c>).</summary>
    public string EnvironmentName => Setting.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The schedule the host would use, or null when the setting is missing or blank (the timer does not run).</summary>
    public string? ReadSchedule(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[Setting];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>The timers among <paramref name="timers"/> whose setting does not resolve.</summary>
    public static IReadOnlyList<TimerSetting> Inactive(IEnumerable<TimerSetting> timers, IConfiguration configuration) =>
        timers.Where(t => t.ReadSchedule(configuration) is null).ToList();

    /// <summary>The sentence for a missing setting: which timer stops, what stops working, what to set.</summary>
    public string MissingMessage =>
        $"Timer {Function} does not run: app setting {Setting} ({EnvironmentName}) is not set, so {StopsWithout}. Set it to a schedule such as \"0 * * * * *\" and restart.";
}
