using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Storage;

namespace Orchard.Domain.Application;

/// <summary>What one maintenance run removed.</summary>
public sealed record JobMaintenanceReport(int DanglingIndexEntries, int PurgedJobs, int AbandonedUploads);

/// <summary>
/// The jobs timer's work: drops index entries left by a manual <c>DEL job:&lt;id&gt;</c>, purges the blobs and
/// orchestration history of jobs past <c>Storage:JobRetention</c>, and deletes uploads never submitted. Never dispatches.
/// </summary>
public sealed partial class JobMaintenance(IJobStore jobs, RecordingStore recordings, IOptions<StorageOptions> options, TimeProvider time, ILogger<JobMaintenance> logger)
{
    public async Task<JobMaintenanceReport> RunAsync(IJobOrchestrations orchestrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orchestrations);
        var dangling = await jobs.CleanupDanglingAsync(cancellationToken);
        var now = time.GetUtcNow();
        var purged = 0;
        await foreach (var (marker, jobId) in recordings.ListExpiredAsync(now, cancellationToken))
        {
            // A job whose record is live again (restored and running) is not purged under it.
            if (await jobs.GetAsync(jobId, cancellationToken) is { } live && !JobLifecycle.IsTerminal(live.Status))
            {
                await recordings.DeleteBlobAsync(marker, cancellationToken);
                continue;
            }

            await recordings.DeleteJobAsync(jobId, cancellationToken);
            await orchestrations.PurgeAsync(jobId, cancellationToken);
            await recordings.DeleteBlobAsync(marker, cancellationToken);
            purged++;
        }

        var abandoned = 0;
        await foreach (var upload in recordings.ListUploadsOlderThanAsync(now - options.Value.AbandonedUploadAfter, cancellationToken))
        {
            await recordings.DeleteBlobAsync(upload, cancellationToken);
            abandoned++;
        }

        var report = new JobMaintenanceReport(dangling, purged, abandoned);
        if (dangling + purged + abandoned > 0)
        {
            LogCleaned(logger, dangling, purged, abandoned);
        }

        return report;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job maintenance: {Dangling} dangling index entries dropped, {Purged} jobs past retention purged, {Abandoned} abandoned uploads deleted")]
    private static partial void LogCleaned(ILogger logger, int dangling, int purged, int abandoned);
}
