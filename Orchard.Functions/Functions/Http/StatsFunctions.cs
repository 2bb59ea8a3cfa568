using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Security;
using Orchard.Domain.State;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/stats</c>: the original's counts plus failed and cancelled jobs, queued chunks and which store is active.</summary>
public sealed class StatsFunctions(StatsReport stats, CallerAuthorizer authorizer)
{
    [Function(nameof(GetStats))]
    public Task<IActionResult> GetStats([HttpTrigger(AuthorizationLevel.Function, "get", Route = "stats")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            return ApiResults.Json(await stats.ReadAsync(request.HttpContext.RequestAborted));
        });
}
