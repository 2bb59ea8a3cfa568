using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.State;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Application;

/// <summary>What one sweep did.</summary>
public sealed record WorkerSweepReport(int Probed, int Healthy, int MarkedOffline, int Removed, int Restored = 0);

/// <summary>
/// The workers timer's work. Idle workers added by URL (which do not heartbeat) are probed with <c>GET /</c>: an
/// answer keeps them registered and online, no answer marks them offline. Self-registered workers that missed their
/// heartbeats are marked offline. Busy workers are left alone. A worker is removed
/// <c>State:WorkerExpiry</c> after its last success. Workers added by URL that the registry forgot (Redis lost its
/// data, or a key expired while the master was down) are restored from the <see cref="IWorkerDirectory"/> and probed
/// at once, so a worker that answers is never forgotten because the master lost track of it. Never dispatches.
/// </summary>
public sealed partial class WorkerMaintenance(
    IWorkerRegistry workers,
    IWorkerDirectory directory,
    IHttpClientFactory http,
    IOptions<WorkersOptions> options,
    IOptions<StateOptions> state,
    TimeProvider time,
    ILogger<WorkerMaintenance> logger)
{
    public const string HttpClientName = "orchard-worker-probe";

    public async Task<WorkerSweepReport> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var known = await workers.ListAsync(cancellationToken);
        var restored = await RestoreAsync(known, now, cancellationToken);
        var list = known.Concat(restored).ToArray();
        var idle = list.Where(w => w.EffectiveStatus(now, state.Value.WorkerOfflineAfter) != WorkerStatus.Busy).ToArray();
        var probed = idle.Where(w => !w.SelfRegistered && !string.IsNullOrEmpty(w.Url)).ToArray();
        // Restored workers answered a probe a moment ago.
        var results = await Task.WhenAll(probed.Where(w => !restored.Contains(w)).Select(w => ProbeAsync(w, cancellationToken)));
        var offline = results.Count(r => !r);

        foreach (var silent in idle.Where(w => w.SelfRegistered && w.Status != WorkerStatus.Offline
            && w.EffectiveStatus(now, state.Value.WorkerOfflineAfter) == WorkerStatus.Offline))
        {
            await workers.RecordProbeAsync(silent.Id, healthy: false, "No heartbeat received in time.", cancellationToken);
            offline++;
        }

        // Redis drops a worker's key at expiry by itself; this catches any store that has not yet.
        var removed = 0;
        foreach (var expired in idle.Where(w => now - w.LastSeenMs > (long)state.Value.WorkerExpiry.TotalMilliseconds))
        {
            removed += await workers.RemoveAsync(expired.Id, cancellationToken) ? 1 : 0;
            if (!expired.SelfRegistered)
            {
                await directory.RemoveAsync(expired.Id, cancellationToken);
            }
        }

        return new WorkerSweepReport(results.Length, results.Count(r => r), offline, removed, restored.Count);
    }

    /// <summary>
    /// Listed workers the registry does not know are probed; those that answer are added again. One that stays
    /// unreachable for <c>State:WorkerExpiry</c> after it was first found missing is forgotten, as the registry
    /// forgets a worker that long silent.
    /// </summary>
    private async Task<List<Worker>> RestoreAsync(IReadOnlyList<Worker> known, long nowMs, CancellationToken cancellationToken)
    {
        var ids = known.Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        var missing = new List<WorkerListing>();
        await foreach (var listing in directory.ListAsync(cancellationToken))
        {
            if (!ids.Contains(listing.Id))
            {
                missing.Add(listing);
            }
        }

        // In parallel, as the registered workers' probes: each is bounded by the probe timeout.
        var errors = await Task.WhenAll(missing.Select(l => CheckAsync(l.Url, cancellationToken)));
        var restored = new List<Worker>();
        foreach (var (listing, error) in missing.Zip(errors))
        {
            if (error is null)
            {
                try
                {
                    restored.Add(await workers.AddAsync(listing.Url, cancellationToken));
                    LogRestored(logger, listing.Id);
                }
                catch (DuplicateWorkerException)
                {
                    // Added or registered again since the listing: nothing to restore.
                }
                catch (WorkerLimitReachedException)
                {
                    // The registry is full: the listing stays, and a later sweep restores it once there is room;
                    // the rest of this sweep (probes, expiry) still runs.
                    LogNoRoom(logger, listing.Id);
                    continue;
                }

                if (listing.MissingSince is not null)
                {
                    await directory.SaveAsync(listing with { MissingSince = null }, cancellationToken);
                }
            }
            else if (listing.MissingSince is null)
            {
                await directory.SaveAsync(listing with { MissingSince = DateTimeOffset.FromUnixTimeMilliseconds(nowMs) }, cancellationToken);
            }
            else if (nowMs - listing.MissingSince.Value.ToUnixTimeMilliseconds() > (long)state.Value.WorkerExpiry.TotalMilliseconds)
            {
                await directory.RemoveAsync(listing.Id, cancellationToken);
                LogForgotten(logger, listing.Id, error);
            }
        }

        return restored;
    }

    private async Task<bool> ProbeAsync(Worker worker, CancellationToken cancellationToken)
    {
        var error = await CheckAsync(worker.Url!, cancellationToken);
        await workers.RecordProbeAsync(worker.Id, error is null, error, cancellationToken);
        if (error is not null)
        {
            LogProbeFailed(logger, worker.Id, error);
        }

        return error is null;
    }

    /// <summary><c>GET /</c> on the worker: null when it answered 2xx, else why not.</summary>
    private async Task<string?> CheckAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.ProbeTimeout);
            using var response = await http.CreateClient(HttpClientName).GetAsync(new Uri(url.TrimEnd('/') + "/"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"Health probe GET / answered {(int)response.StatusCode}.";
        }
        catch (HttpRequestException ex)
        {
            return $"Health probe GET / failed: {ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"Health probe GET / got no answer within {options.Value.ProbeTimeout.TotalSeconds:0.#} s.";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} was added by URL but missing from the registry; restored it from the worker directory")]
    private static partial void LogRestored(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} was added by URL but has been unreachable since it went missing from the registry; forgot it: {Reason}")]
    private static partial void LogForgotten(ILogger logger, string workerId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} was added by URL but the registry is full (State:MaxWorkers); it is restored once there is room")]
    private static partial void LogNoRoom(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} is offline: {Reason}")]
    private static partial void LogProbeFailed(ILogger logger, string workerId, string reason);
}
