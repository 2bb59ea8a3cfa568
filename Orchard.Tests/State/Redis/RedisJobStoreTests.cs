using System.Text.Json;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Tests.Builders;
using Orchard.Tests.Infrastructure;
using StackExchange.Redis;

namespace Orchard.Tests.State.Redis;

public sealed class RedisJobStoreTests(RedisFixture redis) : JobStoreContract, IClassFixture<RedisFixture>
{
    private string prefix = RedisFixture.NewPrefix();

    private IDatabase Db => redis.Redis.GetDatabase();

    protected override IJobStore CreateStore(Action<StateOptions>? configure = null)
    {
        prefix = RedisFixture.NewPrefix();
        return redis.JobStore(RedisFixture.Options(prefix, configure));
    }

    [Fact]
    public async Task CreateAsync_WritesLayoutOperatorsKnow()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithChunks(2);
        await store.CreateAsync(job.Summary());
        await store.SetChunksAsync(job.Id, job.Chunks());

        // GET job:<id> is the summary as JSON with the original's field names.
        using var summary = JsonDocument.Parse((string)(await Db.StringGetAsync($"{prefix}job:{job.Id}"))!);
        Assert.Equal(job.Id, summary.RootElement.GetProperty("job_id").GetString());
        Assert.Equal("created", summary.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, summary.RootElement.GetProperty("total_chunks").GetInt32());
        Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync($"{prefix}chunks:{job.Id}"));

        // KEYS job:* lists only job records, each a string that GET can read.
        var server = redis.Redis.GetServers()[0];
        var jobKeys = server.Keys(pattern: $"{prefix}job:*").ToArray();
        Assert.Equal([$"{prefix}job:{job.Id}"], jobKeys.Select(k => k.ToString()));
    }

    [Fact]
    public async Task TransitionAsync_SetsRetentionTtl_OnlyWhenFinished()
    {
        var store = CreateStore(o => o.JobRetention = TimeSpan.FromMinutes(10));
        var job = new JobBuilder().WithStatus(JobStatus.Aggregating).WithChunks(3);
        await store.SaveAsync(job.Document());
        Assert.Null(await Db.KeyTimeToLiveAsync($"{prefix}job:{job.Id}"));

        await store.TransitionAsync(job.Id, new JobTransition(JobStatus.Completed));
        await store.SetChunksAsync(job.Id, [job.Chunk(0, ChunkStatus.Completed)]);

        var jobTtl = await Db.KeyTimeToLiveAsync($"{prefix}job:{job.Id}");
        var chunksTtl = await Db.KeyTimeToLiveAsync($"{prefix}chunks:{job.Id}");
        Assert.InRange(jobTtl!.Value.TotalSeconds, 590, 600);
        Assert.InRange(chunksTtl!.Value.TotalSeconds, 590, 600);
    }

    [Fact]
    public async Task SetChunksAsync_KeepsRunningJobWithoutTtl()
    {
        var store = CreateStore(o => o.JobRetention = TimeSpan.FromSeconds(1));
        var job = new JobBuilder().WithStatus(JobStatus.Processing).WithChunks(2);
        await store.SaveAsync(job.Document());

        await store.SetChunksAsync(job.Id, [job.Chunk(0, ChunkStatus.Completed)]);
        await Task.Delay(1200);

        Assert.Null(await Db.KeyTimeToLiveAsync($"{prefix}job:{job.Id}"));
        Assert.Equal(1, (await store.GetAsync(job.Id))!.CompletedChunks);
    }

    [Fact]
    public async Task CleanupDanglingAsync_RemovesEntries_WhenJobDeletedByHand()
    {
        var store = CreateStore();
        var kept = new JobBuilder();
        var deleted = new JobBuilder().WithStatus(JobStatus.Processing);
        await store.CreateAsync(kept.Summary());
        await store.SaveAsync(deleted.Document());
        await Db.KeyDeleteAsync($"{prefix}job:{deleted.Id}");

        Assert.Equal([kept.Id], (await store.ListAsync(new JobQuery())).Jobs.Select(j => j.JobId));
        Assert.Equal(2, (await store.GetStatsAsync()).Total);

        Assert.Equal(1, await store.CleanupDanglingAsync());

        Assert.Equal(new JobStats(1, 1, 0, 0, 0), await store.GetStatsAsync());
    }

    [Fact]
    public async Task SetChunksAsync_CountsExactly_WhenEightConnectionsCompleteChunksAtOnce()
    {
        var options = RedisFixture.Options(RedisFixture.NewPrefix());
        var job = new JobBuilder().WithChunks(400);
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                connections.Add(await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString));
            }

            var setup = redis.JobStore(options);
            await setup.CreateAsync(job.Summary());
            await setup.SetChunksAsync(job.Id, job.Chunks());

            // Each chunk is completed twice, by different connections, to prove repeats count once.
            await Task.WhenAll(connections.Select((connection, worker) => Task.Run(async () =>
            {
                var store = redis.JobStore(options, connection);
                for (var index = worker % 4; index < 400; index += 4)
                {
                    await store.SetChunksAsync(job.Id, [job.Chunk(index, ChunkStatus.Completed, $"http://w{worker}")]);
                }
            })));

            var summary = (await setup.GetAsync(job.Id))!;
            Assert.Equal(400, summary.TotalChunks);
            Assert.Equal(400, summary.CompletedChunks);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task GetAsync_ThrowsStoreUnavailable_WhenRedisStaysAwayPastTheBudget()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var absent = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200");
        var store = redis.JobStore(RedisFixture.Options(RedisFixture.NewPrefix(), o => o.OutageRetryBudget = TimeSpan.FromSeconds(1)), absent);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetAsync("any"));

        Assert.Contains("State:RedisConnectionString", error.Message, StringComparison.Ordinal);
        Assert.InRange(started.Elapsed.TotalSeconds, 0.5, 10);
    }
}
