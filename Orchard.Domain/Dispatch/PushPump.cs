using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Telemetry;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>
/// Leases on behalf of workers added by URL (the original's push contract) and POSTs their chunks to
/// <c>{url}/transcribe</c>, renewing the lease while it waits; the answer takes the same path as a pull worker's.
/// Bounded: at most <see cref="DispatchOptions.MaxPushes"/> deliveries at once per instance, one per worker, and a
/// pass over the fleet at most every time work is made ready (or each second). Every instance runs one; the atomic
/// lease keeps two from pushing to one worker.
/// </summary>
public sealed partial class PushPump(
    LeaseBroker broker,
    ILeaseStore leases,
    WorkerClient client,
    RecordingStore recordings,
    ReadySignal signal,
    IOptions<DispatchOptions> options,
    IOptions<StateOptions> state,
    TimeProvider time,
    ILogger<PushPump> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePass = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Task> deliveries = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stoppingToken);
                await signal.WaitAsync(IdlePass, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The state store is down, say: the next pass tries again, a second later.
                LogPassFailed(logger, ex.GetType().Name, ex.Message);
                await Task.Delay(IdlePass, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await Task.WhenAll(deliveries.Values).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>One pass: every idle, online URL worker not already being pushed to here gets a lease if a chunk suits it.</summary>
    private async Task PassAsync(CancellationToken cancellationToken)
    {
        foreach (var done in deliveries.Where(d => d.Value.IsCompleted).Select(d => d.Key).ToArray())
        {
            deliveries.Remove(done);
        }

        await broker.ReapAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var fleet = await broker.FleetAsync(cancellationToken);
        foreach (var worker in fleet.Where(w => !string.IsNullOrEmpty(w.Url) && w.CooldownUntilMs <= now
                     && w.EffectiveStatus(now, state.Value.WorkerOfflineAfter) == WorkerStatus.Online))
        {
            if (deliveries.Count >= options.Value.MaxPushes)
            {
                return;
            }

            if (deliveries.ContainsKey(worker.Id))
            {
                continue;
            }

            var leaseId = Guid.NewGuid().ToString("N");
            var take = await broker.TakeAsync(worker.Id, leaseId, cancellationToken);
            // A lease with another id is the worker's live one, returned again: another instance's pump is pushing it
            // (or died doing so, and it lapses within the lease TTL). Pushing it too would send the worker its chunk twice.
            if (take is { Status: LeaseTakeStatus.Leased, Lease: { } lease } && lease.LeaseId == leaseId)
            {
                deliveries[worker.Id] = Task.Run(() => DeliverAsync(lease, worker, cancellationToken), CancellationToken.None);
            }
        }
    }

    private async Task DeliverAsync(ChunkLease lease, Worker worker, CancellationToken stoppingToken)
    {
        var rules = broker.Rules;
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewals = RenewAsync(lease, rules, lost);
        var started = Stopwatch.GetTimestamp();
        try
        {
            NormalizedAnswer answer;
            await using (var wav = await recordings.OpenReadAsync(RecordingStore.ChunkBlob(lease.JobId, lease.Index), lost.Token))
            {
                answer = await OrchardTelemetry.TraceAsync(
                    OrchardTelemetry.WorkerRequestSpan, lease.JobId, lease.Index,
                    () => client.TranscribeAsync(worker.Id, worker.Url!, wav, lease.SentMs, lease.Language, DispatchPolicy.Timeout(lease.SentMs, worker.AverageSpeedRatio, rules), lost.Token),
                    worker.Id);
            }

            await lost.CancelAsync();
            await renewals;
            await broker.CompleteAsync(lease, answer, Stopwatch.GetElapsedTime(started), CancellationToken.None);
        }
        catch (WorkerFailedException ex)
        {
            await lost.CancelAsync();
            await renewals;
            await broker.FailAsync(lease, ex.Kind, ex.Reason, CancellationToken.None);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            // Stopping (the lease expires and another instance re-offers it) or the lease was lost: nothing to report.
            await renewals;
        }
        catch (LeaseLostException)
        {
            // A hedge answered first, or the job ended: this answer counts nothing.
        }
        catch (Exception ex)
        {
            LogDeliveryFailed(logger, worker.Id, lease.JobId, lease.Index, ex.GetType().Name, ex.Message);
        }
    }

    /// <summary>Renews the lease while the worker works; a lost lease cancels the request (a hedge won, the job ended).</summary>
    private async Task RenewAsync(ChunkLease lease, DispatchRules rules, CancellationTokenSource lost)
    {
        try
        {
            while (!lost.IsCancellationRequested)
            {
                await Task.Delay(rules.RenewEvery, time, lost.Token);
                if (await leases.RenewAsync(lease.LeaseId, lease.WorkerId, rules.LeaseTtl, lost.Token) is null)
                {
                    await lost.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A renewal that fails lets the lease lapse; the chunk then goes to another worker.
            LogRenewFailed(logger, lease.LeaseId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A push pass failed ({Type}): {Message}")]
    private static partial void LogPassFailed(ILogger logger, string type, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pushing chunk {ChunkIndex} of job {JobId} to worker {WorkerId} failed ({Type}): {Message}")]
    private static partial void LogDeliveryFailed(ILogger logger, string workerId, string jobId, int chunkIndex, string type, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing lease {LeaseId} failed: {Message}")]
    private static partial void LogRenewFailed(ILogger logger, string leaseId, string message);
}
