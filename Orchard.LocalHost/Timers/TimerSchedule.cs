using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Orchard.LocalHost.Timers;

/// <summary>A timer trigger's schedule: a 6-field (with seconds) or 5-field CRON expression, or a TimeSpan interval.</summary>
public sealed partial class TimerSchedule
{
    readonly CrontabSchedule? cron;
    readonly TimeSpan interval;

    TimerSchedule(string expression, CrontabSchedule? cron, TimeSpan interval)
    {
        Expression = expression;
        this.cron = cron;
        this.interval = interval;
    }

    public string Expression { get; }

    /// <summary>Parses <paramref name="schedule"/> after replacing <c>%Setting%</c> expressions with app settings.</summary>
    public static TimerSchedule Parse(string schedule, IConfiguration configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schedule);
        ArgumentNullException.ThrowIfNull(configuration);
        // The Functions host's words for a setting that does not resolve (the function is then "in error" and never runs).
        var expression = SettingExpression().Replace(schedule, match =>
            configuration[match.Groups[1].Value] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
                ? value
                : throw new InvalidOperationException($"'%{match.Groups[1].Value}%' does not resolve to a value."));
        expression = expression.Trim();
        if (!expression.Contains(' ', StringComparison.Ordinal)
            && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var every) && every > TimeSpan.Zero)
        {
            return new TimerSchedule(expression, null, every);
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var cron = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
        return new TimerSchedule(expression, cron, TimeSpan.Zero);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/> (UTC, as the Functions host defaults to).</summary>
    public DateTime GetNextOccurrence(DateTime after) =>
        cron?.GetNextOccurrence(after) ?? after + interval;

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingExpression();
}
