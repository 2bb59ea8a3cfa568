using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.Workers;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/stats</c>: the original's counts plus failed and cancelled jobs and which store is active.</summary>
public sealed class StatsFunctions(IJobStore jobs, IWorkerRegistry workers, StateBackend backend)
{
    [Function(nameof(GetStats))]
    public Task<IActionResult> GetStats([HttpTrigger(AuthorizationLevel.Function, "get", Route = "stats")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            var jobStats = await jobs.GetStatsAsync(request.HttpContext.RequestAborted);
            var workerStats = await workers.GetStatsAsync(request.HttpContext.RequestAborted);
            return ApiResults.Json(new { workers = workerStats, jobs = jobStats, store = backend.Kind });
        });
}
