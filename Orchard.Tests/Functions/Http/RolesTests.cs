using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

/// <summary>
/// Who may do what, from outside: over HTTP on the app's routes, with the keys each kind of caller holds (client keys
/// from <c>POST /clients</c>, worker tokens from an enrollment, the administrator's key).
/// </summary>
public sealed class RolesTests : IDisposable
{
    private const string AdminKey = "admin-key-0123456789abcdef0123456789";
    private static readonly string EnrollmentSecret = new('e', 40);
    private static readonly BlobClientOptions AzuriteClient = new(BlobClientOptions.ServiceVersion.V2025_11_05);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task JobRoutes_Answer404_WhenAClientReadsOrDeletesAnotherClientsJob()
    {
        await using var host = await StartAsync();
        var alice = await IssueClientAsync(host, "alice");
        var bob = await IssueClientAsync(host, "bob");
        var jobId = await SubmitAsync(host, alice);

        using var bobReads = await SendAsync(host, HttpMethod.Get, $"jobs/{jobId}", bob);
        using var bobTranscript = await SendAsync(host, HttpMethod.Get, $"jobs/{jobId}/transcript", bob);
        using var bobDeletes = await SendAsync(host, HttpMethod.Delete, $"jobs/{jobId}", bob);
        var bobLists = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Get, "jobs", bob))).Json!;
        using var aliceReads = await SendAsync(host, HttpMethod.Get, $"jobs/{jobId}", alice);
        var aliceLists = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Get, "jobs?view=summary", alice))).Json!;
        var adminLists = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Get, "jobs?view=summary", AdminKey))).Json!;

        Assert.Equal(HttpStatusCode.NotFound, bobReads.StatusCode);
        Assert.Equal("Job not found", (string?)(await ApiHost.ReadAsync(bobReads)).Json!["error"]);
        Assert.Equal(HttpStatusCode.NotFound, bobTranscript.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bobDeletes.StatusCode);
        Assert.Empty(bobLists["jobs"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, aliceReads.StatusCode);
        Assert.NotEqual("cancelled", (string?)(await ApiHost.ReadAsync(aliceReads)).Json!["status"]);
        Assert.Equal([jobId], aliceLists["jobs"]!.AsArray().Select(j => (string)j!["job_id"]!));
        Assert.Contains(adminLists["jobs"]!.AsArray(), j => (string?)j!["job_id"] == jobId && ((string?)j["owner"])?.StartsWith("c-", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task DeleteJob_CancelsTheJob_WhenItsOwnerAsks()
    {
        await using var host = await StartAsync();
        var alice = await IssueClientAsync(host, "alice");
        var jobId = await SubmitAsync(host, alice);

        using var deleted = await SendAsync(host, HttpMethod.Delete, $"jobs/{jobId}", alice);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("cancelled", (string?)(await ApiHost.ReadAsync(deleted)).Json!["status"]);
    }

    [Theory]
    [InlineData("DELETE", "workers/someone-else", null)]
    [InlineData("POST", "workers/add", "{\"url\": \"http://127.0.0.1:9\"}")]
    [InlineData("POST", "workers/remove", "{\"url\": \"http://127.0.0.1:9\"}")]
    [InlineData("GET", "workers", null)]
    [InlineData("POST", "preferences/purifier", "{\"usePurifier\": false}")]
    [InlineData("POST", "clients", "{\"name\": \"mallory\"}")]
    [InlineData("GET", "stats", null)]
    [InlineData("GET", "jobs", null)]
    [InlineData("POST", "uploads", null)]
    [InlineData("POST", "workers/someone-else/heartbeat", null)]
    public async Task AdministratorAndClientRoutes_Answer403_ForAWorkerToken(string method, string path, string? body)
    {
        await using var host = await StartAsync();
        var (_, token) = await EnrollAsync(host, "volunteer-1");

        using var response = await SendAsync(host, new HttpMethod(method), path, token, body);
        var json = (await ApiHost.ReadAsync(response)).Json!;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((string?)json["error"]));
    }

    [Fact]
    public async Task WorkerToken_OpensOnlyItsOwnWorkersCalls_UntilTheWorkerIsDeleted()
    {
        await using var host = await StartAsync();
        var (id, token) = await EnrollAsync(host, "volunteer-1");

        using var own = await SendAsync(host, HttpMethod.Post, $"workers/{id}/heartbeat", token);
        using var again = await SendAsync(host, HttpMethod.Post, "workers", token, "{\"id\": \"volunteer-1\", \"name\": \"phone\"}");
        using var takeover = await SendAsync(host, HttpMethod.Post, "workers", null, "{\"id\": \"volunteer-1\"}", enrollment: EnrollmentSecret);
        var listed = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Get, "workers", AdminKey))).Json!;
        using var deleted = await SendAsync(host, HttpMethod.Delete, $"workers/{id}", AdminKey);
        using var revoked = await SendAsync(host, HttpMethod.Post, $"workers/{id}/heartbeat", token);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Null((await ApiHost.ReadAsync(again)).Json!["token"]);
        Assert.Equal(HttpStatusCode.Forbidden, takeover.StatusCode);
        Assert.False((bool)listed["workers"]!.AsArray().Single(w => (string?)w!["id"] == id)!["trusted"]!);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task ListWorkers_ShowsWorkersTheAdministratorAddsAsTrusted()
    {
        await using var host = await StartAsync();
        using var added = await SendAsync(host, HttpMethod.Post, "workers/add", AdminKey, "{\"url\": \"http://127.0.0.1:9\"}");
        using var registered = await SendAsync(host, HttpMethod.Post, "workers", AdminKey, "{\"id\": \"lab-gpu\"}");

        var listed = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Get, "workers", AdminKey))).Json!["workers"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(["heartbeat_interval_seconds", "id"], (await ApiHost.ReadAsync(registered)).Json!.AsObject().Select(p => p.Key).Order());
        Assert.All(listed, w => Assert.True((bool)w!["trusted"]!));
        Assert.Equal(2, listed.Count);
    }

    [Fact]
    public async Task RegisterWorker_Answers429WithRetryAfter_WhenEnrollmentsFloodFromOneAddress()
    {
        await using var host = await StartAsync();
        var answers = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 11; i++)
            {
                answers.Add(await SendAsync(host, HttpMethod.Post, "workers", null, $"{{\"id\": \"flood-{i}\"}}", enrollment: EnrollmentSecret));
            }

            var last = answers[^1];
            var error = (string?)(await ApiHost.ReadAsync(last)).Json!["error"];

            Assert.All(answers.Take(10), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
            Assert.InRange(last.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
            Assert.Contains("at most 10 a minute", error, StringComparison.Ordinal);
        }
        finally
        {
            answers.ForEach(a => a.Dispose());
        }
    }

    [Fact]
    public async Task RegisterWorker_Answers401_WhenTheEnrollmentSecretIsWrong()
    {
        await using var host = await StartAsync();

        using var response = await SendAsync(host, HttpMethod.Post, "workers", null, "{\"id\": \"volunteer-1\"}", enrollment: new string('x', 40));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("enrollment secret", (string?)(await ApiHost.ReadAsync(response)).Json!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUpload_Answers429WithRetryAfter_WhenAClientSubmitsPastItsLimit()
    {
        await using var host = await StartAsync(new() { ["Security:SubmissionsPerMinute"] = "2" });
        var alice = await IssueClientAsync(host, "alice");

        using var first = await SendAsync(host, HttpMethod.Post, "uploads", alice, "{\"bytes\": 1000}");
        using var second = await SendAsync(host, HttpMethod.Post, "uploads", alice, "{\"bytes\": 1000}");
        using var third = await SendAsync(host, HttpMethod.Post, "uploads", alice, "{\"bytes\": 1000}");
        using var admin = await SendAsync(host, HttpMethod.Post, "uploads", AdminKey, "{\"bytes\": 1000}");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
    }

    [Theory]
    [InlineData("GET", "jobs")]
    [InlineData("POST", "jobs")]
    [InlineData("POST", "uploads")]
    [InlineData("POST", "workers")]
    [InlineData("POST", "workers/w-1/heartbeat")]
    public async Task ClientAndWorkerRoutes_Answer401WithASentence_WithoutAKey(string method, string path)
    {
        await using var host = await StartAsync();

        using var none = await SendAsync(host, new HttpMethod(method), path, null, method == "POST" ? "{}" : null);
        using var wrong = await SendAsync(host, new HttpMethod(method), path, "ock_not-a-key", method == "POST" ? "{}" : null);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("key", (string?)(await ApiHost.ReadAsync(none)).Json!["error"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task ClientKey_Answers401_OnceRevoked()
    {
        await using var host = await StartAsync();
        var created = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Post, "clients", AdminKey, "{\"name\": \"alice\"}"))).Json!;
        var key = (string)created["key"]!;

        using var before = await SendAsync(host, HttpMethod.Get, "jobs", key);
        using var bearer = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "jobs") { Headers = { Authorization = new("Bearer", key) } });
        using var asFunctionKey = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "jobs") { Headers = { { "x-functions-key", key } } });
        using var revoke = await SendAsync(host, HttpMethod.Delete, $"clients/{(string)created["id"]!}", AdminKey);
        using var after = await SendAsync(host, HttpMethod.Get, "jobs", key);
        var listed = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Get, "clients", AdminKey))).Json!;

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asFunctionKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", (string?)(await ApiHost.ReadAsync(after)).Json!["error"], StringComparison.Ordinal);
        Assert.Equal(0, (int)listed["count"]!);
        Assert.DoesNotContain(key, listed.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers413_WhenTheUploadHoldsMoreThanItsDeclaredSize()
    {
        await using var host = await StartAsync();
        var alice = await IssueClientAsync(host, "alice");
        var bob = await IssueClientAsync(host, "bob");
        var audio = await File.ReadAllBytesAsync(OrchestrationHarness.Recording(dir, 12, seed: 31).Path);
        var small = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Post, "uploads", alice, $"{{\"bytes\": {audio.Length - 1}}}"))).Json!;
        var exact = (await ApiHost.ReadAsync(await SendAsync(host, HttpMethod.Post, "uploads", alice, $"{{\"bytes\": {audio.Length}}}"))).Json!;
        await UploadAsync(small, audio);
        await UploadAsync(exact, audio);

        using var tooLarge = await SendAsync(host, HttpMethod.Post, "jobs", alice, $"{{\"blob\": \"{small["blob"]}\"}}");
        using var someoneElses = await SendAsync(host, HttpMethod.Post, "jobs", bob, $"{{\"blob\": \"{exact["blob"]}\"}}");
        using var fits = await SendAsync(host, HttpMethod.Post, "jobs", alice, $"{{\"blob\": \"{exact["blob"]}\"}}");
        using var overLimit = await SendAsync(host, HttpMethod.Post, "uploads", alice, "{\"bytes\": 3000000000}");

        Assert.Equal(audio.Length - 1, (long)small["max_bytes"]!);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("declared", (string?)(await ApiHost.ReadAsync(tooLarge)).Json!["error"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, someoneElses.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overLimit.StatusCode);
        Assert.Empty(await host.BlobNamesAsync("uploads/"));
    }

    [Fact]
    public async Task AdministratorRoutes_AcceptTheAdminKey_AndOpenAccessEndsWhenAKeyIsConfigured()
    {
        await using var host = await StartAsync();

        using var withKey = await SendAsync(host, HttpMethod.Get, "jobs", AdminKey);
        using var asOrchardKey = await SendAsync(host, HttpMethod.Get, "jobs", AdminKey, orchardHeader: true);
        using var wrongKey = await SendAsync(host, HttpMethod.Get, "jobs", new string('w', 40));

        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asOrchardKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }

    /// <summary>A host as a deployment runs it: an admin key and an enrollment secret configured, so nothing is open.</summary>
    private static Task<ApiHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["Security:AdminKey"] = AdminKey, ["Workers:EnrollmentSecret"] = EnrollmentSecret };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        return ApiHost.StartAsync(values);
    }

    private static async Task<string> IssueClientAsync(ApiHost host, string name)
    {
        using var response = await SendAsync(host, HttpMethod.Post, "clients", AdminKey, $"{{\"name\": \"{name}\"}}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await ApiHost.ReadAsync(response)).Json!["key"]!;
    }

    private static async Task<(string Id, string Token)> EnrollAsync(ApiHost host, string id)
    {
        using var response = await SendAsync(host, HttpMethod.Post, "workers", null, $"{{\"id\": \"{id}\", \"name\": \"phone\"}}", enrollment: EnrollmentSecret);
        var json = (await ApiHost.ReadAsync(response)).Json!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((bool)json["trusted"]!);
        return ((string)json["id"]!, (string)json["token"]!);
    }

    private async Task<string> SubmitAsync(ApiHost host, string clientKey)
    {
        var audio = await File.ReadAllBytesAsync(OrchestrationHarness.Recording(dir, 12, seed: 30).Path);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(audio), "file", "talk.wav" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "jobs") { Content = form };
        request.Headers.Add("X-Orchard-Key", clientKey);
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (string)(await ApiHost.ReadAsync(response)).Json!["job_id"]!;
    }

    /// <summary>
    /// One call: the administrator's key goes in <c>x-functions-key</c> as the platform's callers send it (or in
    /// <c>X-Orchard-Key</c>), any other key in <c>X-Orchard-Key</c>.
    /// </summary>
    private static Task<HttpResponseMessage> SendAsync(
        ApiHost host, HttpMethod method, string path, string? key, string? json = null, string? enrollment = null, bool orchardHeader = false)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add(key == AdminKey && !orchardHeader ? "x-functions-key" : "X-Orchard-Key", key);
        }

        if (enrollment is not null)
        {
            request.Headers.Add("X-Orchard-Enrollment", enrollment);
        }

        return host.Client.SendAsync(request);
    }

    private static async Task UploadAsync(JsonNode slot, byte[] content)
    {
        using var stream = new MemoryStream(content);
        await new BlockBlobClient(new Uri((string)slot["upload_url"]!), AzuriteClient).UploadAsync(stream);
    }
}
