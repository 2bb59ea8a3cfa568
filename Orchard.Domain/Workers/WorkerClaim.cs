namespace Orchard.Domain.Workers;

/// <summary>
/// The lease a worker holds, as its record shows it (<see cref="Token"/> is the lease id). It ends when the answer
/// arrives or when <see cref="LeaseUntilMs"/> passes unrenewed, so a lease left behind by a crashed host frees itself.
/// </summary>
public sealed record WorkerClaim(string Token, string JobId, string ChunkId, long ClaimedAtMs, long LeaseUntilMs);

/// <summary>A worker registering itself: <c>{url?, name, model}</c>; <see cref="Id"/> lets it keep its id across registrations.</summary>
/// <summary>
/// What a worker says of itself when it registers. <paramref name="Languages"/>: the languages it can transcribe
/// (codes or names, as <see cref="LanguageCode"/> takes them); null or empty for every language.
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
    /// A lease ended with nothing to count: a hedge that lost the race, or a job withdrawn from the queue.
    /// </summary>
    Returned,

    /// <summary>
    /// An enrolled worker's answer kept aside until a trusted worker's answer for the same chunk confirms it: a success
    /// for the worker's record, but the chunk stays open.
    /// </summary>
    Provisional,
}
