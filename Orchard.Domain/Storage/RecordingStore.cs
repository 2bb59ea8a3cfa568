using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;
using Orchard.Domain.Json;

namespace Orchard.Domain.Storage;

/// <summary>
/// Every byte of audio and every transcript, in one blob container. Names come from job ids, never from the
/// user's file name, so two uploads named alike never touch each other's audio.
/// Layout: <c>jobs/{id}/source</c>, <c>jobs/{id}/job.json</c>, <c>jobs/{id}/manifest.json</c>,
/// <c>jobs/{id}/chunks/{n}.wav</c>, <c>jobs/{id}/results/{n}.json</c>, <c>jobs/{id}/transcript.json</c>,
/// <c>workers/{hash}.json</c>.
/// </summary>
public sealed class RecordingStore
{
    private readonly BlobServiceClient service;
    private readonly BlobContainerClient container;
    private readonly StorageOptions options;
    private Task? created;

    public RecordingStore(BlobServiceClient service, IOptions<StorageOptions> options)
    {
        this.service = service;
        this.options = options.Value;
        container = service.GetBlobContainerClient(this.options.ContainerName);
    }

    /// <summary>The container, for callers that hand out SAS URLs.</summary>
    public BlobContainerClient Container => container;

    public static string SourceBlob(string jobId) => $"jobs/{jobId}/source";

    public static string ChunkBlob(string jobId, int index) => $"jobs/{jobId}/chunks/{index:D5}.wav";

    /// <summary>
    /// One chunk's facts (its place on the timeline, its compaction map), stored as soon as it is cut: the manifest of
    /// them all is written only when the whole recording is.
    /// </summary>
    public static string ChunkFactsBlob(string jobId, int index) => $"jobs/{jobId}/facts/{index:D5}.json";

    /// <summary>The folder of a job's <see cref="ChunkFactsBlob"/>s.</summary>
    public static string ChunkFactsPrefix(string jobId) => $"jobs/{jobId}/facts/";

    public static string ResultBlob(string jobId, int index) => $"jobs/{jobId}/results/{index:D5}.json";

    /// <summary>The last unreadable answer a chunk got (which worker, why), so a second worker's same answer ends the chunk.</summary>
    /// <summary>An enrolled worker's answer waiting for a trusted worker's to compare with.</summary>
    public static string CandidateBlob(string jobId, int index, string workerId) =>
        $"jobs/{jobId}/candidates/{index:D5}/{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(workerId)))[..16]}.json";

    /// <summary>The folder of a chunk's candidate answers.</summary>
    public static string CandidatePrefix(string jobId, int index) => $"jobs/{jobId}/candidates/{index:D5}/";

    public static string UnreadableBlob(string jobId, int index) => $"jobs/{jobId}/unreadable/{index:D5}.json";

    /// <summary>The job's document (summary and chunks) as it finished; answers after its Redis record has expired.</summary>
    public static string FinishedBlob(string jobId) => $"jobs/{jobId}/finished.json";

    /// <summary>A direct upload from <c>POST /uploads</c>, until it is submitted as a job.</summary>
    public static string UploadBlob(string uploadId) => $"uploads/{uploadId}";

    /// <summary>Where workers added by URL are remembered (<see cref="WorkerBlob"/>).</summary>
    public const string WorkerPrefix = "workers/";

