using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Jobs;
using Orchard.Domain.Transcripts;
using Orchard.Domain.Workers;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;
using Orchard.Tests.Telemetry;

namespace Orchard.Tests.Functions.Orchestration;

/// <summary>
/// The pull side of the worker protocol, black box, on the real engine: fake devices that open no port register,
/// long-poll for leases, renew and answer over loopback HTTP, and misbehave as devices do (die, hang, answer late or twice).
/// </summary>
public sealed class PullDispatchTests : IDisposable
{
    /// <summary>A dead worker is noticed within two seconds, so the tests that lose a lease stay short.</summary>
    private static readonly Dictionary<string, string?> ShortLeases = new()
    {
        ["Dispatch:LeaseTtl"] = "00:00:02",
        ["Dispatch:RenewEvery"] = "00:00:00.500",
    };

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task RunAsync_TranscribesEveryBurst_WhenNoWorkerHasAUrl()
    {
        await using var harness = await OrchestrationHarness.StartAsync(ShortLeases);
        using var measured = new MeasurementRecorder(harness.Services.GetRequiredService<IMeterFactory>());
        await using var fast = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.01);
        await using var mid = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.02);
        await using var slow = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.04);
        var (path, bursts) = OrchestrationHarness.Recording(dir, seed: 41);

        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.True(document.Summary.TotalChunks >= 3, $"expected several chunks, got {document.Summary.TotalChunks}");
        var ids = new[] { fast.Id, mid.Id, slow.Id };
        Assert.All(document.Chunks.Where(c => c.Status == ChunkStatus.Completed), c =>
        {
            Assert.Contains(c.WorkerId, ids);
            Assert.Null(c.WorkerUrl);
        });
        Assert.All(await harness.Workers.ListAsync(), w => Assert.Null(w.Url));
        await AssertCountedOnce(harness, jobId, measured, fast, mid, slow);
        Assert.All(new[] { fast, mid, slow }, w => Assert.Empty(w.Errors));
    }

    [Fact]
    public async Task RunAsync_GivesTheChunkToAnotherWorkerAfterTheLeaseTtl_WhenAWorkerDiesMidLease()
    {
        await using var harness = await OrchestrationHarness.StartAsync(ShortLeases);
        using var measured = new MeasurementRecorder(harness.Services.GetRequiredService<IMeterFactory>());
        await using var dying = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.01, PullMisbehavior.Die, n => n == 1);
        var (path, bursts) = OrchestrationHarness.Recording(dir, seed: 43);
        var jobId = await harness.SubmitAsync(path);
        await Poll.UntilAsync(() => dying.Dead, "the dying worker to take a chunk and die");
        var held = Assert.Single(dying.Leases);

        await using var steady = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.02);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId, TimeSpan.FromSeconds(30))).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        var taken = Assert.Single(steady.Leases, l => l.ChunkIndex == held.ChunkIndex);
        // Not before the dead worker's lease ran out (2 s unrenewed; a little less for clock granularity).
        Assert.True(taken.ReceivedAt - held.ReceivedAt >= TimeSpan.FromSeconds(1.8), $"leased again {taken.ReceivedAt - held.ReceivedAt} after the dead worker took it");
        var chunk = (await harness.Jobs.GetDocumentAsync(jobId))!.Chunks[held.ChunkIndex];
        Assert.Equal(steady.Id, chunk.WorkerId);
        Assert.Equal(2, chunk.Attempts);
        Assert.Contains(taken.LeaseId, steady.AcceptedLeases);

        var dead = (await harness.Workers.GetAsync(dying.Id))!;
        Assert.Equal(1, dead.FailedChunks);
        Assert.Equal(0, dead.CompletedChunks);
        Assert.Equal(WorkerStatus.Offline, dead.EffectiveStatus(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimeSpan.FromMinutes(1)));
        Assert.Contains("renewing", dead.LastError, StringComparison.Ordinal);
        await AssertCountedOnce(harness, jobId, measured, dying, steady);
    }

    [Fact]
    public async Task LeaseResult_Answers409AndCountsNothing_WhenTheAnswerComesAfterTheLeaseExpiredAndTheChunkWasLeasedAgain()
    {
        await using var harness = await OrchestrationHarness.StartAsync(ShortLeases);
        using var measured = new MeasurementRecorder(harness.Services.GetRequiredService<IMeterFactory>());
        var releaseLateAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var late = await FakePullWorker.StartAsync(
            harness.Http.BaseAddress!, 0.01, PullMisbehavior.AnswerLate, n => n == 1, _ => releaseLateAnswer.Task);
        var (path, bursts) = OrchestrationHarness.Recording(dir, seed: 47);
        var jobId = await harness.SubmitAsync(path);
        await Poll.UntilAsync(() => late.Leases.Count == 1, "the late worker to take a chunk");
        var expired = late.Leases[0];

        await using var punctual = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.01);
        await Poll.UntilAsync(
            // Chunk records appear as the chunks are cut, not necessarily in order: find it by index, not position.
            async () => (await harness.Jobs.GetDocumentAsync(jobId))!.Chunks.FirstOrDefault(c => c.Index == expired.ChunkIndex) is { Status: ChunkStatus.Completed } c && c.WorkerId == punctual.Id,
            "the expired chunk to be leased again and answered by the punctual worker");
        releaseLateAnswer.SetResult();
        await Poll.UntilAsync(() => late.Results.Any(r => r.LeaseId == expired.LeaseId), "the late answer");

        var (_, status, body) = Assert.Single(late.Results, r => r.LeaseId == expired.LeaseId);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.True(body!["cancelled"]!.GetValue<bool>());
        Assert.False(string.IsNullOrWhiteSpace(body["error"]!.GetValue<string>()));
        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId, TimeSpan.FromSeconds(30))).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        var chunk = (await harness.Jobs.GetDocumentAsync(jobId))!.Chunks[expired.ChunkIndex];
        Assert.Equal(punctual.Id, chunk.WorkerId);
        Assert.DoesNotContain(expired.LeaseId, late.AcceptedLeases);
        await AssertCountedOnce(harness, jobId, measured, late, punctual);
    }

    [Fact]
    public async Task LeaseResult_Answers200BothTimesAndCountsOnce_WhenTheSameAnswerIsPostedTwice()
    {
        await using var harness = await OrchestrationHarness.StartAsync(ShortLeases);
        using var measured = new MeasurementRecorder(harness.Services.GetRequiredService<IMeterFactory>());
        await using var twice = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.01, PullMisbehavior.AnswerTwice);
        var (path, bursts) = OrchestrationHarness.Recording(dir, seed: 53);

        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId, TimeSpan.FromSeconds(30))).Status);
        await Poll.UntilAsync(() => twice.Results.Count == 2 * twice.Leases.Count, "both answers of every lease");
        Assert.NotEmpty(twice.Leases);
        Assert.All(twice.Leases, l => Assert.Equal(
            new[] { HttpStatusCode.OK, HttpStatusCode.OK },
            twice.Results.Where(r => r.LeaseId == l.LeaseId).Select(r => r.Status).ToArray()));
        Assert.All(twice.Results, r => Assert.Equal("accepted", r.Body!["status"]!.GetValue<string>()));
        await AssertTranscriptMatches(harness, jobId, bursts);
        await AssertCountedOnce(harness, jobId, measured, twice);
        Assert.Empty(twice.Errors);
    }

    [Fact]
    public async Task RunAsync_SharesOneJobBetweenPushAndPullWorkers_WhenBothKindsAreRegistered()
    {
        await using var harness = await OrchestrationHarness.StartAsync(ShortLeases);
        using var measured = new MeasurementRecorder(harness.Services.GetRequiredService<IMeterFactory>());
        await using var push = await FakeWorker.StartAsync(0.08);
        await harness.Workers.AddAsync(push.Url);
        await using var pull = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.08);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 90, seed: 59);

        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId, TimeSpan.FromSeconds(30))).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        var completed = (await harness.Jobs.GetDocumentAsync(jobId))!.Chunks.Where(c => c.Status == ChunkStatus.Completed).ToArray();
        var pushed = completed.Count(c => c.WorkerUrl == push.Url);
        var pulled = completed.Count(c => c.WorkerId == pull.Id);
        Assert.True(pushed > 0 && pulled > 0, $"both kinds must get chunks: {pushed} pushed, {pulled} pulled");
        Assert.Equal(completed.Length, pushed + pulled);
        Assert.Equal(pushed, push.Answered);
        Assert.Equal(pushed, (await harness.Workers.GetAsync(push.Url))!.CompletedChunks);
        Assert.False(push.WasDoubleBooked);
        await AssertCountedOnce(harness, jobId, measured, pull);
    }

    [Fact]
    public async Task RunAsync_HedgesTheChunkAndCancelsTheStraggler_WhenAWorkerKeepsRenewingButNeverAnswers()
    {
        var settings = new Dictionary<string, string?>(ShortLeases)
        {
            ["Dispatch:OverdueFloor"] = "00:00:02",
            ["Dispatch:ReviewInterval"] = "00:00:01",
            // Far beyond the test: the straggler must lose its chunk to the hedge, not to the timeout's revocation.
            ["Dispatch:TimeoutFloor"] = "00:01:00",
        };
        await using var harness = await OrchestrationHarness.StartAsync(settings);
        using var measured = new MeasurementRecorder(harness.Services.GetRequiredService<IMeterFactory>());
        // It answers its first chunk (so its speed is known), then hangs on its second.
        await using var hanging = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.01, PullMisbehavior.Hang, n => n == 2);
        var (path, bursts) = OrchestrationHarness.Recording(dir, seed: 61);
        var jobId = await harness.SubmitAsync(path);
        await Poll.UntilAsync(() => hanging.Leases.Count == 2, "the hanging worker to answer one chunk and take another");
        var hung = hanging.Leases[1];

        await using var steady = await FakePullWorker.StartAsync(harness.Http.BaseAddress!, 0.01);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId, TimeSpan.FromSeconds(30))).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        await Poll.UntilAsync(() => hanging.Cancellations.Any(c => c.LeaseId == hung.LeaseId), "the straggler's next heartbeat to be refused");
        var (_, refusal) = hanging.Cancellations.First(c => c.LeaseId == hung.LeaseId);
        Assert.True(refusal!["cancelled"]!.GetValue<bool>());
        Assert.DoesNotContain(hanging.Results, r => r.LeaseId == hung.LeaseId);
        Assert.Contains(steady.Leases, l => l.ChunkIndex == hung.ChunkIndex && steady.AcceptedLeases.Contains(l.LeaseId));
        var chunk = (await harness.Jobs.GetDocumentAsync(jobId))!.Chunks[hung.ChunkIndex];
        Assert.Equal(steady.Id, chunk.WorkerId);
        // Cancelled by the winning hedge, not revoked or expired: the straggler is not charged a failure.
        var straggler = (await harness.Workers.GetAsync(hanging.Id))!;
        Assert.Equal(0, straggler.FailedChunks);
        await AssertCountedOnce(harness, jobId, measured, hanging, steady);
        Assert.Empty(hanging.Errors);
    }

    [Fact]
    public async Task LeaseChunk_Answers204AfterTheWaitBoundedByMaxLeaseWait_WhenNoChunkIsReady()
    {
        await using var harness = await OrchestrationHarness.StartAsync(new Dictionary<string, string?> { ["Dispatch:MaxLeaseWait"] = "00:00:02" });
        var id = await RegisterAsync(harness);

        var (status, body, elapsed) = await LeaseAsync(harness, id, 1);
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Empty(body);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));

        // Asked to wait longer than the master allows, it waits only as long as the master allows.
        (status, body, elapsed) = await LeaseAsync(harness, id, 25);
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Empty(body);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task LeaseChunk_Answers404SayingToRegisterAgain_WhenTheWorkerIsUnknown()
    {
        await using var harness = await OrchestrationHarness.StartAsync();

        var (status, body, elapsed) = await LeaseAsync(harness, "w-never-registered", 5);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("Register it again", JsonNode.Parse(body)!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"an unknown worker must not be kept waiting ({elapsed})");
    }

    private static async Task<string> RegisterAsync(OrchestrationHarness harness)
    {
        using var response = await harness.Http.PostAsync(
            new Uri("workers", UriKind.Relative), new StringContent("{\"name\": \"probe\", \"model\": \"fake\", \"protocol\": 1}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    private static async Task<(HttpStatusCode Status, string Body, TimeSpan Elapsed)> LeaseAsync(OrchestrationHarness harness, string workerId, double waitSeconds)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"workers/{Uri.EscapeDataString(workerId)}/lease", UriKind.Relative))
        {
            Content = new StringContent($"{{\"wait_seconds\": {waitSeconds}}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Orchard-Protocol", "1");
        var started = Stopwatch.GetTimestamp();
        using var response = await harness.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Every completed chunk counted exactly once: in orchard.chunks.completed, and in the CompletedChunks of the one
    /// worker whose answer was accepted (each fake's own record of the leases the master answered 200).
    /// </summary>
    private static async Task AssertCountedOnce(OrchestrationHarness harness, string jobId, MeasurementRecorder measured, params FakePullWorker[] workers)
    {
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        var completed = document.Chunks.Where(c => c.Status == ChunkStatus.Completed).ToArray();
        var pulled = completed.Where(c => workers.Any(w => w.Id == c.WorkerId)).ToArray();
        // The master records an answer before the worker reads the 200 that says so.
        await Poll.UntilAsync(() => workers.Sum(w => w.AcceptedLeases.Count) >= pulled.Length, "every accepted answer's 200 to reach its worker");
        Assert.Equal(completed.Length, (int)measured.Of("orchard.chunks.completed").Sum(m => m.Value));
        Assert.Equal(document.Summary.CompletedChunks, completed.Length);
        foreach (var worker in workers)
        {
            var record = (await harness.Workers.GetAsync(worker.Id))!;
            Assert.Equal(worker.AcceptedLeases.Count, record.CompletedChunks);
            Assert.Equal(pulled.Count(c => c.WorkerId == worker.Id), worker.AcceptedLeases.Count);
        }
    }

    private static async Task AssertTranscriptMatches(OrchestrationHarness harness, string jobId, IReadOnlyList<Burst> bursts)
    {
        var transcript = (await harness.TranscriptAsync(jobId))!;
        Assert.False(transcript.Partial);
        Assert.Equal(bursts.Count, transcript.Segments.Count);
        for (var i = 0; i < bursts.Count; i++)
        {
            Assert.InRange(transcript.Segments[i].StartMs, bursts[i].StartMs - 50, bursts[i].StartMs + 50);
            Assert.InRange(transcript.Segments[i].EndMs, bursts[i].EndMs - 50, bursts[i].EndMs + 50);
        }
    }
}
