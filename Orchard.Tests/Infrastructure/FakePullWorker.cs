using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchard.Tests.Infrastructure;

/// <summary>What a <see cref="FakePullWorker"/> does wrong on the leases <see cref="FakePullWorker.MisbehavesOn"/> picks.</summary>
public enum PullMisbehavior
{
    /// <summary>Transcribes and answers like a healthy worker.</summary>
    None,

    /// <summary>Downloads the audio, then dies: stops renewing, never answers, never calls again.</summary>
    Die,

    /// <summary>Keeps renewing the lease but never answers, until the master says the lease is no longer its own.</summary>
    Hang,

    /// <summary>Stops renewing, lets the lease expire, then answers anyway (after <see cref="FakePullWorker.LateAnswerGate"/>).</summary>
    AnswerLate,

    /// <summary>Posts the same answer twice on the same lease.</summary>
    AnswerTwice,
}

/// <summary>A lease a <see cref="FakePullWorker"/> was given (its <see cref="Number"/>th, at <see cref="ReceivedAt"/>), as the master described it.</summary>
public sealed record PullLease(string LeaseId, string JobId, int ChunkIndex, double AudioSeconds, double LeaseSeconds, double RenewEverySeconds, int Number, DateTimeOffset ReceivedAt);

/// <summary>
/// A worker device stand-in speaking the pull protocol (docs/worker-protocol.md) to a master over loopback HTTP: it
/// registers without a URL (it opens no port), long-polls <c>POST /workers/{id}/lease</c>, downloads the chunk's WAV,
/// renews the lease every <c>renew_every_seconds</c> and answers with one segment per run of sound, after audio length
/// × <see cref="SpeedRatio"/> of "processing", in the shape <see cref="FakeWorker"/> answers <c>/transcribe</c>.
/// One lease at a time. Every loop is bounded in count and time; disposing stops it.
/// </summary>
public sealed class FakePullWorker : IAsyncDisposable
{
    /// <summary>The longest a fake pull worker lives, whatever a test forgets: its calls are cancelled after it.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    /// <summary>The longest a hanging worker keeps renewing, and a late one waits for its gate.</summary>
    private static readonly TimeSpan MisbehaviorLimit = TimeSpan.FromSeconds(45);

    private const int MaxLeaseCalls = 2_000;

    private readonly HttpClient http;
    private readonly CancellationTokenSource stopping = new(Lifetime);
    private readonly ConcurrentQueue<PullLease> leases = new();
    private readonly ConcurrentQueue<(string LeaseId, HttpStatusCode Status, JsonNode? Body)> results = new();
    private readonly ConcurrentQueue<(string LeaseId, JsonNode? Body)> cancellations = new();
    private readonly ConcurrentQueue<string> errors = new();
    private Task? loop;
    private int noWork;

    private FakePullWorker(Uri master) =>
        http = new HttpClient { BaseAddress = master, Timeout = TimeSpan.FromSeconds(40) };

    /// <summary>The id the master gave at registration.</summary>
    public string Id { get; private set; } = string.Empty;

    public string Name { get; init; } = "fake-pull";

    public double SpeedRatio { get; init; } = 0.01;

    public PullMisbehavior Misbehavior { get; init; } = PullMisbehavior.None;

    /// <summary>Which leases (numbered from 1) get <see cref="Misbehavior"/>; every lease when null.</summary>
    public Func<int, bool>? MisbehavesOn { get; init; }

    /// <summary>How long each lease call may wait for work (the protocol's <c>wait_seconds</c>).</summary>
    public double WaitSeconds { get; init; } = 1;

    /// <summary>
    /// For <see cref="PullMisbehavior.AnswerLate"/>: awaited (at most <see cref="MisbehaviorLimit"/>) after the lease
    /// expired and before the late answer, so a test can hold it until the chunk was leased again.
    /// </summary>
    public Func<PullLease, Task>? LateAnswerGate { get; init; }

