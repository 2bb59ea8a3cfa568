namespace Orchard.Domain.Dispatch;

/// <summary>
/// A speech chunk the orchestration gave up on (its attempts are spent), with the last reason. Small: it travels
/// through history until the job ends, when it becomes a gap in the job's partial transcript.
/// </summary>
public sealed record ChunkFailure(int Index, string Reason)
{
    /// <summary>Longest reason kept: a worker's error page must not swell the orchestration's history.</summary>
    public const int MaxReasonLength = 300;

    public static ChunkFailure Of(int index, string reason) =>
        new(index, reason.Length <= MaxReasonLength ? reason : string.Concat(reason.AsSpan(0, MaxReasonLength - 1), "\u2026"));
}
