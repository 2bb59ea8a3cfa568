using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.State;

namespace Orchard.Domain.Workers;

/// <summary>What one sweep did.</summary>
public sealed record WorkerSweepReport(int Probed, int Healthy, int MarkedOffline, int Removed);

/// <summary>
/// The workers timer's work. Idle workers added by URL (which do not heartbeat) are probed with <c>GET /</c>: an
/// answer keeps them registered and online, no answer marks them offline. Self-registered workers that missed their
/// heartbeats are marked offline. Busy workers are left alone. A worker is removed
/// <c>State:WorkerExpiry</c> after its last success. Never dispatches.
/// </summary>
public sealed partial class WorkerMaintenance(
    IWorkerRegistry workers,
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
        var list = await workers.ListAsync(cancellationToken);
        var idle = list.Where(w => w.EffectiveStatus(now, state.Value.WorkerOfflineAfter) != WorkerStatus.Busy).ToArray();
        var probed = idle.Where(w => !w.SelfRegistered && !string.IsNullOrEmpty(w.Url)).ToArray();
        var results = await Task.WhenAll(probed.Select(w => ProbeAsync(w, cancellationToken)));
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
        }

        return new WorkerSweepReport(probed.Length, results.Count(r => r), offline, removed);
    }

    private async Task<bool> ProbeAsync(Worker worker, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.ProbeTimeout);
            using var response = await http.CreateClient(HttpClientName).GetAsync(new Uri(worker.Url!.TrimEnd('/') + "/"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                error = $"Health probe GET / answered {(int)response.StatusCode}.";
            }
        }
        catch (HttpRequestException ex)
        {
            error = $"Health probe GET / failed: {ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"Health probe GET / got no answer within {options.Value.ProbeTimeout.TotalSeconds:0.#} s.";
        }

        await workers.RecordProbeAsync(worker.Id, error is null, error, cancellationToken);
        if (error is not null)
        {
            LogProbeFailed(logger, worker.Id, error);
        }

        return error is null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} is offline: {Reason}")]
    private static partial void LogProbeFailed(ILogger logger, string workerId, string reason);
}
