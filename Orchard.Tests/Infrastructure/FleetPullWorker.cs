using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Orchard.Tests.Infrastructure;

/// <summary>
/// One <c>POST /workers/{id}/lease</c> call: when it was sent and answered, the status, and the chunk it brought with
/// when the master leased it (its expiry less the lease's life: the call's answer comes later, after bookkeeping).
/// </summary>
public sealed record FleetLeaseCall(DateTimeOffset AskedAt, DateTimeOffset AnsweredAt, int Status, string? LeaseId, string? JobId, int? Index)
{
    public DateTimeOffset? LeasedAt { get; init; }
}

/// <summary>A result the master answered: 200 (accepted) or 409 (the lease was no longer this worker's).</summary>
public sealed record FleetPullAnswer(string LeaseId, string JobId, int Index, int Status, DateTimeOffset At);

/// <summary>
/// A worker device stand-in speaking the pull protocol (docs/worker-protocol.md) on loopback, as a device behind NAT
/// does: it opens no port, registers without a URL, long-polls for a lease, downloads the chunk's audio, "works" for
/// audio length × <see cref="SpeedRatio"/> while renewing the lease, and answers one segment per run of sound (as
/// <see cref="FakeWorker"/> does). A master that is away (killed, restarting) is retried every 250 ms; a 404 on the
/// poll registers again with the same id; a 409 on a renewal drops the chunk. Everything it saw is recorded.
/// </summary>
public sealed class FleetPullWorker : IAsyncDisposable
{
    private const string ProtocolHeader = "X-Orchard-Protocol";
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(250);

    private readonly HttpClient http;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<FleetLeaseCall> calls = new();
    private readonly ConcurrentQueue<FleetPullAnswer> answers = new();
    private readonly Task loop;
    private int dropped;
    private int pending;

    private FleetPullWorker(string masterUrl, double speedRatio, int waitSeconds, string name)
    {
        SpeedRatio = speedRatio;
        WaitSeconds = waitSeconds;
        Name = name;
        http = new HttpClient { BaseAddress = new Uri(masterUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(waitSeconds + 15) };
        loop = Task.Run(RunAsync);
    }

    public double SpeedRatio { get; }

    /// <summary>The long poll's <c>wait_seconds</c>.</summary>
    public int WaitSeconds { get; }

    public string Name { get; }

    /// <summary>The id the master gave it; null until it registered.</summary>
    public string? Id { get; private set; }

    /// <summary>Every lease call the master answered, in order.</summary>
    public IReadOnlyCollection<FleetLeaseCall> Calls => calls;

    /// <summary>Every answer it sent that the master took (200) or refused as lost (409).</summary>
    public IReadOnlyCollection<FleetPullAnswer> Answers => answers;

    /// <summary>Answers the master accepted.</summary>
    public IEnumerable<FleetPullAnswer> Accepted => answers.Where(a => a.Status == 200);

    /// <summary>Chunks given up because a renewal answered 409.</summary>
    public int Dropped => Volatile.Read(ref dropped);

    /// <summary>True while a lease call is waiting at the master.</summary>
    public bool Polling => Volatile.Read(ref pending) == 1;

    /// <summary>When the lease call now waiting at the master was sent (null when none is).</summary>
    public DateTimeOffset? PollingSince { get; private set; }

    /// <summary>Starts a worker polling <paramref name="masterUrl"/> at once.</summary>
    public static FleetPullWorker Start(string masterUrl, double speedRatio = 0.05, int waitSeconds = 25, string name = "fake-pull") =>
        new(masterUrl, speedRatio, waitSeconds, name);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
        http.Dispose();
        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var token = stopping.Token;
        // Bounded in count too: a test lasts minutes, and each round waits at least a moment.
        for (var round = 0; round < 100_000 && !token.IsCancellationRequested; round++)
        {
            try
            {
                if (Id is null || !await LeaseAndServeAsync(token))
                {
                    await RegisterAsync(token);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // The master is away (killed, restarting): try again shortly.
                await Pause(token);
            }
        }
    }

    private async Task RegisterAsync(CancellationToken token)
    {
        using var response = await SendAsync(HttpMethod.Post, "workers", new { name = Name, model = "fake", url = (string?)null, id = Id, protocol = 1 }, token);
        if (response.IsSuccessStatusCode)
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
            Id = body.RootElement.GetProperty("id").GetString();
        }
        else
        {
            await Pause(token);
        }
    }

