using Microsoft.Extensions.Options;

namespace Orchard.Domain.Storage;

/// <summary>
/// A place for one large recording: <see cref="UploadUrl"/> takes writes only, until <see cref="ExpiresAt"/>; the client
/// then submits <c>{"blob": Blob}</c> to <c>POST /jobs</c>.
/// </summary>
public sealed record UploadSlot(string Blob, Uri UploadUrl, DateTimeOffset ExpiresAt, long MaxBytes);

/// <summary>Hands out upload URLs for recordings too large for a request body (about 100 MB on Azure Functions).</summary>
public sealed class UploadSlots(RecordingStore recordings, IOptions<StorageOptions> options, TimeProvider time)
{
    public async Task<UploadSlot> CreateAsync(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var expires = time.GetUtcNow() + options.Value.UploadUrlLifetime;
        var url = await recordings.CreateUploadUrlAsync(id, expires, cancellationToken);
        return new UploadSlot(id, url, expires, options.Value.MaxUploadBytes);
    }
}
