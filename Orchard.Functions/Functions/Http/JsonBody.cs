using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orchard.Domain.IO;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// Reads a JSON request body; an empty or malformed body is an <see cref="InvalidRequestException"/> saying what to
/// send. Every JSON body the API takes is a few fields, so it is read with a size and depth bound: a 90 MB name or a
/// body nested thousands deep is refused before it reaches Redis or the parser's stack.
/// </summary>
internal static class JsonBody
{
    /// <summary>The largest JSON body accepted.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Deeper than any body the API defines.</summary>
    public const int MaxDepth = 16;

    private static readonly JsonSerializerOptions Bounded = new(OrchardJson.Options) { MaxDepth = MaxDepth };

    public static async Task<T> ReadAsync<T>(HttpRequest request, string expected)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        try
        {
            var body = new LimitedReadStream(request.Body, MaxBytes, TooLarge);
            return await JsonSerializer.DeserializeAsync<T>(body, Bounded, request.HttpContext.RequestAborted)
                ?? throw new InvalidRequestException($"Send a JSON body {expected}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidRequestException($"The request body is not valid JSON ({ex.Message.Split(" Path:")[0]}); send {expected}.");
        }
    }

    /// <summary>True when the request says its body is JSON.</summary>
    public static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type && type.Split(';')[0].Trim().EndsWith("json", StringComparison.OrdinalIgnoreCase);

    private static BodyTooLargeException TooLarge() =>
        new($"The JSON body is larger than {MaxBytes / 1024} KB; send only the fields the endpoint takes.");
}
