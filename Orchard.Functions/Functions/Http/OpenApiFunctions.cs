using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Api;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/openapi.json</c>: the API described, for clients and code generators.</summary>
public sealed class OpenApiFunctions
{
    [Function(nameof(GetOpenApi))]
    public IActionResult GetOpenApi([HttpTrigger(AuthorizationLevel.Function, "get", Route = "openapi.json")] HttpRequest request) =>
        ApiResults.Content(ApiDescription.Json, "application/json; charset=utf-8");
}
