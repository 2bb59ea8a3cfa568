using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orchard.Tests.Infrastructure;

/// <summary>What a fake worker heard: the sound runs in the audio it was sent, the audio's length and the language asked for.</summary>
public sealed record FakeRequest(IReadOnlyList<(double StartMs, double EndMs)> Runs, double SentMs, string? Language);

/// <summary>How a fake worker behaves.</summary>
public enum FakeWorkerBehavior
{
    Transcribe,
    Fail500,
    Nonsense,
}

/// <summary>
/// A worker device stand-in speaking the real <c>/transcribe</c> protocol on 127.0.0.1: it answers one segment per
/// run of sound it finds in the WAV it receives, after audio length × <see cref="SpeedRatio"/> of "processing".
/// One request at a time, as real workers do. It can fail, talk nonsense, or die after N answers.
/// </summary>
public sealed class FakeWorker : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly SemaphoreSlim oneAtATime = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> traceParents = new();
    private Task? registration;
    private int answered;
    private int concurrent;
    private int requests;

    private FakeWorker(WebApplication app) => this.app = app;

    public string Url { get; private set; } = string.Empty;

    public double SpeedRatio { get; init; } = 0.01;

    public FakeWorkerBehavior Behavior { get; set; } = FakeWorkerBehavior.Transcribe;

    /// <summary>Audio this says yes to is answered with a 500, whatever <see cref="Behavior"/> says (a chunk no engine can take).</summary>
    public Func<short[], bool>? FailsOn { get; set; }

    /// <summary>After this many answers the worker stops listening (a device that dies mid-job).</summary>
    public int? DieAfter { get; init; }

    public int Answered => answered;

    /// <summary>Requests that carried audio (answered, refused or failed).</summary>
    public int Requests => requests;

    /// <summary>When set, what the worker answers instead of its one segment per run (an engine's own shape).</summary>
    public Func<FakeRequest, IResult>? Respond { get; set; }

    /// <summary>The W3C <c>traceparent</c> header of each <c>/transcribe</c> request that carried one.</summary>
    public IReadOnlyCollection<string> TraceParents => traceParents;

    /// <summary>True if it was ever given a second chunk while working on one.</summary>
    public bool WasDoubleBooked { get; private set; }

    public static async Task<FakeWorker> StartAsync(double speedRatio = 0.01, FakeWorkerBehavior behavior = FakeWorkerBehavior.Transcribe, int? dieAfter = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var worker = new FakeWorker(app) { SpeedRatio = speedRatio, Behavior = behavior, DieAfter = dieAfter };
        app.MapGet("/", () => "fake whisper worker");
        app.MapPost("/transcribe", worker.TranscribeAsync);
        await app.StartAsync();
        worker.Url = app.Urls.First();
        return worker;
    }

    /// <summary>
    /// Registers with a master as a self-registering device does (<c>POST /workers</c>), then heartbeats every
    /// <paramref name="interval"/> and registers again, with its previous id, whenever the master answers 404.
    /// Runs until the worker is disposed.
    /// </summary>
    public void RegisterWith(string masterUrl, TimeSpan interval)
    {
        var http = new HttpClient { BaseAddress = new Uri(masterUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(5) };
        registration = Task.Run(async () =>
        {
            string? id = null;
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    if (id is null || (await http.PostAsync($"workers/{Uri.EscapeDataString(id)}/heartbeat", null, stopping.Token)).StatusCode == System.Net.HttpStatusCode.NotFound)
                    {
                        using var response = await http.PostAsync("workers", JsonContent(new { url = Url, name = "fake", model = "fake", id }), stopping.Token);
                        if (response.IsSuccessStatusCode)
                        {
                            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stopping.Token));
                            id = body.RootElement.GetProperty("id").GetString();
                            Registrations++;
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // The master is away (restarting): try again at the next beat.
                }

                await Task.Delay(interval, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            http.Dispose();
        });
    }

    /// <summary>How many times the worker registered (more than once after the master forgot it).</summary>
    public int Registrations { get; private set; }

    private static StringContent JsonContent(object value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        if (registration is not null)
        {
            await registration;
        }

        await app.DisposeAsync();
        oneAtATime.Dispose();
        stopping.Dispose();
    }

    private async Task<IResult> TranscribeAsync(HttpRequest request)
    {
        if (request.Headers.TryGetValue("traceparent", out var traceParent))
        {
            traceParents.Enqueue(traceParent.ToString());
        }

        if (Interlocked.Increment(ref concurrent) > 1)
        {
            WasDoubleBooked = true;
        }

        await oneAtATime.WaitAsync();
        try
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (body.Length == 0)
            {
                return Results.BadRequest("No audio data");
            }

            if (DieAfter is { } limit && answered >= limit)
            {
                request.HttpContext.Abort();
                return Results.Empty;
            }

            var samples = ReadPcm16(body.ToArray());
            Interlocked.Increment(ref requests);
            try
            {
                // A client that went away (a master killed mid-request) ends the work, as its closed socket would.
                await Task.Delay(TimeSpan.FromSeconds(samples.Length / 16000.0 * SpeedRatio), request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty;
            }

            if (FailsOn?.Invoke(samples) == true)
            {
                return Results.Text("model crashed on this audio", statusCode: 500);
            }

            if (Respond is { } respond)
            {
                var language = request.Query["language"].ToString();
                Interlocked.Increment(ref answered);
                return respond(new FakeRequest(SoundRuns(samples), samples.Length / 16.0, language.Length > 0 ? language : null));
            }

            switch (Behavior)
            {
                case FakeWorkerBehavior.Fail500:
                    return Results.Text("model crashed", statusCode: 500);
                case FakeWorkerBehavior.Nonsense:
                    return Results.Text("{\"hello\": \"world\"}", "application/json");
            }

            var segments = SoundRuns(samples).Select((r, i) => new
            {
                start = Clock(r.StartMs),
                end = Clock(r.EndMs),
                start_ms = r.StartMs,
                end_ms = r.EndMs,
                text = $"w{i}",
            }).ToArray();
            Interlocked.Increment(ref answered);
            return Results.Json(new
            {
                text = string.Join(' ', segments.Select(s => s.text)),
                time_ms = (long)(samples.Length / 16.0 * SpeedRatio),
                metadata = new { model = "fake", language = "en", segments_count = segments.Length },
                segments,
            }, new JsonSerializerOptions());
        }
        finally
        {
            oneAtATime.Release();
            Interlocked.Decrement(ref concurrent);
        }
    }

    /// <summary>Runs of 10 ms frames above −45 dBFS, joining gaps under 200 ms.</summary>
    public static IReadOnlyList<(double StartMs, double EndMs)> SoundRuns(short[] samples)
    {
        const int frame = 160;
        var runs = new List<(double, double)>();
        int? start = null;
        var lastLoud = -1;
        for (var f = 0; f * frame < samples.Length; f++)
        {
            double sum = 0;
            var n = Math.Min(frame, samples.Length - (f * frame));
            for (var i = 0; i < n; i++)
            {
                double v = samples[(f * frame) + i] / 32768.0;
                sum += v * v;
            }

            var loud = 10 * Math.Log10((sum / n) + 1e-12) > -45;
            if (loud)
            {
                if (start is null || f - lastLoud > 20)
                {
                    if (start is not null)
                    {
                        runs.Add((start.Value * 10.0, (lastLoud + 1) * 10.0));
                    }

                    start = f;
                }

                lastLoud = f;
            }
        }

        if (start is not null)
        {
            runs.Add((start.Value * 10.0, (lastLoud + 1) * 10.0));
        }

        return runs;
    }

    internal static short[] ReadPcm16(byte[] wav)
    {
        // Walk the RIFF chunks to "data": workers must not assume a 44-byte header.
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(wav, offset, 4);
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

    private static string Clock(double ms) => TimeSpan.FromMilliseconds(ms).ToString(@"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);
}
