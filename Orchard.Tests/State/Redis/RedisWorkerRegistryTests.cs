using System.Collections.Concurrent;
using Orchard.Domain.State;
using Orchard.Domain.Workers;
using Orchard.Tests.Builders;
using Orchard.Tests.Infrastructure;
using StackExchange.Redis;

namespace Orchard.Tests.State.Redis;

public sealed class RedisWorkerRegistryTests(RedisFixture redis) : WorkerRegistryContract, IClassFixture<RedisFixture>
{
    private string prefix = RedisFixture.NewPrefix();

    private IDatabase Db => redis.Redis.GetDatabase();

    protected override IWorkerRegistry CreateRegistry(Action<StateOptions>? configure = null)
    {
        prefix = RedisFixture.NewPrefix();
        return redis.WorkerRegistry(RedisFixture.Options(prefix, configure));
    }

    [Fact]
    public async Task AddAsync_StoresWorkerUnderItsUrl_WithExpiryTtl()
    {
        var registry = CreateRegistry();

        await registry.AddAsync("http://172.22.1.222:8080");

        var raw = (string?)await Db.StringGetAsync($"{prefix}worker:http://172.22.1.222:8080");
        Assert.Contains("172.22.1.222:8080", raw, StringComparison.Ordinal);
        var ttl = await Db.KeyTimeToLiveAsync($"{prefix}worker:http://172.22.1.222:8080");
        Assert.InRange(ttl!.Value.TotalSeconds, 290, 300);
    }

    [Fact]
    public async Task ClaimAsync_KeepsKeyAlive_AsLongAsTheLease()
    {
        var registry = CreateRegistry();
        await registry.AddAsync("http://w:1");

        await registry.ClaimAsync(WorkerBuilder.Claim(lease: TimeSpan.FromMinutes(20)));

        var ttl = await Db.KeyTimeToLiveAsync($"{prefix}worker:http://w:1");
        Assert.InRange(ttl!.Value.TotalMinutes, 19.5, 20);
    }

    [Fact]
    public async Task ClaimAsync_NeverGivesOneWorkerTwice_WhenEightConnectionsClaimAtOnce()
    {
        var options = RedisFixture.Options(RedisFixture.NewPrefix());
        var setup = redis.WorkerRegistry(options);
        for (var i = 0; i < 5; i++)
        {
            await setup.AddAsync($"http://worker-{i}:8080");
        }

        var wins = new ConcurrentBag<string>();
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                connections.Add(await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString));
            }

            await Task.WhenAll(connections.Select(connection => Task.Run(async () =>
            {
                var registry = redis.WorkerRegistry(options, connection);
                for (var attempt = 0; attempt < 10; attempt++)
                {
                    if (await registry.ClaimAsync(WorkerBuilder.Claim()) is { } won)
                    {
                        wins.Add(won.Worker.Id);
                    }
                }
            })));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        Assert.Equal(5, wins.Count);
        Assert.Equal(5, wins.Distinct().Count());
    }
}
