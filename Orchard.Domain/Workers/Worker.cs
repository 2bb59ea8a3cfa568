using System.Text.Json.Serialization;

namespace Orchard.Domain.Workers;

/// <summary>How far Orchard trusts a worker's answers.</summary>
public enum WorkerTrust
{
    Trusted,
    Unverified,
    Verified,
    Quarantined,
}

/// <summary>
/// A worker node. Added by URL, its id is the URL (so <c>GET worker:&lt;url&gt;</c> works); a worker that registers
/// itself without a URL gets a generated id. Times used by the atomic scripts are kept in Unix milliseconds.
/// </summary>
public sealed record Worker
{
    /// <summary>How many samples are kept; the speed is the average of the last <see cref="SpeedWindow"/>.</summary>
    public const int HistoryLength = 20;

    /// <summary>How many of the newest samples make the average speed ratio, as the original did.</summary>
    public const int SpeedWindow = 10;

    /// <summary>
    /// A worker this many times slower than the fastest online one gets short chunks while the long ones wait for
    /// the fast worker (longest-processing-time scheduling on machines of different speeds).
    /// </summary>
    public const double SlowFactor = 3;

    public required string Id { get; init; }

    public string? Url { get; init; }

    public string? Name { get; init; }

    public string? Model { get; init; }

    /// <summary>The languages the worker declared it transcribes; null for every language.</summary>
    public IReadOnlyList<string>? Languages { get; init; }

    /// <summary>Whether a chunk of a job in <paramref name="language"/> (null: detected) may be offered to this worker.</summary>
    public bool Serves(string? language) => language is null or LanguageCode.Auto || Languages is not { Count: > 0 } || Languages.Contains(language);

    /// <summary>True for workers that heartbeat themselves; URL workers added by an operator are probed instead.</summary>
    public bool SelfRegistered { get; init; }

    /// <summary>Stored status; <see cref="EffectiveStatus"/> is what callers see.</summary>
    public WorkerStatus Status { get; init; } = WorkerStatus.Online;

    public long RegisteredAtMs { get; init; }

    /// <summary>Last successful contact (heartbeat, probe, answer).</summary>
    public long LastSeenMs { get; init; }

    public WorkerClaim? Claim { get; init; }

    public IReadOnlyList<PerformanceSample> Performance { get; init; } = [];

    public int CompletedChunks { get; init; }

    public int FailedChunks { get; init; }

    /// <summary>Failures since the last success; such workers are chosen last, so a retry goes elsewhere when it can.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>
    /// After a failure the worker is not given a chunk until then (1 s, doubling per failure, at most 60 s), so a
    /// broken worker cannot burn a chunk's attempts while a healthy one is busy.
    /// </summary>
    public long CooldownUntilMs { get; init; }

    /// <summary>The cooldown after this many consecutive failures.</summary>
    public static long CooldownMs(int consecutiveFailures) => Math.Min(60_000, 1000L << Math.Min(consecutiveFailures - 1, 16));

    public string? LastError { get; init; }

    /// <summary>
    /// Whether the worker's answers are taken as they come: trusted (added or registered by the administrator),
    /// unverified (self-enrolled: its answers are checked against a trusted worker's), verified (it passed), or
    /// quarantined (it disagreed: it gets no more audio).
    /// </summary>
    public WorkerTrust Trust { get; init; } = WorkerTrust.Trusted;

    /// <summary>How many of an enrolled worker's answers a trusted worker's answer has confirmed.</summary>
    public int VerifiedAnswers { get; init; }

    /// <summary>Why the worker was quarantined (its disagreement), for <c>GET /workers</c>.</summary>
    public string? QuarantineReason { get; init; }

    /// <summary>Chunks in flight on this worker: 1 while a live claim holds it (a worker does one at a time).</summary>
    [JsonIgnore]
    public int Pending => Claim is null ? 0 : 1;

    /// <summary>Average speed ratio of the last 10 samples, or null before the first.</summary>
    [JsonIgnore]
    public double? AverageSpeedRatio =>
        Performance.Count == 0 ? null : Performance.TakeLast(SpeedWindow).Average(s => s.SpeedRatio);

    /// <summary>Busy while a claim lives; offline once marked so or silent for longer than <paramref name="offlineAfter"/>.</summary>
    public WorkerStatus EffectiveStatus(long nowMs, TimeSpan offlineAfter)
    {
        if (Claim is not null && Claim.LeaseUntilMs > nowMs)
        {
            return WorkerStatus.Busy;
        }

        if (Status == WorkerStatus.Offline || nowMs - LastSeenMs > (long)offlineAfter.TotalMilliseconds)
        {
            return WorkerStatus.Offline;
        }

        return WorkerStatus.Online;
    }
}
