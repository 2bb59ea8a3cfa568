using System.Text.Json.Serialization;
using Orchard.Domain.Webhooks;

namespace Orchard.Domain.Jobs;

/// <summary>
/// A job without its chunks: what <c>GET job:&lt;id&gt;</c> shows in Redis and what listings return.
/// Counts are derived from the chunks by the store, never incremented blindly, so replays cannot double-count.
/// </summary>
public sealed record JobSummary
{
    public required string JobId { get; init; }

    public required string Filename { get; init; }

    public JobStatus Status { get; init; } = JobStatus.Created;

    public int TotalChunks { get; init; }

    public int CompletedChunks { get; init; }

    public int FailedChunks { get; init; }

    public int SilentChunks { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool Purify { get; init; }

    public string? Language { get; init; }

    public double? DurationMs { get; init; }

    public string? Error { get; init; }

    /// <summary>Where the job's summary is POSTed, signed, once it is completed, failed or cancelled; absent when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CallbackUrl { get; init; }

    /// <summary>Who submitted it: a client's id, or <c>admin</c>; absent for jobs from before roles (the administrator's alone).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Owner { get; init; }

    /// <summary>How the callback's delivery went (<c>{status, attempts, last_error}</c>); absent until it is first tried.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CallbackState? Callback { get; init; }
}
