using System.Globalization;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.State;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dashboard;

/// <summary>
/// Reads what the dashboard shows, from the live state only: the worker registry, the newest jobs from their index,
/// and the chunks of the jobs still running (one hash each). No scan, no blob, whatever the number of jobs kept.
/// </summary>
public sealed class DashboardFeed(IJobStore jobs, IWorkerRegistry workers, IOptions<StateOptions> state, IOptions<DashboardOptions> options, TimeProvider time)
{
    /// <summary>Every worker is this until the security issue brings verification and quarantine.</summary>
    public const string Unverified = "unverified";

    // Roles (issue 11): a client's snapshot would hold only its own jobs; the listing below is where it filters.
    public async Task<DashboardSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var fleet = await workers.ListAsync(cancellationToken);
        var statuses = fleet.ToDictionary(w => w.Id, w => w.EffectiveStatus(now, state.Value.WorkerOfflineAfter));
        var online = fleet.Where(w => statuses[w.Id] != WorkerStatus.Offline).ToArray();
        var page = await jobs.ListAsync(new JobQuery(options.Value.JobsShown), cancellationToken);
        var rows = await Task.WhenAll(page.Jobs.Select(j => JobRowAsync(j, online, cancellationToken)));

        var workerRows = fleet.Select(w => new WorkerRow(
            w.Id,
            w.Name,
            w.Model,
            w.Url,
            Name(statuses[w.Id]),
            w.AverageSpeedRatio,
            statuses[w.Id] == WorkerStatus.Busy ? w.Claim?.JobId : null,
            statuses[w.Id] == WorkerStatus.Busy ? ChunkIndex(w.Claim?.ChunkId) : null,
            w.CompletedChunks,
            w.FailedChunks,
            Unverified,
            w.LastError)).OrderBy(w => w.Name ?? w.Id, StringComparer.Ordinal).ThenBy(w => w.Id, StringComparer.Ordinal).ToArray();
        var totals = new FleetTotals(
            fleet.Count,
            statuses.Values.Count(s => s == WorkerStatus.Online),
            statuses.Values.Count(s => s == WorkerStatus.Busy),
            statuses.Values.Count(s => s == WorkerStatus.Offline),
            online.Count(w => w.AverageSpeedRatio is null),
            fleet.Sum(w => w.CompletedChunks),
            fleet.Sum(w => w.FailedChunks),
            Math.Round(JobEstimate.AudioSecondsPerSecond(online), 3));
        return new DashboardSnapshot(workerRows, totals, rows);
    }

    private async Task<JobRow> JobRowAsync(JobSummary summary, IReadOnlyList<Worker> online, CancellationToken cancellationToken)
    {
        var running = !JobLifecycle.IsTerminal(summary.Status);
        var chunks = running ? (await jobs.GetDocumentAsync(summary.JobId, cancellationToken))?.Chunks : null;
        var (done, total) = JobEstimate.Progress(summary, chunks);
        return new JobRow(
            summary.JobId,
            summary.Filename,
            Name(summary.Status),
            summary.CreatedAt,
            summary.FinishedAt,
            summary.Purify,
            summary.Language,
            summary.TotalChunks,
            summary.CompletedChunks,
            summary.FailedChunks,
            Math.Round(done),
            Math.Round(total),
            chunks is null ? null : Round(JobEstimate.EtaSeconds(chunks, online)),
            summary.Error,
            chunks?.OrderBy(c => c.Index).Select(c => new StripChunk(c.Index, c.StartMs, c.EndMs, Name(c.Status), c.WorkerId)).ToArray());
    }

    private static double? Round(double? seconds) => seconds is { } s ? Math.Round(s, 1) : null;

    private static string Name<T>(T value)
        where T : struct, Enum => OrchardJson.Serialize(value).Trim('"');

    /// <summary>The chunk's index from its id (<c>{job}_chunk_{n}</c>, <see cref="ChunkRecord.IdFor"/>).</summary>
    private static int? ChunkIndex(string? chunkId) =>
        chunkId is not null && chunkId.LastIndexOf('_') is var at and >= 0
            && int.TryParse(chunkId.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
}
