using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchard.LocalHost;
using Orchard.LocalHost.Engine;
using Orchard.LocalHost.Functions;
using Orchard.LocalHost.Http;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.LocalHost;

public sealed class HttpFunctionRouterTests : IDisposable
{
    const string Key = "test-key";

    readonly string metadataPath = FunctionMetadataWriter.Write(
        FunctionMetadataWriter.Http(typeof(SampleHttpFunctions).GetMethod(nameof(SampleHttpFunctions.GetItem))!, "Function", "items/{id}", "get"),
        FunctionMetadataWriter.Http(typeof(SampleHttpFunctions).GetMethod(nameof(SampleHttpFunctions.Echo))!, "Anonymous", "echo/{name}", "post"),
        FunctionMetadataWriter.Http(typeof(SampleHttpFunctions).GetMethod(nameof(SampleHttpFunctions.Fail))!, "Anonymous", "fail", "get"),
        FunctionMetadataWriter.Http(typeof(SampleHttpFunctions).GetMethod(nameof(SampleHttpFunctions.StartFanOut))!, "Function", "fanout/{count:int}", "post"));

    public void Dispose() => File.Delete(metadataPath);

    [Fact]
    public async Task MapHttpFunctions_BindsRouteValueAndServices_WhenKeyGivenInQuery()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, Key);

        var item = await app.Client.GetFromJsonAsync<SampleItem>($"items/42?code={Key}");

        Assert.Equal(new SampleItem(42, "hello"), item);
    }

    [Fact]
    public async Task MapHttpFunctions_ServesRoutesUnderThePrefix_WhenHostJsonNamesOne()
    {
        var hostJson = HostJson.Parse("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "/v2/" } } }""");
        await using var app = await RouterApp.StartAsync(metadataPath, Key, routePrefix: hostJson.RoutePrefix);

        var item = await app.Client.GetFromJsonAsync<SampleItem>($"v2/items/42?code={Key}");
        using var unprefixed = await app.Client.GetAsync(new Uri($"items/42?code={Key}", UriKind.Relative));

        Assert.Equal(new SampleItem(42, "hello"), item);
        Assert.Equal(HttpStatusCode.NotFound, unprefixed.StatusCode);
    }

    [Fact]
    public async Task MapHttpFunctions_AcceptsKeyHeader_WhenKeyConfigured()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "items/7");
        request.Headers.Add("x-functions-key", Key);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MapHttpFunctions_Answers401Json_WhenKeyMissing()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, Key);

        using var response = await app.Client.GetAsync(new Uri("items/42", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<ErrorResponse>())?.Error));
    }

    [Fact]
    public async Task MapHttpFunctions_NeedsNoKey_WhenRouteAnonymous()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, Key);

        using var response = await app.Client.PostAsync(new Uri("echo/bob", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new SampleItem(0, "bob"), await response.Content.ReadFromJsonAsync<SampleItem>());
    }

    [Fact]
    public async Task MapHttpFunctions_NeedsNoKey_WhenNoKeyConfigured()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, functionKey: null);

        using var response = await app.Client.GetAsync(new Uri("items/1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MapHttpFunctions_Answers405_WhenMethodNotInMetadata()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, Key);

        using var response = await app.Client.DeleteAsync(new Uri($"items/42?code={Key}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task MapHttpFunctions_Answers400Json_WhenRouteValueIsNotAnInt()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, Key);

        using var response = await app.Client.GetAsync(new Uri($"items/abc?code={Key}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id", (await response.Content.ReadFromJsonAsync<ErrorResponse>())?.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapHttpFunctions_Answers500JsonWithoutDetails_WhenFunctionThrows()
    {
        await using var app = await RouterApp.StartAsync(metadataPath, Key);

        using var response = await app.Client.GetAsync(new Uri("fail", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(SampleHttpFunctions.SecretDetail, body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.Contains(nameof(SampleHttpFunctions.Fail), System.Text.Json.JsonSerializer.Deserialize<ErrorResponse>(body, JsonWeb)?.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapHttpFunctions_GivesTheEngineClient_WhenFunctionTakesDurableClient()
    {
        var counter = new ActivityCounter();
        await using var engine = await DurableEngineServer.StartInMemoryAsync();
        await using var app = await RouterApp.StartAsync(metadataPath, Key, services =>
        {
            services.AddSingleton(counter);
            services.AddOrchardDurableEngine(engine, FanOutSample.Register);
        });

        using var response = await app.Client.PostAsync(new Uri($"fanout/10?code={Key}", UriKind.Relative), content: null);
        var instance = await response.Content.ReadFromJsonAsync<SampleInstance>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var status = await app.Services.GetRequiredService<DurableTaskClient>()
            .WaitForInstanceCompletionAsync(instance!.Id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(FanOutSample.ExpectedSum(10), status.ReadOutputAs<long>());
    }

    static readonly System.Text.Json.JsonSerializerOptions JsonWeb = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>A Kestrel app on 127.0.0.1 with the router, MVC core and the sample's services.</summary>
    sealed class RouterApp(WebApplication app, HttpClient client) : IAsyncDisposable
    {
        public HttpClient Client => client;

        public IServiceProvider Services => app.Services;

        public static async Task<RouterApp> StartAsync(string metadataPath, string? functionKey, Action<IServiceCollection>? configure = null, string routePrefix = "")
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            builder.Services.AddMvcCore();
            builder.Services.AddSingleton(new SampleGreeting());
            builder.Services.Configure<LocalHostOptions>(o => o.FunctionKey = functionKey);
            configure?.Invoke(builder.Services);
            var app = builder.Build();
            app.MapHttpFunctions(FunctionMetadata.Read(metadataPath), routePrefix);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new RouterApp(app, new HttpClient { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromSeconds(20) });
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }
    }
}
