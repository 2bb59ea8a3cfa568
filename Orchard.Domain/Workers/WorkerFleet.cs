namespace Orchard.Domain.Workers;

/// <summary>
/// What an operator does to the fleet: adding a worker by URL writes it to the durable directory before the
/// registry, so a crash between the two leaves an entry the sweep completes rather than a worker nothing remembers.
/// </summary>
public sealed class WorkerFleet(IWorkerRegistry workers, IWorkerDirectory directory, TimeProvider time)
{
    /// <summary>Throws <see cref="InvalidWorkerUrlException"/> or <see cref="DuplicateWorkerException"/>.</summary>
    public async Task<Worker> AddAsync(string? url, CancellationToken cancellationToken)
    {
        var id = WorkerUrl.Normalize(url);
        await directory.SaveAsync(new WorkerListing(id, id, time.GetUtcNow()), cancellationToken);
        return await workers.AddAsync(id, cancellationToken);
    }

    /// <summary>Forgets the worker everywhere; false when neither the directory nor the registry knew it.</summary>
    public async Task<bool> RemoveAsync(string workerId, CancellationToken cancellationToken)
    {
        var listed = await directory.RemoveAsync(workerId, cancellationToken);
        return await workers.RemoveAsync(workerId, cancellationToken) || listed;
    }
}
