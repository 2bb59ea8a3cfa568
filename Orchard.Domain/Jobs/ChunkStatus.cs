namespace Orchard.Domain.Jobs;

/// <summary>A chunk's progress: pending → processing → completed | failed; silent chunks hold no speech and are never sent.</summary>
public enum ChunkStatus
{
    Pending,
    Processing,
    Completed,
    Failed,
    Silent,
}
