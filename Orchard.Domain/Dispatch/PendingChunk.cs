namespace Orchard.Domain.Dispatch;

/// <summary>A chunk the orchestration tracks (small: it travels through history): its audio length and attempts so far.</summary>
public sealed record PendingChunk(int Index, double SentMs, int Attempts);
