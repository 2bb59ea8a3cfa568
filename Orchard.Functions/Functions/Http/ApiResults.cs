using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Orchard.Domain.Application;
using Orchard.Domain.Audio;
using Orchard.Domain.IO;
using Orchard.Domain.Dashboard;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.Net;
using Orchard.Domain.Security;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;

namespace Orchard.Functions.Functions.Http;

/// <summary>Answers in Orchard's JSON shape, and turns known domain errors into the right status with <c>{"error": ...}</c>.</summary>
internal static class ApiResults
{
    public static IActionResult Json(object value, int status = StatusCodes.Status200OK) =>
        new ContentResult { Content = JsonSerializer.Serialize(value, OrchardJson.Options), ContentType = "application/json; charset=utf-8", StatusCode = status };

    /// <summary>
    /// JSON with a strong entity tag, or 304 with no body when the caller already has it (<c>If-None-Match</c>): a
    /// page polling every few seconds costs a read of the state but no transfer while nothing changes.
    /// </summary>
    public static IActionResult TaggedJson(HttpRequest request, object value)
    {
        var json = JsonSerializer.Serialize(value, OrchardJson.Options);
        var tag = DashboardSnapshot.EntityTag(System.Text.Encoding.UTF8.GetBytes(json));
        request.HttpContext.Response.Headers.ETag = tag;
        request.HttpContext.Response.Headers.CacheControl = "no-cache";
        if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == tag || t.Trim() == "*")))
        {
            return new StatusCodeResult(StatusCodes.Status304NotModified);
        }

        return new ContentResult { Content = json, ContentType = "application/json; charset=utf-8", StatusCode = StatusCodes.Status200OK };
    }

    public static IActionResult Error(int status, string message) => Json(new { error = message }, status);

    /// <summary>Text as it is, e.g. a transcript as SRT.</summary>
    public static IActionResult Content(string content, string contentType) =>
        new ContentResult { Content = content, ContentType = contentType, StatusCode = StatusCodes.Status200OK };

    /// <summary>The status and sentence for an error a caller can act on; null for anything else (a bug: 500).</summary>
    public static IActionResult? FromException(Exception ex) => ex switch
    {
        UnauthenticatedException => Error(StatusCodes.Status401Unauthorized, ex.Message),
        ForbiddenException => Error(StatusCodes.Status403Forbidden, ex.Message),
        RateLimitedException limited => new RetryAfterResult(limited.RetryAfter, Error(StatusCodes.Status429TooManyRequests, ex.Message)),
        UploadLargerThanDeclaredException => Error(StatusCodes.Status413PayloadTooLarge, ex.Message),
        ClientLimitReachedException => Error(StatusCodes.Status503ServiceUnavailable, ex.Message),
        ClientNotFoundException => Error(StatusCodes.Status404NotFound, ex.Message),
        EmptyUploadException or EmptyAudioException => Error(StatusCodes.Status400BadRequest, ex.Message),
        NotAudioException => Error(StatusCodes.Status415UnsupportedMediaType, ex.Message),
        UploadTooLargeException => Error(StatusCodes.Status413PayloadTooLarge, ex.Message),
        AudioToolMissingException => Error(StatusCodes.Status503ServiceUnavailable, ex.Message),
        AudioException => Error(StatusCodes.Status422UnprocessableEntity, ex.Message),
        BodyTooLargeException => Error(StatusCodes.Status413PayloadTooLarge, ex.Message),
        WorkerLimitReachedException => Error(StatusCodes.Status503ServiceUnavailable, ex.Message),
        OutboundUrlRefusedException => Error(StatusCodes.Status400BadRequest, ex.Message),
        LeaseLostException => Json(new { error = ex.Message, cancelled = true }, StatusCodes.Status409Conflict),
        AnswerRejectedException => Error(StatusCodes.Status422UnprocessableEntity, ex.Message),
        UnsupportedProtocolException => Json(new { error = ex.Message, supported_protocols = new[] { LeaseBroker.Protocol } }, StatusCodes.Status400BadRequest),
        WebhooksUnavailableException => Error(StatusCodes.Status501NotImplemented, ex.Message),
        InvalidWorkerUrlException or InvalidWorkerRegistrationException or DuplicateWorkerException or InvalidRequestException or UploadNotFoundException => Error(StatusCodes.Status400BadRequest, ex.Message),
        JsonException => Error(StatusCodes.Status400BadRequest, $"The request body is not valid JSON: {ex.Message}"),
        FormatException => Error(StatusCodes.Status400BadRequest, ex.Message),
        JobNotFoundException => Error(StatusCodes.Status404NotFound, "Job not found"),
        JobNotFinishedException => Error(StatusCodes.Status409Conflict, ex.Message),
        UploadUrlUnavailableException => Error(StatusCodes.Status501NotImplemented, ex.Message),
        WorkerNotFoundException => Error(StatusCodes.Status404NotFound, $"{ex.Message} Register it again (POST /workers, or POST /workers/add with its URL)."),
        RecordingGoneException => Error(StatusCodes.Status404NotFound, ex.Message),
        StreamTokensUnavailableException => Error(StatusCodes.Status501NotImplemented, ex.Message),
        StateStoreUnavailableException => Error(StatusCodes.Status503ServiceUnavailable, "The state store is unavailable; try again shortly."),
        StorageIdentityException => Error(StatusCodes.Status503ServiceUnavailable, ex.Message),
        _ => null,
    };

    /// <summary>Runs a trigger body, mapping known errors; unknown ones propagate to the host (500, no details).</summary>
    public static async Task<IActionResult> Guard(Func<Task<IActionResult>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (FromException(ex) is { } mapped)
        {
            return mapped;
        }
    }
}

/// <summary>An answer with <c>Retry-After</c> in whole seconds (at least 1), for 429.</summary>
internal sealed class RetryAfterResult(TimeSpan retryAfter, IActionResult inner) : IActionResult
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    public IActionResult Inner { get; } = inner;

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Inner.ExecuteResultAsync(context);
    }
}
