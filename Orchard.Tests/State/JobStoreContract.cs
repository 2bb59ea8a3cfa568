using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Tests.Builders;

namespace Orchard.Tests.State;

/// <summary>The behaviour every <see cref="IJobStore"/> must show; run against Redis and the in-memory fallback.</summary>
public abstract class JobStoreContract
{
    protected abstract IJobStore CreateStore(Action<StateOptions>? configure = null);

    [Fact]
    public async Task CreateAsync_StoresSummary_WhenNew()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithFilename("講義 1.mp3");

        await store.CreateAsync(job.Summary());

        var read = await store.GetAsync(job.Id);
        Assert.NotNull(read);
        Assert.Equal("講義 1.mp3", read.Filename);
        Assert.Equal(JobStatus.Created, read.Status);
    }

    [Fact]
    public async Task CreateAsync_Throws_WhenJobExists()
    {
        var store = CreateStore();
        var job = new JobBuilder();
        await store.CreateAsync(job.Summary());

        await Assert.ThrowsAsync<DuplicateJobException>(() => store.CreateAsync(job.Summary()));
    }

    [Fact]
    public async Task TransitionAsync_FollowsLifecycle_ToCompleted()
    {
        var store = CreateStore();
        var job = new JobBuilder();
        await store.CreateAsync(job.Summary());

        foreach (var status in new[] { JobStatus.Purifying, JobStatus.PurifierCompleted, JobStatus.Splitting, JobStatus.Processing, JobStatus.Aggregating })
        {
            Assert.Equal(status, (await store.TransitionAsync(job.Id, new JobTransition(status))).Status);
        }

        var done = await store.TransitionAsync(job.Id, new JobTransition(JobStatus.Completed, DurationMs: 1234.5));
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(1234.5, done.DurationMs);
        Assert.NotNull(done.FinishedAt);
    }

    [Theory]
    [InlineData(JobStatus.Created, JobStatus.Completed)]
    [InlineData(JobStatus.Created, JobStatus.Processing)]
    [InlineData(JobStatus.Splitting, JobStatus.Purifying)]
    public async Task TransitionAsync_Refuses_IllegalMove(JobStatus from, JobStatus to)
    {
        var store = CreateStore();
        var job = new JobBuilder().WithStatus(from);
        await store.SaveAsync(job.Document());

        var error = await Assert.ThrowsAsync<InvalidJobTransitionException>(() => store.TransitionAsync(job.Id, new JobTransition(to)));

        Assert.Equal(from, error.From);
        Assert.Equal(from, (await store.GetAsync(job.Id))!.Status);
    }

    [Fact]
    public async Task TransitionAsync_Refuses_LeavingFinishedJob()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithStatus(JobStatus.Processing);
        await store.SaveAsync(job.Document());
        await store.TransitionAsync(job.Id, new JobTransition(JobStatus.Failed, Error: "chunk 3 could not be transcribed"));

        await Assert.ThrowsAsync<InvalidJobTransitionException>(() => store.TransitionAsync(job.Id, new JobTransition(JobStatus.Processing)));
        Assert.Equal("chunk 3 could not be transcribed", (await store.GetAsync(job.Id))!.Error);
    }

    [Fact]
    public async Task TransitionAsync_IsNoOp_WhenStatusRepeats()
    {
        var store = CreateStore();
        var job = new JobBuilder();
        await store.CreateAsync(job.Summary());
        var first = await store.TransitionAsync(job.Id, new JobTransition(JobStatus.Purifying));

        var again = await store.TransitionAsync(job.Id, new JobTransition(JobStatus.Purifying));

        Assert.Equal(first, again);
    }

    [Fact]
    public async Task TransitionAsync_Throws_WhenRecordGone()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<JobNotFoundException>(() => store.TransitionAsync("nope", new JobTransition(JobStatus.Purifying)));
    }

    [Fact]
    public async Task SetChunksAsync_CountsEachCompletionOnce_WhenRepeated()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithChunks(4);
        await store.CreateAsync(job.Summary());
        await store.SetChunksAsync(job.Id, job.Chunks());

        var completed = job.Chunk(1, ChunkStatus.Completed, "http://10.0.0.1:8080");
        await store.SetChunksAsync(job.Id, [completed]);
        await store.SetChunksAsync(job.Id, [completed]);
        await store.SetChunksAsync(job.Id, [job.Chunk(2, ChunkStatus.Silent), job.Chunk(3, ChunkStatus.Failed)]);

        var summary = (await store.GetAsync(job.Id))!;
        Assert.Equal(4, summary.TotalChunks);
        Assert.Equal(1, summary.CompletedChunks);
        Assert.Equal(1, summary.SilentChunks);
        Assert.Equal(1, summary.FailedChunks);

        await store.SetChunksAsync(job.Id, [job.Chunk(3, ChunkStatus.Processing)]);
        Assert.Equal(0, (await store.GetAsync(job.Id))!.FailedChunks);
    }

    [Fact]
    public async Task SetChunksAsync_KeepsACompletedChunkCompleted_WhenALateLeaseWritesItPendingOrFailed()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithChunks(2);
        await store.CreateAsync(job.Summary());
        await store.SetChunksAsync(job.Id, job.Chunks());
        await store.SetChunksAsync(job.Id, [job.Chunk(0, ChunkStatus.Completed, "http://10.0.0.1:8080")]);

        // An expiry or a hedge's start racing the answer, then the job ending: none of them undoes the answer.
        await store.SetChunksAsync(job.Id, [job.Chunk(0, ChunkStatus.Pending), job.Chunk(1, ChunkStatus.Processing)]);
        await store.SetChunksAsync(job.Id, [job.Chunk(0, ChunkStatus.Failed)]);

        var document = (await store.GetDocumentAsync(job.Id))!;
        Assert.Equal(ChunkStatus.Completed, document.Chunks.Single(c => c.Index == 0).Status);
        Assert.Equal(ChunkStatus.Processing, document.Chunks.Single(c => c.Index == 1).Status);
        Assert.Equal((1, 0), (document.Summary.CompletedChunks, document.Summary.FailedChunks));
    }

    [Fact]
    public async Task SetChunksAsync_ReturnsFalse_WhenRecordGone()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithChunks(1);

        Assert.False(await store.SetChunksAsync(job.Id, job.Chunks()));
        Assert.Null(await store.GetDocumentAsync(job.Id));
    }

    [Fact]
    public async Task GetDocumentAsync_ReturnsChunksInOrder()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithChunks(12);
        await store.CreateAsync(job.Summary());
        await store.SetChunksAsync(job.Id, job.Chunks().Reverse().ToArray());

        var document = (await store.GetDocumentAsync(job.Id))!;

        Assert.Equal(Enumerable.Range(0, 12), document.Chunks.Select(c => c.Index));
        Assert.Equal($"{job.Id}_chunk_11", document.Chunks[11].ChunkId);
        Assert.Equal(11 * 60_000, document.Chunks[11].StartMs);
    }

    [Fact]
    public async Task SaveAsync_WritesWholeJobAgain_AfterLoss()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithStatus(JobStatus.Processing).WithChunks(3);
        var document = new JobDocument(job.Summary(), [job.Chunk(0, ChunkStatus.Completed), job.Chunk(1, ChunkStatus.Processing), job.Chunk(2)]);
        await store.SaveAsync(document);
        await store.DeleteAsync(job.Id);

        await store.SaveAsync(document);

        var restored = (await store.GetDocumentAsync(job.Id))!;
        Assert.Equal(JobStatus.Processing, restored.Summary.Status);
        Assert.Equal(3, restored.Summary.TotalChunks);
        Assert.Equal(1, restored.Summary.CompletedChunks);
        Assert.Equal(document.Chunks, restored.Chunks);
        Assert.Equal(1, (await store.GetStatsAsync()).Total);
    }

    [Fact]
    public async Task ListAsync_ReturnsNewestFirst_PagedByCursor()
    {
        var store = CreateStore();
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var job = new JobBuilder().CreatedAt(start.AddSeconds(i));
            ids.Add(job.Id);
            await store.CreateAsync(job.Summary());
        }

        var first = await store.ListAsync(new JobQuery(Limit: 3));
        var second = await store.ListAsync(new JobQuery(Limit: 3, Cursor: first.NextCursor));
        var third = await store.ListAsync(new JobQuery(Limit: 3, Cursor: second.NextCursor));

        ids.Reverse();
        Assert.Equal(ids, first.Jobs.Concat(second.Jobs).Concat(third.Jobs).Select(j => j.JobId));
        Assert.Null(third.NextCursor);
    }

    [Fact]
    public async Task ListAsync_KeepsJobsWithEqualTimes_AcrossPages()
    {
        var store = CreateStore();
        var at = DateTimeOffset.UtcNow;
        var ids = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            var job = new JobBuilder().CreatedAt(at);
            ids.Add(job.Id);
            await store.CreateAsync(job.Summary());
        }

        var first = await store.ListAsync(new JobQuery(Limit: 2));
        var second = await store.ListAsync(new JobQuery(Limit: 2, Cursor: first.NextCursor));
        var third = await store.ListAsync(new JobQuery(Limit: 2, Cursor: second.NextCursor));

        Assert.Equal(ids, first.Jobs.Concat(second.Jobs).Concat(third.Jobs).Select(j => j.JobId).ToHashSet());
        Assert.Equal(5, first.Jobs.Count + second.Jobs.Count + third.Jobs.Count);
    }

    [Fact]
    public async Task ListAsync_FiltersByStatus()
    {
        var store = CreateStore();
        var running = new JobBuilder().WithStatus(JobStatus.Processing);
        await store.SaveAsync(running.Document());
        await store.CreateAsync(new JobBuilder().Summary());

        var page = await store.ListAsync(new JobQuery(Status: JobStatus.Processing));

        Assert.Equal([running.Id], page.Jobs.Select(j => j.JobId));
    }

    [Fact]
    public async Task ListAsync_Throws_WhenCursorIsForeign()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<FormatException>(() => store.ListAsync(new JobQuery(Cursor: "not-a-cursor")));
    }

    [Fact]
    public async Task GetStatsAsync_CountsExactly()
    {
        var store = CreateStore();
        foreach (var status in new[] { JobStatus.Created, JobStatus.Processing, JobStatus.Splitting, JobStatus.Processing })
        {
            await store.SaveAsync(new JobBuilder().WithStatus(status).Document());
        }

        var done = new JobBuilder().WithStatus(JobStatus.Aggregating);
        await store.SaveAsync(done.Document());
        await store.TransitionAsync(done.Id, new JobTransition(JobStatus.Completed));
        var failed = new JobBuilder().WithStatus(JobStatus.Processing);
        await store.SaveAsync(failed.Document());
        await store.TransitionAsync(failed.Id, new JobTransition(JobStatus.Failed, Error: "x"));
        var cancelled = new JobBuilder();
        await store.CreateAsync(cancelled.Summary());
        await store.TransitionAsync(cancelled.Id, new JobTransition(JobStatus.Cancelled));

        Assert.Equal(new JobStats(Total: 7, Active: 4, Completed: 1, Failed: 1, Cancelled: 1), await store.GetStatsAsync());
    }

    [Fact]
    public async Task GetStatsAsync_DropsFinishedJobs_AfterRetention()
    {
        var store = CreateStore(o => o.JobRetention = TimeSpan.FromMilliseconds(700));
        var finished = new JobBuilder().WithStatus(JobStatus.Aggregating);
        await store.SaveAsync(finished.Document());
        await store.TransitionAsync(finished.Id, new JobTransition(JobStatus.Completed));
        var running = new JobBuilder().WithStatus(JobStatus.Processing);
        await store.SaveAsync(running.Document());
        Assert.Equal(2, (await store.GetStatsAsync()).Total);

        await Task.Delay(1000);

        Assert.Equal(new JobStats(Total: 1, Active: 1, Completed: 0, Failed: 0, Cancelled: 0), await store.GetStatsAsync());
        Assert.Null(await store.GetAsync(finished.Id));
        Assert.NotNull(await store.GetAsync(running.Id));
        Assert.Equal([running.Id], (await store.ListAsync(new JobQuery())).Jobs.Select(j => j.JobId));
    }

    [Fact]
    public async Task DeleteAsync_RemovesJobFromEverything()
    {
        var store = CreateStore();
        var job = new JobBuilder().WithChunks(2);
        await store.SaveAsync(job.Document());

        Assert.True(await store.DeleteAsync(job.Id));
        Assert.False(await store.DeleteAsync(job.Id));

        Assert.Null(await store.GetDocumentAsync(job.Id));
        Assert.Empty((await store.ListAsync(new JobQuery())).Jobs);
        Assert.Equal(0, (await store.GetStatsAsync()).Total);
    }
}
