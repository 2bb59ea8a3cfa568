using System.Collections.Concurrent;
using System.Diagnostics;
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
/// One <c>POST /workers/{id}/lease</c> call: when it was sent and answered, the status, and the chunk it brought with
/// when the master leased it (its expiry less the lease's life: the call's answer comes later, after bookkeeping).
/// </summary>
public sealed record PullLeaseCall(DateTimeOffset AskedAt, DateTimeOffset AnsweredAt, int Status, string? LeaseId, string? JobId, int? Index)
{
    public DateTimeOffset? LeasedAt { get; init; }
}

/// <summary>A result the master answered: 200 (accepted) or 409 (the lease was no longer this worker's), with its body.</summary>
public sealed record PullAnswer(string LeaseId, string JobId, int Index, int Status, JsonNode? Body, DateTimeOffset At);

/// <summary>
/// One chunk on the worker's own clock, for the benchmark: the lease call that brought it, the audio download, the
/// result call, and how long the worker had been idle (since its previous answer) when the lease arrived.
/// </summary>
public sealed record PullTiming(double AudioSeconds, double LeaseCallMs, double DownloadMs, double AnswerCallMs, double IdleBeforeMs, bool Accepted);

/// <summary>
/// A worker device stand-in speaking the pull protocol (docs/worker-protocol.md) to a master over loopback HTTP, as a
/// device behind NAT does: it opens no port, registers without a URL, long-polls <c>POST /workers/{id}/lease</c>,
/// downloads the chunk's WAV, renews the lease every <c>renew_every_seconds</c> and answers with one segment per run
/// of sound, after audio length × <see cref="SpeedRatio"/> of "processing", in the shape <see cref="FakeWorker"/>
/// answers <c>/transcribe</c>. One lease at a time. A master that is away (killed, restarting) is retried every
/// 250 ms, renewals and answers included; a 404 on the poll registers again with the same id; a 409 on a renewal drops
/// the chunk. Everything it saw is recorded. Used by the tests and the makespan benchmark (linked there). Every loop
/// is bounded in count and time (<see cref="Lifetime"/>); disposing stops it.
/// </summary>
public sealed class FakePullWorker : IAsyncDisposable
{
    /// <summary>The longest a hanging worker keeps renewing, and a late one waits for its gate.</summary>
    private static readonly TimeSpan MisbehaviorLimit = TimeSpan.FromSeconds(45);

    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(250);

    /// <summary>A 204 sooner than this was not a held poll (the worker cools down, say): the worker waits this long.</summary>
    private static readonly TimeSpan ShortestPoll = TimeSpan.FromMilliseconds(100);

    private const int MaxLeaseCalls = 100_000;

    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly string master;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<PullLease> leases = new();
    private readonly ConcurrentQueue<PullLeaseCall> calls = new();
    private readonly ConcurrentQueue<PullAnswer> answers = new();
    private readonly ConcurrentQueue<(string LeaseId, JsonNode? Body)> cancellations = new();
    private readonly ConcurrentQueue<PullTiming> timings = new();
    private readonly ConcurrentQueue<double> emptyPollMs = new();
    private readonly ConcurrentQueue<string> errors = new();
    private Task? loop;
    private int noWork;
    private int dropped;
    private int pending;
    private long pollingSinceTicks;

    /// <summary>A worker of the master at <paramref name="master"/>; <paramref name="shared"/>: one client for many workers (it is not disposed).</summary>
    public FakePullWorker(Uri master, HttpClient? shared = null)
    {
        ArgumentNullException.ThrowIfNull(master);
        this.master = master.ToString().TrimEnd('/') + "/";
        ownsHttp = shared is null;
        http = shared ?? new HttpClient { Timeout = TimeSpan.FromSeconds(40) };
    }

    /// <summary>The id the master gave at registration; empty until it registered.</summary>
    public string Id { get; private set; } = string.Empty;

    public string Name { get; init; } = "fake-pull";

    public double SpeedRatio { get; init; } = 0.01;

    /// <summary>The languages it declares (all when null).</summary>
    public IReadOnlyList<string>? Languages { get; init; }

