using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Application;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Transcripts;
using Orchard.Domain.Workers;
using Orchard.Functions.Functions.Orchestration;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Orchestration;

/// <summary>
/// The function app's own services and registration on the real Durable Task engine (in-memory, one per harness),
/// with real Redis and Azurite under a unique prefix and container (an <see cref="ApiHost"/>), plus what the
/// orchestration tests need: submit a recording, wait for its outcome, read its transcript.
/// </summary>
public sealed class OrchestrationHarness : IAsyncDisposable
{
    private readonly ApiHost host;

    private OrchestrationHarness(ApiHost host) => this.host = host;

    public string RedisPrefix => host.KeyPrefix;

    public IServiceProvider Services => host.Services;

    public DurableTaskClient Client => host.Durable;

    public IWorkerRegistry Workers => host.Workers;

    public IJobStore Jobs => host.Jobs;

    /// <summary>The app's HTTP client on 127.0.0.1 (its base address is where fake pull workers call the master).</summary>
    public HttpClient Http => host.Client;

    /// <summary>Starts the app on an engine of its own (the engine serves one worker connection).</summary>
    public static async Task<OrchestrationHarness> StartAsync(IDictionary<string, string?>? settings = null) =>
        new(await ApiHost.StartAsync(settings));

    /// <summary>Stores the recording and starts its orchestration, as POST /jobs does.</summary>
    public async Task<string> SubmitAsync(string wavPath, bool purify = false, string? language = null)
    {
        await using var file = File.OpenRead(wavPath);
        var job = await Services.GetRequiredService<JobSubmission>().SubmitAsync(file, Path.GetFileName(wavPath), purify, language, CancellationToken.None);
        var limits = DispatchRules.From(Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DispatchOptions>>().Value);
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(JobOrchestrator), new JobRequest(job.JobId, purify, job.Language, limits), new StartOrchestrationOptions(job.JobId));
        return job.JobId;
    }

    public async Task<JobOutcome> WaitAsync(string jobId, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        var state = await Client.WaitForInstanceCompletionAsync(jobId, getInputsAndOutputs: true, cancel.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus);
        return state.ReadOutputAs<JobOutcome>()!;
    }

    public Task<Transcript?> TranscriptAsync(string jobId) =>
        Services.GetRequiredService<JobProgress>().TranscriptAsync(jobId, CancellationToken.None);

    /// <summary>A recording of bursts with known times, including long pauses that the compaction shortens.</summary>
    public static (string Path, IReadOnlyList<Burst> Bursts) Recording(TempDir dir, double seconds = 60, int seed = 7)
    {
        var random = new Random(seed);
        var pattern = Enumerable.Range(0, 100).Select(_ => (Burst: 1.2 + (random.NextDouble() * 2), Pause: random.NextDouble() < 0.3 ? 1.5 + (random.NextDouble() * 2.5) : 0.4 + (random.NextDouble() * 0.8)));
        var signal = new TestSignalBuilder(seconds, seed).AddBurstSequence(0.7, pattern);
        var path = dir.File($"talk-{seed}.wav");
        TestSignalBuilder.WriteWav(path, signal.Build());
        return (path, signal.Bursts);
    }

    /// <summary>
    /// Like <see cref="Recording"/>, but the first burst to start at or after <paramref name="loudAt"/> seconds is
    /// 12 dB louder: audio a fake worker can recognise (<see cref="IsLoud"/>), in exactly one chunk wherever the
    /// splitter cuts (cuts fall in silences).
    /// </summary>
    public static (string Path, IReadOnlyList<Burst> Bursts, Burst Loud) RecordingWithLoudBurst(TempDir dir, double seconds, double loudAt, int seed = 7)
    {
        var random = new Random(seed);
        var signal = new TestSignalBuilder(seconds, seed);
        Burst? loud = null;
        for (var t = 0.7; ;)
        {
            var burst = 1.2 + (random.NextDouble() * 2);
            var pause = random.NextDouble() < 0.3 ? 1.5 + (random.NextDouble() * 2.5) : 0.4 + (random.NextDouble() * 0.8);
            if (t + burst > seconds)
            {
                break;
            }

            var isLoud = loud is null && t >= loudAt;
            signal.AddBurst(t, burst, isLoud ? -12 : -24);
            loud = isLoud ? signal.Bursts[^1] : loud;
            t += burst + pause;
        }

        var path = dir.File($"loud-{seed}.wav");
        TestSignalBuilder.WriteWav(path, signal.Build());
        return (path, signal.Bursts, loud ?? throw new ArgumentOutOfRangeException(nameof(loudAt), "No burst starts that late."));
    }

    /// <summary>True for audio holding the loud burst of <see cref="RecordingWithLoudBurst"/> (the others peak at about half this).</summary>
    public static bool IsLoud(short[] samples) => samples.Any(v => Math.Abs((int)v) > 10_000);

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
