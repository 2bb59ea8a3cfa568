using Azure;
using Azure.Storage.Blobs.Models;
using Orchard.Domain.Application;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Dashboard;

/// <summary>A job's recording opened for reading: a seekable stream (bytes are fetched as read, never whole) and what HTTP caching needs.</summary>
public sealed record RecordingStream(Stream Content, string ContentType, string EntityTag, DateTimeOffset LastModified, long Length);

/// <summary>The recording's audio is no longer stored (the job was deleted or purged).</summary>
public sealed class RecordingGoneException(string jobId)
    : KeyNotFoundException($"The recording of job {jobId} is no longer stored: jobs are kept for Storage:JobRetention after they finish.");

/// <summary>
/// The original upload of a job, for the page's player: the transcript's times are on this recording's timeline, so
/// a line seeks to the right place. Served in ranges by the HTTP layer.
/// </summary>
public sealed class RecordingAudio(RecordingStore recordings, JobReader reader)
{
    /// <summary>Read buffer: a player's range request fetches this much from the blob at a time.</summary>
    private const int BufferBytes = 512 * 1024;

    /// <summary>Opens the recording; <see cref="JobNotFoundException"/> for an unknown job, <see cref="RecordingGoneException"/> when its audio is gone.</summary>
    public async Task<RecordingStream> OpenAsync(string jobId, CancellationToken cancellationToken)
    {
        var document = await reader.GetDocumentAsync(jobId, cancellationToken);
        var blob = recordings.Container.GetBlobClient(RecordingStore.SourceBlob(jobId));
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;

            // Pinned to the version whose tag is answered, so a range never mixes two versions of the bytes.
            var stream = await blob.OpenReadAsync(
                new BlobOpenReadOptions(allowModifications: false) { BufferSize = BufferBytes, Conditions = new BlobRequestConditions { IfMatch = properties.ETag } },
                cancellationToken);
            var tag = properties.ETag.ToString();
            return new RecordingStream(stream, MediaType(document.Summary.Filename), tag.StartsWith('"') ? tag : $"\"{tag}\"", properties.LastModified, properties.ContentLength);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new RecordingGoneException(jobId);
        }
    }

    /// <summary>
    /// The media type a browser needs to pick a decoder, from the uploaded name's extension (the blob is stored as
    /// bytes); anything else is <c>application/octet-stream</c>, which browsers sniff.
    /// </summary>
    public static string MediaType(string? filename) => Path.GetExtension(filename ?? string.Empty).ToLowerInvariant() switch
    {
        ".wav" => "audio/wav",
        ".mp3" => "audio/mpeg",
        ".flac" => "audio/flac",
        ".ogg" or ".oga" or ".opus" => "audio/ogg",
        ".m4a" or ".mp4" or ".aac" => "audio/mp4",
        ".webm" => "audio/webm",
        _ => "application/octet-stream",
    };
}