    /// <summary>Every lease given to this worker, in order.</summary>
    public IReadOnlyList<PullLease> Leases => [.. leases];

    /// <summary>Every answer posted, with the master's status and body.</summary>
    public IReadOnlyList<(string LeaseId, HttpStatusCode Status, JsonNode? Body)> Results => [.. results];

    /// <summary>Leases whose heartbeat the master answered 409 (with its body).</summary>
    public IReadOnlyList<(string LeaseId, JsonNode? Body)> Cancellations => [.. cancellations];

    /// <summary>Leases the master accepted an answer for (200), each once however often it was sent.</summary>
    public IReadOnlyList<string> AcceptedLeases => [.. results.Where(r => r.Status == HttpStatusCode.OK).Select(r => r.LeaseId).Distinct()];

    /// <summary>Lease calls answered 204 (no work).</summary>
    public int NoWorkAnswers => Volatile.Read(ref noWork);

    /// <summary>Statuses the protocol does not allow at that step, and failed calls; empty for a clean run.</summary>
    public IReadOnlyList<string> Errors => [.. errors];

    /// <summary>Set once a <see cref="PullMisbehavior.Die"/> lease killed the worker.</summary>
    public bool Dead { get; private set; }

    /// <summary>Registers with the master at <paramref name="master"/> (its base address) and starts pulling.</summary>
    public static async Task<FakePullWorker> StartAsync(
        Uri master,
        double speedRatio = 0.01,
        PullMisbehavior misbehavior = PullMisbehavior.None,
        Func<int, bool>? misbehavesOn = null,
        Func<PullLease, Task>? lateAnswerGate = null,
        string name = "fake-pull")
    {
        var worker = new FakePullWorker(master)
        {
            SpeedRatio = speedRatio,
            Misbehavior = misbehavior,
            MisbehavesOn = misbehavesOn,
            LateAnswerGate = lateAnswerGate,
            Name = name,
        };
        worker.Id = await worker.RegisterAsync(null, worker.stopping.Token);
        worker.loop = Task.Run(() => worker.RunAsync(worker.stopping.Token));
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        if (loop is not null)
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        http.Dispose();
        stopping.Dispose();
    }

