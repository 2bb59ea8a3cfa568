using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Application;
using Orchard.Domain.Security;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Http;

/// <summary>
/// <c>/health</c>: which timers run (the Functions host disables one whose schedule setting is missing, silently),
/// the state store, the audio tools and <c>functionTimeout</c>. Always 200: a restart fixes none of its problems.
/// </summary>
public sealed class HealthFunctions(HealthReport health, CallerAuthorizer authorizer)
{
    [Function(nameof(GetHealth))]
    public Task<IActionResult> GetHealth([HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            return ApiResults.Json(health.Read(FunctionTimeoutCheck.Describe()));
        });
}