    /// <summary>One long poll, and the chunk it brought if any; false when the master forgot this worker.</summary>
    private async Task<bool> LeaseAndServeAsync(CancellationToken token)
    {
        var asked = DateTimeOffset.UtcNow;
        PollingSince = asked;
        Volatile.Write(ref pending, 1);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Post, $"workers/{Uri.EscapeDataString(Id!)}/lease", new { wait_seconds = WaitSeconds }, token);
        }
        finally
        {
            Volatile.Write(ref pending, 0);
            PollingSince = null;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                calls.Enqueue(new FleetLeaseCall(asked, DateTimeOffset.UtcNow, status, null, null, null));
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }

                if (response.StatusCode != HttpStatusCode.NoContent)
                {
                    await Pause(token);
                }

                return true;
            }

            using var offer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
            var lease = offer.RootElement;
            var leaseId = lease.GetProperty("lease_id").GetString()!;
            var jobId = lease.GetProperty("job_id").GetString()!;
            var index = lease.GetProperty("chunk_index").GetInt32();
            calls.Enqueue(new FleetLeaseCall(asked, DateTimeOffset.UtcNow, status, leaseId, jobId, index)
            {
                LeasedAt = lease.GetProperty("expires_at").GetDateTimeOffset() - TimeSpan.FromSeconds(lease.GetProperty("lease_seconds").GetDouble()),
            });
            await ServeAsync(leaseId, jobId, index, lease.GetProperty("audio_url").GetString()!, TimeSpan.FromSeconds(lease.GetProperty("renew_every_seconds").GetDouble()), token);
            return true;
        }
    }

    private async Task ServeAsync(string leaseId, string jobId, int index, string audioUrl, TimeSpan renewEvery, CancellationToken token)
    {
        byte[] wav;
        using (var audio = await SendAsync(HttpMethod.Get, audioUrl, null, token))
        {
            if (!audio.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref dropped);
                return;
            }

            wav = await audio.Content.ReadAsByteArrayAsync(token);
        }

        var samples = FakeWorker.ReadPcm16(wav);
        var work = TimeSpan.FromSeconds(samples.Length / 16000.0 * SpeedRatio);
        var done = DateTimeOffset.UtcNow + work;
        // Renew as the protocol asks while "transcribing"; a master that is away is not a reason to stop.
        for (var beat = 0; beat < 10_000 && DateTimeOffset.UtcNow < done; beat++)
        {
            var left = done - DateTimeOffset.UtcNow;
            await Task.Delay(left < renewEvery ? left : renewEvery, token);
            if (DateTimeOffset.UtcNow >= done)
            {
                break;
            }

            try
            {
                using var renewal = await SendAsync(HttpMethod.Post, $"leases/{Uri.EscapeDataString(leaseId)}/heartbeat", null, token);
                if (renewal.StatusCode == HttpStatusCode.Conflict)
                {
                    Interlocked.Increment(ref dropped);
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !token.IsCancellationRequested))
            {
            }
        }

        var segments = FakeWorker.SoundRuns(samples).Select((r, i) => new
        {
            start = Clock(r.StartMs),
            end = Clock(r.EndMs),
            start_ms = r.StartMs,
            end_ms = r.EndMs,
            text = $"w{i}",
        }).ToArray();
        var answer = new
        {
            text = string.Join(' ', segments.Select(s => s.text)),
            time_ms = (long)work.TotalMilliseconds,
            metadata = new { model = "fake", language = "en", segments_count = segments.Length },
            segments,
        };

        // Sent again while the master is away, within the lease's life and a little more (a late answer gets 409).
        for (var attempt = 0; attempt < 80; attempt++)
        {
            try
            {
                using var response = await SendAsync(HttpMethod.Post, $"leases/{Uri.EscapeDataString(leaseId)}/result", answer, token);
                answers.Enqueue(new FleetPullAnswer(leaseId, jobId, index, (int)response.StatusCode, DateTimeOffset.UtcNow));
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !token.IsCancellationRequested))
            {
                await Pause(token);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ProtocolHeader, "1");
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, token);
    }

    /// <summary>A short wait that ends quietly when the worker stops (the loop then sees the token).</summary>
    private static Task Pause(CancellationToken token) => Task.Delay(Retry, token).ContinueWith(_ => { }, TaskScheduler.Default);

    private static string Clock(double ms) => TimeSpan.FromMilliseconds(ms).ToString(@"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);
}
