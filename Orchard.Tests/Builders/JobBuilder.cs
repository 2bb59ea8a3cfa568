using Orchard.Domain.Jobs;

namespace Orchard.Tests.Builders;

/// <summary>Builds jobs and chunks for tests with sensible defaults.</summary>
public sealed class JobBuilder
{
    private string jobId = "job-" + Guid.NewGuid().ToString("N")[..10];
    private string filename = "lecture.mp3";
    private DateTimeOffset createdAt = DateTimeOffset.UtcNow;
    private JobStatus status = JobStatus.Created;
    private int chunkCount;
    private double chunkMs = 60_000;

    public JobBuilder WithId(string id)
    {
        jobId = id;
        return this;
    }

    public JobBuilder WithFilename(string name)
    {
        filename = name;
        return this;
    }

    public JobBuilder CreatedAt(DateTimeOffset at)
    {
        createdAt = at;
        return this;
    }

    public JobBuilder WithStatus(JobStatus value)
    {
        status = value;
        return this;
    }

    public JobBuilder WithChunks(int count, double lengthMs = 60_000)
    {
        chunkCount = count;
        chunkMs = lengthMs;
        return this;
    }

    public string Id => jobId;

    public JobSummary Summary() => new()
    {
        JobId = jobId,
        Filename = filename,
        Status = status,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
    };

    public IReadOnlyList<ChunkRecord> Chunks(ChunkStatus chunkStatus = ChunkStatus.Pending) =>
        Enumerable.Range(0, chunkCount).Select(i => Chunk(i, chunkStatus)).ToArray();

    public ChunkRecord Chunk(int index, ChunkStatus chunkStatus = ChunkStatus.Pending, string? workerUrl = null) => new()
    {
        ChunkId = ChunkRecord.IdFor(jobId, index),
        Index = index,
        StartMs = index * chunkMs,
        EndMs = (index + 1) * chunkMs,
        Status = chunkStatus,
        WorkerUrl = workerUrl,
        WorkerId = workerUrl,
    };

    public JobDocument Document(ChunkStatus chunkStatus = ChunkStatus.Pending) => new(Summary(), Chunks(chunkStatus));
}
