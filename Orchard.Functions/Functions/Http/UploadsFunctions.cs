using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Application;
using Orchard.Domain.Security;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// <c>/uploads</c>: a write-only URL for one recording too large for a request body, of the size the caller declares
/// (<c>{"bytes": N}</c>; checked again when the upload is submitted). Anonymous at the host: clients and the
/// administrator, identified by Orchard.
/// </summary>
public sealed class UploadsFunctions(JobAccess access, CallerAuthorizer authorizer)
{
    private const string Expected = "{\"bytes\": <the recording's size>}";

    [Function(nameof(CreateUpload))]
    public Task<IActionResult> CreateUpload([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "uploads")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var caller = await authorizer.IdentifyAsync(request);
            // No body keeps the original's call working: the grant is then the whole upload limit.
            var declared = request.ContentLength is null or 0 && !JsonBody.IsJson(request) ? null : (await JsonBody.ReadAsync<UploadBody>(request, Expected)).Bytes;
            var slot = await access.CreateUploadAsync(caller, declared, request.HttpContext.RequestAborted);
            return ApiResults.Json(new
            {
                blob = slot.Blob,
                upload_url = slot.UploadUrl,
                expires_at = slot.ExpiresAt,
                max_bytes = slot.MaxBytes,
                how = "PUT the file to upload_url with header x-ms-blob-type: BlockBlob (or in blocks: Put Block, then Put Block List), then POST /jobs with {\"blob\": blob}.",
            }, StatusCodes.Status201Created);
        });

    private sealed record UploadBody(long? Bytes);
}
