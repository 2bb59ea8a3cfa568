namespace Orchard.Domain.Workers;

/// <summary>
/// A lease on a worker for one chunk. It ends when the answer arrives (release) or when <see cref="LeaseUntilMs"/>
/// passes, so a claim left behind by a crashed host frees itself.
/// </summary>
public sealed record WorkerClaim(string Token, string JobId, string ChunkId, long ClaimedAtMs, long LeaseUntilMs);

/// <summary>
/// What a dispatcher asks for: a worker for this chunk until the lease ends. With a <see cref="LeasePlan"/>, the
/// lease follows the chosen worker's speed, and a worker with no history gets the plan's short chunk instead.
/// Workers in <paramref name="Exclude"/> (they declined the job) are passed over.
/// </summary>
/// <summary>
/// One claim. <paramref name="Language"/>: the job's language code, or null for detection; only workers that declared
/// no languages, or this one, are claimed for it.
/// </summary>
public sealed record ClaimRequest(string JobId, string ChunkId, string Token, TimeSpan Lease, LeasePlan? Plan = null, IReadOnlyCollection<string>? Exclude = null, string? Language = null);

/// <summary>
/// Timeout rule of a delivery: floor + audio seconds × speed ratio × safety factor, capped. A worker with no
/// speed history is measured on the short chunk (at an assumed ratio); so is one much slower (over <see cref="Worker.SlowFactor"/>×) than the
/// fastest online worker, which the long chunk waits for; the others get the long chunk.
/// </summary>
public sealed record LeasePlan(string ShortChunkId, double LongAudioSeconds, double ShortAudioSeconds, double SafetyFactor, TimeSpan Floor, TimeSpan Cap, double UnmeasuredRatio)
{
    /// <summary>The lease for a worker of this average ratio (null: unmeasured) on the short or the long chunk.</summary>
    public TimeSpan LeaseFor(double? ratio, bool shortChunk)
    {
        var seconds = (shortChunk ? ShortAudioSeconds : LongAudioSeconds) * (ratio ?? UnmeasuredRatio);
        var lease = Floor + TimeSpan.FromSeconds(seconds * SafetyFactor);
        return lease < Cap ? lease : Cap;
    }
}

/// <summary>A worker won by a claim.</summary>
public sealed record ClaimedWorker(Worker Worker, WorkerClaim Claim);

/// <summary>A worker registering itself: <c>{url?, name, model}</c>; <see cref="Id"/> lets it keep its id across registrations.</summary>
/// <summary>
/// What a worker says of itself when it registers. <paramref name="Languages"/>: the languages it can transcribe
/// (codes or names, as <see cref="Jobs.LanguageCode"/> takes them); null or empty for every language.
/// </summary>
public sealed record WorkerRegistration(string? Url, string? Name, string? Model, string? Id = null, IReadOnlyList<string>? Languages = null);

/// <summary>Worker counts for <c>/stats</c>.</summary>
public sealed record WorkerStats(int Total, int Online, int Busy, int Offline);

/// <summary>How a worker's chunk ended, for its record.</summary>
public enum ReleaseOutcome
{
    Succeeded,
    Failed,
    Unreachable,

    /// <summary>Not the worker's fault (it refused a request it cannot serve, or the chunk is unreadable): no cooldown, no failure counted.</summary>
    Declined,

    /// <summary>
    /// A claim handed over after a success (<see cref="IWorkerRegistry.HandOverAsync"/>) that got no next chunk: the
    /// success was counted at the handover, so ending it counts nothing.
    /// </summary>
    Returned,
}
