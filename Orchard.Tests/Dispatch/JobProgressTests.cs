using Microsoft.Extensions.DependencyInjection;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;
using Orchard.Tests.Functions.Http;
using Orchard.Tests.Infrastructure;

namespace Orchard.Tests.Dispatch;

public sealed class JobProgressTests
{
    [Fact]
    public async Task IsCancelledAsync_IsTrueOnlyForACancelledJob_EvenAfterItsRedisRecordIsGone()
    {
        await using var host = await ApiHost.StartAsync();
        var progress = host.Services.GetRequiredService<JobProgress>();
        var cancelled = await JobsFunctionsTests.CreateJobAsync(host, DateTimeOffset.UtcNow);
        var running = await JobsFunctionsTests.CreateJobAsync(host, DateTimeOffset.UtcNow);
        await progress.SetStatusAsync(cancelled, new JobTransition(JobStatus.Cancelled), default);
        await host.Jobs.DeleteAsync(cancelled);

        Assert.True(await progress.IsCancelledAsync(cancelled, default));
        Assert.False(await progress.IsCancelledAsync(running, default));
        Assert.False(await progress.IsCancelledAsync(Guid.NewGuid().ToString(), default));
    }

    [Fact]
    public async Task SetStatusAsync_ArchivesTheFinishedDocument_AndMarksItsRetention()
    {
        await using var host = await ApiHost.StartAsync();
        var progress = host.Services.GetRequiredService<JobProgress>();
        var jobId = await JobsFunctionsTests.CreateJobAsync(host, DateTimeOffset.UtcNow);

        await progress.SetStatusAsync(jobId, new JobTransition(JobStatus.Failed, "no worker"), default);

        var archived = await host.Services.GetRequiredService<RecordingStore>().TryLoadJsonAsync<JobDocument>(RecordingStore.FinishedBlob(jobId), default);
        Assert.Equal(JobStatus.Failed, archived!.Summary.Status);
        Assert.Equal("no worker", archived.Summary.Error);
        Assert.Single(await host.BlobNamesAsync("retention/"), name => name.EndsWith("/" + jobId, StringComparison.Ordinal));
    }
}
