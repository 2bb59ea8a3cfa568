using Microsoft.Extensions.Configuration;
using Orchard.LocalHost.Timers;

namespace Orchard.Tests.LocalHost;

public sealed class TimerScheduleTests
{
    static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    static IConfiguration Settings(string key, string value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

    [Fact]
    public void Parse_ReadsSixFieldsWithSeconds_WhenSettingExpressionUsed()
    {
        var schedule = TimerSchedule.Parse("%Probe%", Settings("Probe", "*/30 * * * * *"));

        Assert.Equal(Start.AddSeconds(30), schedule.GetNextOccurrence(Start));
    }

    [Fact]
    public void Parse_ReadsFiveFields_WhenNoSeconds()
    {
        var schedule = TimerSchedule.Parse("*/5 * * * *", Settings("x", "y"));

        Assert.Equal(Start.AddMinutes(5), schedule.GetNextOccurrence(Start));
    }

    [Fact]
    public void Parse_ReadsInterval_WhenTimeSpan()
    {
        var schedule = TimerSchedule.Parse("00:00:10", Settings("x", "y"));

        Assert.Equal(Start.AddSeconds(10), schedule.GetNextOccurrence(Start));
    }

    [Fact]
    public void Parse_Throws_WhenSettingMissing()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Parse("%Missing%", Settings("x", "y")));

        Assert.Contains("Missing", error.Message, StringComparison.Ordinal);
    }
}
