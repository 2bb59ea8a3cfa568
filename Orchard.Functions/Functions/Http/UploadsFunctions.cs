using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Storage;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/uploads</c>: a write-only URL for a recording too large for a request body.</summary>
public sealed class UploadsFunctions(UploadSlots slots)
{
    [Function(nameof(CreateUpload))]
    public Task<IActionResult> CreateUpload([HttpTrigger(AuthorizationLevel.Function, "post", Route = "uploads")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var slot = await slots.CreateAsync(request.HttpContext.RequestAborted);
            return ApiResults.Json(new
            {
                blob = slot.Blob,
                upload_url = slot.UploadUrl,
                expires_at = slot.ExpiresAt,
                max_bytes = slot.MaxBytes,
                how = "PUT the file to upload_url with header x-ms-blob-type: BlockBlob (or in blocks: Put Block, then Put Block List), then POST /jobs with {\"blob\": blob}.",
            }, StatusCodes.Status201Created);
        });
}
