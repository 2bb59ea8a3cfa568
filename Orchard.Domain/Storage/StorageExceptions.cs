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
