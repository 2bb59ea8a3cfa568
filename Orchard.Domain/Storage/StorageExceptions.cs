namespace Orchard.Domain.Storage;

/// <summary>An upload exceeded <see cref="StorageOptions.MaxUploadBytes"/>.</summary>
public sealed class UploadTooLargeException(long limitBytes)
    : InvalidOperationException($"The recording is larger than the limit of {limitBytes / (1024 * 1024)} MB; split it or ask the operator to raise Storage:MaxUploadBytes.")
{
    public long LimitBytes { get; } = limitBytes;
}

/// <summary>An upload had no bytes.</summary>
public sealed class EmptyUploadException()
    : InvalidOperationException("The upload is empty: send the recording as multipart field 'file' or as the request body.");

/// <summary>A blob Orchard wrote earlier is missing (deleted by hand, or purged after retention).</summary>
public sealed class BlobMissingException(string blobName)
    : InvalidOperationException($"The stored object '{blobName}' is missing.")
{
    public string BlobName { get; } = blobName;
}

/// <summary>No upload with this id: never created through <c>POST /uploads</c>, not uploaded yet, or already used.</summary>
public sealed class UploadNotFoundException(string uploadId)
    : InvalidOperationException($"No uploaded recording '{uploadId}': get an upload URL from POST /uploads, upload the file there, then send its \"blob\" value.")
{
    public string UploadId { get; } = uploadId;
}

/// <summary>The storage account cannot sign upload URLs: no account key, and no user delegation key for the connection.</summary>
public sealed class UploadUrlUnavailableException()
    : InvalidOperationException("This deployment cannot hand out upload URLs: its storage connection has no account key, and its identity may not ask for a user delegation key (Storage Blob Data Owner, Contributor or Delegator). Send the recording in the request body instead.");

/// <summary>The app reaches storage by identity and got no token: the deployment's fault, not the caller's.</summary>
public sealed class StorageIdentityException(string reason, Exception? inner = null)
    : InvalidOperationException($"The app could not sign in to its storage account ({reason}): check AzureWebJobsStorage__credential and __clientId, and that the identity holds Storage Blob Data Owner on the account.", inner);

/// <summary>The server-side copy of a direct upload to the job's source did not succeed.</summary>
public sealed class SourceCopyFailedException(string reason)
    : InvalidOperationException($"The uploaded recording could not be copied into the job ({reason}); upload it again and submit it again.");
