using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Orchard.Domain.Json;
using Orchard.Domain.State;
using Orchard.Domain.Workers;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/workers</c>, with the original's <c>/workers/add</c> and <c>/workers/remove</c>.</summary>
public sealed class WorkersFunctions(IWorkerRegistry workers, IOptions<StateOptions> state, TimeProvider time)
{
    [Function(nameof(ListWorkers))]
    public Task<IActionResult> ListWorkers([HttpTrigger(AuthorizationLevel.Function, "get", Route = "workers")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var list = (await workers.ListAsync(request.HttpContext.RequestAborted)).Select(w => new
            {
                id = w.Id,
                url = w.Url,
                name = w.Name,
                model = w.Model,
                status = w.EffectiveStatus(now, state.Value.WorkerOfflineAfter),
                pending = w.Pending,
                average_speed_ratio = w.AverageSpeedRatio,
                completed_chunks = w.CompletedChunks,
                failed_chunks = w.FailedChunks,
                last_seen = DateTimeOffset.FromUnixTimeMilliseconds(w.LastSeenMs),
                last_error = w.LastError,
            }).ToArray();
            return ApiResults.Json(new { workers = list, count = list.Length });
        });

    [Function(nameof(AddWorker))]
    public Task<IActionResult> AddWorker([HttpTrigger(AuthorizationLevel.Function, "post", Route = "workers/add")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var worker = await workers.AddAsync(await ReadUrlAsync(request), request.HttpContext.RequestAborted);
            return ApiResults.Json(new { status = "added", id = worker.Id, url = worker.Url });
        });

    [Function(nameof(RemoveWorker))]
    public Task<IActionResult> RemoveWorker([HttpTrigger(AuthorizationLevel.Function, "post", Route = "workers/remove")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var id = WorkerUrl.Normalize(await ReadUrlAsync(request));
            return await workers.RemoveAsync(id, request.HttpContext.RequestAborted)
                ? ApiResults.Json(new { status = "removed", id })
                : ApiResults.Error(StatusCodes.Status400BadRequest, $"Worker {id} is not registered.");
        });

    private static async Task<string> ReadUrlAsync(HttpRequest request)
    {
        var body = await JsonSerializer.DeserializeAsync<UrlBody>(request.Body, OrchardJson.Options, request.HttpContext.RequestAborted)
            ?? throw new InvalidWorkerUrlException("Send a JSON body {\"url\": \"http://host:port\"}.");
        return body.Url ?? string.Empty;
    }

    private sealed record UrlBody(string? Url);
}
