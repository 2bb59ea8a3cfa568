using System.Net.Http.Headers;
using System.Text.Json;
using Orchard.Functions.Runtime;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.LocalHost;

/// <summary>
/// The local host as a fleet sees it: real processes (two instances on one Redis and one Azurite, a master killed with
/// SIGKILL, a Redis restarted empty), pull workers speaking the protocol and workers added by URL.
/// </summary>
public sealed class ProgramFleetTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        http.Dispose();
        dir.Dispose();
    }

    [Fact]
    public async Task Main_LeasesEveryChunkOnce_WhenTwoInstancesShareOneFleet()
    {
        // Hedging off: with it a chunk may rightly be leased twice; here every second lease would be a double lease.
        var settings = new Dictionary<string, string> { ["Dispatch__Hedging"] = "false" };
        await using var a = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString, settings);
        await a.StartAsync();
        await using var b = Sibling(a, TestEnvironment.RedisConnectionString, settings);
        await b.StartAsync();
        // The pushed worker is contested by both instances' push pumps; the pull workers lease from one instance each.
        await using var pushed = await FakeWorker.StartAsync(0.05);
        await AddWorkerAsync(a, pushed.Url);
        await using var onB1 = FakePullWorker.Start(b.BaseUrl, 0.05, name: "pull-b1");
        await using var onB2 = FakePullWorker.Start(b.BaseUrl, 0.05, name: "pull-b2");
        await using var onA = FakePullWorker.Start(a.BaseUrl, 0.05, name: "pull-a");
        FakePullWorker[] pullers = [onB1, onB2, onA];
        await Poll.UntilAsync(() => pullers.All(p => p.Polling), "every pull worker registered and polling");
        var (path, bursts) = OrchestrationHarness.Recording(dir, 90, seed: 61);

        var jobId = await SubmitAsync(a, path);
        using var job = await WaitForAsync(b, jobId, "completed", TimeSpan.FromSeconds(60), a, b);

        AssertSegmentsMatch(job, bursts);
        var completed = job.RootElement.GetProperty("chunks").EnumerateArray().Count(c => c.GetProperty("status").GetString() == "completed");
        var leased = pullers.SelectMany(p => p.Calls).Where(c => c.Status == 200).Select(c => c.Index!.Value).ToArray();
        var accepted = pullers.SelectMany(p => p.Answers).ToArray();
        Assert.True(leased.Length == leased.Distinct().Count(), $"a chunk was leased twice to pull workers: {string.Join(' ', leased.Order())}");
        Assert.All(accepted, answer => Assert.Equal(200, answer.Status));
        Assert.Equal(leased.Order(), accepted.Select(answer => answer.Index).Order());
        Assert.False(pushed.WasDoubleBooked, "two push pumps sent the pushed worker two chunks at once");
        Assert.Equal(completed, accepted.Length + pushed.Answered);
        Assert.True(onB1.Accepted.Any() || onB2.Accepted.Any(), "no pull worker on instance B answered");
        Assert.Equal(completed, await CompletedByWorkersAsync(b));
    }

    [Fact]
    public async Task Main_WakesALongPollOnOneInstance_WhenAnotherMakesWorkReady()
    {
        // A private Redis, watched with MONITOR, and named connections: a PUBLISH on the ready signal tells which
        // instance made work ready. B's engine polls its queues lazily, so the job's activities (the split that makes
        // its chunks ready among them) run on A: B's long poll can then only be woken from A, across instances.
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = LocalHostProcess.Create($"{redis.ConnectionString},name=instance-a", TestEnvironment.StorageConnectionString);
        await a.StartAsync();
        await using var b = Sibling(a, $"{redis.ConnectionString},name=instance-b", new Dictionary<string, string> { ["DurableEngine__MaxQueuePollingInterval"] = "00:00:30" });
        await b.StartAsync();
        await using var onB = FakePullWorker.Start(b.BaseUrl, 0.05, waitSeconds: 25, name: "pull-b");
        await Poll.UntilAsync(() => onB.PollingSince < DateTimeOffset.UtcNow.AddSeconds(-1), "the pull worker waiting at B for a second");
        await using var watch = await RedisPublishWatch.StartAsync(redis.ConnectionString, a.RedisPrefix + "orchard:ready-signal");
        var (path, bursts) = OrchestrationHarness.Recording(dir, 30, seed: 67);

        var submitted = DateTimeOffset.UtcNow;
        var jobId = await SubmitAsync(a, path);
        using var job = await WaitForAsync(a, jobId, "completed", TimeSpan.FromSeconds(45), a, b);

        AssertSegmentsMatch(job, bursts);
        var first = watch.Publications.FirstOrDefault();
        Assert.True(first is not null, "nothing was published on the ready signal");
        Assert.Equal("instance-a", first.Client);
        var woken = onB.Calls.First(c => c.Status == 200);
        Assert.True(woken.AskedAt < submitted, $"the first lease call was sent at {woken.AskedAt:HH:mm:ss.fff}, after the job was submitted at {submitted:HH:mm:ss.fff}");
        // When B leased the chunk, not when its answer left (the lease's bookkeeping and event come first): well before
        // the 25 s the call may wait, and sooner than B's own look at the queue every 2 s (measured: 10-90 ms).
        var latency = woken.LeasedAt!.Value - first.At;
        Assert.True(latency < TimeSpan.FromMilliseconds(500), $"the long poll on B answered {latency.TotalMilliseconds:0} ms after A made work ready; published: {string.Join(", ", watch.Publications.Select(p => $"{p.Client} {p.At:HH:mm:ss.fff}"))}; calls: {string.Join(", ", onB.Calls.Select(c => $"{c.Status} {c.AskedAt:HH:mm:ss.fff}-{c.LeasedAt:HH:mm:ss.fff}-{c.AnsweredAt:HH:mm:ss.fff}"))}");
    }

    [Fact]
    public async Task Main_ResumesWithinAMinuteOfRestart_WhenKilledWithPullAndPushLeasesOutstanding_WithHostJsonAsShipped()
    {
        // host.json as shipped (its 1 s queue polling, 45 s visibility timeouts) and Dispatch as shipped (30 s review,
        // 12 s leases renewed every 4 s, 20 s timeout floor); only the chunk sizes are the test's, for several chunks.
        var settings = new Dictionary<string, string> { ["DurableEngine__MaxQueuePollingInterval"] = "00:00:01", ["Dispatch__TimeoutFloor"] = "00:00:20" };
        await using var host = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString, settings);
        await host.StartAsync();
        await using var pushed = await FakeWorker.StartAsync(0.15);
        await AddWorkerAsync(host, pushed.Url);
        await using var pullA = FakePullWorker.Start(host.BaseUrl, 0.15, name: "pull-1");
        await using var pullB = FakePullWorker.Start(host.BaseUrl, 0.15, name: "pull-2");
        await Poll.UntilAsync(() => pullA.Polling && pullB.Polling, "both pull workers polling");
        var (path, bursts) = OrchestrationHarness.Recording(dir, 120, seed: 71);
        var jobId = await SubmitAsync(host, path);

        // Kill once a chunk is done and at least two are at workers: pushed or pulled, their leases outstanding.
        await Poll.UntilAsync(async () =>
        {
            using var progress = await GetJobAsync(host, jobId);
            var statuses = progress.RootElement.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("status").GetString()).ToArray();
            return statuses.Contains("completed") && statuses.Count(s => s == "processing") >= 2 && pushed.Requests > pushed.Answered;
        }, "a chunk answered and two leased, one of them pushed", attempts: 300);
        await host.KillAsync();
        await host.StartAsync();
        var restarted = DateTimeOffset.UtcNow;

        using var job = await WaitForAsync(host, jobId, "completed", TimeSpan.FromSeconds(75), host);

        AssertSegmentsMatch(job, bursts);
        var after = job.RootElement.GetProperty("chunks").EnumerateArray()
            .Where(c => c.GetProperty("status").GetString() == "completed")
            .Select(c => c.GetProperty("completed_at").GetDateTimeOffset())
            .Where(at => at > restarted)
            .Order()
            .ToArray();
        Assert.NotEmpty(after);
        Assert.True(after[0] - restarted < TimeSpan.FromSeconds(60), $"the first chunk after the restart completed {(after[0] - restarted).TotalSeconds:0.0} s after it");
        Assert.False(pushed.WasDoubleBooked);
    }

    /// <summary>
    /// The original's kind of fleet, workers added by URL only: after Redis restarts empty the sweep restores them from
    /// the worker directory in blobs (after a probe), and the job's review finds its open chunks gone from the queue and
    /// offers them again. Short review and sweep intervals keep it quick.
    /// </summary>
    [Fact]
    public async Task Main_RestoresUrlWorkersAndReoffersOpenChunks_WhenRedisRestartsEmptyMidJob()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = LocalHostProcess.Create(redis.ConnectionString, TestEnvironment.StorageConnectionString, new Dictionary<string, string>
        {
            ["Dispatch__ReviewInterval"] = "00:00:03",
            ["Timers__WorkerSweep"] = "*/2 * * * * *",
            ["Timers__JobCleanup"] = "0 0 0 1 1 *",
        });
        await host.StartAsync();
        await using var a = await FakeWorker.StartAsync(0.1);
        await using var b = await FakeWorker.StartAsync(0.1);
        await AddWorkerAsync(host, a.Url);
        await AddWorkerAsync(host, b.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 90, seed: 73);
        var jobId = await SubmitAsync(host, path);
        await Poll.UntilAsync(() => a.Answered + b.Answered >= 1, "a first answer", attempts: 600);

        await redis.KillAsync();
        await redis.StartAgainAsync();
        var restarted = DateTimeOffset.UtcNow;

        await Poll.UntilAsync(async () => await WorkerCountAsync(host) == 2, "both workers restored from the directory", attempts: 150);
        var restoredAfter = DateTimeOffset.UtcNow - restarted;
        using var job = await WaitForAsync(host, jobId, "completed", TimeSpan.FromSeconds(60), host);
        var finishedAfter = DateTimeOffset.UtcNow - restarted;

        AssertSegmentsMatch(job, bursts);
        Assert.True(restoredAfter < TimeSpan.FromSeconds(15), $"the workers came back {restoredAfter.TotalSeconds:0.0} s after Redis restarted");
        Assert.True(finishedAfter < TimeSpan.FromSeconds(60), $"the job finished {finishedAfter.TotalSeconds:0.0} s after Redis restarted");
        Assert.Equal(2, await WorkerCountAsync(host));
    }

    /// <summary>
    /// A deploy in the middle of a job: the job starts on a host whose orchestration version is 1 (the path of the
    /// release before versioning, which prepared before checking the fleet), that host is killed with leases out, and
    /// the new build (version 2, which checks the fleet first) takes over. The job must finish on the path it started
    /// on: replaying its history on version 2's path would fail it as non-deterministic at its first step.
    /// </summary>
    [Fact]
    public async Task Main_FinishesAJobOnTheVersionItStartedOn_WhenANewerBuildTakesOverMidJob()
    {
        await using var old = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString, new Dictionary<string, string>
        {
            ["DurableEngine__DefaultVersion"] = JobVersions.PrepareFirst,
        });
        await old.StartAsync();
        await using var first = FakePullWorker.Start(old.BaseUrl, 0.1, name: "pull-1");
        await using var second = FakePullWorker.Start(old.BaseUrl, 0.1, name: "pull-2");
        await Poll.UntilAsync(() => first.Polling && second.Polling, "both pull workers polling");
        var (path, bursts) = OrchestrationHarness.Recording(dir, 90, seed: 79);
        var jobId = await SubmitAsync(old, path);
        await Poll.UntilAsync(async () =>
        {
            using var progress = await GetJobAsync(old, jobId);
            var statuses = progress.RootElement.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("status").GetString()).ToArray();
            return statuses.Contains("completed") && statuses.Contains("processing");
        }, "a chunk answered and another leased on the old build", attempts: 300);

        await old.KillAsync();
        // The workers keep calling the same address: the new build starts where the old one listened.
        await using var upgraded = Sibling(old, TestEnvironment.RedisConnectionString, new Dictionary<string, string> { ["urls"] = old.Settings["urls"] });
        await upgraded.StartAsync();
        using var job = await WaitForAsync(upgraded, jobId, "completed", TimeSpan.FromSeconds(90), old, upgraded);

        AssertSegmentsMatch(job, bursts);
    }

    /// <summary>Another instance of <paramref name="first"/>'s deployment: same task hub, key prefix and container.</summary>
    private static LocalHostProcess Sibling(LocalHostProcess first, string redis, IDictionary<string, string>? settings = null)
    {
        var shared = first.Settings.Where(s => s.Key is "State__KeyPrefix" or "Storage__ContainerName" or "DurableEngine__TaskHubName")
            .Concat(settings ?? new Dictionary<string, string>())
            .ToDictionary(s => s.Key, s => s.Value);
        return LocalHostProcess.Create(redis, TestEnvironment.StorageConnectionString, shared);
    }

    private async Task<int> WorkerCountAsync(LocalHostProcess host)
    {
        using var workers = JsonDocument.Parse(await http.GetStringAsync($"{host.BaseUrl}/workers"));
        return workers.RootElement.GetProperty("count").GetInt32();
    }

    /// <summary>The sum of the registry's <c>completed_chunks</c>, from <c>GET /workers</c>.</summary>
    private async Task<int> CompletedByWorkersAsync(LocalHostProcess host)
    {
        using var workers = JsonDocument.Parse(await http.GetStringAsync($"{host.BaseUrl}/workers"));
        return workers.RootElement.GetProperty("workers").EnumerateArray().Sum(w => w.GetProperty("completed_chunks").GetInt32());
    }

    private static void AssertSegmentsMatch(JsonDocument job, IReadOnlyList<Burst> bursts)
    {
        var segments = job.RootElement.GetProperty("result").GetProperty("segments").EnumerateArray().ToArray();
        Assert.Equal(bursts.Count, segments.Length);
        for (var i = 0; i < bursts.Count; i++)
        {
            Assert.InRange(segments[i].GetProperty("start_ms").GetDouble(), bursts[i].StartMs - 50, bursts[i].StartMs + 50);
            Assert.InRange(segments[i].GetProperty("end_ms").GetDouble(), bursts[i].EndMs - 50, bursts[i].EndMs + 50);
        }

        var chunks = job.RootElement.GetProperty("chunks").EnumerateArray().ToArray();
        Assert.Equal(job.RootElement.GetProperty("total_chunks").GetInt32(), chunks.Length);
        Assert.All(chunks, c => Assert.Contains(c.GetProperty("status").GetString(), new[] { "completed", "silent" }));
        Assert.Equal(chunks.Count(c => c.GetProperty("status").GetString() == "completed"), job.RootElement.GetProperty("completed_chunks").GetInt32());
    }

    private async Task AddWorkerAsync(LocalHostProcess host, string url)
    {
        using var response = await http.PostAsync($"{host.BaseUrl}/workers/add", new StringContent(JsonSerializer.Serialize(new { url })));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> SubmitAsync(LocalHostProcess host, string path)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(path));
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", Path.GetFileName(path));
        using var response = await http.PostAsync($"{host.BaseUrl}/submit?purify=false", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("job_id").GetString()!;
    }

    private async Task<JsonDocument> GetJobAsync(LocalHostProcess host, string jobId) =>
        JsonDocument.Parse(await http.GetStringAsync($"{host.BaseUrl}/jobs/{jobId}"));

    /// <summary>
    /// Polls <c>GET /jobs/{id}</c> on <paramref name="host"/> until the job has <paramref name="status"/>, for at most
    /// <paramref name="timeout"/>; on failure the hosts' output goes to a file named in the message.
    /// </summary>
    private async Task<JsonDocument> WaitForAsync(LocalHostProcess host, string jobId, string status, TimeSpan timeout, params LocalHostProcess[] logged)
    {
        JsonDocument? found = null;
        string? last = null;
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            await Poll.UntilAsync(async () =>
            {
                var job = await GetJobAsync(host, jobId);
                last = job.RootElement.GetProperty("status").GetString();
                if (last == status)
                {
                    found = job;
                    return true;
                }

                job.Dispose();
                return last is "failed" or "cancelled" || DateTime.UtcNow > deadline;
            }, $"job {jobId} to be {status}", attempts: (int)(timeout.TotalSeconds * 10));
        }
        catch (Xunit.Sdk.XunitException)
        {
        }

        if (found is null)
        {
            var log = Path.Combine(Path.GetTempPath(), $"orchard-fleet-{jobId}.log");
            await File.WriteAllTextAsync(log, string.Join("\n\n", logged.Select(h => $"== {h.BaseUrl}\n{h.Output}")));
            Assert.Fail($"job {jobId} is {last}, not {status}, after {timeout.TotalSeconds:0} s; local host output in {log}");
        }

        return found;
    }
}
