using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Functions.Functions.Http;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Functions.Http;

public sealed class StatsFunctionsTests
{
    [Fact]
    public async Task GetStats_CountsWorkersJobsAndQueuedChunks_AndNamesTheStore()
    {
        await using var host = await ApiHost.StartAsync();
        var now = DateTimeOffset.UtcNow;
        var progress = host.Services.GetRequiredService<JobProgress>();
        var failed = await JobsFunctionsTests.CreateJobAsync(host, now);
        var cancelled = await JobsFunctionsTests.CreateJobAsync(host, now.AddSeconds(1));
        await progress.SetStatusAsync(failed, new JobTransition(JobStatus.Failed, "x"), default);
        await progress.SetStatusAsync(cancelled, new JobTransition(JobStatus.Cancelled), default);
        var processing = new JobSummary { JobId = Guid.CreateVersion7().ToString("D"), Filename = "p.wav", CreatedAt = now, Status = JobStatus.Processing };
        ChunkRecord Chunk(int i, ChunkStatus status) => new() { ChunkId = ChunkRecord.IdFor(processing.JobId, i), Index = i, StartMs = i * 1000, EndMs = (i + 1) * 1000, Status = status };
        await host.Jobs.SaveAsync(new JobDocument(processing, [Chunk(0, ChunkStatus.Completed), Chunk(1, ChunkStatus.Processing), Chunk(2, ChunkStatus.Pending), Chunk(3, ChunkStatus.Pending), Chunk(4, ChunkStatus.Silent)]));
        await host.Workers.AddAsync("10.9.9.9:1");

        var stats = ApiHost.Read(await host.Function<StatsFunctions>().GetStats(host.Request())).Json!;

        Assert.Equal(1, (int)stats["workers"]!["total"]!);
        Assert.Equal(1, (int)stats["workers"]!["online"]!);
        Assert.Equal(3, (int)stats["jobs"]!["total"]!);
        Assert.Equal(1, (int)stats["jobs"]!["active"]!);
        Assert.Equal(0, (int)stats["jobs"]!["completed"]!);
        Assert.Equal(1, (int)stats["jobs"]!["failed"]!);
        Assert.Equal(1, (int)stats["jobs"]!["cancelled"]!);
        Assert.Equal(2, (int)stats["chunks"]!["queued"]!);
        Assert.Equal(1, (int)stats["chunks"]!["processing"]!);
        Assert.Equal("redis", (string?)stats["store"]);
    }
}
