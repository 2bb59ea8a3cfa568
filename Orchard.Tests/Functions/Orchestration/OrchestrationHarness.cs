using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Transcripts;
using Orchard.Domain.Workers;
using Orchard.Functions;
using Orchard.Functions.Functions.Orchestration;
using Orchard.LocalHost.Engine;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Orchestration;

/// <summary>
/// The function app's own services and registration on the real Durable Task engine (in-memory), with real Redis
/// and Azurite under a unique prefix and container, and short chunk bounds so small recordings make several chunks.
/// </summary>
public sealed class OrchestrationHarness : IAsyncDisposable
{
    private readonly DurableEngineServer server;
    private readonly DurableTestHost host;

    private OrchestrationHarness(DurableEngineServer server, DurableTestHost host, string redisPrefix)
    {
        this.server = server;
        this.host = host;
        RedisPrefix = redisPrefix;
    }

    public string RedisPrefix { get; }

    public IServiceProvider Services => host.Services;

    public DurableTaskClient Client => host.Client;

    public IWorkerRegistry Workers => Services.GetRequiredService<IWorkerRegistry>();

    public IJobStore Jobs => Services.GetRequiredService<IJobStore>();

    /// <summary>
    /// Starts a harness on an engine of its own: the engine serves one worker connection, and a fresh one per test
    /// means no work item can be handed to a previous test's departed worker.
    /// </summary>
    public static async Task<OrchestrationHarness> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var prefix = RedisFixture.NewPrefix();
        var values = new Dictionary<string, string?>
        {
            ["State:RedisConnectionString"] = TestEnvironment.RedisConnectionString,
            ["State:FallbackToMemory"] = "false",
            ["State:KeyPrefix"] = prefix,
            ["AzureWebJobsStorage"] = TestEnvironment.StorageConnectionString,
            ["Storage:ContainerName"] = "t" + Guid.NewGuid().ToString("N"),
            ["Audio:MinChunkSeconds"] = "8",
            ["Audio:MaxChunkSeconds"] = "20",
            ["Dispatch:NoWorkerPollInterval"] = "00:00:00.200",
            ["Dispatch:TimeoutFloor"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var server = await DurableEngineServer.StartInMemoryAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IConfiguration>(configuration);
        builder.Services.AddOrchardFunctionApp(configuration);
        builder.Services.AddOrchardDurableEngine(server, OrchardTasks.Register);
        var app = builder.Build();
        await app.StartAsync();
        return new OrchestrationHarness(server, new DurableTestHost(app), prefix);
    }

    /// <summary>Stores the recording and starts its orchestration, as POST /jobs does.</summary>
    public async Task<string> SubmitAsync(string wavPath, bool purify = false)
    {
        await using var file = File.OpenRead(wavPath);
        var job = await Services.GetRequiredService<JobSubmission>().SubmitAsync(file, Path.GetFileName(wavPath), purify, null, CancellationToken.None);
        var limits = DispatchLimits.From(Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DispatchOptions>>().Value);
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(JobOrchestrator), new JobRequest(job.JobId, purify, null, limits), new StartOrchestrationOptions(job.JobId));
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

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync();
        await server.DisposeAsync();
    }
}
