using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Telemetry;

/// <summary>
/// The queue depth gauge's source: chunks of the jobs being processed that are neither transcribed, given up nor
/// silent, split into those at a worker (claimed workers) and those waiting. Read from what the store already keeps
/// (the processing jobs' summaries, counted on every chunk write, and the worker registry), never by scanning keys.
/// A metrics collection must not wait on Redis, so it reports the last reading and starts a fresh one when that is
/// older than <see cref="TelemetryOptions.QueueDepthRefresh"/>: a reading is at most that plus one collection interval old.
/// </summary>
public sealed partial class QueueDepthProbe(
    IJobStore jobs, IWorkerRegistry workers, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<QueueDepthProbe> logger)
{
    /// <summary>Pages of processing jobs read per refresh (a page is one Redis round trip of up to 1,000 summaries).</summary>
    private const int MaxPages = 5;

    private Reading? last;
    private int refreshing;

    /// <summary>The chunks waiting and at a worker as last read; empty until the first reading.</summary>
    public IEnumerable<Measurement<long>> Observe()
    {
        var reading = last;
        if ((reading is null || time.GetUtcNow() - reading.At >= options.Value.QueueDepthRefresh) && Interlocked.Exchange(ref refreshing, 1) == 0)
        {
            _ = RefreshAsync();
        }

        return reading is null
            ? []
            : [
                new Measurement<long>(reading.Waiting, new KeyValuePair<string, object?>(OrchardTelemetry.ChunkStateTag, "waiting")),
                new Measurement<long>(reading.InFlight, new KeyValuePair<string, object?>(OrchardTelemetry.ChunkStateTag, "in_flight")),
            ];
    }

    /// <summary>Reads the store now; the next <see cref="Observe"/> reports it.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            long unfinished = 0;
            string? cursor = null;
            for (var page = 0; page < MaxPages; page++)
            {
                var batch = await jobs.ListAsync(new JobQuery(JobListRequest.MaxLimit, JobStatus.Processing, cursor), cancellationToken);
                unfinished += batch.Jobs.Sum(j => (long)Math.Max(0, j.TotalChunks - j.CompletedChunks - j.FailedChunks - j.SilentChunks));
                if ((cursor = batch.NextCursor) is null)
                {
                    break;
                }
            }

            // Each busy worker holds one claim: a chunk at it, or (for up to 30 s after an answer) the next one handed over.
            var busy = Math.Min((await workers.GetStatsAsync(cancellationToken)).Busy, unfinished);
            last = new Reading(unfinished - busy, busy, time.GetUtcNow());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A gauge that cannot be read reports its last reading; the store's own errors are logged where they occur.
            LogRefreshFailed(logger, ex.Message);
        }
        finally
        {
            Volatile.Write(ref refreshing, 0);
        }
    }

    private sealed record Reading(long Waiting, long InFlight, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The queue depth gauge could not read the job store: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