    /// <summary>A worker added by URL; its id is a URL, so the name is its hash.</summary>
    public static string WorkerBlob(string workerId) =>
        WorkerPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(workerId))) + ".json";

    /// <summary>How long preparation waits for the server-side copy of a direct upload (same account: seconds, usually).</summary>
    public static readonly TimeSpan CopyWaitLimit = TimeSpan.FromMinutes(5);

    private const string RetentionPrefix = "retention/";

    /// <summary>
    /// Stores a finished job's document and marks when its blobs are to be purged: a marker blob named by that time,
    /// so the purge lists only what is due, in order.
    /// </summary>
    public async Task SaveFinishedAsync(JobDocumentSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await SaveJsonAsync(FinishedBlob(snapshot.JobId), snapshot.Document, cancellationToken);
        var due = snapshot.FinishedAt + options.JobRetention;
        await container.GetBlobClient($"{RetentionPrefix}{due.ToUnixTimeMilliseconds():D15}/{snapshot.JobId}")
            .UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken);
    }

    /// <summary>Jobs whose retention ended at or before <paramref name="now"/>, oldest first: (marker blob, job id).</summary>
    public async IAsyncEnumerable<(string Marker, string JobId)> ListExpiredAsync(
        DateTimeOffset now, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        var nowMs = now.ToUnixTimeMilliseconds();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, RetentionPrefix, cancellationToken))
        {
            var parts = item.Name[RetentionPrefix.Length..].Split('/', 2);
            if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var dueMs))
            {
                continue;
            }

            if (dueMs > nowMs)
            {
                yield break;
            }

            yield return (item.Name, parts[1]);
        }
    }

    /// <summary>Uploads not written to since <paramref name="before"/>.</summary>
    public async IAsyncEnumerable<string> ListUploadsOlderThanAsync(
        DateTimeOffset before, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, "uploads/", cancellationToken))
        {
            if (item.Properties.LastModified is { } modified && modified < before)
            {
                yield return item.Name;
            }
        }
    }

    public async Task DeleteBlobAsync(string blobName, CancellationToken cancellationToken) =>
        await container.DeleteBlobIfExistsAsync(blobName, cancellationToken: cancellationToken);

    /// <summary>
    /// A URL that can create and write (not read, list or delete) one new upload blob until <paramref name="expiresOn"/>:
    /// the client puts it whole or in blocks (Put Block, Put Block List), so a broken connection resumes.
    /// </summary>
    public async Task<Uri> CreateUploadUrlAsync(string uploadId, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        return await SignAsync(UploadBlob(uploadId), BlobSasPermissions.Create | BlobSasPermissions.Write, expiresOn, cancellationToken);
    }

    /// <summary>
    /// A SAS URL for one blob: signed with the account key when the connection has one (Azurite, a key connection
    /// string), else with a user delegation key the app's identity asks for (no shared key needed on the account).
    /// </summary>
    private async Task<Uri> SignAsync(string blobName, BlobSasPermissions permissions, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(blobName);
        var sas = new BlobSasBuilder(permissions, expiresOn)
        {
            BlobContainerName = container.Name,
            BlobName = blob.Name,
            Resource = "b",
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }

        UserDelegationKey key;
        try
        {
            key = (await service.GetUserDelegationKeyAsync(startsOn: null, expiresOn, cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            // A SAS connection string, or an identity without the role that may ask for delegation keys.
            throw new UploadUrlUnavailableException();
        }

        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, service.AccountName) }.ToUri();
    }

    /// <summary>The size of a committed upload, or null when there is none.</summary>
    public async Task<long?> UploadSizeAsync(string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            return (await container.GetBlobClient(UploadBlob(uploadId)).GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Writes bytes [<paramref name="offset"/>, +<paramref name="length"/>) of a blob into <paramref name="target"/> at its position.</summary>
    public async Task DownloadRangeAsync(string blobName, long offset, long length, Stream target, CancellationToken cancellationToken)
    {
        try
        {
            var response = await container.GetBlobClient(blobName).DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
            await using var content = response.Value.Content;
            await content.CopyToAsync(target, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new BlobMissingException(blobName);
        }
    }

    /// <summary>
    /// Copies a blob to another name inside the storage account, server-side (no byte passes through this instance);
    /// true when the copy already completed, false while the service still copies (<see cref="AwaitCopyAsync"/>).
    /// </summary>
    public async Task<bool> StartCopyAsync(string sourceBlob, string targetBlob, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        // A short read SAS authorizes the source whether the app signs with a key or by identity.
        var source = await SignAsync(sourceBlob, BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1), cancellationToken);
        var operation = await container.GetBlobClient(targetBlob).StartCopyFromUriAsync(source, cancellationToken: cancellationToken);
        // The operation object only learns the status by polling; the service's first answer already says it.
        return operation.GetRawResponse().Headers.TryGetValue("x-ms-copy-status", out var status) && status == "success";
    }

    /// <summary>
    /// Waits, for at most <paramref name="limit"/>, until a blob written by <see cref="StartCopyAsync"/> is complete, then
    /// deletes the blob it was copied from (within this container); nothing to wait for when it was not a copy.
    /// </summary>
    /// <exception cref="SourceCopyFailedException">The copy failed, was aborted, or is still pending at the limit.</exception>
    public async Task AwaitCopyAsync(string blobName, TimeSpan limit, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(blobName);
        var deadline = DateTimeOffset.UtcNow + limit;
        var wait = TimeSpan.FromMilliseconds(250);
        BlobProperties properties;
        while (true)
        {
            try
            {
                properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                throw new BlobMissingException(blobName);
            }

            // CopyStatus reads Pending (the enum's zero) on a blob that was never copied: CopyId tells copies apart.
            if (string.IsNullOrEmpty(properties.CopyId))
            {
                return;
            }

            if (properties.CopyStatus != CopyStatus.Pending)
            {
                break;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new SourceCopyFailedException($"the storage service was still copying it after {limit.TotalMinutes:0} minutes");
            }

            await Task.Delay(wait, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }

        if (properties.CopyStatus is CopyStatus.Failed or CopyStatus.Aborted)
        {
            throw new SourceCopyFailedException($"copy {properties.CopyStatus.ToString()!.ToLowerInvariant()}: {properties.CopyStatusDescription}");
        }

        if (properties.CopySource is { } copiedFrom && new BlobUriBuilder(copiedFrom) is { } from
            && from.BlobContainerName == container.Name && from.BlobName.StartsWith(UploadBlob(string.Empty), StringComparison.Ordinal))
        {
            await DeleteBlobAsync(from.BlobName, cancellationToken);
        }
    }

    public Task DownloadSourceAsync(string jobId, string path, CancellationToken cancellationToken) =>
        DownloadAsync(SourceBlob(jobId), path, cancellationToken);

    public async Task SaveFileAsync(string blobName, string path, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        await container.GetBlobClient(blobName).UploadAsync(path, overwrite: true, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            return await container.GetBlobClient(blobName).OpenReadAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new BlobMissingException(blobName);
        }
    }

    public async Task DownloadAsync(string blobName, string path, CancellationToken cancellationToken)
    {
        try
        {
            await container.GetBlobClient(blobName).DownloadToAsync(path, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new BlobMissingException(blobName);
        }
    }

    /// <summary>Writes a JSON document (overwriting: every write is absolute, so re-runs are harmless).</summary>
    public async Task SaveJsonAsync<T>(string blobName, T value, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, OrchardJson.Options);
        await container.GetBlobClient(blobName).UploadAsync(new BinaryData(bytes), overwrite: true, cancellationToken);
    }

    /// <summary>Writes a JSON document only if none exists yet; false when one does (the first writer wins).</summary>
    public async Task<bool> TrySaveNewJsonAsync<T>(string blobName, T value, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, OrchardJson.Options);
        try
        {
            await container.GetBlobClient(blobName).UploadAsync(
                new BinaryData(bytes), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>The names of the blobs under <paramref name="prefix"/> (a chunk's candidates: a handful).</summary>
    public Task<IReadOnlyList<string>> ListNamesAsync(string prefix, CancellationToken cancellationToken) =>
        ListNamesAsync(prefix, 100, cancellationToken);

    /// <summary>The names of at most <paramref name="max"/> blobs under <paramref name="prefix"/>, in name order.</summary>
    public async Task<IReadOnlyList<string>> ListNamesAsync(string prefix, int max, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            names.Add(item.Name);
            if (names.Count >= max)
            {
                break;
            }
        }

        return names;
    }

    /// <summary>Reads a JSON document, or default when it does not exist.</summary>
    public async Task<T?> TryLoadJsonAsync<T>(string blobName, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var content = await container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<T>(OrchardJson.Options);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<T> LoadJsonAsync<T>(string blobName, CancellationToken cancellationToken)
        where T : class =>
        await TryLoadJsonAsync<T>(blobName, cancellationToken) ?? throw new BlobMissingException(blobName);

    public async Task<bool> ExistsAsync(string blobName, CancellationToken cancellationToken) =>
        (await container.GetBlobClient(blobName).ExistsAsync(cancellationToken)).Value;

    /// <summary>Deletes every blob of a job.</summary>
    public async Task DeleteJobAsync(string jobId, CancellationToken cancellationToken)
    {
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"jobs/{jobId}/", cancellationToken))
        {
            await container.DeleteBlobIfExistsAsync(item.Name, cancellationToken: cancellationToken);
        }
    }

    // Created once; a failed attempt (no token yet, storage briefly unreachable) is tried again by the next caller.
    internal Task EnsureContainerAsync()
    {
        var task = created;
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            task = container.CreateIfNotExistsAsync();
            created = task;
        }

        return task;
    }
}