    public PullMisbehavior Misbehavior { get; init; } = PullMisbehavior.None;

    /// <summary>Which leases (numbered from 1) get <see cref="Misbehavior"/>; every lease when null.</summary>
    public Func<int, bool>? MisbehavesOn { get; init; }

    /// <summary>Stops calling after a misbehaving lease ends (a hung engine that stays stuck), as <see cref="PullMisbehavior.Die"/> always does.</summary>
    public bool StopsAfterMisbehaving { get; init; }

    /// <summary>How long each lease call may wait for work (the protocol's <c>wait_seconds</c>, 25 at most).</summary>
    public double WaitSeconds { get; init; } = 1;

    /// <summary>The longest the worker lives, whatever its user forgets: its calls are cancelled after it.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// For <see cref="PullMisbehavior.AnswerLate"/>: awaited (at most <see cref="MisbehaviorLimit"/>) after the lease
    /// expired and before the late answer, so a test can hold it until the chunk was leased again.
    /// </summary>
    public Func<PullLease, Task>? LateAnswerGate { get; init; }

    /// <summary>Every lease given to this worker, in order.</summary>
    public IReadOnlyList<PullLease> Leases => [.. leases];

    /// <summary>Every lease call the master answered, in order.</summary>
    public IReadOnlyList<PullLeaseCall> Calls => [.. calls];

    /// <summary>Every answer it sent that the master answered, with the master's status and body.</summary>
    public IReadOnlyList<PullAnswer> Answers => [.. answers];

    /// <summary>Answers the master accepted (200).</summary>
    public IReadOnlyList<PullAnswer> Accepted => [.. answers.Where(a => a.Status == 200)];

    /// <summary>Every answer posted, as (lease, status, body).</summary>
    public IReadOnlyList<(string LeaseId, HttpStatusCode Status, JsonNode? Body)> Results => [.. answers.Select(a => (a.LeaseId, (HttpStatusCode)a.Status, a.Body))];

    /// <summary>Leases whose heartbeat the master answered 409 (with its body).</summary>
    public IReadOnlyList<(string LeaseId, JsonNode? Body)> Cancellations => [.. cancellations];

    /// <summary>Leases the master accepted an answer for (200), each once however often it was sent.</summary>
    public IReadOnlyList<string> AcceptedLeases => [.. answers.Where(a => a.Status == 200).Select(a => a.LeaseId).Distinct()];

    /// <summary>Per chunk answered: the worker's own timings (for the benchmark).</summary>
    public IReadOnlyList<PullTiming> Timings => [.. timings];

    /// <summary>Durations of the lease calls answered 204 (no work), in ms.</summary>
    public IReadOnlyList<double> EmptyPollMs => [.. emptyPollMs];

    /// <summary>Lease calls answered 204 (no work).</summary>
    public int NoWorkAnswers => Volatile.Read(ref noWork);

    /// <summary>Chunks given up: a renewal answered 409, or the audio could not be had.</summary>
    public int Dropped => Volatile.Read(ref dropped);

    /// <summary>Statuses the protocol does not allow at that step, and failed calls; empty for a clean run.</summary>
    public IReadOnlyList<string> Errors => [.. errors];

    /// <summary>Set once a misbehaving lease stopped the worker (<see cref="PullMisbehavior.Die"/>, or <see cref="StopsAfterMisbehaving"/>).</summary>
    public bool Dead { get; private set; }

    /// <summary>True while a lease call is waiting at the master.</summary>
    public bool Polling => Volatile.Read(ref pending) == 1;

    /// <summary>When the lease call now waiting at the master was sent (null when none is).</summary>
    public DateTimeOffset? PollingSince => Volatile.Read(ref pollingSinceTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

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
        await worker.RegisterAsync();
        worker.Start();
        return worker;
    }

