using System.Runtime.CompilerServices;
using Azure.Storage.Blobs.Models;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Storage;

/// <summary>Workers added by URL, one small JSON blob each, beside the jobs' blobs.</summary>
public sealed class BlobWorkerDirectory(RecordingStore store) : IWorkerDirectory
{
    public Task SaveAsync(WorkerListing listing, CancellationToken cancellationToken) =>
        store.SaveJsonAsync(RecordingStore.WorkerBlob(listing.Id), listing, cancellationToken);

    public async Task<bool> RemoveAsync(string workerId, CancellationToken cancellationToken)
    {
        await store.EnsureContainerAsync();
        return (await store.Container.DeleteBlobIfExistsAsync(RecordingStore.WorkerBlob(workerId), cancellationToken: cancellationToken)).Value;
    }

    public async IAsyncEnumerable<WorkerListing> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await store.EnsureContainerAsync();
        await foreach (var item in store.Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, RecordingStore.WorkerPrefix, cancellationToken))
        {
            // Deleted between the listing and the read: the operator removed it, so it is not restored.
            if (await store.TryLoadJsonAsync<WorkerListing>(item.Name, cancellationToken) is { } listing)
            {
                yield return listing;
            }
        }
    }
}
