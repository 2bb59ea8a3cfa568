using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Worker.Core;
using Orchard.Worker.Registration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Worker;

public class RegistrationServiceTests
{
    private static (RegistrationService Service, HttpClient Http) Create(string? masterUrl, string? key = null)
    {
        var options = Options.Create(new WorkerOptions
        {
            MasterUrl = masterUrl,
            FunctionKey = key,
            Name = "test-worker",
            PublicUrl = "http://192.0.2.7:8080",
            RetryInitialDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        });
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var service = new RegistrationService(new MasterClient(http, options), new ScriptedEngine(), options, NullLogger<RegistrationService>.Instance);
        return (service, http);
    }

    [Fact]
    public async Task ExecuteAsync_RegistersThenHeartbeats_WhenMasterIsUp()
    {
        await using var master = await FakeMaster.StartAsync();
        var (service, http) = Create(master.Url, key: "secret-key");
        using (http)
        using (service)
        {
            await service.StartAsync(CancellationToken.None);
            await Poll.UntilAsync(() => service.Heartbeats >= 1, "a heartbeat the master accepted");
            await service.StopAsync(CancellationToken.None);
        }

        var registration = Assert.Single(master.Registrations);
        Assert.Equal("http://192.0.2.7:8080", registration.GetProperty("url").GetString());
        Assert.Equal("test-worker", registration.GetProperty("name").GetString());
        Assert.Equal("scripted-model", registration.GetProperty("model").GetString());
        Assert.False(registration.TryGetProperty("id", out _));
        Assert.Equal("worker/1", service.WorkerId);
        Assert.All(master.Heartbeats, id => Assert.Equal("worker/1", id));
        Assert.All(master.Keys, k => Assert.Equal("secret-key", k));
    }

    [Fact]
    public async Task ExecuteAsync_RegistersAgainWithPreviousId_WhenHeartbeatGets404()
    {
        await using var master = await FakeMaster.StartAsync();
        var (service, http) = Create(master.Url);
        using (http)
        using (service)
        {
            await service.StartAsync(CancellationToken.None);
            await Poll.UntilAsync(() => service.Registrations == 1, "the first registration");
            master.Forget();
            await Poll.UntilAsync(() => service.Registrations == 2, "a registration after the 404");
            await Poll.UntilAsync(() => service.Heartbeats >= 1, "a heartbeat after registering again");
            await service.StopAsync(CancellationToken.None);
        }

        var registrations = master.Registrations.ToArray();
        Assert.Equal(2, registrations.Length);
        Assert.Equal("worker/1", registrations[1].GetProperty("id").GetString());
        Assert.Equal("worker/1", service.WorkerId);
        Assert.All(master.Keys, k => Assert.Equal(string.Empty, k));
    }

    [Fact]
    public async Task ExecuteAsync_KeepsRetryingThenRegisters_WhenMasterIsDownAtFirst()
    {
        var port = FakeMaster.FreePort();
        var (service, http) = Create($"http://127.0.0.1:{port}");
        using (http)
        using (service)
        {
            await service.StartAsync(CancellationToken.None);
            await Poll.UntilAsync(() => service.Failures >= 3, "three failed attempts while the master is down");
            Assert.Null(service.WorkerId);
            Assert.Null(service.ExecuteTask?.Exception);

            await using var master = await FakeMaster.StartAsync(port);
            await Poll.UntilAsync(() => service.Heartbeats >= 1, "registration and a heartbeat once the master is up");
            await service.StopAsync(CancellationToken.None);
            Assert.Single(master.Registrations);
        }

        Assert.Equal("worker/1", service.WorkerId);
    }

    [Fact]
    public async Task ExecuteAsync_DoesNothing_WhenNoMasterUrl()
    {
        var (service, http) = Create(masterUrl: null);
        using (http)
        using (service)
        {
            await service.StartAsync(CancellationToken.None);
            await service.ExecuteTask!;
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(0, service.Registrations);
        Assert.Equal(0, service.Failures);
    }
}
