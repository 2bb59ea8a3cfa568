using System.Collections.Frozen;

namespace Orchard.Domain.Jobs;

/// <summary>
/// The legal moves of a job: created → purifying → (purifier_completed | purifier_bypassed) → splitting →
/// processing → aggregating → completed, and from any unfinished state to failed or cancelled.
/// </summary>
public static class JobLifecycle
{
    private static readonly FrozenDictionary<JobStatus, JobStatus[]> Forward = new Dictionary<JobStatus, JobStatus[]>
    {
        [JobStatus.Created] = [JobStatus.Purifying, JobStatus.PurifierBypassed],
        [JobStatus.Purifying] = [JobStatus.PurifierCompleted, JobStatus.PurifierBypassed],
        [JobStatus.PurifierCompleted] = [JobStatus.Splitting],
        [JobStatus.PurifierBypassed] = [JobStatus.Splitting],
        [JobStatus.Splitting] = [JobStatus.Processing],
        [JobStatus.Processing] = [JobStatus.Aggregating],
        [JobStatus.Aggregating] = [JobStatus.Completed],
    }.ToFrozenDictionary();

    /// <summary>
    /// A chunk's status that no later write may change: once its answer is stored it stays completed, even when a
    /// lease of the same chunk expires, starts or fails a moment later (a hedge, an expiry racing the answer).
    /// </summary>
    public const ChunkStatus FinalChunkStatus = ChunkStatus.Completed;

    /// <summary>Whether a chunk in <paramref name="from"/> may be written as <paramref name="to"/>.</summary>
    public static bool ChunkMayMove(ChunkStatus from, ChunkStatus to) => from != FinalChunkStatus || to == FinalChunkStatus;

    /// <summary>Statuses a job never leaves.</summary>
    public static bool IsTerminal(JobStatus status) =>
        status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>Statuses of a job that is still being worked on.</summary>
    public static IReadOnlyList<JobStatus> ActiveStatuses { get; } =
        Enum.GetValues<JobStatus>().Where(s => !IsTerminal(s)).ToArray();

    /// <summary>True when <paramref name="from"/> may move to <paramref name="to"/>; staying put is allowed (replays).</summary>
    public static bool CanMove(JobStatus from, JobStatus to)
    {
        if (from == to)
        {
            return true;
        }

        if (IsTerminal(from))
        {
            return false;
        }

        return to is JobStatus.Failed or JobStatus.Cancelled || (Forward.TryGetValue(from, out var next) && next.Contains(to));
    }

    /// <summary>Every legal (from, to) pair with from ≠ to; the Redis scripts receive this table so one list rules both stores.</summary>
    public static IEnumerable<(JobStatus From, JobStatus To)> Moves() =>
        from f in Enum.GetValues<JobStatus>()
        from t in Enum.GetValues<JobStatus>()
        where f != t && CanMove(f, t)
        select (f, t);

    /// <summary>Throws <see cref="InvalidJobTransitionException"/> unless the move is legal.</summary>
    public static void EnsureCanMove(string jobId, JobStatus from, JobStatus to)
    {
        if (!CanMove(from, to))
        {
            throw new InvalidJobTransitionException(jobId, from, to);
        }
    }
}
