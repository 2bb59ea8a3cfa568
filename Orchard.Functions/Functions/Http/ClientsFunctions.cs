using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Security;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/clients</c>: the administrator issues, lists and revokes named client keys. A key is shown once, when issued.</summary>
public sealed class ClientsFunctions(ClientKeys clients, CallerAuthorizer authorizer)
{
    private const string Expected = "{\"name\": \"...\"}";

    [Function(nameof(CreateClient))]
    public Task<IActionResult> CreateClient([HttpTrigger(AuthorizationLevel.Function, "post", Route = "clients")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            var body = await JsonBody.ReadAsync<ClientBody>(request, Expected);
            var issued = await clients.IssueAsync(body.Name, request.HttpContext.RequestAborted);
            return ApiResults.Json(new { id = issued.Id, name = issued.Name, key = issued.Key, created_at = issued.CreatedAt }, StatusCodes.Status201Created);
        });

    [Function(nameof(ListClients))]
    public Task<IActionResult> ListClients([HttpTrigger(AuthorizationLevel.Function, "get", Route = "clients")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            var list = await clients.ListAsync(request.HttpContext.RequestAborted);
            return ApiResults.Json(new { clients = list.Select(c => new { id = c.Id, name = c.Name, created_at = c.CreatedAt }).ToArray(), count = list.Count });
        });

    [Function(nameof(DeleteClient))]
    public Task<IActionResult> DeleteClient([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "clients/{id}")] HttpRequest request, string id) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            return await clients.RevokeAsync(id, request.HttpContext.RequestAborted)
                ? ApiResults.Json(new { status = "revoked", id })
                : throw new ClientNotFoundException(id);
        });

    private sealed record ClientBody(string? Name);
}