    /// <summary>
    /// Starts a worker polling <paramref name="masterUrl"/> at once; it registers in its loop, trying again while the
    /// master is away (a host still starting, or restarting).
    /// </summary>
    public static FakePullWorker Start(string masterUrl, double speedRatio = 0.05, int waitSeconds = 25, string name = "fake-pull")
    {
        var worker = new FakePullWorker(new Uri(masterUrl)) { SpeedRatio = speedRatio, WaitSeconds = waitSeconds, Name = name, Lifetime = TimeSpan.FromMinutes(10) };
        worker.Start();
        return worker;
    }

    /// <summary>Registers now (throws when the master refuses).</summary>
    public async Task RegisterAsync()
    {
        stopping.CancelAfter(Lifetime);
        if (!await TryRegisterAsync(stopping.Token))
        {
            throw new InvalidOperationException($"Registration of {Name} was refused: {errors.LastOrDefault()}");
        }
    }

    /// <summary>Starts pulling (registering first when <see cref="RegisterAsync"/> was not called).</summary>
    public void Start()
    {
        stopping.CancelAfter(Lifetime);
        loop ??= Task.Run(() => RunAsync(stopping.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        if (loop is not null)
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (ownsHttp)
        {
            http.Dispose();
        }

        stopping.Dispose();
    }

    private async Task<bool> TryRegisterAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "workers", new { name = Name, model = "fake", languages = Languages, url = (string?)null, id = Id.Length == 0 ? null : Id, protocol = 1 }, cancellationToken);
        var body = await ReadAsync(response, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || body?["id"]?.GetValue<string>() is not { Length: > 0 } given)
        {
            errors.Enqueue($"registration answered {(int)response.StatusCode}: {body?.ToJsonString()}");
            return false;
        }

        Id = given;
        return true;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var number = 0;
        var lastAnswered = Stopwatch.GetTimestamp();
        for (var call = 0; call < MaxLeaseCalls && !cancellationToken.IsCancellationRequested && !Dead; call++)
        {
            try
            {
                if (Id.Length == 0)
                {
                    if (!await TryRegisterAsync(cancellationToken))
                    {
                        await Pause(cancellationToken);
                    }

                    continue;
                }

                var asked = DateTimeOffset.UtcNow;
                var clock = Stopwatch.GetTimestamp();
                HttpResponseMessage response;
                Volatile.Write(ref pollingSinceTicks, asked.UtcTicks);
                Volatile.Write(ref pending, 1);
                try
                {
                    response = await SendAsync(HttpMethod.Post, $"workers/{Uri.EscapeDataString(Id)}/lease", new { wait_seconds = WaitSeconds }, cancellationToken);
                }
                finally
                {
                    Volatile.Write(ref pending, 0);
                    Volatile.Write(ref pollingSinceTicks, 0);
                }

                using (response)
                {
                    var leaseMs = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        calls.Enqueue(new PullLeaseCall(asked, DateTimeOffset.UtcNow, (int)response.StatusCode, null, null, null));
                    }

                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.NoContent:
                            Interlocked.Increment(ref noWork);
                            emptyPollMs.Enqueue(leaseMs);
                            if (leaseMs < ShortestPoll.TotalMilliseconds)
                            {
                                await Task.Delay(ShortestPoll, cancellationToken);
                            }

                            continue;
                        case HttpStatusCode.NotFound:
                            // The master forgot this worker: register again with the same id, as the protocol says.
                            if (!await TryRegisterAsync(cancellationToken))
                            {
                                await Pause(cancellationToken);
                            }

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
                            calls.Enqueue(new PullLeaseCall(asked, DateTimeOffset.UtcNow, 200, lease.LeaseId, lease.JobId, lease.ChunkIndex)
                            {
                                LeasedAt = body["expires_at"]!.GetValue<DateTimeOffset>() - TimeSpan.FromSeconds(lease.LeaseSeconds),
                            });
                            leases.Enqueue(lease);
                            var idleMs = Stopwatch.GetElapsedTime(lastAnswered).TotalMilliseconds;
                            await WorkAsync(lease, body["audio_url"]!.GetValue<string>(), leaseMs, idleMs, cancellationToken);
                            lastAnswered = Stopwatch.GetTimestamp();
                            continue;
                        default:
                            errors.Enqueue($"lease call answered {(int)response.StatusCode}");
                            await Pause(cancellationToken);
                            continue;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or InvalidOperationException or TaskCanceledException or TimeoutException)
            {
                // The master is away (killed, restarting), or said something unreadable: try again shortly.
                errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                await Pause(cancellationToken);
            }
        }
    }

