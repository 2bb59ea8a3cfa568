using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Application;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;
using Orchard.Tests.Infrastructure;
using StackExchange.Redis;

namespace Orchard.Tests.Application;

public sealed class WorkerMaintenanceTests
{
    [Fact]
    public async Task SweepAsync_RestoresUrlWorkerAddedByOperator_WhenRedisLostIt()
    {
        await using var host = await ApiHost.StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        using (var added = await host.Client.PostAsJsonAsync(new Uri("workers/add", UriKind.Relative), new { url = worker.Url }))
        {
            added.EnsureSuccessStatusCode();
        }

        await ForgetEveryKeyAsync(host);
        Assert.Null(await host.Workers.GetAsync(worker.Url));
        var report = await host.Services.GetRequiredService<WorkerMaintenance>().SweepAsync(CancellationToken.None);

        Assert.Equal(1, report.Restored);
        var restored = await host.Workers.GetAsync(worker.Url);
        Assert.NotNull(restored);
        Assert.Equal(WorkerStatus.Online, restored.Status);
        Assert.False(restored.SelfRegistered);
    }

    [Fact]
    public async Task SweepAsync_ForgetsListedWorker_WhenItStaysUnreachableAfterGoingMissing()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["State:WorkerOfflineAfter"] = "00:00:01", ["State:WorkerExpiry"] = "00:00:01" });
        var directory = host.Services.GetRequiredService<IWorkerDirectory>();
        var sweep = host.Services.GetRequiredService<WorkerMaintenance>();
        await directory.SaveAsync(new WorkerListing("http://127.0.0.1:1", "http://127.0.0.1:1", DateTimeOffset.UtcNow), CancellationToken.None);

        var first = await sweep.SweepAsync(CancellationToken.None);
        var marked = await ListAsync(directory);

        Assert.Equal(0, first.Restored);
        Assert.NotNull(Assert.Single(marked).MissingSince);
        Assert.Null(await host.Workers.GetAsync("http://127.0.0.1:1"));
        await Poll.UntilAsync(async () =>
        {
            await sweep.SweepAsync(CancellationToken.None);
            return (await ListAsync(directory)).Count == 0;
        });
    }

    [Fact]
    public async Task RemoveWorker_ForgetsItForGood_WhenRemovedByOperator()
    {
        await using var host = await ApiHost.StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        using (var added = await host.Client.PostAsJsonAsync(new Uri("workers/add", UriKind.Relative), new { url = worker.Url }))
        {
            added.EnsureSuccessStatusCode();
        }

        using var removed = await host.Client.DeleteAsync(new Uri("workers/" + Uri.EscapeDataString(worker.Url), UriKind.Relative));
        removed.EnsureSuccessStatusCode();
        var report = await host.Services.GetRequiredService<WorkerMaintenance>().SweepAsync(CancellationToken.None);

        Assert.Equal(0, report.Restored);
        Assert.Null(await host.Workers.GetAsync(worker.Url));
        Assert.Empty(await host.BlobNamesAsync(RecordingStore.WorkerPrefix));
    }

    private static async Task<List<WorkerListing>> ListAsync(IWorkerDirectory directory)
    {
        var list = new List<WorkerListing>();
        await foreach (var listing in directory.ListAsync(CancellationToken.None))
        {
            list.Add(listing);
        }

        return list;
    }

    /// <summary>As a Redis restart without persistence would, for this test's keys only.</summary>
    private static async Task ForgetEveryKeyAsync(ApiHost host)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestEnvironment.RedisConnectionString);
        var keys = redis.GetServers()[0].Keys(pattern: host.KeyPrefix + "*").ToArray();
        await redis.GetDatabase().KeyDeleteAsync(keys);
    }
}
