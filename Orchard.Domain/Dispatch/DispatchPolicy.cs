using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>
/// Every dispatch rule as plain values, fixed when a job starts: they travel in the orchestration's input, so each
/// replay decides as the first run did even if the configuration changes meanwhile.
/// </summary>
public sealed record DispatchRules(
    int MaxAttempts,
    TimeSpan LeaseTtl,
    TimeSpan RenewEvery,
    TimeSpan OverdueFloor,
    double OverdueFactor,
    TimeSpan TimeoutFloor,
    TimeSpan TimeoutCap,
    double SafetyFactor,
    double UnmeasuredRatio,
    double SlowFactor,
    bool Hedging,
    TimeSpan NoWorkerDeadline,
    TimeSpan ReviewInterval,
    int EventsPerGeneration)
{
    public static DispatchRules From(DispatchOptions o) => new(
        o.MaxAttempts, o.LeaseTtl, o.RenewEvery, o.OverdueFloor, o.OverdueFactor, o.TimeoutFloor, o.TimeoutCap, o.SafetyFactor,
        o.UnmeasuredSpeedRatio, Worker.SlowFactor, o.Hedging, o.NoWorkerDeadline, o.ReviewInterval, o.EventsPerGeneration);
}

/// <summary>How a lease ended without an answer, as far as the chunk's attempts are concerned.</summary>
public enum LossKind
{
    /// <summary>The worker failed, answered something unreadable, or went silent: the attempt is spent.</summary>
    Failed,

    /// <summary>The worker cannot serve the chunk (its language): no fault, no attempt spent.</summary>
    Declined,

    /// <summary>Two workers gave the same unreadable answer: the chunk is at fault, and more attempts would not help.</summary>
    ChunkAtFault,
}

/// <summary>What becomes of a chunk whose lease ended without an answer.</summary>
public enum ChunkVerdict
{
    /// <summary>Offered again, as the next attempt.</summary>
    Retry,

    /// <summary>Offered again as the same attempt (the loss was not the chunk's or a worker's fault).</summary>
    RetryFree,

    /// <summary>Given up: a gap in the transcript, named in the job's error.</summary>
    GiveUp,
}

/// <summary>
/// The one scheduling policy: which end of the ready queue suits a worker, how long a worker may take before it is
/// overdue, how many attempts a chunk gets, and when a straggler is hedged. Pure: no I/O, no clock; the stores only
/// apply its answers atomically, and the orchestration calls it deterministically.
/// </summary>
public static class DispatchPolicy
{
    /// <summary>
    /// Longest-processing-time first on machines of different speeds: an unmeasured worker gets the shortest chunk
    /// (to measure it cheaply), one over <see cref="DispatchRules.SlowFactor"/>× slower than the fastest online worker
    /// the shortest (the long ones wait for the fast), any other the longest.
    /// </summary>
    public static LeasePick PickFor(double? ratio, double? fastestOnline, DispatchRules rules) =>
        ratio is null || (fastestOnline is not null && ratio > rules.SlowFactor * fastestOnline) ? LeasePick.Shortest : LeasePick.Longest;

    /// <summary>How long a worker of this ratio is expected to take on this much audio (an unmeasured one at the assumed ratio).</summary>
    public static TimeSpan Expected(double sentMs, double? ratio, DispatchRules rules) =>
        TimeSpan.FromMilliseconds(sentMs * (ratio ?? rules.UnmeasuredRatio));

    /// <summary>When a lease is overdue, a hedge candidate: past the floor plus <see cref="DispatchRules.OverdueFactor"/>× its expected time.</summary>
    public static long OverdueAtMs(long leasedAtMs, double sentMs, double? ratio, DispatchRules rules) =>
        leasedAtMs + (long)(rules.OverdueFloor + (Expected(sentMs, ratio, rules) * rules.OverdueFactor)).TotalMilliseconds;

    /// <summary>The longest a worker may hold one chunk, renewing or not: floor + expected × safety factor, capped.</summary>
    public static TimeSpan Timeout(double sentMs, double? ratio, DispatchRules rules)
    {
        var timeout = rules.TimeoutFloor + (Expected(sentMs, ratio, rules) * rules.SafetyFactor);
        return timeout < rules.TimeoutCap ? timeout : rules.TimeoutCap;
    }

    /// <summary>Attempts: a declined chunk costs none, a chunk at fault is given up at once, otherwise up to <see cref="DispatchRules.MaxAttempts"/>.</summary>
    public static ChunkVerdict AfterLoss(int attempt, LossKind kind, DispatchRules rules) => kind switch
    {
        LossKind.Declined => ChunkVerdict.RetryFree,
        LossKind.ChunkAtFault => ChunkVerdict.GiveUp,
        _ => attempt >= rules.MaxAttempts ? ChunkVerdict.GiveUp : ChunkVerdict.Retry,
    };

    /// <summary>
    /// Hedge an overdue lease only when the job has nothing else waiting (a second copy must not delay a first one),
    /// once per chunk, and only while its attempts allow another.
    /// </summary>
    public static bool MayHedge(bool jobHasWaitingChunks, int liveLeases, int attempt, DispatchRules rules) =>
        rules.Hedging && !jobHasWaitingChunks && liveLeases == 1 && attempt < rules.MaxAttempts;

    /// <summary>
    /// The slowest measured worker a hedge may go to: one expected to finish this chunk before the straggler would if it
    /// is merely as slow again as it has been (its overdue time once more: floor + factor × expected).
    /// </summary>
    public static double HedgeMaxRatio(double sentMs, double? stragglerRatio, DispatchRules rules) =>
        (stragglerRatio ?? rules.UnmeasuredRatio) * rules.OverdueFactor + (rules.OverdueFloor.TotalMilliseconds / Math.Max(sentMs, 1));
}
