using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// Finds the recording in a request: multipart field <c>file</c> (as the original took it), a JSON body
/// <c>{"blob": ...}</c> naming a direct upload, or the raw body with <c>?filename=</c>. Options come from the query
/// (<c>purify</c>, <c>language</c>) or the JSON body.
/// </summary>
internal static class UploadReader
{
    public static async Task<JobUpload> ReadAsync(HttpRequest request)
    {
        var purify = ParsePurify(request.Query["purify"]);
        string? language = request.Query["language"];
        if (request.HasFormContentType)
        {
            var form = await ReadFormAsync(request);
            var file = form.Files.GetFile("file") ?? throw new EmptyUploadException();
            return new JobUpload(file.OpenReadStream(), null, file.FileName, purify ?? ParsePurify(form["purify"]), language ?? form["language"]);
        }

        if (JsonBody.IsJson(request))
        {
            var body = await JsonBody.ReadAsync<BlobBody>(request, "{\"blob\": \"<blob from POST /uploads>\", \"filename\": \"...\"}");
            if (string.IsNullOrWhiteSpace(body.Blob))
            {
                throw new InvalidRequestException("The JSON body needs \"blob\": the value POST /uploads answered, after uploading the file to its upload_url.");
            }

            return new JobUpload(null, body.Blob.Trim(), body.Filename, purify ?? body.Purify, language ?? body.Language);
        }

        return new JobUpload(request.Body, null, request.Query["filename"], purify, language);
    }

    // The form reader's own 128 MB cap would hide Storage:MaxUploadBytes, which the submission enforces as it copies.
    private static async Task<IFormCollection> ReadFormAsync(HttpRequest request)
    {
        try
        {
            return await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = long.MaxValue }, request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new InvalidRequestException($"The multipart body could not be read ({ex.Message}); send the recording as form field 'file'.");
        }
    }

    private static bool? ParsePurify(string? value) =>
        string.IsNullOrEmpty(value) ? null
        : bool.TryParse(value, out var parsed) ? parsed
        : throw new InvalidRequestException("purify must be true or false.");

    private sealed record BlobBody(string? Blob, string? Filename, bool? Purify, string? Language);
}
