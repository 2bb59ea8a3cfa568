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
/// The master's worker triggers as the worker sees them (docs/worker-protocol.md), on 127.0.0.1:
/// <c>POST /workers</c> hands out ids, <c>POST /workers/{id}/heartbeat</c> and <c>POST /workers/{id}/lease</c> answer
/// 404 for ids it does not know (or after <see cref="Forget"/>). A lease hands out the next chunk queued with
/// <see cref="Offer"/>, or 204 after a short hold; the chunk's audio, renewals, results and failures are recorded.
/// </summary>
public sealed class FakeMaster : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, bool> known = new();
    private readonly ConcurrentQueue<FakeLease> offers = new();
    private readonly ConcurrentDictionary<string, FakeLease> leases = new();
    private int next;
    private int nextLease;
    private int leasePolls;

    private FakeMaster(WebApplication app) => this.app = app;

    public string Url { get; private set; } = string.Empty;

    /// <summary>Every registration body, in order.</summary>
    public ConcurrentQueue<JsonElement> Registrations { get; } = new();

    /// <summary>Every heartbeat's worker id (decoded from the path), in order.</summary>
    public ConcurrentQueue<string> Heartbeats { get; } = new();

    /// <summary>The <c>x-functions-key</c> header of every request (empty when absent).</summary>
    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>The <c>X-Orchard-Protocol</c> header of every request (empty when absent).</summary>
    public ConcurrentQueue<string> Protocols { get; } = new();

    /// <summary>Every lease poll's body, in order.</summary>
    public ConcurrentQueue<JsonElement> LeasePollBodies { get; } = new();

    /// <summary>Lease polls so far, whatever they were answered.</summary>
    public int LeasePolls => Volatile.Read(ref leasePolls);

    /// <summary>How long a lease poll with nothing queued is held before its 204 (a real master holds up to 25 s).</summary>
    public TimeSpan Hold { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The origin leases put in <c>audio_url</c>; null: this master's own.</summary>
    public string? AudioOrigin { get; set; }

    /// <summary>The idle heartbeat interval handed out on registration.</summary>
    public int HeartbeatIntervalSeconds { get; set; } = 1;

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
        app.MapPost("/workers/{id}/lease", master.LeaseAsync);
        app.MapGet("/leases/{lease}/audio", master.Audio);
        app.MapPost("/leases/{lease}/heartbeat", master.Renew);
        app.MapPost("/leases/{lease}/result", master.ResultAsync);
        app.MapPost("/leases/{lease}/fail", master.FailAsync);
        await app.StartAsync();
        master.Url = app.Urls.First();
        return master;
    }

    /// <summary>Forgets every worker, as a master whose registry was flushed.</summary>
    public void Forget() => known.Clear();

    /// <summary>
    /// Queues a chunk for the next lease poll. <paramref name="cancelAfterRenewals"/> renewals are accepted, the
    /// next ones get 409 (negative: never), as when another worker answered first.
    /// </summary>
    public FakeLease Offer(byte[] wav, string? language = "en", double renewEverySeconds = 0.1, int cancelAfterRenewals = -1)
    {
        var lease = new FakeLease($"lease/{Interlocked.Increment(ref nextLease)}", wav, language, renewEverySeconds, cancelAfterRenewals);
        leases[lease.Id] = lease;
        offers.Enqueue(lease);
        return lease;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }

    private void Record(HttpRequest request)
    {
        Keys.Enqueue(request.Headers["x-functions-key"].ToString());
        Protocols.Enqueue(request.Headers["X-Orchard-Protocol"].ToString());
    }

    private async Task<IResult> RegisterAsync(HttpRequest request)
    {
        Record(request);
        using var body = await JsonDocument.ParseAsync(request.Body);
        Registrations.Enqueue(body.RootElement.Clone());
        var id = body.RootElement.TryGetProperty("id", out var previous) && previous.ValueKind == JsonValueKind.String
            ? previous.GetString()!
            : $"worker/{Interlocked.Increment(ref next)}";
        known[id] = true;
        return Results.Json(new { id, heartbeat_interval_seconds = HeartbeatIntervalSeconds, protocol = 1 });
    }

    private IResult Heartbeat(HttpRequest request, string id)
    {
        Record(request);

        // Routing leaves %2F encoded in a segment: decode it as the real master does, so escaping is checked.
        id = Uri.UnescapeDataString(id);
        Heartbeats.Enqueue(id);
        return known.ContainsKey(id) ? Results.Ok() : Results.NotFound();
    }

    private async Task<IResult> LeaseAsync(HttpRequest request, string id)
    {
        Record(request);
        Interlocked.Increment(ref leasePolls);
        using (var body = await JsonDocument.ParseAsync(request.Body))
        {
            LeasePollBodies.Enqueue(body.RootElement.Clone());
        }

        if (!known.ContainsKey(Uri.UnescapeDataString(id)))
        {
            return Results.NotFound();
        }

        if (!offers.TryDequeue(out var lease))
        {
            await Task.Delay(Hold, request.HttpContext.RequestAborted);
            if (!offers.TryDequeue(out lease))
            {
                return Results.NoContent();
            }
        }

        return Results.Json(new
        {
            lease_id = lease.Id,
            protocol = 1,
            job_id = "job1",
            chunk_index = 0,
            chunk_id = "job1_chunk_0",
            audio_url = $"{AudioOrigin ?? Url}/leases/{Uri.EscapeDataString(lease.Id)}/audio",
            audio_seconds = 1.0,
            language = lease.Language,
            expires_at = DateTimeOffset.UtcNow.AddSeconds(12),
            lease_seconds = 12,
            renew_every_seconds = lease.RenewEverySeconds,
        });
    }

    private IResult Audio(HttpRequest request, string lease)
    {
        Record(request);
        if (!leases.TryGetValue(Uri.UnescapeDataString(lease), out var found))
        {
            return Results.NotFound();
        }

        found.Downloads.Enqueue(request.Headers["x-functions-key"].ToString());
        return Results.Bytes(found.Wav, "audio/wav");
    }

    private IResult Renew(HttpRequest request, string lease)
    {
        Record(request);
        if (!leases.TryGetValue(Uri.UnescapeDataString(lease), out var found))
        {
            return Results.NotFound();
        }

        if (!found.Renew())
        {
            return Results.Json(new { error = "Another worker answered this chunk first.", cancelled = true }, statusCode: StatusCodes.Status409Conflict);
        }

        return Results.Json(new { expires_at = DateTimeOffset.UtcNow.AddSeconds(12), renew_every_seconds = found.RenewEverySeconds });
    }

    private async Task<IResult> ResultAsync(HttpRequest request, string lease) =>
        await AnswerAsync(request, lease, (found, body) => found.Results.Enqueue(body), "accepted");

    private async Task<IResult> FailAsync(HttpRequest request, string lease) =>
        await AnswerAsync(request, lease, (found, body) => found.Failures.Enqueue(body), "released");

    private async Task<IResult> AnswerAsync(HttpRequest request, string lease, Action<FakeLease, JsonElement> record, string status)
    {
        Record(request);
        if (!leases.TryGetValue(Uri.UnescapeDataString(lease), out var found))
        {
            return Results.NotFound();
        }

        using var body = await JsonDocument.ParseAsync(request.Body);
        record(found, body.RootElement.Clone());
        return found.Cancelled
            ? Results.Json(new { error = "The lease is no longer this worker's.", cancelled = true }, statusCode: StatusCodes.Status409Conflict)
            : Results.Json(new { status });
    }
}