    private async Task<string> RegisterAsync(string? id, CancellationToken cancellationToken)
    {
        using var response = await PostAsync("workers", new { name = Name, model = "fake", languages = (string[]?)null, url = (string?)null, id, protocol = 1 }, cancellationToken);
        var body = await ReadAsync(response, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || body?["id"]?.GetValue<string>() is not { Length: > 0 } given)
        {
            throw new InvalidOperationException($"Registration answered {(int)response.StatusCode}: {body?.ToJsonString()}");
        }

        return given;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var number = 0;
        for (var call = 0; call < MaxLeaseCalls && !cancellationToken.IsCancellationRequested && !Dead; call++)
        {
            try
            {
                using var response = await PostAsync($"workers/{Uri.EscapeDataString(Id)}/lease", new { wait_seconds = WaitSeconds }, cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.NoContent:
                        Interlocked.Increment(ref noWork);
                        continue;
                    case HttpStatusCode.NotFound:
                        // The master forgot this worker: register again with the same id, as the protocol says.
                        Id = await RegisterAsync(Id, cancellationToken);
                        continue;
                    case HttpStatusCode.OK:
                        var body = (await ReadAsync(response, cancellationToken))!;
                        var lease = new PullLease(
                            body["lease_id"]!.GetValue<string>(),
                            body["job_id"]!.GetValue<string>(),
                            body["chunk_index"]!.GetValue<int>(),
                            body["audio_seconds"]!.GetValue<double>(),
                            body["lease_seconds"]!.GetValue<double>(),
                            body["renew_every_seconds"]!.GetValue<double>(),
                            ++number,
                            DateTimeOffset.UtcNow);
                        leases.Enqueue(lease);
                        await WorkAsync(lease, body["audio_url"]!.GetValue<string>(), cancellationToken);
                        continue;
                    default:
                        errors.Enqueue($"lease call answered {(int)response.StatusCode}");
                        await Task.Delay(200, cancellationToken);
                        continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException or TimeoutException)
            {
                errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                await Task.Delay(200, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task WorkAsync(PullLease lease, string audioUrl, CancellationToken cancellationToken)
    {
        var behavior = MisbehavesOn is null || MisbehavesOn(lease.Number) ? Misbehavior : PullMisbehavior.None;
        using var audio = await http.GetAsync(new Uri(audioUrl), cancellationToken);
        if (audio.StatusCode != HttpStatusCode.OK)
        {
            errors.Enqueue($"audio of lease {lease.Number} answered {(int)audio.StatusCode}");
            return;
        }

        var samples = FakeWorker.ReadPcm16(await audio.Content.ReadAsByteArrayAsync(cancellationToken));
        if (behavior == PullMisbehavior.Die)
        {
            // A device that loses power mid-chunk: no renewal, no answer, no further call.
            Dead = true;
            return;
        }

        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewals = behavior == PullMisbehavior.AnswerLate ? Task.CompletedTask : RenewAsync(lease, lost);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(samples.Length / 16000.0 * SpeedRatio), lost.Token);
            switch (behavior)
            {
                case PullMisbehavior.Hang:
                    // Renewing (so the master sees it alive) but never answering, until the lease is taken from it.
                    await Task.Delay(MisbehaviorLimit, lost.Token);
                    errors.Enqueue($"hanging lease {lease.Number} was never cancelled");
                    return;
                case PullMisbehavior.AnswerLate:
                    await Task.Delay(TimeSpan.FromSeconds(lease.LeaseSeconds + lease.RenewEverySeconds), lost.Token);
                    if (LateAnswerGate is { } gate)
                    {
                        await gate(lease).WaitAsync(MisbehaviorLimit, lost.Token);
                    }

                    await AnswerAsync(lease, samples, cancellationToken);
                    return;
                case PullMisbehavior.AnswerTwice:
                    await AnswerAsync(lease, samples, cancellationToken);
                    await AnswerAsync(lease, samples, cancellationToken);
                    return;
                default:
                    await AnswerAsync(lease, samples, cancellationToken);
                    return;
            }
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The master took the lease back (409 on a heartbeat): drop the chunk.
        }
        finally
        {
            await lost.CancelAsync();
            await renewals;
        }
    }

    /// <summary>Renews every renew_every_seconds until the work ends or the master answers 409 (then cancels the work).</summary>
    private async Task RenewAsync(PullLease lease, CancellationTokenSource lost)
    {
        var every = TimeSpan.FromSeconds(lease.RenewEverySeconds);
        var most = (int)Math.Ceiling(MisbehaviorLimit / every) + 10;
        try
        {
            for (var i = 0; i < most && !lost.IsCancellationRequested; i++)
            {
                await Task.Delay(every, lost.Token);
                using var response = await PostAsync($"leases/{Uri.EscapeDataString(lease.LeaseId)}/heartbeat", new { }, lost.Token);
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    cancellations.Enqueue((lease.LeaseId, await ReadAsync(response, CancellationToken.None)));
                    await lost.CancelAsync();
                    return;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    errors.Enqueue($"heartbeat of lease {lease.Number} answered {(int)response.StatusCode}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The work ended (answered, or the worker stopped).
        }
        catch (HttpRequestException ex)
        {
            errors.Enqueue($"heartbeat of lease {lease.Number} failed: {ex.Message}");
        }
    }

    private async Task AnswerAsync(PullLease lease, short[] samples, CancellationToken cancellationToken)
    {
        using var response = await PostAsync($"leases/{Uri.EscapeDataString(lease.LeaseId)}/result", FakeWorker.Answer(samples, SpeedRatio), cancellationToken);
        results.Enqueue((lease.LeaseId, response.StatusCode, await ReadAsync(response, cancellationToken)));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Orchard-Protocol", "1");
        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
