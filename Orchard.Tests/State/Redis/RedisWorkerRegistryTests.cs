using System.Collections.Concurrent;
using Orchard.Domain.State;
using Orchard.Domain.State.Redis;
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

    protected override ILeaseStore LeasesFor(IWorkerRegistry registry) =>
        new RedisLeaseStore(redis.Redis, RedisFixture.Options(prefix), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisLeaseStore>.Instance);

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
    public async Task TakeAsync_KeepsTheWorkerKeyAlive_AsLongAsTheLease()
    {
        var registry = CreateRegistry();
        var worker = await registry.AddAsync("http://w:1");
        var leases = LeasesFor(registry);
        await leases.OfferAsync([WorkerBuilder.Offer(0)]);

        await leases.TakeAsync(WorkerBuilder.Lease(worker.Id, ttl: TimeSpan.FromMinutes(20)));

        var ttl = await Db.KeyTimeToLiveAsync($"{prefix}worker:http://w:1");
        Assert.InRange(ttl!.Value.TotalMinutes, 19.5, 20);
    }

    [Fact]
    public async Task TakeAsync_NeverLeasesOneChunkTwice_WhenEightConnectionsTakeAtOnce()
    {
        var options = RedisFixture.Options(RedisFixture.NewPrefix());
        var setup = redis.WorkerRegistry(options);
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add((await setup.RegisterAsync(new WorkerRegistration(null, $"w{i}", "base"))).Id);
        }

        var store = new RedisLeaseStore(redis.Redis, options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisLeaseStore>.Instance);
        await store.OfferAsync(Enumerable.Range(0, 5).Select(i => WorkerBuilder.Offer(i)).ToArray());
        var wins = new ConcurrentBag<int>();
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                connections.Add(await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString));
            }

            await Task.WhenAll(connections.Select((connection, c) => Task.Run(async () =>
            {
                var leases = new RedisLeaseStore(connection, options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisLeaseStore>.Instance);
                foreach (var id in ids.Skip(c * 5).Take(5))
                {
                    if ((await leases.TakeAsync(WorkerBuilder.Lease(id))).Lease is { } won)
                    {
                        wins.Add(won.Index);
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

        Assert.Equal([0, 1, 2, 3, 4], wins.Order());
    }
}