    private async Task WorkAsync(PullLease lease, string audioUrl, double leaseMs, double idleMs, CancellationToken cancellationToken)
    {
        var behavior = MisbehavesOn is null || MisbehavesOn(lease.Number) ? Misbehavior : PullMisbehavior.None;
        var clock = Stopwatch.GetTimestamp();
        byte[] wav;
        using (var audio = await SendAsync(HttpMethod.Get, audioUrl, null, cancellationToken))
        {
            if (audio.StatusCode != HttpStatusCode.OK)
            {
                errors.Enqueue($"audio of lease {lease.Number} answered {(int)audio.StatusCode}");
                Interlocked.Increment(ref dropped);
                return;
            }

            wav = await audio.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        var downloadMs = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
        var samples = FakeWorker.ReadPcm16(wav);
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
                    await lost.CancelAsync(); // renewals end before the answer leaves
                    await renewals;
                    var answering = Stopwatch.GetTimestamp();
                    var status = await AnswerAsync(lease, samples, cancellationToken);
                    timings.Enqueue(new PullTiming(lease.AudioSeconds, leaseMs, downloadMs, Stopwatch.GetElapsedTime(answering).TotalMilliseconds, idleMs, status == 200));
                    return;
            }
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The master took the lease back (409 on a heartbeat): drop the chunk.
            Interlocked.Increment(ref dropped);
        }
        finally
        {
            await lost.CancelAsync();
            await renewals;
            if (behavior != PullMisbehavior.None && StopsAfterMisbehaving)
            {
                Dead = true;
            }
        }
    }

    /// <summary>
    /// Renews every renew_every_seconds until the work ends or the master answers 409 (then cancels the work); a master
    /// that is away is not a reason to stop.
    /// </summary>
    private async Task RenewAsync(PullLease lease, CancellationTokenSource lost)
    {
        var every = TimeSpan.FromSeconds(Math.Max(0.05, lease.RenewEverySeconds));
        var most = (int)Math.Ceiling(MisbehaviorLimit / every) + 10;
        for (var i = 0; i < most && !lost.IsCancellationRequested; i++)
        {
            try
            {
                await Task.Delay(every, lost.Token);
                using var response = await SendAsync(HttpMethod.Post, $"leases/{Uri.EscapeDataString(lease.LeaseId)}/heartbeat", new { }, lost.Token);
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
            catch (OperationCanceledException) when (lost.IsCancellationRequested)
            {
                return; // the work ended (answered, or the worker stopped)
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                errors.Enqueue($"heartbeat of lease {lease.Number} failed: {ex.Message}");
            }
        }
    }

    /// <summary>Posts the answer, sent again while the master is away (within the lease's life and a little more); returns the status.</summary>
    private async Task<int> AnswerAsync(PullLease lease, short[] samples, CancellationToken cancellationToken)
    {
        var answer = FakeWorker.Answer(samples, SpeedRatio);
        for (var attempt = 0; attempt < 80; attempt++)
        {
            try
            {
                using var response = await SendAsync(HttpMethod.Post, $"leases/{Uri.EscapeDataString(lease.LeaseId)}/result", answer, cancellationToken);
                answers.Enqueue(new PullAnswer(lease.LeaseId, lease.JobId, lease.ChunkIndex, (int)response.StatusCode, await ReadAsync(response, cancellationToken), DateTimeOffset.UtcNow));
                return (int)response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                errors.Enqueue($"answer of lease {lease.Number} failed: {ex.Message}");
                await Pause(cancellationToken);
            }
        }

        return 0;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(new Uri(master), path));
        request.Headers.Add("X-Orchard-Protocol", "1");
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>A short wait that ends quietly when the worker stops (the loop then sees the token).</summary>
    private static Task Pause(CancellationToken token) => Task.Delay(Retry, token).ContinueWith(_ => { }, TaskScheduler.Default);
}
