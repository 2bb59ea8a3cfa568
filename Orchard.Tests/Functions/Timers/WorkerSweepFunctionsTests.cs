using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Application;
using Orchard.Domain.Workers;
using Orchard.Functions.Functions.Timers;
using Orchard.Tests.Functions.Http;
using Orchard.Tests.Builders;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Timers;

public sealed class WorkerSweepFunctionsTests
{
    [Fact]
    public async Task SweepWorkers_KeepsAHealthyIdleUrlWorker_AndRemovesADeadOne_OnTheLocalHostsSchedule()
    {
        await using var host = await ApiHost.StartAsync(
            new Dictionary<string, string?>
            {
                [WorkerSweepFunctions.ScheduleSetting] = "* * * * * *",
                [JobCleanupFunctions.ScheduleSetting] = "0 0 0 1 1 *",
                ["State:WorkerOfflineAfter"] = "00:00:03",
                ["State:WorkerExpiry"] = "00:00:04",
            },
            timers: true);
        await using var healthy = await FakeWorker.StartAsync();
        await host.Workers.AddAsync(healthy.Url);
        await host.Workers.AddAsync("127.0.0.1:1");

        // Longer than the expiry: without the probes the healthy worker would be gone too.
        await Poll.UntilAsync(async () => await host.Workers.GetAsync("http://127.0.0.1:1") is null);
        await Poll.UntilAsync(async () =>
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (await host.Workers.GetAsync(healthy.Url))!.RegisteredAtMs > 5000);
        var workers = await host.Client.GetFromJsonAsync<JsonObject>(new Uri("workers", UriKind.Relative));

        Assert.Equal(1, (int)workers!["count"]!);
        Assert.Equal(healthy.Url, (string?)workers["workers"]![0]!["id"]);
        Assert.Equal("online", (string?)workers["workers"]![0]!["status"]);
    }

    [Fact]
    public async Task SweepWorkers_MarksSilentSelfRegisteredWorkerOffline_AndLeavesBusyWorkerUnprobed()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["State:WorkerOfflineAfter"] = "00:00:01" });
        var silent = await host.Workers.RegisterAsync(new WorkerRegistration(null, "phone", "tiny"));
        var busy = await host.Workers.AddAsync("127.0.0.1:1");
        var leases = host.Services.GetRequiredService<ILeaseStore>();
        await leases.OfferAsync([WorkerBuilder.Offer(0, jobId: "sweep-" + Guid.NewGuid().ToString("N"))]);
        Assert.Equal(LeaseTakeStatus.Leased, (await leases.TakeAsync(WorkerBuilder.Lease(busy.Id))).Status);
        var sweep = host.Function<WorkerSweepFunctions>();

        await Poll.UntilAsync(async () =>
        {
            await sweep.SweepWorkers(new TimerInfo(), CancellationToken.None);
            return (await host.Workers.GetAsync(silent.Id))!.Status == WorkerStatus.Offline;
        });
        var report = await host.Services.GetRequiredService<WorkerMaintenance>().SweepAsync(CancellationToken.None);

        Assert.Equal(0, report.Probed);
        var claimed = (await host.Workers.GetAsync(busy.Id))!;
        Assert.NotNull(claimed.Claim);
        Assert.Null(claimed.LastError);
        Assert.Equal("No heartbeat received in time.", (await host.Workers.GetAsync(silent.Id))!.LastError);
    }
}
