namespace Orchard.Domain.Dispatch;

/// <summary>A chunk waiting for a worker, as the orchestration knows it (small: it travels through history).</summary>
public sealed record PendingChunk(int Index, double SentMs, int Attempts);

/// <summary>What to claim a worker for: the longest waiting chunk and, for a worker with no history, a short one.</summary>
public sealed record ClaimInput(string JobId, string? Language, PendingChunk Long, PendingChunk? Short);

/// <summary>A worker claimed for one chunk, until the lease ends.</summary>
public sealed record Assignment(string JobId, string? Language, PendingChunk Chunk, string WorkerId, string WorkerUrl, string ClaimToken, long ClaimedAtMs, long LeaseUntilMs);

/// <summary>A chunk a worker transcribed (the text itself is in the result blob).</summary>
public sealed record DeliveryReport(int Index, string WorkerId, double ElapsedMs, int Segments);
