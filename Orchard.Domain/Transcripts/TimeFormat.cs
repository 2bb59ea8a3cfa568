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
}
