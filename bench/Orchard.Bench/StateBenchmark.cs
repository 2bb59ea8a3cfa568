using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.State.Redis;
using Orchard.Domain.Workers;
using StackExchange.Redis;

namespace Orchard.Bench;

/// <summary>
/// The state layer against a real redis-server: each operation's latency beside a plain GET (the round-trip
/// floor), 64 concurrent callers with an exact count afterwards, and /stats at 1,000 and 100,000 jobs.
/// Redis comes from ORCHARD_BENCH_REDIS or ORCHARD_TEST_REDIS (scripts/services.sh up sets the latter).
/// </summary>
internal static class StateBenchmark
{
    private const int Samples = 2000;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(20);

    public static async Task RunAsync(string resultsFile)
    {
        var connection = Environment.GetEnvironmentVariable("ORCHARD_BENCH_REDIS")
            ?? Environment.GetEnvironmentVariable("ORCHARD_TEST_REDIS")
            ?? throw new InvalidOperationException("Set ORCHARD_TEST_REDIS (scripts/services.sh up; source .ci/work/services.env).");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
        var prefix = $"bench:{Guid.NewGuid():N}:";
        var options = Options.Create(new StateOptions { KeyPrefix = prefix });
        var jobs = new RedisJobStore(redis, options, TimeProvider.System, NullLogger<RedisJobStore>.Instance);
        var workers = new RedisWorkerRegistry(redis, options, TimeProvider.System, NullLogger<RedisWorkerRegistry>.Instance);
        var db = redis.GetDatabase();
        var report = new StringBuilder();
        report.AppendLine("# State benchmark (Redis)").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:u}, {Environment.ProcessorCount} cores, redis-server on loopback, one client, {Samples} samples per operation (at most {TimeLimit.TotalSeconds:0} s).").AppendLine()
            .AppendLine("| operation | ops/s | p50 ms | p99 ms | p50 ÷ floor | target | original master (ops/s) |")
            .AppendLine("|---|---:|---:|---:|---:|---|---:|");

        try
        {
            await db.StringSetAsync(prefix + "floor", "x");
            var floor = await Measure(_ => db.StringGetAsync(prefix + "floor"));
            Row(report, "plain Redis GET (floor)", floor, floor.P50, "-", "-");
            // Every store operation is one Lua script: this is the cost of the round trip plus running any script.
            var scripted = await Measure(_ => db.ScriptEvaluateAsync("return redis.call('GET', KEYS[1])", [prefix + "floor"]));
            Row(report, "trivial Lua script (EVALSHA of a GET)", scripted, floor.P50, "-", "-");

            var ids = Enumerable.Range(0, Samples + 50).Select(i => $"job-{i:D6}").ToArray();
            var created = await Measure(i => jobs.CreateAsync(Summary(ids[i], JobStatus.Created)));
            Row(report, "create job", created, floor.P50, "p50 ≤ 2× floor", "8,600");

            var status = await Measure(i => jobs.TransitionAsync(ids[i], new JobTransition(JobStatus.PurifierBypassed)));
            Row(report, "update status", status, floor.P50, "p50 ≤ 2× floor", "4,800");

            // One job with 1,000 chunks: assignment and completion land on a big hash.
            var big = "job-big";
            await jobs.SaveAsync(new JobDocument(Summary(big, JobStatus.Processing), []));
            await jobs.SetChunksAsync(big, Enumerable.Range(0, 1000).Select(i => Chunk(big, i, ChunkStatus.Pending)).ToArray());
            var assign = await Measure(i => jobs.SetChunksAsync(big, [Chunk(big, i % 1000, ChunkStatus.Processing)]));
            Row(report, "record chunk assignment (job of 1,000 chunks)", assign, floor.P50, "p50 ≤ 2× floor", "4,000 (add chunk)");
            var complete = await Measure(i => jobs.SetChunksAsync(big, [Chunk(big, i % 1000, ChunkStatus.Completed)]));
            Row(report, "record chunk completion (job of 1,000 chunks)", complete, floor.P50, "p50 ≤ 2× floor", "3,000");

            await workers.AddAsync("http://bench-worker:8080");
            var heartbeat = await Measure(_ => workers.HeartbeatAsync("http://bench-worker:8080"));
            Row(report, "worker heartbeat", heartbeat, floor.P50, "p50 ≤ 2× floor", "4,400 (worker update)");

            var readOne = await Measure(_ => jobs.GetAsync(big));
            Row(report, "read one job (summary, 1,000 chunks)", readOne, floor.P50, "p50 ≤ 2× floor", "-");
            var readFull = await Measure(_ => jobs.GetDocumentAsync(big));
            Row(report, "read full document (1,000 chunks)", readFull, floor.P50, "p50 < 1 ms", "-");
            var stats = await Measure(_ => jobs.GetStatsAsync());
            Row(report, "statistics read (2,001 jobs)", stats, floor.P50, "p50 ≤ 2× floor", "-");

            var bigSummary = (await jobs.GetAsync(big))!;
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Exactness: the 1,000-chunk job reads completed_chunks = {bigSummary.CompletedChunks} of total_chunks = {bigSummary.TotalChunks} after {Samples} completions (each chunk completed twice: repeats count once).");

            await Concurrent(report, redis, options);
            await StatsAtScale(report, redis);
        }
        finally
        {
            await Cleanup(redis, prefix);
        }

