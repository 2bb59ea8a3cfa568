using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Security;
using Orchard.Domain.Workers;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// The worker protocol's pull side (docs/worker-protocol.md): a worker leases a chunk (long poll), downloads its audio,
/// renews the lease while it works, then answers or gives up. Each call is short; none holds an activity.
/// </summary>
public sealed class LeasesFunctions(LeaseBroker broker, WorkerIdentity identity, DurableClientHolder holder)
{
    private const string ProtocolHeader = "X-Orchard-Protocol";
    private const string LeaseExpected = "{} or {\"wait_seconds\": 25}";
    private const string FailExpected = "{\"reason\": \"...\", \"declined\": false}";

    [Function(nameof(LeaseChunk))]
    public Task<IActionResult> LeaseChunk(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workers/{id}/lease")] HttpRequest request, string id, [DurableClient] DurableTaskClient durable) =>
        ApiResults.Guard(async () =>
        {
            holder.Remember(durable);
            LeaseBroker.CheckProtocol(request.Headers[ProtocolHeader]);
            await identity.AuthorizeWorkerCallAsync(Caller.Credentials(request), Uri.UnescapeDataString(id), request.HttpContext.RequestAborted);
            var body = request.ContentLength is null or 0 ? new LeaseBody(null) : await JsonBody.ReadAsync<LeaseBody>(request, LeaseExpected);
            var wait = TimeSpan.FromSeconds(Math.Clamp(body.WaitSeconds ?? 25, 0, 25));
            var lease = await broker.LeaseAsync(Uri.UnescapeDataString(id), wait, request.HttpContext.RequestAborted);
            if (lease is null)
            {
                return new NoContentResult();
            }

            var rules = broker.Rules;
            return ApiResults.Json(new
            {
                lease_id = lease.LeaseId,
                protocol = LeaseBroker.Protocol,
                job_id = lease.JobId,
                chunk_index = lease.Index,
                chunk_id = lease.ChunkId,
                audio_url = AudioUrl(request, lease.LeaseId),
                audio_seconds = Math.Round(lease.SentMs / 1000, 3),
                language = lease.Language,
                expires_at = DateTimeOffset.FromUnixTimeMilliseconds(lease.ExpiresAtMs),
                lease_seconds = rules.LeaseTtl.TotalSeconds,
                renew_every_seconds = rules.RenewEvery.TotalSeconds,
            });
        });

    [Function(nameof(RenewLease))]
    public Task<IActionResult> RenewLease([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "leases/{lease}/heartbeat")] HttpRequest request, string lease) =>
        ApiResults.Guard(async () =>
        {
            LeaseBroker.CheckProtocol(request.Headers[ProtocolHeader]);
            var held = await AuthorizeAsync(request, lease);
            var renewed = await broker.RenewAsync(lease, held.WorkerId, request.HttpContext.RequestAborted);
            return ApiResults.Json(new { expires_at = DateTimeOffset.FromUnixTimeMilliseconds(renewed.ExpiresAtMs), renew_every_seconds = broker.Rules.RenewEvery.TotalSeconds });
        });

    [Function(nameof(LeaseAudio))]
    public Task<IActionResult> LeaseAudio([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "leases/{lease}/audio")] HttpRequest request, string lease) =>
        ApiResults.Guard(async () =>
        {
            var held = await AuthorizeAsync(request, lease);
            return new FileStreamResult(await broker.OpenAudioAsync(held, request.HttpContext.RequestAborted), "audio/wav") { EnableRangeProcessing = true };
        });

    [Function(nameof(LeaseResult))]
    public Task<IActionResult> LeaseResult(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "leases/{lease}/result")] HttpRequest request, string lease, [DurableClient] DurableTaskClient durable) =>
        ApiResults.Guard(async () =>
        {
            holder.Remember(durable);
            LeaseBroker.CheckProtocol(request.Headers[ProtocolHeader]);
            var held = await AuthorizeAsync(request, lease);
            await broker.AcceptAsync(held, request.Body, request.HttpContext.RequestAborted);
            return ApiResults.Json(new { status = "accepted" });
        });

    [Function(nameof(LeaseFail))]
    public Task<IActionResult> LeaseFail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "leases/{lease}/fail")] HttpRequest request, string lease, [DurableClient] DurableTaskClient durable) =>
        ApiResults.Guard(async () =>
        {
            holder.Remember(durable);
            LeaseBroker.CheckProtocol(request.Headers[ProtocolHeader]);
            var held = await AuthorizeAsync(request, lease);
            var body = request.ContentLength is null or 0 ? new FailBody(null, null) : await JsonBody.ReadAsync<FailBody>(request, FailExpected);
            await broker.FailAsync(held, body.Reason, body.Declined ?? false, request.HttpContext.RequestAborted);
            return ApiResults.Json(new { status = "released" });
        });

    /// <summary>
    /// Only the worker holding the lease (its token) or the administrator may act on it; returns the lease's record, read
    /// once here and handed to the broker (each call is one read of it, not two).
    /// </summary>
    private async Task<ChunkLease> AuthorizeAsync(HttpRequest request, string leaseId)
    {
        var lease = await broker.FindAsync(leaseId, request.HttpContext.RequestAborted);
        await identity.AuthorizeWorkerCallAsync(Caller.Credentials(request), lease.WorkerId, request.HttpContext.RequestAborted);
        return lease;
    }

    /// <summary>The audio URL on the host the worker called (it reached the master there), on the app's own route.</summary>
    private static string AudioUrl(HttpRequest request, string leaseId)
    {
        var path = request.Path.Value ?? string.Empty;
        var routeBase = path[..Math.Max(0, path.IndexOf("/workers/", StringComparison.Ordinal))];
        return $"{request.Scheme}://{request.Host}{request.PathBase}{routeBase}/leases/{Uri.EscapeDataString(leaseId)}/audio";
    }

    private sealed record LeaseBody(double? WaitSeconds);

    private sealed record FailBody(string? Reason, bool? Declined);
}
