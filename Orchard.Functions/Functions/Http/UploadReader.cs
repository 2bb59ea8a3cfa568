using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Orchard.Domain.Application;
using Orchard.Domain.IO;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// Finds the recording in a request: multipart field <c>file</c> (as the original took it), a JSON body
/// <c>{"blob": ...}</c> naming a direct upload, or the raw body with <c>?filename=</c>. Options come from the query
/// (<c>purify</c>, <c>language</c>, <c>callback_url</c>), the form fields or the JSON body.
/// </summary>
internal static class UploadReader
{
    private const string CallbackField = "callback_url";

    public static async Task<JobUpload> ReadAsync(HttpRequest request)
    {
        var upload = await ReadUploadAsync(request);
        string? callback = request.Query[CallbackField];
        return string.IsNullOrEmpty(callback) ? upload : upload with { CallbackUrl = callback };
    }

    private static async Task<JobUpload> ReadUploadAsync(HttpRequest request)
    {
        var purify = ParsePurify(request.Query["purify"]);
        string? language = request.Query["language"];
        // A form some earlier component already read (or a caller supplied) is used as it is; otherwise stream.
        var formAlreadyRead = request.HttpContext.Features.Get<IFormFeature>() is { Form: not null };
        if (request.HasFormContentType && !formAlreadyRead && MultipartBoundary(request) is { } boundary)
        {
            return await ReadMultipartAsync(request, boundary, purify, language);
        }

        if (request.HasFormContentType)
        {
            var form = await ReadFormAsync(request);
            var file = form.Files.GetFile("file") ?? throw new EmptyUploadException();
            return new JobUpload(file.OpenReadStream(), null, file.FileName, purify ?? ParsePurify(form["purify"]), language ?? form["language"]) { CallbackUrl = form[CallbackField] };
        }

        if (JsonBody.IsJson(request))
        {
            var body = await JsonBody.ReadAsync<BlobBody>(request, "{\"blob\": \"<blob from POST /uploads>\", \"filename\": \"...\"}");
            if (string.IsNullOrWhiteSpace(body.Blob))
            {
                throw new InvalidRequestException("The JSON body needs \"blob\": the value POST /uploads answered, after uploading the file to its upload_url.");
            }

            return new JobUpload(null, body.Blob.Trim(), body.Filename, purify ?? body.Purify, language ?? body.Language) { CallbackUrl = body.CallbackUrl };
        }

        return new JobUpload(request.Body, null, request.Query["filename"], purify, language);
    }

    /// <summary>
    /// Streams the <c>file</c> part straight to the submission instead of buffering the whole form to disk first
    /// (a second copy of a large recording). Form fields count when they come before the file; the query always does.
    /// </summary>
    /// <summary>Longer than any language, flag or callback URL; a field is read whole, so it is bounded.</summary>
    private const int MaxFieldBytes = 4096;

    private static async Task<JobUpload> ReadMultipartAsync(HttpRequest request, string boundary, bool? purify, string? language)
    {
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, request.Body);
        string? callback = null;
        try
        {
            while (await reader.ReadNextSectionAsync(request.HttpContext.RequestAborted) is { } section)
            {
                if (!Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                var name = disposition.Name.Value?.Trim('"');
                if (name == "file")
                {
                    var filename = (disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value?.Trim('"');
                    return new JobUpload(new SectionStream(section.Body), null, filename, purify, language) { CallbackUrl = callback };
                }

                if (name is "purify" or "language" or CallbackField)
                {
                    using var text = new StreamReader(new LimitedReadStream(section.Body, MaxFieldBytes, () => new BodyTooLargeException(
                        $"The form field '{name}' is longer than {MaxFieldBytes / 1024} KB; send a short value (a language code, true/false, a URL).")));
                    var value = await text.ReadToEndAsync(request.HttpContext.RequestAborted);
                    purify ??= name == "purify" ? ParsePurify(value) : null;
                    language ??= name == "language" ? value : null;
                    callback ??= name == CallbackField ? value : null;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new InvalidRequestException($"The multipart body could not be read ({ex.Message}); send the recording as form field 'file'.");
        }

        throw new EmptyUploadException();
    }

    private static string? MultipartBoundary(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        && Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 } boundary
            ? boundary
            : null;

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

    private sealed record BlobBody(string? Blob, string? Filename, bool? Purify, string? Language, string? CallbackUrl);

    /// <summary>
    /// The file part, read as the submission copies it: a body that breaks off mid-part is the client's error (400),
    /// which only shows while reading, after the request has been accepted for streaming.
    /// </summary>
    private sealed class SectionStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                throw new InvalidRequestException($"The multipart body could not be read ({ex.Message}); send the recording as form field 'file'.");
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
