using System.Net;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Orchard.Functions.Functions.Http;
using Orchard.LocalHost.Functions;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

/// <summary>What holds for every HTTP function: closed by default, one class per resource in this folder.</summary>
public sealed class HttpFunctionsTests
{
    /// <summary>
    /// The functions open at the host: the dashboard's page (it holds no data), what a browser opens without headers,
    /// which checks a stream token itself (DashboardFunctionsTests), and what clients and enrolled workers call with
    /// Orchard's own keys, which Orchard checks itself (RolesTests).
    /// </summary>
    private static readonly string[] Anonymous =
        ["Dashboard", "DashboardRoot", "GetJobAudio", "StreamEvents", "SubmitJob", "Submit", "ListJobs", "GetJob", "GetTranscript", "DeleteJob", "CreateUpload", "RegisterWorker", "WorkerHeartbeat",
         "LeaseChunk", "RenewLease", "LeaseAudio", "LeaseResult", "LeaseFail"];

    [Fact]
    public void EveryHttpFunction_IsDeclaredWithFunctionAuthorization()
    {
        var http = FunctionMetadata.Read(FunctionMetadata.DefaultPath).Where(f => f.IsHttp).ToArray();

        Assert.Equal(
            ["AddWorker", "CreateClient", "CreateStreamToken", "CreateUpload", "Dashboard", "DashboardRoot", "DashboardSnapshot", "DeleteClient", "DeleteJob", "DeleteWorker",
             "GetHealth", "GetJob", "GetJobAudio", "GetOpenApi", "GetPurifierPreference", "GetStats", "GetTranscript", "LeaseAudio", "LeaseChunk", "LeaseFail",
             "LeaseResult", "ListClients", "ListJobs", "ListWorkers", "RegisterWorker", "RemoveWorker", "RenewLease", "SetPurifierPreference", "StreamEvents", "Submit", "SubmitJob", "WorkerHeartbeat"],
            http.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(http, f => Assert.Equal(Anonymous.Contains(f.Name) ? "Anonymous" : "Function", f.Trigger!.AuthLevel, ignoreCase: true));
        Assert.All(http, f => Assert.StartsWith(typeof(JobsFunctions).Namespace + ".", f.EntryPoint, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryHttpTriggerAttribute_UsesFunctionLevel()
    {
        var triggers = typeof(JobsFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetParameters().Select(p => (Function: m.Name, Trigger: p.GetCustomAttribute<HttpTriggerAttribute>())))
            .Where(p => p.Trigger is not null)
            .ToArray();

        Assert.NotEmpty(triggers);
        Assert.All(triggers, t => Assert.Equal(Anonymous.Contains(t.Function) ? AuthorizationLevel.Anonymous : AuthorizationLevel.Function, t.Trigger!.AuthLevel));
    }

    [Theory]
    [InlineData("GET", "jobs")]
    [InlineData("GET", "stats")]
    [InlineData("GET", "workers")]
    [InlineData("POST", "workers/add")]
    [InlineData("POST", "uploads")]
    [InlineData("GET", "preferences/purifier")]
    public async Task LocalHost_Answers401WithoutTheKey_And200WithIt_WhenAKeyIsConfigured(string method, string path)
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["LocalHost:FunctionKey"] = "secret" });
        using var without = new HttpRequestMessage(new HttpMethod(method), path);
        using var with = new HttpRequestMessage(new HttpMethod(method), path);
        with.Headers.Add("x-functions-key", "secret");
        if (method == "POST")
        {
            with.Content = new StringContent("{\"url\": \"10.2.3.4:80\"}", System.Text.Encoding.UTF8, "application/json");
        }

        using var refused = await host.Client.SendAsync(without);
        using var allowed = await host.Client.SendAsync(with);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(allowed.IsSuccessStatusCode, $"{method} /{path} with the key answered {(int)allowed.StatusCode}");
    }
}
