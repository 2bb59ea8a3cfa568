using System.Security.Cryptography;
using System.Text.Json;
using Orchard.Domain.Json;

namespace Orchard.Domain.Dashboard;

/// <summary>What the dashboard shows at one moment: the fleet and the newest jobs, each with its audio-seconds progress.</summary>
public sealed record DashboardSnapshot(IReadOnlyList<WorkerRow> Workers, FleetTotals Fleet, IReadOnlyList<JobRow> Jobs)
{
    /// <summary>The snapshot as one line of JSON (an SSE <c>data:</c> line may not break).</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, OrchardJson.Options);

    /// <summary>A strong entity tag of the bytes sent, quoted as HTTP wants it: the same state gives the same tag on every instance.</summary>
    public static string EntityTag(ReadOnlySpan<byte> content) => $"\"{Convert.ToHexStringLower(SHA256.HashData(content)[..16])}\"";
}

/// <summary>
/// One worker. <see cref="Trust"/> is the seam for the security issue's verification and quarantine (issue 11): until
/// it lands, no worker is verified, and every one is shown as <c>unverified</c>.
/// </summary>
public sealed record WorkerRow(
    string Id,
    string? Name,
    string? Model,
    string? Url,
    string Status,
    double? SpeedRatio,
    string? CurrentJobId,
    int? CurrentChunkIndex,
    int CompletedChunks,
    int FailedChunks,
    string Trust,
    string? LastError);

/// <summary>
/// Fleet totals; <see cref="AudioSecondsPerSecond"/> is how much audio the online measured workers transcribe per
/// second together (the sum of 1 ÷ speed ratio), what ETAs divide by.
/// </summary>
public sealed record FleetTotals(int Total, int Online, int Busy, int Offline, int Unmeasured, int CompletedChunks, int FailedChunks, double AudioSecondsPerSecond);

/// <summary>
/// One job: progress in audio seconds on the original timeline (<see cref="DoneMs"/> of <see cref="TotalMs"/>), an
/// ETA while it is transcribing, and, while it runs, each chunk on a strip along the recording.
/// </summary>
public sealed record JobRow(
    string JobId,
    string Filename,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    bool Purify,
    string? Language,
    int TotalChunks,
    int CompletedChunks,
    int FailedChunks,
    double DoneMs,
    double TotalMs,
    double? EtaSeconds,
    string? Error,
    IReadOnlyList<StripChunk>? Strip);

/// <summary>A chunk on the strip: where it sits on the original timeline, its state and the worker that has it.</summary>
public sealed record StripChunk(int Index, double StartMs, double EndMs, string Status, string? WorkerId);
