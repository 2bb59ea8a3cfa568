using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Orchard.Domain.Storage;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

/// <summary>The dashboard's endpoints over HTTP on the local host's router: page, snapshot, stream tokens, SSE, audio.</summary>
public sealed class DashboardFunctionsTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Dashboard:StreamTokenKey"] = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()),
        ["Dashboard:StreamDuration"] = "00:00:02",
        ["Dashboard:PollInterval"] = "00:00:00.100",
        ["Dashboard:HeartbeatInterval"] = "00:00:00.300",
    };

    [Fact]
    public async Task DashboardRoot_ServesThePageWithoutAKey_WithAPolicyAllowingOnlyItselfAndStorage()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>(Settings) { ["LocalHost:FunctionKey"] = "secret" });

        using var root = await host.Client.GetAsync(new Uri("/", UriKind.Relative));
        using var named = await host.Client.GetAsync(new Uri("dashboard", UriKind.Relative));
        using var token = await host.Client.PostAsync(new Uri("events/token", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        var html = await root.Content.ReadAsStringAsync();
        Assert.Contains("<title>Orchard</title>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("://", html, StringComparison.Ordinal);
        var policy = root.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains($"connect-src 'self' {host.Container.Uri.GetLeftPart(UriPartial.Authority)};", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Equal(html, await named.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
    }

    [Fact]
    public async Task DashboardSnapshot_Answers304ForItsETag_AndANewTagOnceSomethingChanged()
    {
        await using var host = await ApiHost.StartAsync(Settings);
        using var first = await host.Client.GetAsync(new Uri("dashboard/snapshot", UriKind.Relative));
        var tag = first.Headers.ETag!;

        using var same = await GetWithTagAsync(host, "dashboard/snapshot", tag);
        await JobsFunctionsTests.CreateJobAsync(host, DateTimeOffset.UtcNow);
        using var changed = await GetWithTagAsync(host, "dashboard/snapshot", tag);

        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Empty(await same.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(tag, changed.Headers.ETag);
        var jobs = JsonNode.Parse(await changed.Content.ReadAsStringAsync())!["jobs"]!.AsArray();
        Assert.Equal("made.wav", (string?)jobs.Single()!["filename"]);
    }

    [Theory]
    [InlineData("jobs")]
    [InlineData("workers")]
    public async Task Listings_Answer304_WhileNothingChanged(string path)
    {
        await using var host = await ApiHost.StartAsync(Settings);
        using var first = await host.Client.GetAsync(new Uri(path, UriKind.Relative));

        using var again = await GetWithTagAsync(host, path, first.Headers.ETag!);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
    }

    [Fact]
    public async Task StreamEvents_Answers401_WithoutAValidToken()
    {
        await using var host = await ApiHost.StartAsync(Settings);
        var jobToken = await TokenAsync(host, Guid.NewGuid().ToString("D"));

        foreach (var query in new[] { string.Empty, "?token=", "?token=abc.def", $"?token={jobToken}" })
        {
            using var response = await host.Client.GetAsync(new Uri("events" + query, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("POST /events/token", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StreamEvents_SendsSnapshotsOnChangeAndHeartbeats_ThenSaysByeAndEnds()
    {
        // Long enough for a job to be created mid-stream on a loaded machine; the stream still ends by itself.
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>(Settings) { ["Dashboard:StreamDuration"] = "00:00:08" });
        var token = await TokenAsync(host, null);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"events?token={token}", UriKind.Relative));
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var head = new List<string>();
        for (var line = await reader.ReadLineAsync(); line is not null && head.Count < 100; line = await reader.ReadLineAsync())
        {
            head.Add(line);
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                break;
            }
        }

        var jobId = await JobsFunctionsTests.CreateJobAsync(host, DateTimeOffset.UtcNow);
        var rest = await reader.ReadToEndAsync();

        Assert.Contains("event: snapshot", head);
        Assert.Empty(JsonNode.Parse(head[^1]["data: ".Length..])!["jobs"]!.AsArray());
        var events = rest.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var withJob = Array.FindIndex(events, e => e.Contains("event: snapshot", StringComparison.Ordinal) && e.Contains(jobId, StringComparison.Ordinal));
        Assert.True(withJob >= 0, rest);
        Assert.Contains(": heartbeat", events[withJob..]);
        Assert.StartsWith("event: bye", events[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJobAudio_ServesByteRangesWithAnETag_And304ForThatTag()
    {
        await using var host = await ApiHost.StartAsync(Settings);
        var (jobId, bytes) = await SubmitAsync(host);
        var token = await TokenAsync(host, jobId);
        var url = new Uri($"jobs/{jobId}/audio?token={token}", UriKind.Relative);

        using var whole = await host.Client.GetAsync(url);
        using var head = await SendAsync(host, url, r => r.Headers.Range = new RangeHeaderValue(0, 99));
        using var tail = await SendAsync(host, url, r => r.Headers.Range = new RangeHeaderValue(1000, null));
        using var same = await SendAsync(host, url, r => r.Headers.IfNoneMatch.Add(whole.Headers.ETag!));
        using var beyond = await SendAsync(host, url, r => r.Headers.Range = new RangeHeaderValue(bytes.Length + 10, null));

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("audio/wav", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal(HttpStatusCode.PartialContent, head.StatusCode);
        Assert.Equal(bytes[..100], await head.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 0-99/{bytes.Length}", head.Content.Headers.ContentRange!.ToString());
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes[1000..], await tail.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
    }

    [Fact]
    public async Task GetJobAudio_Answers401ForAnotherJobsToken_And404OnceTheRecordingIsGone()
    {
        await using var host = await ApiHost.StartAsync(Settings);
        var (jobId, _) = await SubmitAsync(host);
        var otherToken = await TokenAsync(host, Guid.NewGuid().ToString("D"));
        var eventsToken = await TokenAsync(host, null);
        var token = await TokenAsync(host, jobId);

        using var other = await host.Client.GetAsync(new Uri($"jobs/{jobId}/audio?token={otherToken}", UriKind.Relative));
        using var events = await host.Client.GetAsync(new Uri($"jobs/{jobId}/audio?token={eventsToken}", UriKind.Relative));
        await host.Container.DeleteBlobAsync(RecordingStore.SourceBlob(jobId));
        using var gone = await host.Client.GetAsync(new Uri($"jobs/{jobId}/audio?token={token}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("no longer stored", (string?)JsonNode.Parse(await gone.Content.ReadAsStringAsync())!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateStreamToken_Answers501WithTheSetting_WhenNoKeyIsConfiguredOutsideDevelopment()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Client.PostAsync(new Uri("events/token", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Contains("Dashboard:StreamTokenKey", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateStreamToken_Answers404_ForSomethingThatIsNotAJobId()
    {
        await using var host = await ApiHost.StartAsync(Settings);

        using var response = await host.Client.PostAsync(new Uri("events/token?job=..%2Fsecrets", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<string> TokenAsync(ApiHost host, string? jobId)
    {
        using var response = await host.Client.PostAsync(new Uri("events/token" + (jobId is null ? string.Empty : $"?job={jobId}"), UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token"]!;
    }

    private static async Task<(string JobId, byte[] Bytes)> SubmitAsync(ApiHost host)
    {
        using var dir = new TempDir();
        var path = dir.File("talk.wav");
        TestSignalBuilder.WriteWav(path, new TestSignalBuilder(3, 5).AddBurst(0.5, 1.5, -20).Build());
        var bytes = await File.ReadAllBytesAsync(path);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await host.Client.PostAsync(new Uri("jobs?filename=talk.wav&purify=false", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return ((string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job_id"]!, bytes);
    }

    private static Task<HttpResponseMessage> GetWithTagAsync(ApiHost host, string path, EntityTagHeaderValue tag) =>
        SendAsync(host, new Uri(path, UriKind.Relative), r => r.Headers.IfNoneMatch.Add(tag));

    private static async Task<HttpResponseMessage> SendAsync(ApiHost host, Uri url, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        configure(request);
        return await host.Client.SendAsync(request);
    }
}
