using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orchard.Tests.Worker;

/// <summary>
/// The master's worker-registry triggers as the worker sees them, on 127.0.0.1: <c>POST /workers</c> hands out ids,
/// <c>POST /workers/{id}/heartbeat</c> answers 404 for ids it does not know (or after <see cref="Forget"/>).
/// </summary>
public sealed class FakeMaster : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, bool> known = new();
    private int next;

    private FakeMaster(WebApplication app) => this.app = app;

    public string Url { get; private set; } = string.Empty;

    /// <summary>Every registration body, in order.</summary>
    public ConcurrentQueue<JsonElement> Registrations { get; } = new();

    /// <summary>Every heartbeat's worker id (decoded from the path), in order.</summary>
    public ConcurrentQueue<string> Heartbeats { get; } = new();

    /// <summary>The <c>x-functions-key</c> header of every request (empty when absent).</summary>
    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>A free loopback port, for a master that starts after the worker.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<FakeMaster> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var master = new FakeMaster(app);
        app.MapPost("/workers", master.RegisterAsync);
        app.MapPost("/workers/{id}/heartbeat", master.Heartbeat);
        await app.StartAsync();
        master.Url = app.Urls.First();
        return master;
    }

    /// <summary>Forgets every worker, as a master whose registry was flushed.</summary>
    public void Forget() => known.Clear();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }

    private async Task<IResult> RegisterAsync(HttpRequest request)
    {
        Keys.Enqueue(request.Headers["x-functions-key"].ToString());
        using var body = await JsonDocument.ParseAsync(request.Body);
        Registrations.Enqueue(body.RootElement.Clone());
        var id = body.RootElement.TryGetProperty("id", out var previous) && previous.ValueKind == JsonValueKind.String
            ? previous.GetString()!
            : $"worker/{Interlocked.Increment(ref next)}";
        known[id] = true;
        return Results.Json(new { id, heartbeat_interval_seconds = 1 });
    }

    private IResult Heartbeat(HttpRequest request, string id)
    {
        Keys.Enqueue(request.Headers["x-functions-key"].ToString());

        // Routing leaves %2F encoded in a segment: decode it as the real master does, so escaping is checked.
        id = Uri.UnescapeDataString(id);
        Heartbeats.Enqueue(id);
        return known.ContainsKey(id) ? Results.Ok() : Results.NotFound();
    }
}
