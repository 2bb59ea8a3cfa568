using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;
using Orchard.Functions;
using Orchard.Functions.Functions.Orchestration;
using Orchard.Functions.Functions.Timers;
using Orchard.LocalHost;
using Orchard.LocalHost.Engine;
using Orchard.LocalHost.Functions;
using Orchard.LocalHost.Http;
using Orchard.LocalHost.Timers;

namespace Orchard.Tests.Infrastructure;

/// <summary>
/// The whole function app as the local host runs it: routes from the real functions.metadata on Kestrel (127.0.0.1),
/// the app's services, an in-memory Durable Task engine of its own, real Redis and Azurite under a unique prefix and
/// container. Tests call the function classes directly (<see cref="Function{T}"/>, <see cref="Request"/>) or over HTTP
/// (<see cref="Client"/>).
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly DurableEngineServer server;

    private ApiHost(WebApplication app, DurableEngineServer server, HttpClient client)
    {
        this.app = app;
        this.server = server;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    public DurableTaskClient Durable => Services.GetRequiredService<DurableTaskClient>();

    public IJobStore Jobs => Services.GetRequiredService<IJobStore>();

    public IWorkerRegistry Workers => Services.GetRequiredService<IWorkerRegistry>();

    public BlobContainerClient Container => Services.GetRequiredService<RecordingStore>().Container;

    /// <summary>The Redis key prefix of this host.</summary>
    public string KeyPrefix => Services.GetRequiredService<IConfiguration>()["State:KeyPrefix"]!;

    /// <summary>
    /// Starts the app; with <paramref name="timers"/> its timer functions run on the schedules in the settings;
    /// <paramref name="services"/> registers before the app's own (which only add what is missing), e.g. a replacement
    /// client or a test's telemetry exporter.
    /// </summary>
    public static async Task<ApiHost> StartAsync(IDictionary<string, string?>? settings = null, bool timers = false, Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["State:RedisConnectionString"] = TestEnvironment.RedisConnectionString,
            ["State:FallbackToMemory"] = "false",
            ["State:KeyPrefix"] = RedisFixture.NewPrefix(),
            ["AzureWebJobsStorage"] = TestEnvironment.StorageConnectionString,
            ["Storage:ContainerName"] = "t" + Guid.NewGuid().ToString("N"),
            ["Audio:MinChunkSeconds"] = "8",
            ["Audio:MaxChunkSeconds"] = "20",
            ["Dispatch:NoWorkerPollInterval"] = "00:00:00.200",
            ["Dispatch:TimeoutFloor"] = "00:00:05",
            // Fake workers and webhook receivers listen on http://127.0.0.1, as a LAN fleet does.
            ["Workers:AllowPrivateNetworks"] = "true",
            ["Workers:AllowHttp"] = "true",
            // An open development host, as the local host without a key is: no key is the administrator. A test that
            // sets Security:AdminKey or LocalHost:FunctionKey closes it.
            ["Security:OpenAccess"] = "true",
            // As every deployment sets them; a test passes null to see a host without one.
            [WorkerSweepFunctions.ScheduleSetting] = "0 * * * * *",
            [JobCleanupFunctions.ScheduleSetting] = "30 * * * * *",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var server = await DurableEngineServer.StartInMemoryAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(values);
        builder.WebHost.UseUrls();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMvcCore();
        builder.Services.AddOptions<LocalHostOptions>().BindConfiguration(LocalHostOptions.SectionName);
        services?.Invoke(builder.Services);
        builder.Services.AddOrchardFunctionApp(builder.Configuration);
        builder.Services.AddLocalHostSecurity();
        builder.Services.AddLocalHostTelemetry();
        builder.Services.AddOrchardDurableEngine(server, OrchardTasks.Register);
        var functions = FunctionMetadata.Read(FunctionMetadata.DefaultPath);
        if (timers)
        {
            builder.Services.AddTimerFunctions(functions);
        }

        var app = builder.Build();
        app.MapHttpFunctions(functions, HostJson.Load(HostJson.DefaultPath).RoutePrefix);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ApiHost(app, server, new HttpClient { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>Names of the blobs under a prefix in this host's container.</summary>
    public async Task<List<string>> BlobNamesAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var item in Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>A function class built from the app's services, as the Functions worker builds it per call.</summary>
    public T Function<T>()
        where T : class => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>A real <see cref="HttpRequest"/> (of a <see cref="DefaultHttpContext"/>) for a direct call.</summary>
    public HttpRequest Request(string method = "GET", string? query = null, string? json = null, byte[]? body = null, string? contentType = null)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        var request = context.Request;
        request.Method = method;
        request.Scheme = "http";
        request.Host = new HostString("orchard.test", 7071);
        request.QueryString = query is null ? QueryString.Empty : new QueryString(query.StartsWith('?') ? query : "?" + query);
        var bytes = json is not null ? Encoding.UTF8.GetBytes(json) : body ?? [];
        request.ContentType = json is not null ? "application/json" : contentType;
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        return request;
    }

    /// <summary>A multipart request with <paramref name="content"/> in field <c>file</c> (none when null).</summary>
    public HttpRequest MultipartRequest(byte[]? content, string filename, string field = "file")
    {
        var request = Request("POST", contentType: "multipart/form-data; boundary=x");
        var files = new FormFileCollection();
        if (content is not null)
        {
            files.Add(new FormFile(new MemoryStream(content), 0, content.Length, field, filename));
        }

        request.Form = new FormCollection([], files);
        return request;
    }

    /// <summary>Status and body of a function's answer.</summary>
    public static (int Status, string Text, JsonNode? Json) Read(IActionResult result)
    {
        var content = Assert.IsType<ContentResult>(result);
        var text = content.Content ?? string.Empty;
        JsonNode? json = null;
        if (content.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
        {
            json = JsonNode.Parse(text);
        }

        return (content.StatusCode ?? 200, text, json);
    }

    /// <summary>Status and JSON body of an HTTP answer.</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Json)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Polls the job over HTTP, as the original's clients do, until it has finished (bounded).</summary>
    public async Task<JsonNode> PollUntilFinishedAsync(string jobId, int maxPolls = 300)
    {
        for (var i = 0; i < maxPolls; i++)
        {
            var job = JsonNode.Parse(await Client.GetStringAsync(new Uri($"jobs/{jobId}", UriKind.Relative)))!;
            if (job["status"]!.GetValue<string>() is "completed" or "failed" or "cancelled")
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Job {jobId} did not finish within {maxPolls} polls.");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        await server.DisposeAsync();
    }
}
