using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchard.Domain.Jobs;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Orchestration;

/// <summary>Volunteer workers earn trust: a rogue enrolled worker's forged answers never reach a transcript.</summary>
public sealed class TrustTests : IDisposable
{
    private static readonly string EnrollmentSecret = new('e', 40);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task RunAsync_QuarantinesARogueWorker_AndKeepsEveryForgedWordOutOfTheTranscript()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Workers:Verification"] = "true",
            ["Workers:EnrollmentSecret"] = EnrollmentSecret,
            ["Dispatch:ReviewInterval"] = "00:00:02",
        });
        var http = host.Client;
        var rogue = await PostAsync(http, "workers", new { name = "rogue", model = "tiny", id = "rogue-1" }, r => r.Headers.Add("X-Orchard-Enrollment", EnrollmentSecret));
        var rogueToken = (string)rogue["token"]!;
        var trusted = (string)(await PostAsync(http, "workers", new { name = "lab-gpu", model = "large-v3" }))["id"]!;
        var (path, _) = OrchestrationHarness.Recording(dir, 90, seed: 71);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", "talk.wav" } };
        var jobId = (string)(await (await http.PostAsync("jobs", form)).Content.ReadFromJsonAsync<JsonObject>())!["job_id"]!;

        // The rogue answers at once with forged text, the fastest "worker" there is.
        var forged = 0;
        for (var i = 0; i < 40; i++)
        {
            using var lease = await SendAsync(http, "workers/rogue-1/lease", new { wait_seconds = forged == 0 ? 20 : 1 }, rogueToken);
            if (lease.StatusCode != HttpStatusCode.OK)
            {
                break;
            }

            var leaseId = (string)(await lease.Content.ReadFromJsonAsync<JsonObject>())!["lease_id"]!;
            using var answer = await SendAsync(http, $"leases/{leaseId}/result", Answer("buy cheap pills now forged"), rogueToken);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            forged++;
        }

        Assert.True(forged > 0, "the rogue worker got no chunk");

        // The trusted worker answers honestly; every chunk the rogue answered goes to it too.
        var honest = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && (string?)(await GetAsync(http, $"jobs/{jobId}"))["status"] is not ("completed" or "failed"))
        {
            using var lease = await SendAsync(http, $"workers/{trusted}/lease", new { wait_seconds = 2 }, null);
            if (lease.StatusCode == HttpStatusCode.OK)
            {
                var leaseId = (string)(await lease.Content.ReadFromJsonAsync<JsonObject>())!["lease_id"]!;
                using var answer = await SendAsync(http, $"leases/{leaseId}/result", Answer("the lecture begins with thermodynamics"), null);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                honest++;
            }
        }

        var job = await GetAsync(http, $"jobs/{jobId}");
        Assert.Equal("completed", (string?)job["status"]);
        var transcript = await http.GetStringAsync($"jobs/{jobId}/transcript?format=json");
        Assert.DoesNotContain("forged", transcript, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pills", transcript, StringComparison.OrdinalIgnoreCase);
        Assert.True(honest >= forged, $"{honest} honest answers for {forged} forged");
        var workers = (await GetAsync(http, "workers"))["workers"]!.AsArray();
        var caught = workers.Single(w => (string?)w!["id"] == "rogue-1")!;
        Assert.Equal("quarantined", (string?)caught["trust"]);
        Assert.Contains("agreed on", (string?)caught["quarantine_reason"], StringComparison.Ordinal);
        Assert.Equal("trusted", (string?)workers.Single(w => (string?)w!["id"] == trusted)!["trust"]);

        // A quarantined worker never gets another user's audio.
        var (next, _) = OrchestrationHarness.Recording(dir, 30, seed: 72);
        using var second = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(next)), "file", "next.wav" } };
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("jobs", second)).StatusCode);
        using var refused = await SendAsync(http, "workers/rogue-1/lease", new { wait_seconds = 3 }, rogueToken);
        Assert.Equal(HttpStatusCode.NoContent, refused.StatusCode);
    }

    [Fact]
    public async Task RunAsync_GivesATrustedOnlyJobToTrustedWorkersOnly()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Workers:Verification"] = "false",
            ["Workers:EnrollmentSecret"] = EnrollmentSecret,
        });
        var http = host.Client;
        var volunteer = await PostAsync(http, "workers", new { name = "volunteer", model = "tiny", id = "volunteer-1" }, r => r.Headers.Add("X-Orchard-Enrollment", EnrollmentSecret));
        var (path, _) = OrchestrationHarness.Recording(dir, 30, seed: 73);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", "private.wav" } };
        var accepted = await http.PostAsync("jobs?trusted_only=true", form);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        using var lease = await SendAsync(http, "workers/volunteer-1/lease", new { wait_seconds = 8 }, (string)volunteer["token"]!);

        Assert.Equal(HttpStatusCode.NoContent, lease.StatusCode);
        using var bad = await http.PostAsync("jobs?trusted_only=maybe", new ByteArrayContent([1, 2, 3]));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static object Answer(string text) => new
    {
        text,
        segments = new[] { new { start = "00:00:00.000", end = "00:00:02.000", start_ms = 0, end_ms = 2000, text } },
    };

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, object body, Action<HttpRequestMessage>? prepare = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        prepare?.Invoke(request);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<JsonObject> GetAsync(HttpClient http, string path) =>
        (await http.GetFromJsonAsync<JsonObject>(path))!;

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string path, object body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Add("X-Orchard-Key", token);
        }

        return http.SendAsync(request);
    }
}
