using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;

namespace Orchard.Functions.Functions.Http;

/// <summary>Reads a JSON request body; an empty or malformed body is an <see cref="InvalidRequestException"/> saying what to send.</summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, string expected)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, OrchardJson.Options, request.HttpContext.RequestAborted)
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
}
