using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Jobs;
using Orchard.Functions.Functions.Timers;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Http;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Timers;

public sealed class JobCleanupFunctionsTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task CleanUpJobs_PurgesBlobsAndHistory_WhenBlobRetentionHasPassed()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["State:JobRetention"] = "00:00:01",
            ["Storage:JobRetention"] = "00:00:01",
            ["Dispatch:NoWorkerDeadline"] = "00:00:01",
        });
        var (path, _) = OrchestrationHarness.Recording(dir, 12, seed: 4);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "file", "nobody.wav" } };
        using var submitted = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), form);
        var jobId = (string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!;
        var failed = await host.PollUntilFinishedAsync(jobId);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.Durable.WaitForInstanceCompletionAsync(jobId, wait.Token);
        var cleanup = host.Function<JobCleanupFunctions>();

        await Poll.UntilAsync(async () =>
        {
            await cleanup.CleanUpJobs(new TimerInfo(), host.Durable, CancellationToken.None);
            return (await host.BlobNamesAsync($"jobs/{jobId}/")).Count == 0;
        });
        using var gone = await host.Client.GetAsync(new Uri($"jobs/{jobId}", UriKind.Relative));

        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Contains("untranscribed", (string?)failed["error"], StringComparison.Ordinal);
        Assert.Null(await host.Durable.GetInstanceAsync(jobId));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task CleanUpJobs_DropsIndexEntries_WhenAJobWasDeletedByHand()
    {
        await using var host = await ApiHost.StartAsync();
        var jobId = await JobsFunctionsTests.CreateJobAsync(host, DateTimeOffset.UtcNow);
        var redis = host.Services.GetRequiredService<Domain.State.StateBackend>().Redis!.GetDatabase();
        await redis.KeyDeleteAsync($"{host.KeyPrefix}job:{jobId}");
        var before = (await host.Jobs.GetStatsAsync()).Total;

        await host.Function<JobCleanupFunctions>().CleanUpJobs(new TimerInfo(), host.Durable, CancellationToken.None);

        Assert.Equal(1, before);
        Assert.Equal(0, (await host.Jobs.GetStatsAsync()).Total);
        Assert.Empty((await host.Jobs.ListAsync(new JobQuery())).Jobs);
    }
}
