using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Orchard.Functions.Functions.Http;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

/// <summary>
/// Issue 11's attacks through the API, black-box: URLs that reach internal services, and error texts that would echo
/// what a worker or ffprobe said (bodies of internal services, temporary paths).
/// </summary>
public sealed class OutboundSafetyTests : IDisposable
{
    private static readonly Dictionary<string, string?> Cloudlike = new() { ["Workers:AllowPrivateNetworks"] = "false", ["Workers:AllowHttp"] = "true" };

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("http://169.254.169.254/metadata/instance?api-version=2021-02-01#", "query (?) or fragment (#)")]
    [InlineData("http://169.254.169.254", "cloud metadata address")]
    [InlineData("http://127.0.0.1:6379/#", "fragment")]
    [InlineData("http://127.0.0.1:6379", "Workers:AllowPrivateNetworks")]
    [InlineData("http://user:secret@10.0.0.9:1", "credentials")]
    [InlineData("http://10.0.0.9:1", "Workers:AllowPrivateNetworks")]
    [InlineData("http://localhost:6379", "Workers:AllowPrivateNetworks")]
    [InlineData("http://[::ffff:127.0.0.1]:6379", "Workers:AllowPrivateNetworks")]
    public async Task AddWorker_Answers400AndAddsNothing_WhenTheUrlReachesInternalServices(string url, string says)
    {
        await using var host = await ApiHost.StartAsync(Cloudlike);

        using var answer = await host.Client.PostAsync(new Uri("workers/add", UriKind.Relative), JsonContent(new JsonObject { ["url"] = url }));

        var (status, json) = await ApiHost.ReadAsync(answer);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = (string)json!["error"]!;
        Assert.StartsWith("The worker URL", error, StringComparison.Ordinal);
        Assert.Contains(says, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
        Assert.Empty(await host.Workers.ListAsync());
    }

    [Fact]
    public async Task AddWorker_AcceptsALocalhostName_OnlyWhenPrivateNetworksAreAllowed()
    {
        await using var lan = await ApiHost.StartAsync();
        await using var cloud = await ApiHost.StartAsync(Cloudlike);
        const string Body = "{\"url\": \"http://worker.localhost:8080\"}";

        var allowed = ApiHost.Read(await lan.Function<WorkersFunctions>().AddWorker(lan.Request("POST", json: Body)));
        var refused = ApiHost.Read(await cloud.Function<WorkersFunctions>().AddWorker(cloud.Request("POST", json: Body)));

        Assert.Equal(200, allowed.Status);
        Assert.Equal(400, refused.Status);
        Assert.Contains("Workers:AllowPrivateNetworks", (string)refused.Json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddWorker_Answers400_WhenHttpIsNotAllowed()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Workers:AllowHttp"] = "false" });

        var (status, _, json) = ApiHost.Read(await host.Function<WorkersFunctions>().AddWorker(host.Request("POST", json: "{\"url\": \"192.168.1.20:8080\"}")));

        Assert.Equal(400, status);
        Assert.Contains("https", (string)json!["error"]!, StringComparison.Ordinal);
        Assert.Contains("Workers:AllowHttp", (string)json["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterWorker_Answers400_WhenItsUrlIsTheMetadataService()
    {
        await using var host = await ApiHost.StartAsync();

        var (status, _, json) = ApiHost.Read(await host.Function<WorkersFunctions>().RegisterWorker(
            host.Request("POST", json: "{\"url\": \"http://169.254.169.254\", \"name\": \"w\", \"model\": \"m\"}")));

        Assert.Equal(400, status);
        Assert.Contains("cloud metadata address", (string)json!["error"]!, StringComparison.Ordinal);
        Assert.Empty(await host.Workers.ListAsync());
    }

    [Fact]
    public async Task SubmitJob_KeepsAWorkersErrorBodyOutOfTheJobAndWorkerList_WhenItAnswers500()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Dispatch:MaxAttempts"] = "2" });
        await using var worker = await FakeWorker.StartAsync();
        worker.Respond = _ => Results.Text("{\"redis_password\": \"hunter2-SECRET\", \"path\": \"/etc/orchard\"}", "application/json", statusCode: 500);
        await host.Workers.AddAsync(worker.Url);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(OrchestrationHarness.Recording(dir, 12, seed: 4).Path)), "file", "talk.wav" } };

        using var submitted = await host.Client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        var job = await host.PollUntilFinishedAsync((string)(await ApiHost.ReadAsync(submitted)).Json!["job_id"]!);
        var workers = await host.Client.GetStringAsync(new Uri("workers", UriKind.Relative));

        Assert.Equal("failed", (string?)job["status"]);
        Assert.Contains("answered HTTP 500", (string?)job["error"], StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", job.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("answered HTTP 500", workers, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", workers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers415WithoutFfprobesWords_WhenTheUploadIsNotAudio()
    {
        await using var host = await ApiHost.StartAsync();
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes("%PDF-1.7 minutes of the meeting, not a recording"));

        using var answer = await host.Client.PostAsync(new Uri("jobs?filename=minutes.pdf", UriKind.Relative), body);

        var text = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.StatusCode);
        Assert.Contains("not an audio file", text, StringComparison.Ordinal);
        AssertNoLocalDetail(text);
    }

    [Fact]
    public async Task SubmitJob_Answers422WithoutTheTempPath_WhenFfprobeHangsPastItsTimeout()
    {
        // An ffprobe that prints its arguments (the upload's temporary path) and then hangs: its words must stay in the log.
        var ffprobe = dir.File("ffprobe");
        await File.WriteAllTextAsync(ffprobe, "#!/bin/sh\n[ \"$1\" = -version ] && exec echo 'ffprobe version test'\necho \"fake-ffprobe-args: $*\" >&2\nexec sleep 30\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ffprobe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Audio:FfprobePath"] = ffprobe, ["Audio:FfmpegTimeout"] = "00:00:01" });
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes("ID3 something that is not a WAV"));

        using var answer = await host.Client.PostAsync(new Uri("jobs?filename=talk.mp3", UriKind.Relative), body);

        var text = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        Assert.Contains("did not finish", text, StringComparison.Ordinal);
        AssertNoLocalDetail(text);
    }

    private static void AssertNoLocalDetail(string text)
    {
        Assert.DoesNotContain("/tmp", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), text, StringComparison.Ordinal);
        Assert.DoesNotContain("orchard-upload", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-ffprobe-args", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid data", text, StringComparison.Ordinal);
    }

    private static StringContent JsonContent(JsonNode json) => new(json.ToJsonString(), Encoding.UTF8, "application/json");
}
