using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using Orchard.Domain.Application;
using Orchard.Domain.Dashboard;
using Orchard.Domain.Security;
using Orchard.Domain.Storage;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// The dashboard: its page (<c>GET /</c>, <c>GET /dashboard</c>), a snapshot for polling with ETags, the live stream
/// (<c>GET /events</c>) and a job's recording for the page's player (<c>GET /jobs/{id}/audio</c>, in ranges).
/// The page and what a browser opens without headers are anonymous at the host: the page holds no data, and the
/// stream and audio check a short-lived token from <c>POST /events/token</c>, which needs the function key.
/// </summary>
public sealed class DashboardFunctions(DashboardFeed feed, DashboardEvents events, StreamTokens tokens, RecordingAudio audio, RecordingStore recordings, CallerAuthorizer authorizer)
{
    private const string TokenRequired = "This stream needs a current token: POST /events/token with the function key (add ?job=<id> for a job's audio), then pass it as ?token=.";

    /// <summary>The page at the root: an empty route under the empty route prefix (the Functions host's own form of "/").</summary>
    [Function(nameof(DashboardRoot))]
    public IActionResult DashboardRoot([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{ignored:maxlength(0)?}")] HttpRequest request) => Page(request);

    [Function(nameof(Dashboard))]
    public IActionResult Dashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard")] HttpRequest request) => Page(request);

    /// <summary>What the live stream sends, for a page that cannot stream: 304 while nothing changed.</summary>
    [Function(nameof(DashboardSnapshot))]
    public Task<IActionResult> DashboardSnapshot([HttpTrigger(AuthorizationLevel.Function, "get", Route = "dashboard/snapshot")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            return ApiResults.TaggedJson(request, await feed.ReadAsync(request.HttpContext.RequestAborted));
        });

    /// <summary>A token for <c>GET /events</c>, or with <c>?job=</c> for that job's audio.</summary>
    [Function(nameof(CreateStreamToken))]
    public Task<IActionResult> CreateStreamToken([HttpTrigger(AuthorizationLevel.Function, "post", Route = "events/token")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            // The stream shows every job and worker: the dashboard is the administrator's tool for now.
            await authorizer.RequireAdministratorAsync(request);
            string? job = request.Query["job"];
            if (job is not null)
            {
                JobReader.EnsureJobId(job);
            }

            var token = tokens.Issue(job);
            var url = job is null ? "/events" : $"/jobs/{job}/audio";
            return ApiResults.Json(new { token = token.Token, expires_at = token.ExpiresAt, url = $"{url}?token={token.Token}" });
        });

    /// <summary>Server-Sent Events until shortly before the host's 230 s limit; the page reconnects with a new token.</summary>
    [Function(nameof(StreamEvents))]
    public async Task<IActionResult> StreamEvents([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "events")] HttpRequest request)
    {
        if (!tokens.IsValid(request.Query["token"], StreamTokens.EventsScope))
        {
            return ApiResults.Error(StatusCodes.Status401Unauthorized, TokenRequired);
        }

        var response = request.HttpContext.Response;
        response.ContentType = DashboardEvents.ContentType;
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        request.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await events.StreamAsync(response.Body, request.HttpContext.RequestAborted);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The page went away (closed, or reconnecting): nothing to answer.
        }

        return new EmptyResult();
    }

    /// <summary>The original recording in byte ranges (206, 416), with an ETag (304, If-Range); streamed, never buffered whole.</summary>
    [Function(nameof(GetJobAudio))]
    public Task<IActionResult> GetJobAudio([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "jobs/{id}/audio")] HttpRequest request, string id) =>
        ApiResults.Guard(async () =>
        {
            if (!Guid.TryParseExact(id, "D", out _) || !tokens.IsValid(request.Query["token"], StreamTokens.AudioScope(id)))
            {
                return ApiResults.Error(StatusCodes.Status401Unauthorized, TokenRequired);
            }

            var recording = await audio.OpenAsync(id, request.HttpContext.RequestAborted);
            request.HttpContext.Response.Headers.CacheControl = "private, no-cache";
            request.HttpContext.Response.RegisterForDispose(recording.Content);
            return new FileStreamResult(recording.Content, recording.ContentType)
            {
                EnableRangeProcessing = true,
                EntityTag = EntityTagHeaderValue.Parse(recording.EntityTag),
                LastModified = recording.LastModified,
            };
        });

    private IActionResult Page(HttpRequest request)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = DashboardPage.SecurityPolicy(recordings.Container.Uri);
        headers.XContentTypeOptions = "nosniff";

        // Tokens ride in URLs of the page's requests; no referrer carries them elsewhere.
        headers["Referrer-Policy"] = "no-referrer";
        return new ContentResult { Content = DashboardPage.Content, ContentType = "text/html; charset=utf-8", StatusCode = StatusCodes.Status200OK };
    }
}
