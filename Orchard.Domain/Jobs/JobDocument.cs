namespace Orchard.Domain.Jobs;

/// <summary>A job with every chunk, in chunk order.</summary>
public sealed record JobDocument(JobSummary Summary, IReadOnlyList<ChunkRecord> Chunks)
{
    /// <summary>The summary with the counts its chunks imply (absolute, so a rebuilt record is exact).</summary>
    public JobSummary CountedSummary() => Summary with
    {
        TotalChunks = Chunks.Count,
        CompletedChunks = Chunks.Count(c => c.Status == ChunkStatus.Completed),
        FailedChunks = Chunks.Count(c => c.Status == ChunkStatus.Failed),
        SilentChunks = Chunks.Count(c => c.Status == ChunkStatus.Silent),
    };
}

/// <summary>One page of a job listing, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record JobPage(IReadOnlyList<JobSummary> Jobs, string? NextCursor);

/// <summary>What to list: at most <see cref="Limit"/> jobs, optionally of one status, after a cursor.</summary>
public sealed record JobQuery(int Limit = 50, JobStatus? Status = null, string? Cursor = null);

/// <summary>Job counts for <c>/stats</c>; exact, read from indexes.</summary>
public sealed record JobStats(long Total, long Active, long Completed, long Failed, long Cancelled);

/// <summary>A status change with what comes with it.</summary>
public sealed record JobTransition(JobStatus Status, string? Error = null, double? DurationMs = null);
