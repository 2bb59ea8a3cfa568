using Microsoft.AspNetCore.Http;
using Orchard.Domain.Security;

namespace Orchard.Functions.Functions.Http;

/// <summary>The request's credentials for <see cref="CallerAuthorizer"/>; the rules themselves live in Orchard.Domain/Security.</summary>
internal static class Caller
{
    public static RequestCredentials Credentials(HttpRequest request) =>
        RequestCredentials.From(
            name => request.Headers[name].FirstOrDefault(),
            name => request.Query[name].FirstOrDefault(),
            request.HttpContext.Connection.RemoteIpAddress?.ToString());

    /// <summary>Who calls a route anonymous at the host (Orchard checks every key).</summary>
    public static Task<CallerIdentity> IdentifyAsync(this CallerAuthorizer authorizer, HttpRequest request) =>
        authorizer.IdentifyAsync(Credentials(request), RouteGate.Orchard, request.HttpContext.RequestAborted);

    /// <summary>
    /// For an administrator's route (<c>AuthorizationLevel.Function</c>: the host checked the platform key): a client key
    /// or worker token presented there is a 403, so no other kind of caller gets through a host that checks no keys.
    /// </summary>
    public static Task<CallerIdentity> RequireAdministratorAsync(this CallerAuthorizer authorizer, HttpRequest request) =>
        authorizer.RequireAdministratorAsync(Credentials(request), RouteGate.PlatformKey, request.HttpContext.RequestAborted);
}
