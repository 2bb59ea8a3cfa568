using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Jobs;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;
using Orchard.Tests.Transcripts;

namespace Orchard.Tests.Functions.Http;

/// <summary>The original master's clients, over HTTP against the local host's routing: same paths, same field names.</summary>
public sealed class OriginalClientFlowTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task OriginalClient_AddsWorkerSubmitsAndPolls_WithTheOriginalFieldNames()
    {
        await using var host = await ApiHost.StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        var client = host.Client;
        var bare = worker.Url.Replace("http://", string.Empty, StringComparison.Ordinal);

        using var added = await client.PostAsJsonAsync(new Uri("workers/add", UriKind.Relative), new { url = bare });
        var workers = await client.GetFromJsonAsync<JsonObject>(new Uri("workers", UriKind.Relative));
        using var preference = await client.PostAsJsonAsync(new Uri("preferences/purifier", UriKind.Relative), new { usePurifier = false });
        var stored = await client.GetFromJsonAsync<JsonObject>(new Uri("preferences/purifier", UriKind.Relative));
        var (path, _) = OrchestrationHarness.Recording(dir, 24, seed: 5);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "file", "lecture.wav" } };
        using var submitted = await client.PostAsync(new Uri("submit", UriKind.Relative), form);
        var accepted = (await ApiHost.ReadAsync(submitted)).Json!;
        var jobId = (string)accepted["job_id"]!;
        var job = await host.PollUntilFinishedAsync(jobId);
        var list = await client.GetFromJsonAsync<JsonObject>(new Uri("jobs", UriKind.Relative));
        var stats = await client.GetFromJsonAsync<JsonObject>(new Uri("stats", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(1, (int)workers!["count"]!);
        Assert.Equal(worker.Url, (string?)workers["workers"]![0]!["url"]);
        Assert.Equal(worker.Url, (string?)workers["workers"]![0]!["id"]);
        Assert.Equal("online", (string?)workers["workers"]![0]!["status"]);
        Assert.Equal(HttpStatusCode.OK, preference.StatusCode);
        Assert.False((bool)stored!["usePurifier"]!);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("accepted", (string?)accepted["status"]);
        Assert.Equal("completed", (string?)job["status"]);
        Assert.Equal("lecture.wav", (string?)job["filename"]);
        Assert.False((bool)job["purify"]!);
        Assert.NotNull(job["created_at"]);
        Assert.True((int)job["total_chunks"]! >= 2);
        var chunks = job["chunks"]!.AsArray();
        Assert.Equal((int)job["total_chunks"]!, chunks.Count);
        Assert.Equal(chunks.Count(c => (string?)c!["status"] == "completed"), (int)job["completed_chunks"]!);
        var sent = chunks.First(c => (string?)c!["status"] == "completed")!;
        Assert.Equal(worker.Url, (string?)sent["worker_url"]);
        Assert.StartsWith(jobId + "_chunk_", (string?)sent["chunk_id"], StringComparison.Ordinal);
        Assert.NotNull(sent["completed_at"]);
        var result = job["result"]!;
        Assert.False(string.IsNullOrEmpty((string?)result["text"]));
        Assert.True((long)result["total_processing_time_ms"]! >= 0);
        Assert.Equal(result["segments"]!.AsArray().Count, (int)result["segments_count"]!);
        var segment = result["segments"]![0]!;
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3}$", (string?)segment["start"]);
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3}$", (string?)segment["end"]);
        Assert.NotNull(segment["start_ms"]);
        Assert.NotNull(segment["end_ms"]);
        Assert.NotNull(segment["text"]);
        Assert.Equal(jobId, (string?)list!["jobs"]![0]!["job_id"]);
        Assert.Equal(1, (int)list["count"]!);
        Assert.NotNull(list["jobs"]![0]!["result"]);
        Assert.Equal(1, (int)stats!["workers"]!["total"]!);
        Assert.Equal(1, (int)stats["workers"]!["online"]!);
        Assert.Equal(0, (int)stats["workers"]!["busy"]!);
        Assert.Equal(0, (int)stats["workers"]!["offline"]!);
        Assert.Equal(1, (int)stats["jobs"]!["total"]!);
        Assert.Equal(0, (int)stats["jobs"]!["active"]!);
        Assert.Equal(1, (int)stats["jobs"]!["completed"]!);
        Assert.Equal("redis", (string?)stats["store"]);

        // Every format of the transcript, on the original timeline.
        var segments = result["segments"]!.AsArray().Where(s => ((string?)s!["text"])!.Trim().Length > 0).ToArray();
        var srt = SubtitleParser.ParseSrt(await client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=srt", UriKind.Relative)));
        var vtt = SubtitleParser.ParseVtt(await client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=vtt", UriKind.Relative)));
        var txt = await client.GetStringAsync(new Uri($"jobs/{jobId}/transcript?format=txt", UriKind.Relative));
        var json = await client.GetFromJsonAsync<JsonObject>(new Uri($"jobs/{jobId}/transcript", UriKind.Relative));
        Assert.Equal(segments.Select(s => (long)s!["start_ms"]!), srt.Select(c => (long)c.Start.TotalMilliseconds));
        Assert.Equal(segments.Select(s => (long)s!["start_ms"]!), vtt.Select(c => (long)c.Start.TotalMilliseconds));
        Assert.Equal(segments.Select(s => ((string?)s!["text"])!.Trim()), vtt.Select(c => c.Text));
        Assert.Equal(segments.Length, txt.TrimEnd('\n').Split('\n').Length);
        Assert.Equal((string?)result["text"], (string?)json!["text"]);
        // A completed job's transcript keeps the original shape: no partial flag, no gaps.
        Assert.Null(json["partial"]);
        Assert.Null(json["gaps"]);
        Assert.Null(result["partial"]);
        Assert.DoesNotContain("[untranscribed", txt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJob_AnswersFromBlobStorage_AfterTheRedisRecordExpires()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["State:JobRetention"] = "00:00:01" });
        await using var worker = await FakeWorker.StartAsync();
        await host.Workers.AddAsync(worker.Url);
        var (path, _) = OrchestrationHarness.Recording(dir, 12, seed: 9);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "file", "short.wav" } };
        using var submitted = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), form);
        var jobId = (string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!;
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.Durable.WaitForInstanceCompletionAsync(jobId, wait.Token);

        await Poll.UntilAsync(async () => await host.Jobs.GetAsync(jobId) is null);
        var job = await host.Client.GetFromJsonAsync<JsonObject>(new Uri($"jobs/{jobId}", UriKind.Relative));
        using var transcript = await host.Client.GetAsync(new Uri($"jobs/{jobId}/transcript?format=txt", UriKind.Relative));

        Assert.Equal("completed", (string?)job!["status"]);
        Assert.NotNull(job["result"]);
        Assert.NotEmpty(job["chunks"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, transcript.StatusCode);
        Assert.Equal("text/plain", transcript.Content.Headers.ContentType?.MediaType);
    }
}
