using System.Text.Json.Serialization;

namespace Orchard.Domain.Jobs;

/// <summary>
/// One chunk of a job as the live view shows it. Unset fields are left out of its JSON: a job of 1,000 chunks is read
/// whole on every poll, and the smaller hash keeps that read under a millisecond.
/// Times are milliseconds on the original recording's timeline.
/// Field names follow the original master (<c>chunk_id</c>, <c>worker_url</c>, <c>started_at</c>, <c>completed_at</c>).
/// </summary>
public sealed record ChunkRecord
{
    public required string ChunkId { get; init; }

    public required int Index { get; init; }

    public required double StartMs { get; init; }

    public required double EndMs { get; init; }

    public ChunkStatus Status { get; init; } = ChunkStatus.Pending;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WorkerId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WorkerUrl { get; init; }

    public int Attempts { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? StartedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Milliseconds of audio actually sent to a worker (pauses shortened).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SentMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>What normalising the worker's answer changed (times clamped, segments reordered, ...); absent when nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnswerChanges? Normalized { get; init; }

    /// <summary>The chunk id the original master used: <c>{job_id}_chunk_{n}</c>.</summary>
    public static string IdFor(string jobId, int index) => $"{jobId}_chunk_{index}";
}
