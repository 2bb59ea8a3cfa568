using Orchard.Domain.Jobs;
using Orchard.Domain.Workers;

namespace Orchard.Domain.State;

/// <summary>Chunks waiting for a worker and chunks at a worker, over every job being processed.</summary>
public sealed record ChunkStats(long Queued, long Processing);

/// <summary>The body of <c>/stats</c>: the original's worker and job counts plus failed, cancelled, chunks, and the store in use.</summary>
public sealed record Stats(WorkerStats Workers, JobStats Jobs, ChunkStats Chunks, string Store);

/// <summary>Reads <c>/stats</c> from the indexes; chunk counts read only the jobs being processed.</summary>
public sealed class StatsReport(IJobStore jobs, IWorkerRegistry workers, StateBackend backend)
{
    private const int MaxPages = 20;

    public async Task<Stats> ReadAsync(CancellationToken cancellationToken)
    {
        var jobStats = await jobs.GetStatsAsync(cancellationToken);
        var workerStats = await workers.GetStatsAsync(cancellationToken);
        long queued = 0, processing = 0;
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var batch = await jobs.ListAsync(new JobQuery(JobListRequest.MaxLimit, JobStatus.Processing, cursor), cancellationToken);
            foreach (var document in await Task.WhenAll(batch.Jobs.Select(j => jobs.GetDocumentAsync(j.JobId, cancellationToken))))
            {
                queued += document?.Chunks.Count(c => c.Status == ChunkStatus.Pending) ?? 0;
                processing += document?.Chunks.Count(c => c.Status == ChunkStatus.Processing) ?? 0;
            }

            if ((cursor = batch.NextCursor) is null)
            {
                break;
            }
        }

        return new Stats(workerStats, jobStats, new ChunkStats(queued, processing), backend.Kind);
    }
}
