using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Orchard.Tests.Infrastructure;

namespace Orchard.Bench;

/// <summary>How a fake pull worker misbehaves once it has answered <see cref="FakePullWorker.FaultAfter"/> chunks.</summary>
internal enum PullFault
{
    None,

    /// <summary>Leases its next chunk, then goes silent: no renewal, no answer, no further call (a device that died mid-chunk).</summary>
    DiesMidLease,

    /// <summary>Leases its next chunk and keeps renewing it, but never answers (an engine hung on that chunk); stuck after that.</summary>
    HangsRenewing,
}

/// <summary>What a fake pull worker saw of one chunk, on its own clock.</summary>
internal sealed record PullChunk(double SentSeconds, double LeaseCallMs, double DownloadMs, double AnswerCallMs, double IdleBeforeMs, bool Accepted);

/// <summary>
/// A worker device stand-in speaking the pull protocol (docs/worker-protocol.md) to the master on 127.0.0.1: it
/// registers without a URL, long-polls <c>POST /workers/{id}/lease</c>, downloads the chunk's WAV from
/// <c>audio_url</c>, "processes" it for audio length × <see cref="Ratio"/> while renewing the lease every
/// <c>renew_every_seconds</c>, and answers one segment per run of sound (as <see cref="FakeWorker"/> does), one chunk
/// at a time. Every loop is bounded in rounds and stops with <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class FakePullWorker : IAsyncDisposable
{
    private const int MaxRounds = 10_000;
    private static readonly TimeSpan ShortestPoll = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient http;
    private readonly string masterUrl;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<PullChunk> chunks = [];
    private readonly List<double> emptyPollMs = [];
    private Task loop = Task.CompletedTask;
    private int answered;

    private FakePullWorker(HttpClient http, string masterUrl)
    {
        this.http = http;
        this.masterUrl = masterUrl.TrimEnd('/');
    }

    public string Id { get; private set; } = string.Empty;

    public double Ratio { get; private init; }

    public PullFault Fault { get; private init; }

    public int FaultAfter { get; private init; }

    /// <summary>Seconds the long poll may wait (the protocol's most is 25).</summary>
    public int WaitSeconds { get; init; } = 25;

    /// <summary>Answers accepted by the master.</summary>
    public int Answered => Volatile.Read(ref answered);

    /// <summary>Renewals answered 409 (another lease won, or the lease was lost).</summary>
    public int Cancelled { get; private set; }

    /// <summary>Set once the fault struck (it died or hung).</summary>
    public bool Faulted { get; private set; }

    public IReadOnlyList<PullChunk> Chunks
    {
        get
        {
            lock (chunks)
            {
                return [.. chunks];
            }
        }
    }

    /// <summary>Durations of lease calls that found nothing (204).</summary>
    public IReadOnlyList<double> EmptyPollMs
    {
        get
        {
            lock (emptyPollMs)
            {
                return [.. emptyPollMs];
            }
        }
    }

    /// <summary>Registers with the master (no URL: a pull worker), then starts polling unless <paramref name="start"/> is false.</summary>
    public static async Task<FakePullWorker> StartAsync(
        HttpClient http, string masterUrl, double ratio, PullFault fault = PullFault.None, int faultAfter = 0, string[]? languages = null, bool start = true, int waitSeconds = 25)
    {
        var worker = new FakePullWorker(http, masterUrl) { Ratio = ratio, Fault = fault, FaultAfter = faultAfter, WaitSeconds = waitSeconds };
        using var response = await http.PostAsync($"{worker.masterUrl}/workers", Json(new { name = $"fake-pull-{ratio.ToString(CultureInfo.InvariantCulture)}", model = "fake", languages, url = (string?)null, protocol = 1 }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"registration answered {(int)response.StatusCode}: {body}");
        }

        using var answer = JsonDocument.Parse(body);
        worker.Id = answer.RootElement.GetProperty("id").GetString()!;
        if (start)
        {
            worker.Start();
        }

        return worker;
    }

    public void Start() => loop = Task.Run(() => RunAsync(stopping.Token));

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var lastAnswered = Stopwatch.GetTimestamp();
        for (var round = 0; round < MaxRounds && !cancellationToken.IsCancellationRequested && !Faulted; round++)
        {
            try
            {
                var asked = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync($"{masterUrl}/workers/{Uri.EscapeDataString(Id)}/lease", Json(new { wait_seconds = WaitSeconds }), cancellationToken);
                var leaseMs = Stopwatch.GetElapsedTime(asked).TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    lock (emptyPollMs)
                    {
                        emptyPollMs.Add(leaseMs);
                    }

                    if (leaseMs < ShortestPoll.TotalMilliseconds)
                    {
                        await Task.Delay(ShortestPoll, cancellationToken); // the master did not hold the poll: do not spin
                    }

                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                    continue;
                }

                using var offer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var idleMs = Stopwatch.GetElapsedTime(lastAnswered).TotalMilliseconds;
                await ServeAsync(offer.RootElement, leaseMs, idleMs, cancellationToken);
                lastAnswered = Stopwatch.GetTimestamp();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ServeAsync(JsonElement offer, double leaseMs, double idleMs, CancellationToken cancellationToken)
    {
        var leaseId = offer.GetProperty("lease_id").GetString()!;
        var renewEvery = TimeSpan.FromSeconds(Math.Max(0.05, offer.GetProperty("renew_every_seconds").GetDouble()));
        var faulting = Fault != PullFault.None && Answered >= FaultAfter;
        if (faulting && Fault == PullFault.DiesMidLease)
        {
            Faulted = true;
            return;
        }

        var downloading = Stopwatch.GetTimestamp();
        var wav = await http.GetByteArrayAsync(offer.GetProperty("audio_url").GetString(), cancellationToken);
        var downloadMs = Stopwatch.GetElapsedTime(downloading).TotalMilliseconds;
        var samples = ReadPcm16(wav);
        var seconds = samples.Length / 16000.0;

        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var done = new CancellationTokenSource();
        var renewing = RenewAsync(leaseId, renewEvery, lost, done.Token);
        try
        {
            if (faulting)
            {
                // Hung: renews until told the lease is no longer its own (a hedge won, or it was revoked), never answers.
                Faulted = true;
                await Task.Delay(TimeSpan.FromMinutes(5), lost.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(seconds * Ratio), lost.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return; // the lease was lost while "processing": drop the chunk
        }
        finally
        {
            await done.CancelAsync();
            await renewing;
        }

        var answering = Stopwatch.GetTimestamp();
        using var answer = await http.PostAsync($"{masterUrl}/leases/{Uri.EscapeDataString(leaseId)}/result", Json(Answer(samples, seconds)), cancellationToken);
        var answerMs = Stopwatch.GetElapsedTime(answering).TotalMilliseconds;
        if (answer.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref answered);
        }

        lock (chunks)
        {
            chunks.Add(new PullChunk(offer.GetProperty("audio_seconds").GetDouble(), leaseMs, downloadMs, answerMs, idleMs, answer.IsSuccessStatusCode));
        }
    }

    private async Task RenewAsync(string leaseId, TimeSpan every, CancellationTokenSource lost, CancellationToken done)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(lost.Token, done);
        for (var i = 0; i < 10_000 && !both.IsCancellationRequested; i++)
        {
            try
            {
                await Task.Delay(every, both.Token);
                using var renewed = await http.PostAsync($"{masterUrl}/leases/{Uri.EscapeDataString(leaseId)}/heartbeat", null, both.Token);
                if (renewed.StatusCode == HttpStatusCode.Conflict)
                {
                    Cancelled++;
                    await lost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpRequestException)
            {
                // A missed renewal; the next one may still arrive within the lease's life.
            }
        }
    }

    private static object Answer(short[] samples, double seconds)
    {
        var segments = FakeWorker.SoundRuns(samples).Select((r, i) => new
        {
            start = Clock(r.StartMs),
            end = Clock(r.EndMs),
            start_ms = r.StartMs,
            end_ms = r.EndMs,
            text = $"w{i}",
        }).ToArray();
        return new
        {
            text = string.Join(' ', segments.Select(s => s.text)),
            time_ms = (long)(seconds * 1000),
            metadata = new { model = "fake", language = "en", segments_count = segments.Length },
            segments,
        };
    }

    private static StringContent Json(object value)
    {
        var content = new StringContent(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");
        content.Headers.Add("X-Orchard-Protocol", "1");
        return content;
    }

    /// <summary>The 16-bit samples of a WAV, walking its RIFF chunks to "data" (a worker must not assume a 44-byte header).</summary>
    private static short[] ReadPcm16(byte[] wav)
    {
        var offset = 12;
        for (var guard = 0; offset + 8 <= wav.Length && guard < 64; guard++)
        {
            var id = Encoding.ASCII.GetString(wav, offset, 4);
            var size = BitConverter.ToInt32(wav, offset + 4);
            if (id == "data")
            {
                var count = Math.Min(size, wav.Length - offset - 8) / 2;
                var samples = new short[count];
                Buffer.BlockCopy(wav, offset + 8, samples, 0, count * 2);
                return samples;
            }

            offset += 8 + size + (size & 1);
        }

        return [];
    }

    private static string Clock(double ms) => TimeSpan.FromMilliseconds(ms).ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
}