/// <summary>One chunk the <see cref="FakeMaster"/> leased out, and what the worker did with it.</summary>
public sealed class FakeLease(string id, byte[] wav, string? language, double renewEverySeconds, int cancelAfterRenewals)
{
    private int renewals;
    private int cancelled;

    public string Id { get; } = id;

    public byte[] Wav { get; } = wav;

    public string? Language { get; } = language;

    public double RenewEverySeconds { get; } = renewEverySeconds;

    /// <summary>Renewals asked for so far, the refused ones included.</summary>
    public int Renewals => Volatile.Read(ref renewals);

    /// <summary>Whether the lease was taken back (a renewal got 409).</summary>
    public bool Cancelled => Volatile.Read(ref cancelled) == 1;

    /// <summary>The <c>x-functions-key</c> of each audio download.</summary>
    public ConcurrentQueue<string> Downloads { get; } = new();

    /// <summary>Every result body posted.</summary>
    public ConcurrentQueue<JsonElement> Results { get; } = new();

    /// <summary>Every failure body posted.</summary>
    public ConcurrentQueue<JsonElement> Failures { get; } = new();

    /// <summary>Counts a renewal; false when it is refused, which takes the lease back for good.</summary>
    internal bool Renew()
    {
        var renewal = Interlocked.Increment(ref renewals);
        if (cancelAfterRenewals >= 0 && renewal > cancelAfterRenewals)
        {
            Volatile.Write(ref cancelled, 1);
        }

        return !Cancelled;
    }
}
