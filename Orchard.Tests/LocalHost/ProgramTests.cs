using System.Net.Http.Headers;
using System.Text.Json;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;
using StackExchange.Redis;

namespace Orchard.Tests.LocalHost;

/// <summary>The local host as users run it: a separate process, real Redis and Azurite, fake workers over HTTP.</summary>
public sealed class ProgramTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        http.Dispose();
        dir.Dispose();
    }

    [Fact]
    public async Task Main_CompletesJobSubmittedOverHttp_WithTimesOnTheOriginalTimeline()
    {
        await using var host = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString, new Dictionary<string, string> { ["Dispatch__BatchSize"] = "2" });
        await host.StartAsync();
        await using var a = await FakeWorker.StartAsync(0.01);
        await using var b = await FakeWorker.StartAsync(0.02);
        await using var c = await FakeWorker.StartAsync(0.04);
        await AddWorkerAsync(host, a.Url);
        await AddWorkerAsync(host, b.Url);
        await AddWorkerAsync(host, c.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 45, seed: 41);

        var jobId = await SubmitAsync(host, path);
        using var job = await WaitForAsync(host, jobId, "completed");

        var segments = job.RootElement.GetProperty("result").GetProperty("segments").EnumerateArray().ToArray();
        Assert.True(bursts.Count == segments.Length, $"bursts {string.Join(' ', bursts.Select(b => $"{b.StartMs:0}-{b.EndMs:0}"))} / segments {string.Join(' ', segments.Select(s => $"{s.GetProperty("start_ms")}-{s.GetProperty("end_ms")}"))} / chunks {job.RootElement.GetProperty("chunks")}");
        for (var i = 0; i < bursts.Count; i++)
        {
            Assert.InRange(segments[i].GetProperty("start_ms").GetDouble(), bursts[i].StartMs - 50, bursts[i].StartMs + 50);
            Assert.InRange(segments[i].GetProperty("end_ms").GetDouble(), bursts[i].EndMs - 50, bursts[i].EndMs + 50);
        }
    }

    [Fact]
    public async Task Main_RunsOnlyTheTimerWhoseScheduleIsSet_AndSaysLoudlyWhichDoesNot()
    {
        await using var host = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString, new Dictionary<string, string>
        {
            ["Timers__JobCleanup"] = "",
            ["Logging__LogLevel__Orchard.LocalHost.Timers"] = "Information",
        });
        await host.StartAsync();

        using var health = JsonDocument.Parse(await http.GetStringAsync($"{host.BaseUrl}/health"));

        var timers = health.RootElement.GetProperty("timers").EnumerateArray().ToDictionary(t => t.GetProperty("function").GetString()!, t => t.GetProperty("active").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["SweepWorkers"] = true, ["CleanUpJobs"] = false }, timers);
        Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
        // The console logger writes asynchronously: wait for the last of the start-up lines to reach the output.
        await Poll.UntilAsync(() => host.Output.Contains("Timer function SweepWorkers scheduled", StringComparison.Ordinal), "the timer start-up log");
        Assert.Contains("Timer function SweepWorkers scheduled: 0 * * * * *", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Timer function CleanUpJobs scheduled", host.Output, StringComparison.Ordinal);
        Assert.Contains("The 'CleanUpJobs' function is in error: '%Timers:JobCleanup%' does not resolve to a value.", host.Output, StringComparison.Ordinal);
        Assert.Contains("Timer CleanUpJobs does not run: app setting Timers:JobCleanup (Timers__JobCleanup) is not set, so old jobs are never purged", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_ResumesJobAfterKill9_WithEveryChunkOnceAndClaimsFreed_WithHostJsonAsShipped()
    {
        // host.json as shipped: its 45 s visibility timeouts (held while an activity runs by lock renewal) let what died
        // with the process run again soon after the restart; before, 12 minutes kept the job at a standstill. Queue
        // polling at host.json's 1 s too, not the test hosts' 50 ms.
        var settings = new Dictionary<string, string> { ["DurableEngine__MaxQueuePollingInterval"] = "00:00:01", ["Dispatch__TimeoutFloor"] = "00:00:03", ["Logging__LogLevel__Default"] = "Information" };
        await using var host = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString, settings);
        await host.StartAsync();
        await using var worker = await FakeWorker.StartAsync(0.15);
        await AddWorkerAsync(host, worker.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 60, seed: 43);
        var jobId = await SubmitAsync(host, path);

        // Kill while a chunk is at the worker, after at least one is done.
        for (var i = 0; i < 300; i++)
        {
            using var progress = await GetJobAsync(host, jobId);
            var chunks = progress.RootElement.GetProperty("chunks").EnumerateArray().ToArray();
            if (chunks.Any(c => c.GetProperty("status").GetString() == "completed") && chunks.Any(c => c.GetProperty("status").GetString() == "processing"))
            {
                break;
            }

            await Task.Delay(100);
        }

        await host.KillAsync();
        await host.StartAsync();
        JsonDocument job;
        try
        {
            // Well under the 12 minutes the in-flight chunk stayed invisible with the old setting.
            job = await WaitForAsync(host, jobId, "completed", TimeSpan.FromSeconds(150));
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            var log = Path.Combine(Path.GetTempPath(), $"orchard-kill9-{jobId}.log");
            File.WriteAllText(log, host.Output);
            throw new Xunit.Sdk.XunitException($"{ex.Message}; local host output in {log}");
        }

        using var disposeJob = job;

        var segments = job.RootElement.GetProperty("result").GetProperty("segments").EnumerateArray().ToArray();
        Assert.Equal(bursts.Count, segments.Length);
        Assert.Equal(segments.Length, segments.Select(s => s.GetProperty("start_ms").GetInt64()).Distinct().Count());
        Assert.False(worker.WasDoubleBooked);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestEnvironment.RedisConnectionString);
        var record = (string?)await redis.GetDatabase().StringGetAsync($"{host.RedisPrefix}worker:{worker.Url.TrimEnd('/')}");
        var stored = Domain.Json.OrchardJson.Deserialize<Domain.Workers.Worker>(record!);
        Assert.True(stored.Claim is null || stored.Claim.LeaseUntilMs <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "a claim outlived the job");
    }

    [Fact]
    public async Task Main_LosesNoText_WhenAWorkerIsKilledMidJob()
    {
        await using var host = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString);
        await host.StartAsync();
        await using var doomed = await FakeWorker.StartAsync(0.05);
        await using var steady = await FakeWorker.StartAsync(0.05);
        await AddWorkerAsync(host, doomed.Url);
        await AddWorkerAsync(host, steady.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 60, seed: 47);
        var jobId = await SubmitAsync(host, path);

        for (var i = 0; i < 300 && doomed.Answered == 0; i++)
        {
            await Task.Delay(50);
        }

        await doomed.StopAsync();
        using var job = await WaitForAsync(host, jobId, "completed");

        AssertSegmentsMatch(job, bursts);
        Assert.True(doomed.Answered >= 1);
    }

    [Fact]
    public async Task Main_FinishesWithWholeRecord_WhenRedisRestartsLosingItsData()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = LocalHostProcess.Create(redis.ConnectionString, TestEnvironment.StorageConnectionString, new Dictionary<string, string>
        {
            ["Dispatch__NoWorkerPollInterval"] = "00:00:00.500",
        });
        await host.StartAsync();
        await using var a = await FakeWorker.StartAsync(0.08);
        await using var b = await FakeWorker.StartAsync(0.08);
        a.RegisterWith(host.BaseUrl, TimeSpan.FromMilliseconds(500));
        b.RegisterWith(host.BaseUrl, TimeSpan.FromMilliseconds(500));
        var (path, bursts) = OrchestrationHarness.Recording(dir, 60, seed: 53);
        for (var i = 0; i < 100 && (a.Registrations == 0 || b.Registrations == 0); i++)
        {
            await Task.Delay(100);
        }

        await RunThroughRedisRestartAsync(host, redis, path, bursts, a, b);

        Assert.True(a.Registrations + b.Registrations >= 3, "the workers registered again after Redis forgot them");
    }

    /// <summary>
    /// The original's kind of fleet: workers added by URL never register again, so after Redis restarts empty only
    /// the worker directory in blobs brings them back, on the next sweep.
    /// </summary>
    [Fact]
    public async Task Main_FinishesWithWholeRecord_WhenRedisRestartsEmptyUnderWorkersAddedByUrl()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = LocalHostProcess.Create(redis.ConnectionString, TestEnvironment.StorageConnectionString, new Dictionary<string, string>
        {
            ["Dispatch__NoWorkerPollInterval"] = "00:00:00.500",
            ["Timers__WorkerSweep"] = "*/2 * * * * *",
            ["Timers__JobCleanup"] = "0 0 0 1 1 *",
        });
        await host.StartAsync();
        await using var a = await FakeWorker.StartAsync(0.08);
        await using var b = await FakeWorker.StartAsync(0.08);
        await AddWorkerAsync(host, a.Url);
        await AddWorkerAsync(host, b.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 60, seed: 59);

        await RunThroughRedisRestartAsync(host, redis, path, bursts, a, b);

        using var workers = JsonDocument.Parse(await http.GetStringAsync($"{host.BaseUrl}/workers"));
        Assert.Equal(2, workers.RootElement.GetProperty("count").GetInt32());
    }

    /// <summary>
    /// Real recognition end to end: two reference workers running PocketSphinx transcribe espeak-ng speech cut into
    /// several chunks. Its accuracy on synthetic speech is poor, so the words are compared with a whole-file run of the
    /// same engine, not with the script. PocketSphinx is also chaotic on it (measured: a 2 dB level change alone
    /// rewrites a third of its words), and a chunk starts without the language-model context of what came before, so
    /// the tolerance is: the word sequences share at least half their words (longest common subsequence over the
    /// longer one); no segment spans a cut; and on each side of each cut, where the whole-file run heard words within
    /// 2.5 s, the distributed run heard some too (a chunk's first words suffer most from the engine's cold start, so
    /// counts there are not compared).
    /// </summary>
    [Fact]
    public async Task Main_DistributedPocketSphinxWordsMatchAWholeFileRun()
    {
        string[] sentences =
        [
            "Welcome to the first lecture of this course.", "Today we talk about how a long recording becomes a transcript.",
            "The master splits the audio at silences.", "Each piece goes to a worker.", "Each worker listens and writes down what it hears.",
            "When every piece is back the master joins the text.", "Every sentence is put at the right time.",
            "Even when a worker fails no sentence is lost.", "Some workers are old phones.", "Some are small boards.",
            "The fastest machines get the longest pieces.", "Thank you for listening.",
        ];
        var speech = Worker.WorkerAudio.Speech(dir, 1.6, sentences);
        await using var host = LocalHostProcess.Create(TestEnvironment.RedisConnectionString, TestEnvironment.StorageConnectionString);
        await host.StartAsync();
        await using var a = await Worker.WorkerHost.StartAsync();
        await using var b = await Worker.WorkerHost.StartAsync();
        await AddWorkerAsync(host, a.Url);
        await AddWorkerAsync(host, b.Url);

        var jobId = await SubmitAsync(host, speech);
        using var job = await WaitForAsync(host, jobId, "completed", TimeSpan.FromSeconds(120));
        using var whole = new ByteArrayContent(await File.ReadAllBytesAsync(speech));
        whole.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var wholeAnswer = await a.Http.PostAsync(new Uri("transcribe", UriKind.Relative), whole);
        using var reference = JsonDocument.Parse(await wholeAnswer.Content.ReadAsStringAsync());

        var cuts = job.RootElement.GetProperty("chunks").EnumerateArray().Skip(1).Select(c => c.GetProperty("start_ms").GetDouble()).ToArray();
        Assert.NotEmpty(cuts);
        var distributed = Words(job.RootElement.GetProperty("result").GetProperty("segments"));
        var wholeFile = Words(reference.RootElement.GetProperty("segments"));
        var common = LongestCommonSubsequence(distributed.Select(w => w.Word).ToArray(), wholeFile.Select(w => w.Word).ToArray());
        Assert.True(common >= 0.5 * Math.Max(distributed.Count, wholeFile.Count), $"only {common} words in common: [{string.Join(' ', distributed.Select(w => w.Word))}] vs [{string.Join(' ', wholeFile.Select(w => w.Word))}]");
        foreach (var cut in cuts)
        {
            bool Before(IEnumerable<(string Word, double At)> words) => words.Any(w => w.At < cut && w.At > cut - 2500);
            bool After(IEnumerable<(string Word, double At)> words) => words.Any(w => w.At > cut && w.At < cut + 2500);
            Assert.True(!Before(wholeFile) || Before(distributed), $"no words heard just before the cut at {cut} ms");
            Assert.True(!After(wholeFile) || After(distributed), $"no words heard just after the cut at {cut} ms");
            Assert.DoesNotContain(job.RootElement.GetProperty("result").GetProperty("segments").EnumerateArray(),
                s => s.GetProperty("start_ms").GetDouble() < cut && s.GetProperty("end_ms").GetDouble() > cut);
        }
    }

    /// <summary>Words with the time of the segment they are in (segments are short phrases).</summary>
    private static List<(string Word, double At)> Words(JsonElement segments) =>
        segments.EnumerateArray()
            .SelectMany(s => s.GetProperty("text").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(w => (w.ToLowerInvariant(), (s.GetProperty("start_ms").GetDouble() + s.GetProperty("end_ms").GetDouble()) / 2)))
            .ToList();

    private static int LongestCommonSubsequence(string[] x, string[] y)
    {
        var table = new int[x.Length + 1, y.Length + 1];
        for (var i = 1; i <= x.Length; i++)
        {
            for (var j = 1; j <= y.Length; j++)
            {
                table[i, j] = x[i - 1] == y[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }

        return table[x.Length, y.Length];
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
    }

    /// <summary>Submits, restarts Redis empty once a worker has answered, and checks the job finishes whole.</summary>
    private async Task RunThroughRedisRestartAsync(LocalHostProcess host, RedisServerProcess redis, string path, IReadOnlyList<Burst> bursts, FakeWorker a, FakeWorker b)
    {
        var jobId = await SubmitAsync(host, path);
        for (var i = 0; i < 300 && a.Answered + b.Answered == 0; i++)
        {
            await Task.Delay(50);
        }

        await redis.KillAsync();
        await redis.StartAgainAsync();
        using var job = await WaitForAsync(host, jobId, "completed", TimeSpan.FromSeconds(120));

        AssertSegmentsMatch(job, bursts);
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

    private async Task<string> SubmitAsync(LocalHostProcess host, string path, bool purify = false)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(path));
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", Path.GetFileName(path));
        using var response = await http.PostAsync($"{host.BaseUrl}/submit?purify={(purify ? "true" : "false")}", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("job_id").GetString()!;
    }

    private async Task<JsonDocument> GetJobAsync(LocalHostProcess host, string jobId) =>
        JsonDocument.Parse(await http.GetStringAsync($"{host.BaseUrl}/jobs/{jobId}"));

    private async Task<JsonDocument> WaitForAsync(LocalHostProcess host, string jobId, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            // Never a 404, even while Redis has lost the record: the API rebuilds the job from its blobs meanwhile.
            using var response = await http.GetAsync($"{host.BaseUrl}/jobs/{jobId}");
            Assert.True(response.IsSuccessStatusCode, $"GET /jobs/{jobId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            last = job.RootElement.GetProperty("status").GetString();
            if (last == status)
            {
                return job;
            }

            job.Dispose();
            if (last is "failed" or "cancelled")
            {
                break;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"job {jobId} is {last}, not {status}");
    }
}
