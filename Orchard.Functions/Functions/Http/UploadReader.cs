using Microsoft.AspNetCore.Http;
using Orchard.Domain.Storage;

namespace Orchard.Functions.Functions.Http;

/// <summary>Finds the recording in a request: multipart field <c>file</c> (as the original took it) or the raw body with <c>?filename=</c>.</summary>
internal static class UploadReader
{
    public static async Task<(Stream Content, string? Filename)> ReadAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            var file = form.Files.GetFile("file") ?? throw new EmptyUploadException();
            return (file.OpenReadStream(), file.FileName);
        }

        return (request.Body, request.Query["filename"]);
    }
}
