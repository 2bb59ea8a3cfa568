using Orchard.Domain.Dashboard;
using Orchard.Domain.Jobs;
using Orchard.Domain.Workers;
using Orchard.Tests.Builders;

namespace Orchard.Tests.Dashboard;

public sealed class JobEstimateTests
{
    [Fact]
    public void Progress_CountsAudioSeconds_NotChunks()
    {
        var summary = Summary(JobStatus.Processing, 100_000);
        ChunkRecord[] chunks = [Chunk(0, 0, 80_000, ChunkStatus.Completed), Chunk(1, 80_000, 90_000, ChunkStatus.Pending), Chunk(2, 90_000, 100_000, ChunkStatus.Silent)];

        var (done, total) = JobEstimate.Progress(summary, chunks);

        Assert.Equal(90_000, done);
        Assert.Equal(100_000, total);
    }

    [Fact]
    public void Progress_IsWholeForACompletedJobWithoutChunks_AndNoneForOneNotSplitYet()
    {
        Assert.Equal((60_000d, 60_000d), JobEstimate.Progress(Summary(JobStatus.Completed, 60_000), null));
        Assert.Equal((0d, 60_000d), JobEstimate.Progress(Summary(JobStatus.Purifying, 60_000), null));
    }

    [Fact]
    public void EtaSeconds_DividesTheAudioLeftByTheFleetsMeasuredSpeed()
    {
        // 120 s left (as sent); two workers at 0.5 and 1.0 transcribe 2 + 1 = 3 s of audio a second: 40 s.
        ChunkRecord[] chunks = [Chunk(0, 0, 60_000, ChunkStatus.Processing), Chunk(1, 60_000, 120_000, ChunkStatus.Pending), Chunk(2, 120_000, 180_000, ChunkStatus.Completed)];

        var eta = JobEstimate.EtaSeconds(chunks, [Worker(0.5), Worker(1.0)]);

        Assert.Equal(40, eta!.Value, 3);
    }

    [Fact]
    public void EtaSeconds_IsNeverLessThanTheLongestChunkLeftOnTheFastestWorker()
    {
        // One 60 s chunk left and ten workers at 0.5: it still takes one worker 30 s.
        ChunkRecord[] chunks = [Chunk(0, 0, 60_000, ChunkStatus.Pending)];

        var eta = JobEstimate.EtaSeconds(chunks, Enumerable.Range(0, 10).Select(_ => Worker(0.5)).ToArray());

        Assert.Equal(30, eta!.Value, 3);
    }

    [Fact]
    public void EtaSeconds_UsesTheAudioSent_WhenPausesWereShortened()
    {
        ChunkRecord[] chunks = [Chunk(0, 0, 60_000, ChunkStatus.Pending) with { SentMs = 30_000 }];

        Assert.Equal(30, JobEstimate.EtaSeconds(chunks, [Worker(1.0)])!.Value, 3);
    }

    [Fact]
    public void EtaSeconds_IsNull_WithNoMeasuredWorkerOrNothingLeft()
    {
        Assert.Null(JobEstimate.EtaSeconds([Chunk(0, 0, 60_000, ChunkStatus.Pending)], [new Domain.Workers.Worker { Id = "w" }]));
        Assert.Null(JobEstimate.EtaSeconds([Chunk(0, 0, 60_000, ChunkStatus.Completed)], [Worker(1.0)]));
    }

    private static JobSummary Summary(JobStatus status, double durationMs) =>
        new() { JobId = Guid.NewGuid().ToString("D"), Filename = "a.wav", CreatedAt = DateTimeOffset.UtcNow, Status = status, DurationMs = durationMs };

    private static ChunkRecord Chunk(int index, double startMs, double endMs, ChunkStatus status) =>
        new() { ChunkId = ChunkRecord.IdFor("job", index), Index = index, StartMs = startMs, EndMs = endMs, Status = status };

    private static Domain.Workers.Worker Worker(double ratio) => new() { Id = Guid.NewGuid().ToString("N"), Performance = [WorkerBuilder.Sample(ratio)] };
}
