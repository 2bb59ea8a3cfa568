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
        await AddWorkerAsync(host, a.Url);
        await AddWorkerAsync(host, b.Url);
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
    public async Task Main_ResumesJobAfterKill9_WithEveryChunkOnceAndClaimsFreed()
    {
        // A short visibility timeout lets the activity that died with the process run again soon after the restart.
        var settings = new Dictionary<string, string> { ["DurableEngine__WorkItemVisibilityTimeout"] = "00:00:30", ["DurableEngine__ControlQueueVisibilityTimeout"] = "00:00:10", ["Dispatch__TimeoutFloor"] = "00:00:03", ["Logging__LogLevel__Default"] = "Information" };
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
            job = await WaitForAsync(host, jobId, "completed", TimeSpan.FromSeconds(120));
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
        using var response = await http.PostAsync($"{host.BaseUrl}/submit", form);
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
            var job = await GetJobAsync(host, jobId);
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