        await File.WriteAllTextAsync(resultsFile, report.ToString());
        Console.Write(report);
    }

    private static async Task Concurrent(StringBuilder report, IConnectionMultiplexer redis, IOptions<StateOptions> options)
    {
        const int callers = 64;
        const int chunksPerJob = 1000;
        const int jobCount = 4;
        var store = new RedisJobStore(redis, options, TimeProvider.System, NullLogger<RedisJobStore>.Instance);
        var jobIds = Enumerable.Range(0, jobCount).Select(i => $"conc-{i}").ToArray();
        foreach (var id in jobIds)
        {
            await store.SaveAsync(new JobDocument(Summary(id, JobStatus.Processing), []));
            await store.SetChunksAsync(id, Enumerable.Range(0, chunksPerJob).Select(i => Chunk(id, i, ChunkStatus.Pending)).ToArray());
        }

        // Every chunk is assigned then completed; callers interleave on the same jobs.
        var work = jobIds.SelectMany(id => Enumerable.Range(0, chunksPerJob).Select(i => (id, i))).ToArray();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < work.Length && watch.Elapsed < TimeLimit)
            {
                var (id, index) = work[n];
                await store.SetChunksAsync(id, [Chunk(id, index, ChunkStatus.Processing)]);
                await store.SetChunksAsync(id, [Chunk(id, index, ChunkStatus.Completed)]);
            }
        })));
        watch.Stop();
        var done = Math.Min(work.Length, next);
        var counted = 0;
        foreach (var id in jobIds)
        {
            counted += (await store.GetAsync(id))!.CompletedChunks;
        }

        report.AppendLine().AppendLine("## 64 concurrent callers").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{done * 2:N0} chunk updates (assign + complete) on {jobCount} jobs of {chunksPerJob:N0} chunks in {watch.Elapsed.TotalSeconds:0.00} s: **{done * 2 / watch.Elapsed.TotalSeconds:N0} ops/s**.")
            .AppendLine(CultureInfo.InvariantCulture, $"Afterwards completed_chunks sums to {counted:N0} for {done:N0} completed chunks: {(counted == done ? "exact, no lost update" : "MISMATCH")}. (Original master: 3 threads adding 150 chunks kept 64.)");
    }

    private static async Task StatsAtScale(StringBuilder report, IConnectionMultiplexer redis)
    {
        var prefix = $"bench:{Guid.NewGuid():N}:";
        var store = new RedisJobStore(redis, Options.Create(new StateOptions { KeyPrefix = prefix }), TimeProvider.System, NullLogger<RedisJobStore>.Instance);
        try
        {
            await StatsAtScale(report, store);
        }
        finally
        {
            await Cleanup(redis, prefix);
        }
    }

    private static async Task StatsAtScale(StringBuilder report, RedisJobStore store)
    {
        report.AppendLine().AppendLine("## Statistics read by number of jobs stored").AppendLine()
            .AppendLine("| jobs stored | p50 ms | p99 ms | total reported | exact? | original master |")
            .AppendLine("|---:|---:|---:|---:|---|---:|");
        var baseline = (await store.GetStatsAsync()).Total;
        double? p50At1000 = null;
        long stored = baseline;
        foreach (var (target, original) in new[] { (1_000L, "120 ms"), (100_000L, "1,300 ms at 10,000; total capped at 50") })
        {
            var toAdd = target - stored;
            var statuses = new[] { JobStatus.Completed, JobStatus.Processing, JobStatus.Failed, JobStatus.Created };
            var adds = new List<Task>();
            for (var i = 0; i < toAdd; i++)
            {
                var summary = Summary($"scale-{stored + i:D7}", statuses[i % statuses.Length]);
                adds.Add(store.SaveAsync(new JobDocument(summary, [])));
                if (adds.Count == 256)
                {
                    await Task.WhenAll(adds);
                    adds.Clear();
                }
            }

            await Task.WhenAll(adds);
            stored = target;
            var m = await Measure(_ => store.GetStatsAsync(), 500);
            var total = (await store.GetStatsAsync()).Total;
            p50At1000 ??= m.P50;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {target:N0} | {m.P50:0.000} | {m.P99:0.000} | {total:N0} | {(total == target ? "yes" : "NO")} | {original} |");
        }

        var last = await Measure(_ => store.GetStatsAsync(), 500);
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"100,000 ÷ 1,000 p50 ratio: {last.P50 / p50At1000!.Value:0.00} (target ≤ 1.5).");
    }

    private static async Task<Result> Measure(Func<int, Task> operation, int samples = Samples)
    {
        for (var i = 0; i < 50; i++)
        {
            await operation(samples + i); // warm-up uses its own items
        }

        var times = new List<double>(samples);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < samples && total.Elapsed < TimeLimit; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation(i);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        total.Stop();
        times.Sort();
        return new Result(times.Count / total.Elapsed.TotalSeconds, times[times.Count / 2], times[(int)(times.Count * 0.99)]);
    }

    private static void Row(StringBuilder report, string name, Result r, double floor, string target, string original) =>
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {r.OpsPerSecond:N0} | {r.P50:0.000} | {r.P99:0.000} | {r.P50 / floor:0.00} | {target} | {original} |");

    private static JobSummary Summary(string id, JobStatus status) => new()
    {
        JobId = id,
        Filename = "lecture.mp3",
        Status = status,
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    private static ChunkRecord Chunk(string jobId, int index, ChunkStatus status) => new()
    {
        ChunkId = ChunkRecord.IdFor(jobId, index),
        Index = index,
        StartMs = index * 60_000,
        EndMs = (index + 1) * 60_000,
        Status = status,
        WorkerUrl = status == ChunkStatus.Pending ? null : "http://172.22.1.222:8080",
        Attempts = status == ChunkStatus.Pending ? 0 : 1,
    };

    private static async Task Cleanup(IConnectionMultiplexer redis, string prefix)
    {
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        var batch = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
        {
            batch.Add(key);
            if (batch.Count == 1000)
            {
                await db.KeyDeleteAsync([.. batch]);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await db.KeyDeleteAsync([.. batch]);
        }
    }

    private sealed record Result(double OpsPerSecond, double P50, double P99);
}
