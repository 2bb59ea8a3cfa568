using Microsoft.Extensions.Options;
using Orchard.Worker.Core;
using Orchard.Worker.Registration;

namespace Orchard.Tests.Worker;

public class MasterClientTests
{
    private static MasterClient Create(HttpClient http, string url, string? key = null) =>
        new(http, Options.Create(new WorkerOptions { MasterUrl = url, FunctionKey = key }));

    [Fact]
    public async Task RegisterAsync_ReturnsIdAndInterval_WhenMasterAnswers()
    {
        await using var master = await FakeMaster.StartAsync();
        using var http = new HttpClient();
        var client = Create(http, master.Url + "/", key: "k1");

        var answer = await client.RegisterAsync(new RegistrationRequest(null, "n", "base", null), CancellationToken.None);

        Assert.Equal("worker/1", answer.Id);
        Assert.Equal(1, answer.HeartbeatIntervalSeconds);
        var body = Assert.Single(master.Registrations);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("url").ValueKind);
        Assert.Equal("k1", Assert.Single(master.Keys));
    }

    [Fact]
    public async Task HeartbeatAsync_ReturnsFalse_WhenMasterAnswers404()
    {
        await using var master = await FakeMaster.StartAsync();
        using var http = new HttpClient();
        var client = Create(http, master.Url);

        Assert.False(await client.HeartbeatAsync("never/registered", CancellationToken.None));
        var registered = await client.RegisterAsync(new RegistrationRequest(null, "n", "base", null), CancellationToken.None);
        Assert.True(await client.HeartbeatAsync(registered.Id, CancellationToken.None));
        Assert.Equal(["never/registered", "worker/1"], master.Heartbeats.ToArray());
    }

    [Fact]
    public async Task RegisterAsync_ThrowsMasterUnavailable_WhenNothingListens()
    {
        using var http = new HttpClient();
        var client = Create(http, $"http://127.0.0.1:{FakeMaster.FreePort()}");

        await Assert.ThrowsAsync<MasterUnavailableException>(() =>
            client.RegisterAsync(new RegistrationRequest(null, "n", "base", null), CancellationToken.None));
        await Assert.ThrowsAsync<MasterUnavailableException>(() => client.HeartbeatAsync("w", CancellationToken.None));
    }
}
