using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Orchard.Domain.Webhooks;
using Orchard.Functions.Functions.Http;
using Orchard.Functions.Runtime;
using Orchard.Tests.Audio;
using Orchard.Tests.Functions.Orchestration;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Application;

/// <summary>Completion webhooks end to end: the app on loopback, a fake worker, and a receiver checking what it gets.</summary>
public sealed class CallbackDeliveryTests : IDisposable
{
    private const string Secret = "test-webhook-secret-0123456789abcdef";

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task SubmitJob_PostsTheSignedSummary_WhenTheJobCompletes()
    {
        await using var host = await StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        await host.Workers.AddAsync(worker.Url);
        await using var receiver = await WebhookReceiver.StartAsync();

        var jobId = await SubmitAsync(host, receiver.Url);
        await host.PollUntilFinishedAsync(jobId);
        var result = await WaitForCallbackAsync(host, jobId);

        var delivery = Assert.Single(receiver.Deliveries);
        Assert.Equal(CallbackResult.Delivered, result);
        Assert.Equal("job.completed", delivery.Event);
        Assert.StartsWith("application/json", delivery.ContentType, StringComparison.Ordinal);
        // Checked as a receiver would, with its own HMAC, not with Orchard's code.
        var parts = delivery.Signature!.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var timestamp = long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.").Concat(delivery.Body).ToArray());
        Assert.Equal(Convert.ToHexStringLower(expected), parts["v1"]);
        Assert.InRange(timestamp, delivery.At.AddMinutes(-5).ToUnixTimeSeconds(), delivery.At.AddSeconds(5).ToUnixTimeSeconds());
        var body = JsonNode.Parse(delivery.Body)!;
        Assert.Equal(jobId, (string?)body["job_id"]);
        Assert.Equal("completed", (string?)body["status"]);
        Assert.Null(body["chunks"]);
        Assert.True(WebhookSignature.Verify(Secret, delivery.Signature, delivery.Body, delivery.At, TimeSpan.FromMinutes(5)));
        Assert.Equal(new CallbackState(CallbackStatus.Delivered, 1, null), (await host.Jobs.GetAsync(jobId))!.Callback);
    }

    [Fact]
    public async Task SubmitJob_RetriesTheCallbackUntilAccepted_WhenTheReceiverFailsTwice()
    {
        await using var host = await StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        await host.Workers.AddAsync(worker.Url);
        await using var receiver = await WebhookReceiver.StartAsync(500, 500);

        var jobId = await SubmitAsync(host, receiver.Url);
        await host.PollUntilFinishedAsync(jobId);

        Assert.Equal(CallbackResult.Delivered, await WaitForCallbackAsync(host, jobId));
        Assert.Equal(3, receiver.Deliveries.Count);
        Assert.All(receiver.Deliveries, d => Assert.True(WebhookSignature.Verify(Secret, d.Signature, d.Body, d.At, TimeSpan.FromMinutes(5))));
        var job = JsonNode.Parse(await host.Client.GetStringAsync(new Uri($"jobs/{jobId}", UriKind.Relative)))!;
        Assert.Equal("delivered", (string?)job["callback"]!["status"]);
        Assert.Equal(3, (int)job["callback"]!["attempts"]!);
    }

    [Fact]
    public async Task SubmitJob_GivesUpWithoutRetrying_WhenTheReceiverAnswers400()
    {
        await using var host = await StartAsync();
        await using var worker = await FakeWorker.StartAsync();
        await host.Workers.AddAsync(worker.Url);
        await using var receiver = await WebhookReceiver.StartAsync(400);

        var jobId = await SubmitAsync(host, receiver.Url);
        await host.PollUntilFinishedAsync(jobId);

        Assert.Equal(CallbackResult.GaveUp, await WaitForCallbackAsync(host, jobId));
        Assert.Single(receiver.Deliveries);
        var state = (await host.Jobs.GetAsync(jobId))!.Callback;
        Assert.Equal(new CallbackState(CallbackStatus.Failed, 1, "answered HTTP 400"), state);
    }

