using System.Diagnostics;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchard.LocalHost.Engine;
using Orchard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchard.Tests.LocalHost;

public sealed class DurableEngineServerTests(ITestOutputHelper output)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartInMemoryAsync_CompletesFanOutOf100Activities_WithServicesFromTheHost()
    {
        const int count = 100;
        var counter = new ActivityCounter();
        await using var host = await InMemoryDurableEngine.StartHostAsync(FanOutSample.Register, services => services.AddSingleton(counter));

        var (status, elapsed) = await RunFanOutAsync(host.Client, count);

        output.WriteLine($"in-memory fan-out of {count}: {elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal(FanOutSample.ExpectedSum(count), status.ReadOutputAs<long>());
        Assert.Equal(count, counter.Count);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(100)]
    public async Task StartAzureStorageAsync_CompletesFanOut_OnAzurite(int count)
    {
        var options = new DurableEngineOptions
        {
            StorageConnectionString = RequiredEnvironment.Storage,
            TaskHubName = "t" + Guid.NewGuid().ToString("N")[..20],
        };
        var counter = new ActivityCounter();
        await using var server = await DurableEngineServer.StartAzureStorageAsync(options);
        using var host = await StartWorkerHostAsync(server, counter, FanOutSample.Register);
        try
        {
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            // The first orchestration also pays for the worker connecting and the partition lease; measure apart.
            var (_, warmUp) = await RunFanOutAsync(client, 1);
            var (status, elapsed) = await RunFanOutAsync(client, count);

            output.WriteLine($"Azurite: first orchestration (1 activity) {warmUp.TotalMilliseconds:F0} ms; fan-out of {count}: {elapsed.TotalMilliseconds:F0} ms");
            Assert.Equal(OrchestrationRuntimeStatus.Completed, status.RuntimeStatus);
            Assert.Equal(FanOutSample.ExpectedSum(count), status.ReadOutputAs<long>());
            Assert.Equal(count + 1, counter.Count);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// The sidecar never renewed activity locks: an activity outliving the work-item visibility timeout became visible
    /// in the queue again (the storage service, seeing it in progress, dropped that copy but lost its lock), and it ran a
    /// second time after the first. With a 5 s timeout, a 13 s activity runs once and leaves nothing in the queue.
    /// </summary>
    [Fact]
    public async Task StartAzureStorageAsync_RunsAnActivityOnce_WhenItOutlastsTheVisibilityTimeout()
    {
        var options = new DurableEngineOptions
        {
            StorageConnectionString = RequiredEnvironment.Storage,
            TaskHubName = "t" + Guid.NewGuid().ToString("N")[..20],
            WorkItemVisibilityTimeout = TimeSpan.FromSeconds(5),
        };
        var counter = new ActivityCounter();
        await using var server = await DurableEngineServer.StartAzureStorageAsync(options);
        using var host = await StartWorkerHostAsync(server, counter, LongActivitySample.Register);
        try
        {
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(LongActivitySample.RunLong), 13, timeout.Token);
            var status = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

            // Without renewals the message was dequeued again under a new pop receipt while the first run went on, so
            // the completion could not delete it: it stayed in the queue and ran again later. Now it is gone for good.
            var workItems = new QueueClient(RequiredEnvironment.Storage, $"{options.TaskHubName.ToLowerInvariant()}-workitems");
            var left = (await workItems.GetPropertiesAsync(timeout.Token)).Value.ApproximateMessagesCount;

            Assert.Equal(OrchestrationRuntimeStatus.Completed, status.RuntimeStatus);
            Assert.Equal(1, status.ReadOutputAs<int>());
            Assert.Equal(1, counter.Count);
            Assert.Equal(0, left);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// The sidecar starts its orchestration service when a worker connects and stops it when the host stops, both from
    /// <c>async void</c> callbacks. A stop that overtook the start threw NullReferenceException in DurableTask.AzureStorage's
    /// <c>AppLeaseManager.StopAsync</c> on a thread-pool thread and killed the test host. A regression here fails the
    /// whole run, not only this test.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DisposeAsync_StopsCleanly_WhenAWorkerJustConnectedOrNever(bool connectWorker)
    {
        var options = new DurableEngineOptions
        {
            StorageConnectionString = RequiredEnvironment.Storage,
            TaskHubName = "t" + Guid.NewGuid().ToString("N")[..20],
        };
        for (var i = 0; i < 8; i++)
        {
            var server = await DurableEngineServer.StartAzureStorageAsync(options);
            IHost? host = null;
            if (connectWorker)
            {
                var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
                builder.Services.AddSingleton(new ActivityCounter());
                builder.Services.AddOrchardDurableEngine(server, FanOutSample.Register);
                host = builder.Build();
                await host.StartAsync();
                // Stop while the sidecar is starting its dispatchers for the worker that just connected.
                await Task.Delay(TimeSpan.FromMilliseconds(20 * i));
            }

            var stopwatch = Stopwatch.StartNew();
            await server.DisposeAsync();
            output.WriteLine($"round {i}: engine stopped in {stopwatch.ElapsedMilliseconds} ms");
            if (host is not null)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }

        // A stray callback on the thread pool gets time to run (and, were it to throw, to end the process).
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var last = await DurableEngineServer.StartAzureStorageAsync(options);
        Assert.Equal(DurableEngineKind.AzureStorage, last.Kind);
    }

    [Fact]
    public async Task DisposeAsync_IsIdempotent_WhenCalledTwice()
    {
        var server = await DurableEngineServer.StartInMemoryAsync();
        var stopwatch = Stopwatch.StartNew();

        await server.DisposeAsync();
        await server.DisposeAsync();

        output.WriteLine($"two disposals: {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
    }

    /// <summary>A started host whose worker and client use <paramref name="server"/>, its activities counting on <paramref name="counter"/>.</summary>
    static async Task<IHost> StartWorkerHostAsync(DurableEngineServer server, ActivityCounter counter, Action<Microsoft.DurableTask.DurableTaskRegistry> register)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(counter);
        builder.Services.AddOrchardDurableEngine(server, register);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    static async Task<(OrchestrationMetadata Status, TimeSpan Elapsed)> RunFanOutAsync(DurableTaskClient client, int count)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var stopwatch = Stopwatch.StartNew();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutSample.FanOut), count, timeout.Token);
        var status = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        return (status, stopwatch.Elapsed);
    }
}
