using System.Globalization;
using Orchard.Domain.Json;

namespace Orchard.Domain.Jobs;

/// <summary>What <c>GET /jobs</c> asks for: <c>?limit=</c> (1-1000, default 50), <c>?status=</c>, <c>?cursor=</c>, <c>?view=full|summary</c>.</summary>
public sealed record JobListRequest(JobQuery Query, bool SummaryOnly)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    /// <summary>Parses the query values; throws <see cref="InvalidRequestException"/> with what would work.</summary>
    public static JobListRequest Parse(string? limit, string? status, string? cursor, string? view)
    {
        var count = DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            throw new InvalidRequestException($"limit must be a whole number from 1 to {MaxLimit}.");
        }

        JobStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            var match = Enum.GetValues<JobStatus>().Where(s => OrchardJson.Serialize(s).Trim('"') == status.Trim().ToLowerInvariant()).ToArray();
            wanted = match.Length == 1 ? match[0] : throw new InvalidRequestException(
                $"status must be one of {string.Join(", ", Enum.GetValues<JobStatus>().Select(s => OrchardJson.Serialize(s).Trim('"')))}.");
        }

        var summaryOnly = view?.Trim().ToLowerInvariant() switch
        {
            null or "" or "full" => false,
            "summary" => true,
            _ => throw new InvalidRequestException("view must be full (the default: documents with chunks) or summary."),
        };
        if (!string.IsNullOrEmpty(cursor))
        {
            try
            {
                JobCursor.Parse(cursor);
            }
            catch (FormatException ex)
            {
                throw new InvalidRequestException(ex.Message);
            }
        }

        return new JobListRequest(new JobQuery(count, wanted, string.IsNullOrEmpty(cursor) ? null : cursor), summaryOnly);
    }
}
