namespace Orchard.Domain.Dispatch;

/// <summary>A chunk waiting for a worker, as the orchestration knows it (small: it travels through history).</summary>
public sealed record PendingChunk(int Index, double SentMs, int Attempts);

/// <summary>
/// What to claim a worker for: the longest waiting chunk and, for a worker with no history, a short one.
/// <see cref="Exclude"/>: workers that declined this job (a language they do not serve), never claimed for it.
/// </summary>
public sealed record ClaimInput(string JobId, string? Language, PendingChunk Long, PendingChunk? Short)
{
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>
    /// The claim's token, from the orchestration (<c>context.NewGuid()</c>), so a retried or replayed claim returns
    /// the worker it claimed the first time instead of holding a second one idle until its lease ends.
    /// </summary>
    public string? Token { get; init; }
}

/// <summary>
/// A worker claimed for one chunk, until the lease ends. <see cref="KeepClaim"/>: on success the worker stays claimed
/// briefly, so the orchestration can hand it the next chunk without a claim round trip. A lease of 0 marks a
/// handed-over claim that the delivery renews for this chunk.
/// </summary>
public sealed record Assignment(string JobId, string? Language, PendingChunk Chunk, string WorkerId, string WorkerUrl, string ClaimToken, long ClaimedAtMs, long LeaseUntilMs)
{
    public bool KeepClaim { get; init; }
}

/// <summary>A worker still claimed after its chunk, ready for the next: the long one, or, if it is slow, a short one.</summary>
public sealed record Handover(string WorkerId, string WorkerUrl, string ClaimToken, bool TakesShort)
{
    /// <summary>The job whose chunk the worker answered (for telemetry; empty in histories written before it existed).</summary>
    public string JobId { get; init; } = string.Empty;
}

/// <summary>A chunk a worker transcribed (the text itself is in the result blob), and the worker if handed over.</summary>
public sealed record DeliveryReport(int Index, string WorkerId, double ElapsedMs, int Segments)
{
    public Handover? Next { get; init; }
}
