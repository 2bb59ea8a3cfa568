namespace Orchard.Domain.Workers;

/// <summary>A worker's status as the original master reported it.</summary>
public enum WorkerStatus
{
    Online,
    Busy,
    Offline,
}