    [Fact]
    public async Task DeleteJob_PostsTheCancelledSummary_WhenARunningJobWithACallbackIsCancelled()
    {
        // No worker: the job waits for one, and is cancelled while it waits.
        await using var host = await StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var jobId = await SubmitAsync(host, receiver.Url);

        using var deleted = await host.Client.DeleteAsync(new Uri($"jobs/{jobId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(CallbackResult.Delivered, await WaitForCallbackAsync(host, jobId));
        var delivery = Assert.Single(receiver.Deliveries);
        Assert.Equal("job.cancelled", delivery.Event);
        Assert.Equal("cancelled", (string?)JsonNode.Parse(delivery.Body)!["status"]);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "cloud metadata address")]
    [InlineData("http://user:secret@hooks.example.org/hook", "credentials")]
    [InlineData("http://hooks.example.org/hook?token=1", "query")]
    [InlineData("ftp://hooks.example.org/hook", "http(s)")]
    public async Task SubmitJob_Answers400AndStoresNothing_WhenTheCallbackUrlIsRefused(string url, string says)
    {
        await using var host = await StartAsync();

        using var answer = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), Form(url));

        var (status, json) = await ApiHost.ReadAsync(answer);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("callback_url", (string?)json!["error"], StringComparison.Ordinal);
        Assert.Contains(says, (string?)json["error"], StringComparison.Ordinal);
        Assert.DoesNotContain("secret", (string?)json["error"], StringComparison.Ordinal);
        Assert.Equal(0, (await host.Jobs.GetStatsAsync()).Total);
    }

    [Fact]
    public async Task SubmitJob_Answers400_WhenTheCallbackUrlIsLoopbackAndPrivateNetworksAreOff()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["Workers:AllowPrivateNetworks"] = "false" });
        await using var receiver = await WebhookReceiver.StartAsync();

        using var answer = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), Form(receiver.Url));

        var (status, json) = await ApiHost.ReadAsync(answer);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Workers:AllowPrivateNetworks", (string?)json!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_ReadsTheCallbackUrl_FromABlobSubmissionsJson()
    {
        await using var host = await StartAsync();

        var (status, _, json) = ApiHost.Read(await host.Function<JobsFunctions>().SubmitJob(
            host.Request("POST", json: "{\"blob\": \"0123456789abcdef0123456789abcdef\", \"callback_url\": \"http://169.254.169.254/\"}"), host.Durable));

        Assert.Equal(400, status);
        Assert.Contains("callback_url", (string?)json!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_Answers501_WhenNoWebhookSecretIsSet()
    {
        await using var host = await ApiHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();

        using var answer = await host.Client.PostAsync(new Uri("jobs", UriKind.Relative), Form(receiver.Url));

        var (status, json) = await ApiHost.ReadAsync(answer);
        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Contains("Webhooks:Secret", (string?)json!["error"], StringComparison.Ordinal);
        Assert.Equal(0, (await host.Jobs.GetStatsAsync()).Total);
    }

    private static Task<ApiHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Webhooks:Secret"] = Secret,
            ["Webhooks:FirstRetryDelay"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return ApiHost.StartAsync(values);
    }

    /// <summary>The form a client posts: callback_url first, as the streamed multipart reader takes fields before the file.</summary>
    private MultipartFormDataContent Form(string callbackUrl) => new()
    {
        { new StringContent(callbackUrl), "callback_url" },
        { new ByteArrayContent(File.ReadAllBytes(OrchestrationHarness.Recording(dir, 12, seed: 3).Path)), "file", "talk.wav" },
    };

    private async Task<string> SubmitAsync(ApiHost host, string callbackUrl)
    {
        using var form = Form(callbackUrl);
        using var answer = await host.Client.PostAsync(new Uri("jobs?purify=false", UriKind.Relative), form);
        var (status, json) = await ApiHost.ReadAsync(answer);
        Assert.Equal(HttpStatusCode.Accepted, status);
        return (string)json!["job_id"]!;
    }

    /// <summary>Waits (bounded) for the job's callback orchestration to start and end; its result.</summary>
    private static async Task<CallbackResult> WaitForCallbackAsync(ApiHost host, string jobId)
    {
        var instanceId = DurableJobOrchestrations.CallbackInstanceId(jobId);
        OrchestrationMetadata? started = null;
        await Poll.UntilAsync(() => (started = host.Durable.GetInstanceAsync(instanceId).GetAwaiter().GetResult()) is not null, $"the callback of job {jobId} to start", attempts: 1200);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = await host.Durable.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return done.ReadOutputAs<CallbackResult>();
    }
}
