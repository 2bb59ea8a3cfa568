namespace Orchard.Domain.Workers;

/// <summary>
/// An operator's entry for a worker added by URL; <paramref name="MissingSince"/> is set while the registry has
/// forgotten it and it does not answer.
/// </summary>
public sealed record WorkerListing(string Id, string Url, DateTimeOffset AddedAt, DateTimeOffset? MissingSince = null);

/// <summary>
/// The durable part of the fleet: workers an operator added by URL. Unlike self-registered workers they never
/// register again, so when Redis forgets them (a restart without persistence, or a key that expired while the master
/// was down and could not record their answers) the sweep restores them from here.
/// </summary>
public interface IWorkerDirectory
{
    /// <summary>Writes the entry; writing it again is harmless.</summary>
    Task SaveAsync(WorkerListing listing, CancellationToken cancellationToken);

    /// <summary>False when there was no entry.</summary>
    Task<bool> RemoveAsync(string workerId, CancellationToken cancellationToken);

    IAsyncEnumerable<WorkerListing> ListAsync(CancellationToken cancellationToken);
}
