using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Jobs;
using Orchard.Domain.Security;
using Orchard.Domain.State;

namespace Orchard.Functions.Functions.Http;

/// <summary><c>/preferences/purifier</c>, as the original had it (<c>{"usePurifier": true}</c>).</summary>
public sealed class PreferencesFunctions(IPreferenceStore preferences, CallerAuthorizer authorizer)
{
    private const string Expected = "{\"usePurifier\": true}";

    [Function(nameof(GetPurifierPreference))]
    public Task<IActionResult> GetPurifierPreference([HttpTrigger(AuthorizationLevel.Function, "get", Route = "preferences/purifier")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            return ApiResults.Json(new PurifierBody(await preferences.GetUsePurifierAsync(request.HttpContext.RequestAborted)));
        });

    [Function(nameof(SetPurifierPreference))]
    public Task<IActionResult> SetPurifierPreference([HttpTrigger(AuthorizationLevel.Function, "post", Route = "preferences/purifier")] HttpRequest request) =>
        ApiResults.Guard(async () =>
        {
            await authorizer.RequireAdministratorAsync(request);
            var body = await JsonBody.ReadAsync<PurifierBody>(request, Expected);
            var use = body.UsePurifier ?? throw new InvalidRequestException($"The body needs usePurifier, true or false: {Expected}.");
            await preferences.SetUsePurifierAsync(use, request.HttpContext.RequestAborted);
            return ApiResults.Json(new PurifierBody(use));
        });

    private sealed record PurifierBody([property: JsonPropertyName("usePurifier")] bool? UsePurifier);
}
