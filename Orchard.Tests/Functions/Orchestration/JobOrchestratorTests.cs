using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Domain.Transcripts;
using Orchard.Tests.Audio;
using Orchard.Tests.Infrastructure;
using StackExchange.Redis;

namespace Orchard.Tests.Functions.Orchestration;

public sealed class JobOrchestratorTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task RunAsync_TranscribesEveryBurstAtItsOriginalTime_WithThreeWorkersOfDifferentSpeeds()
    {
        // Batches of 2 make the orchestration continue as new several times.
        await using var harness = await OrchestrationHarness.StartAsync(new Dictionary<string, string?> { ["Dispatch:BatchSize"] = "2" });
        await using var fast = await FakeWorker.StartAsync(0.01);
        await using var mid = await FakeWorker.StartAsync(0.02);
        await using var slow = await FakeWorker.StartAsync(0.04);
        foreach (var w in new[] { fast, mid, slow })
        {
            await harness.Workers.AddAsync(w.Url);
        }

        var (path, bursts) = OrchestrationHarness.Recording(dir);
        var jobId = await harness.SubmitAsync(path);
        var outcome = await harness.WaitAsync(jobId);

        Assert.Equal(JobStatus.Completed, outcome.Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.Equal(JobStatus.Completed, document.Summary.Status);
        Assert.True(document.Summary.TotalChunks >= 3, $"expected several chunks, got {document.Summary.TotalChunks}");
        Assert.All(document.Chunks, c => Assert.Contains(c.Status, new[] { ChunkStatus.Completed, ChunkStatus.Silent }));
        Assert.All(document.Chunks.Where(c => c.Status == ChunkStatus.Completed), c =>
        {
            Assert.NotNull(c.WorkerUrl);
            Assert.True(c.StartedAt <= c.CompletedAt, $"chunk {c.Index}: started {c.StartedAt}, completed {c.CompletedAt}");
        });
        Assert.False(fast.WasDoubleBooked || mid.WasDoubleBooked || slow.WasDoubleBooked);
    }

    [Fact]
    public async Task RunAsync_Completes_WhenOneWorkerDiesMidJob()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var dying = await FakeWorker.StartAsync(0.01, dieAfter: 1);
        await using var steady = await FakeWorker.StartAsync(0.03);
        await harness.Workers.AddAsync(dying.Url);
        await harness.Workers.AddAsync(steady.Url);

        var (path, bursts) = OrchestrationHarness.Recording(dir, seed: 11);
        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
    }

    [Fact]
    public async Task RunAsync_RetriesElsewhere_WhenWorkersAnswer500OrNonsense()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var broken = await FakeWorker.StartAsync(0.01, FakeWorkerBehavior.Fail500);
        await using var babbling = await FakeWorker.StartAsync(0.01, FakeWorkerBehavior.Nonsense);
        await using var good = await FakeWorker.StartAsync(0.02);
        foreach (var w in new[] { broken, babbling, good })
        {
            await harness.Workers.AddAsync(w.Url);
        }

        var (path, bursts) = OrchestrationHarness.Recording(dir, 40, seed: 13);
        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        var brokenRecord = (await harness.Workers.GetAsync(broken.Url))!;
        Assert.True(brokenRecord.FailedChunks > 0);
    }

    [Fact]
    public async Task RunAsync_WaitsForAWorker_WhenNoneIsRegisteredYet()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var late = await FakeWorker.StartAsync(0.01);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 30, seed: 17);
        var jobId = await harness.SubmitAsync(path);

        await Task.Delay(1500);
        Assert.Equal(JobStatus.Processing, (await harness.Jobs.GetAsync(jobId))!.Status);
        await harness.Workers.AddAsync(late.Url);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
    }

    [Fact]
    public async Task RunAsync_FailsNamingTheChunksWithTheirRanges_WhenNoWorkerComesBeforeTheDeadline()
    {
        await using var harness = await OrchestrationHarness.StartAsync(new Dictionary<string, string?> { ["Dispatch:NoWorkerDeadline"] = "00:00:01" });
        var (path, _) = OrchestrationHarness.Recording(dir, 30, seed: 19);
        var jobId = await harness.SubmitAsync(path);

        var outcome = await harness.WaitAsync(jobId);

        var manifest = await harness.Services.GetRequiredService<JobProgress>().ManifestAsync(jobId, default);
        var speech = manifest.Chunks.Where(c => !c.IsSilent).ToArray();
        Assert.NotEmpty(speech);
        Assert.Equal(JobStatus.Failed, outcome.Status);
        var named = string.Join(", ", speech.Select(c => $"{c.Index} ({TimeFormat.Range(c.StartMs, c.EndMs)})"));
        Assert.Contains($"Chunks left untranscribed: {named}.", outcome.Error, StringComparison.Ordinal);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.Equal(JobStatus.Failed, document.Summary.Status);
        Assert.Contains("No worker became free", document.Summary.Error, StringComparison.Ordinal);
        Assert.All(speech, c => Assert.Equal(ChunkStatus.Failed, document.Chunks[c.Index].Status));
        Assert.Equal(speech.Length, document.Summary.FailedChunks);
        // Nothing was transcribed, and the transcript says so: every speech chunk is a gap.
        var transcript = (await harness.TranscriptAsync(jobId))!;
        Assert.True(transcript.Partial);
        Assert.Empty(transcript.Segments);
        Assert.Equal(speech.Select(c => c.Index), transcript.Gaps!.Select(g => g.ChunkIndex));
        Assert.All(transcript.Gaps!, g => Assert.StartsWith("No worker became free", g.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_EndsFailedKeepingEveryOtherChunk_WhenOneChunkFailsOnEveryWorker()
    {
        // Batches of 2: chunks after the failed one are transcribed in later generations of the orchestration.
        await using var harness = await OrchestrationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Dispatch:BatchSize"] = "2",
            ["Dispatch:MaxAttempts"] = "2",
        });
        await using var a = await FakeWorker.StartAsync(0.01);
        await using var b = await FakeWorker.StartAsync(0.02);
        a.FailsOn = OrchestrationHarness.IsLoud;
        b.FailsOn = OrchestrationHarness.IsLoud;
        await harness.Workers.AddAsync(a.Url);
        await harness.Workers.AddAsync(b.Url);
        var (path, bursts, loud) = OrchestrationHarness.RecordingWithLoudBurst(dir, 90, 40, seed: 37);
        var jobId = await harness.SubmitAsync(path);

        var outcome = await harness.WaitAsync(jobId);

        var manifest = await harness.Services.GetRequiredService<JobProgress>().ManifestAsync(jobId, default);
        var failed = Assert.Single(manifest.Chunks, c => c.StartMs <= loud.StartMs && loud.StartMs < c.EndMs);
        var others = manifest.Chunks.Where(c => !c.IsSilent && c.Index != failed.Index).ToArray();
        Assert.True(others.Length >= 3, $"expected speech chunks besides the failing one, got {others.Length}");
        Assert.Equal(JobStatus.Failed, outcome.Status);
        var expected = $"Chunk {failed.Index} ({TimeFormat.Range(failed.StartMs, failed.EndMs)}) could not be transcribed: failed 2 times; last: ";
        Assert.Matches(@"\(\d\d:\d\d:\d\d\u2013\d\d:\d\d:\d\d\)", expected);
        Assert.Contains(expected, outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("left untranscribed", outcome.Error, StringComparison.Ordinal);

        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.Equal(JobStatus.Failed, document.Summary.Status);
        Assert.Equal(outcome.Error, document.Summary.Error);
        Assert.Equal(ChunkStatus.Failed, document.Chunks[failed.Index].Status);
        Assert.Contains("500", document.Chunks[failed.Index].Error, StringComparison.Ordinal);
        Assert.Equal(2, document.Chunks[failed.Index].Attempts);
        Assert.All(others, c => Assert.Equal(ChunkStatus.Completed, document.Chunks[c.Index].Status));
        Assert.Equal(1, document.Summary.FailedChunks);

        // Every other chunk's words are kept, at their original times, and the failed chunk is one gap.
        var transcript = (await harness.TranscriptAsync(jobId))!;
        Assert.True(transcript.Partial);
        var gap = Assert.Single(transcript.Gaps!);
        Assert.Equal(failed.Index, gap.ChunkIndex);
        Assert.Equal((long)Math.Round(failed.StartMs), gap.StartMs);
        Assert.Equal((long)Math.Round(failed.EndMs), gap.EndMs);
        Assert.StartsWith("failed 2 times; last: ", gap.Reason, StringComparison.Ordinal);
        var kept = bursts.Where(x => x.StartMs < failed.StartMs || x.StartMs >= failed.EndMs).ToArray();
        Assert.Equal(kept.Length, transcript.Segments.Count);
        for (var i = 0; i < kept.Length; i++)
        {
            Assert.InRange(transcript.Segments[i].StartMs, kept[i].StartMs - 50, kept[i].StartMs + 50);
            Assert.InRange(transcript.Segments[i].EndMs, kept[i].EndMs - 50, kept[i].EndMs + 50);
        }

        Assert.DoesNotContain(transcript.Segments, x => x.ChunkIndex == failed.Index);
        var recordings = harness.Services.GetRequiredService<RecordingStore>();
        foreach (var chunk in others)
        {
            var result = (await recordings.TryLoadJsonAsync<ChunkResult>(RecordingStore.ResultBlob(jobId, chunk.Index), default))!;
            Assert.Equal(result.Transcription.Segments.Select(x => x.Text), transcript.Segments.Where(x => x.ChunkIndex == chunk.Index).Select(x => x.Text));
        }
    }

    [Fact]
    public async Task RunAsync_CompletesEmpty_WhenRecordingIsSilent()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var path = dir.File("silence.wav");
        TestSignalBuilder.WriteWav(path, new float[16000 * 20]);

        var jobId = await harness.SubmitAsync(path);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        var transcript = (await harness.TranscriptAsync(jobId))!;
        Assert.Empty(transcript.Segments);
        Assert.Equal(string.Empty, transcript.Text);
    }

    [Fact]
    public async Task RunAsync_NeverDoubleBooksAWorker_WhenTwoJobsShareTwoWorkers()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var a = await FakeWorker.StartAsync(0.02);
        await using var b = await FakeWorker.StartAsync(0.03);
        await harness.Workers.AddAsync(a.Url);
        await harness.Workers.AddAsync(b.Url);
        var (path1, bursts1) = OrchestrationHarness.Recording(dir, 40, seed: 23);
        var (path2, bursts2) = OrchestrationHarness.Recording(dir, 40, seed: 29);

        var job1 = await harness.SubmitAsync(path1);
        var job2 = await harness.SubmitAsync(path2);

        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(job1)).Status);
        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(job2)).Status);
        await AssertTranscriptMatches(harness, job1, bursts1);
        await AssertTranscriptMatches(harness, job2, bursts2);
        Assert.False(a.WasDoubleBooked || b.WasDoubleBooked);
    }

    [Fact]
    public async Task RunAsync_WritesRecordWholeAgain_WhenRedisLosesItMidJob()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        await using var worker = await FakeWorker.StartAsync(0.05);
        await harness.Workers.AddAsync(worker.Url);
        var (path, bursts) = OrchestrationHarness.Recording(dir, 60, seed: 31);
        var jobId = await harness.SubmitAsync(path);

        // Wait until work is under way, then lose every key of this test (as a Redis restart without persistence would).
        for (var i = 0; i < 100 && (await harness.Jobs.GetAsync(jobId))?.CompletedChunks is null or 0; i++)
        {
            await Task.Delay(100);
        }

        await using (var redis = await ConnectionMultiplexer.ConnectAsync(TestEnvironment.RedisConnectionString))
        {
            var keys = redis.GetServers()[0].Keys(pattern: harness.RedisPrefix + "*").ToArray();
            await redis.GetDatabase().KeyDeleteAsync(keys);
        }

        await harness.Workers.AddAsync(worker.Url);
        Assert.Equal(JobStatus.Completed, (await harness.WaitAsync(jobId)).Status);
        await AssertTranscriptMatches(harness, jobId, bursts);
        var document = (await harness.Jobs.GetDocumentAsync(jobId))!;
        Assert.Equal(JobStatus.Completed, document.Summary.Status);
        Assert.Equal(document.Summary.TotalChunks, document.Chunks.Count);
        Assert.Equal(document.Chunks.Count(c => c.Status == ChunkStatus.Completed), document.Summary.CompletedChunks);
        Assert.All(document.Chunks, c => Assert.Contains(c.Status, new[] { ChunkStatus.Completed, ChunkStatus.Silent }));
    }

    private static async Task AssertTranscriptMatches(OrchestrationHarness harness, string jobId, IReadOnlyList<Burst> bursts)
    {
        var transcript = (await harness.TranscriptAsync(jobId))!;
        Assert.Equal(bursts.Count, transcript.Segments.Count);
        for (var i = 0; i < bursts.Count; i++)
        {
            Assert.InRange(transcript.Segments[i].StartMs, bursts[i].StartMs - 50, bursts[i].StartMs + 50);
            Assert.InRange(transcript.Segments[i].EndMs, bursts[i].EndMs - 50, bursts[i].EndMs + 50);
        }
    }
}
