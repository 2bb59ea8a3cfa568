using System.Globalization;
using System.Text;

namespace Orchard.Domain.Jobs;

/// <summary>
/// Opaque listing cursor: the creation score and id of the last job on a page. Stable while jobs are added,
/// unlike an offset, because new jobs land before it.
/// </summary>
public static class JobCursor
{
    /// <summary>Encodes a position.</summary>
    public static string Format(string score, string jobId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{score}|{jobId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes a cursor into (max score, id), or ("+inf", "") for none; throws <see cref="FormatException"/>.</summary>
    public static (string MaxScore, string JobId) Parse(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return ("+inf", string.Empty);
        }

        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && double.TryParse(text[..bar], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return (text[..bar], text[(bar + 1)..]);
            }
        }
        catch (FormatException)
        {
        }

        throw new FormatException("The cursor is not one this server gave out; use next_cursor from the previous page.");
    }
}
