using System.Globalization;

namespace Orchard.Domain.Transcripts;

/// <summary>Timestamps as the original master and its workers wrote them.</summary>
public static class TimeFormat
{
    /// <summary><c>HH:MM:SS.mmm</c>, hours not wrapped at 24.</summary>
    public static string Clock(double ms, char fractionSeparator = '.')
    {
        var total = (long)Math.Round(Math.Max(0, ms), MidpointRounding.AwayFromZero);
        var hours = total / 3_600_000;
        var minutes = total / 60_000 % 60;
        var seconds = total / 1000 % 60;
        var millis = total % 1000;
        return string.Create(CultureInfo.InvariantCulture, $"{hours:00}:{minutes:00}:{seconds:00}{fractionSeparator}{millis:000}");
    }

    /// <summary>
    /// A stretch of the recording for people, <c>HH:MM:SS–HH:MM:SS</c>: the start rounded down and the end up to the
    /// second, so the range always covers the stretch it names.
    /// </summary>
    public static string Range(double startMs, double endMs) =>
        $"{WholeSeconds(Math.Floor(Math.Max(0, startMs) / 1000))}\u2013{WholeSeconds(Math.Ceiling(Math.Max(0, endMs) / 1000))}";

    private static string WholeSeconds(double seconds)
    {
        var total = (long)seconds;
        return string.Create(CultureInfo.InvariantCulture, $"{total / 3600:00}:{total / 60 % 60:00}:{total % 60:00}");
    }
}
