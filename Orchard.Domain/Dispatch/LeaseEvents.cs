namespace Orchard.Domain.Dispatch;

/// <summary>What happened to a lease, as the job's orchestration hears it.</summary>
public enum LeaseEventKind
{
    Leased,
    Answered,
    Failed,
    Declined,
    Expired,
}

/// <summary>
/// One external event to a job's orchestration (instance id = job id, name <see cref="Name"/>): a reference, never
/// the text (that is in the result blob). <see cref="OverdueAtMs"/> and <see cref="Ratio"/> come with
/// <see cref="LeaseEventKind.Leased"/>; <see cref="Loss"/> and <see cref="Reason"/> with a lease lost.
/// </summary>
public sealed record LeaseEvent(LeaseEventKind Kind, int Index, string LeaseId, string WorkerId, int Attempt)
{
    public const string Name = "lease";

    public long LeasedAtMs { get; init; }

    public long OverdueAtMs { get; init; }

    public double? Ratio { get; init; }

    public LossKind Loss { get; init; }

    public string? Reason { get; init; }

    /// <summary>An answer kept aside until a trusted worker's answer confirms it: the chunk stays open, for a trusted worker only.</summary>
    public bool Provisional { get; init; }
}

/// <summary>Delivers lease events to job orchestrations (over the Durable Task client, in the app).</summary>
public interface IJobEvents
{
    /// <summary>Raises the event; false when it could not be delivered now (the orchestration's review finds the change later).</summary>
    Task<bool> RaiseAsync(string jobId, LeaseEvent leaseEvent, CancellationToken cancellationToken);
}
