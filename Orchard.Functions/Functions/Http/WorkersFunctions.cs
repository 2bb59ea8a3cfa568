using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Orchard.Domain.Net;
using Orchard.Domain.Security;
using Orchard.Domain.State;
using Orchard.Domain.Workers;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// <c>/workers</c>: self-registration and heartbeats, with the original's <c>/workers/add</c> and <c>/workers/remove</c>.
/// A worker's id may be its URL: in a path it is URL-encoded (<c>/workers/http%3A%2F%2Fhost%3A8080/heartbeat</c>).
/// Registration and heartbeats are anonymous at the host, because enrolled devices hold Orchard's worker tokens rather
/// than platform keys (<see cref="WorkerIdentity"/> checks them); the rest is the administrator's.
/// </summary>
public sealed class WorkersFunctions(
    IWorkerRegistry workers, WorkerFleet fleet, WorkerIdentity identity, CallerAuthorizer authorizer, OutboundUrlPolicy urls, IOptions<StateOptions> state,
    IOptions<WorkersOptions> options, TimeProvider time)
{
    private const string UrlExpected = "{\"url\": \"http://host:port\"}";
    private const string RegistrationExpected = "{\"url\": \"http://host:port\" or null, \"name\": \"...\", \"model\": \"...\", \"languages\": [\"en\", ...] or null, \"enrollment_secret\"?: \"...\"}";

    [Function(nameof(ListWorkers))]
    public Task<IActionResult> ListWorkers([HttpTrigger(AuthorizationLevel.Function, "get", Route = "workers")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var untrusted = await identity.UntrustedAsync(request.HttpContext.RequestAborted);
            var list = (await workers.ListAsync(request.HttpContext.RequestAborted)).Select(w => new
            {
                id = w.Id,
                url = w.Url,
                name = w.Name,
                model = w.Model,
                languages = w.Languages,
                status = w.EffectiveStatus(now, state.Value.WorkerOfflineAfter),
                self_registered = w.SelfRegistered,
                trusted = !untrusted.Contains(w.Id),
                trust = w.Trust,
                verified_answers = w.VerifiedAnswers,
                quarantine_reason = w.QuarantineReason,
                pending = w.Pending,
                average_speed_ratio = w.AverageSpeedRatio,
                completed_chunks = w.CompletedChunks,
                failed_chunks = w.FailedChunks,
                last_seen = DateTimeOffset.FromUnixTimeMilliseconds(w.LastSeenMs),
                last_error = w.LastError,
            }).ToArray();
            return ApiResults.TaggedJson(request, new { workers = list, count = list.Length });
        });

    /// <summary>A worker registers itself; registering again (same URL, or its previous id) updates it.</summary>
    [Function(nameof(RegisterWorker))]
    public Task<IActionResult> RegisterWorker([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workers")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var body = await JsonBody.ReadAsync<RegistrationBody>(request, RegistrationExpected);
            if (!string.IsNullOrWhiteSpace(body.Url))
            {
                WorkerUrl.Normalize(body.Url, urls);
            }

            var registration = new WorkerRegistration(body.Url, body.Name, body.Model, body.Id, body.Languages);
            var enrolled = await identity.RegisterAsync(Caller.Credentials(request), registration, body.EnrollmentSecret, request.HttpContext.RequestAborted);
            var interval = (int)Math.Ceiling(options.Value.HeartbeatInterval.TotalSeconds);
            // The administrator's registration keeps the original's shape; an enrolled worker learns its token (once) and trust.
            return enrolled.Token is { } token
                ? ApiResults.Json(new { id = enrolled.Worker.Id, heartbeat_interval_seconds = interval, token, trusted = enrolled.Trusted })
                : enrolled.Trusted
                    ? ApiResults.Json(new { id = enrolled.Worker.Id, heartbeat_interval_seconds = interval })
                    : ApiResults.Json(new { id = enrolled.Worker.Id, heartbeat_interval_seconds = interval, trusted = false });
        });

    /// <summary>404 for a worker the master no longer knows: it should register again.</summary>
    [Function(nameof(WorkerHeartbeat))]
    public Task<IActionResult> WorkerHeartbeat(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workers/{id}/heartbeat")] HttpRequest request, string id) =>
        ApiResults.Guard(async () =>
        {
            await identity.AuthorizeWorkerCallAsync(Caller.Credentials(request), Uri.UnescapeDataString(id), request.HttpContext.RequestAborted);
            var worker = await workers.HeartbeatAsync(Uri.UnescapeDataString(id), request.HttpContext.RequestAborted)
                ?? throw new WorkerNotFoundException(Uri.UnescapeDataString(id));
            var status = worker.EffectiveStatus(time.GetUtcNow().ToUnixTimeMilliseconds(), state.Value.WorkerOfflineAfter);
            return ApiResults.Json(new { id = worker.Id, status });
        });

    [Function(nameof(DeleteWorker))]
    public Task<IActionResult> DeleteWorker([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "workers/{id}")] HttpRequest request, string id) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            var workerId = Uri.UnescapeDataString(id);
            var revoked = await identity.RevokeAsync(workerId, request.HttpContext.RequestAborted);
            return await fleet.RemoveAsync(workerId, request.HttpContext.RequestAborted) || revoked
                ? ApiResults.Json(new { status = "removed", id = workerId })
                : throw new WorkerNotFoundException(workerId);
        });

    [Function(nameof(AddWorker))]
    public Task<IActionResult> AddWorker([HttpTrigger(AuthorizationLevel.Function, "post", Route = "workers/add")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            var body = await JsonBody.ReadAsync<UrlBody>(request, UrlExpected);
            var worker = await fleet.AddAsync(WorkerUrl.Normalize(body.Url, urls), request.HttpContext.RequestAborted);
            return ApiResults.Json(new { status = "added", id = worker.Id, url = worker.Url });
        });

    [Function(nameof(RemoveWorker))]
    public Task<IActionResult> RemoveWorker([HttpTrigger(AuthorizationLevel.Function, "post", Route = "workers/remove")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            var id = WorkerUrl.Normalize((await JsonBody.ReadAsync<UrlBody>(request, UrlExpected)).Url);
            return await fleet.RemoveAsync(id, request.HttpContext.RequestAborted)
                ? ApiResults.Json(new { status = "removed", id })
                : ApiResults.Error(StatusCodes.Status400BadRequest, $"Worker {id} is not registered.");
        });

    private sealed record UrlBody(string? Url);

    private sealed record RegistrationBody(string? Url, string? Name, string? Model, string? Id, IReadOnlyList<string>? Languages, string? EnrollmentSecret);
}
