using System.Collections.Concurrent;
using DurableTask.Core;
using Microsoft.Extensions.Logging;

namespace Orchard.LocalHost.Engine;

/// <summary>
/// The orchestration service as the gRPC sidecar (<c>TaskHubGrpcServer</c>) sees it. Two differences from the service
/// it delegates to:
/// <list type="bullet">
/// <item>It reports its own concurrency limits: the sidecar's dispatchers pause 500 ms at the cap, which the in-memory
/// service pins to the processor count.</item>
/// <item>The <see cref="DurableEngineServer"/> owns the service's lifetime, not the sidecar. The sidecar starts and
/// stops its service from <c>async void</c> host-lifetime callbacks, where any exception kills the process; and when
/// the host stops before a worker has connected, it stops a service whose start never ran (DurableTask.AzureStorage's
/// <c>AppLeaseManager.StopAsync</c> then throws NullReferenceException on a thread-pool thread). So the sidecar's
/// start and stop only signal; <see cref="StartOwnedAsync"/> and <see cref="StopOwnedAsync"/> do the work, awaited,
/// in order, and a stop always waits for its start.</item>
/// <item>It renews the lock of every activity work item it hands out, every <see cref="ActivityLockRenewal.Every"/>,
/// until the item is completed or abandoned, for at most <see cref="ActivityLockRenewal.Limit"/> (host.json's
/// <c>functionTimeout</c>), and never after the stop. The sidecar never renews them: an activity longer than the
/// work-item visibility timeout had its message dequeued again under a new pop receipt, its completion could not delete
/// it, and it ran a second time. The Durable Functions extension renews them, as this does.</item>
/// </list>
/// </summary>
internal sealed partial class SidecarOrchestrationService(
    IOrchestrationService inner, int maxActivities, int maxOrchestrations, ActivityLockRenewal? renewal, ILogger logger)
    : IOrchestrationService
{
    readonly TaskCompletionSource dispatchersStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly CancellationTokenSource stopping = new();
    readonly ConcurrentDictionary<string, RenewingLock> renewing = new(StringComparer.Ordinal);
    readonly Lock gate = new();
    Task? started;
    bool dispatching;
    bool stopped;

    public IOrchestrationService Inner { get; } = inner;

    /// <summary>Starts the service before the sidecar serves anyone; a failure here is a start-up failure, not a crash later.</summary>
    public Task StartOwnedAsync()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(stopped, this);
            return started ??= Inner.StartAsync();
        }
    }

    /// <summary>
    /// Stops the service once the sidecar's dispatchers have stopped polling it (or <paramref name="dispatcherWait"/>
    /// has passed: a work item whose worker is gone holds them for up to an hour), and only after its start finished.
    /// Never throws: a stop that fails is logged, since the process is going away anyway.
    /// </summary>
    public async Task StopOwnedAsync(TimeSpan dispatcherWait, TimeSpan stopTimeout)
    {
        Task? start;
        bool waitForDispatchers;
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            start = started;
            // The sidecar creates its dispatchers only once a worker connects; without one there is nothing to wait for.
            waitForDispatchers = dispatching;
        }

        // Locks stop being renewed now: an activity still running is delivered again after the next start, as after a crash.
        await stopping.CancelAsync();
        try
        {
            if (waitForDispatchers)
            {
                await dispatchersStopped.Task.WaitAsync(dispatcherWait);
            }
        }
        catch (TimeoutException)
        {
            LogDispatchersStillBusy(logger, dispatcherWait.TotalSeconds);
        }

        if (start is null)
        {
            return;
        }

        try
        {
            await start.WaitAsync(stopTimeout);
            await Inner.StopAsync(isForced: true).WaitAsync(stopTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStopFailed(logger, ex);
        }
    }

    public int MaxConcurrentTaskActivityWorkItems => maxActivities;

    public int MaxConcurrentTaskOrchestrationWorkItems => maxOrchestrations;

    public int TaskOrchestrationDispatcherCount => Inner.TaskOrchestrationDispatcherCount;

    public int TaskActivityDispatcherCount => Inner.TaskActivityDispatcherCount;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => Inner.EventBehaviourForContinueAsNew;

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        await StopRenewingAsync(workItem);
        await Inner.AbandonTaskActivityWorkItemAsync(workItem);
    }

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        // A renewal in flight changes the message's pop receipt: let it finish before the completion deletes the message.
        await StopRenewingAsync(workItem);
        await Inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        // The gRPC server hands over event tags as a protobuf MapField; Azure Storage serialises messages with their
        // runtime types and cannot read that type back (sub-orchestrations then never start). Plain dictionaries can.
        foreach (var message in outboundMessages.Concat(orchestratorMessages).Concat(timerMessages).Append(continuedAsNewMessage))
        {
            PlainTags(message?.Event);
        }

        foreach (var historyEvent in newOrchestrationRuntimeState?.Events ?? [])
        {
            PlainTags(historyEvent);
        }

        return Inner.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    private static void PlainTags(object? historyEvent)
    {
        var property = historyEvent?.GetType().GetProperty("Tags");
        if (property is { CanWrite: true } && property.GetValue(historyEvent) is IDictionary<string, string> tags && tags is not Dictionary<string, string>)
        {
            property.SetValue(historyEvent, new Dictionary<string, string>(tags));
        }
    }

    public Task CreateAsync() => Inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => Inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => Inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => Inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => Inner.DeleteAsync(deleteInstanceStore);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => Inner.GetDelayInSecondsAfterOnFetchException(exception);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => Inner.GetDelayInSecondsAfterOnProcessException(exception);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        Inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    // The storage service's long poll notices cancellation only at its next polling interval; the sidecar's stop waits
    // for it, so the wait ends at cancellation here (a work item locked meanwhile is redelivered after its lock expires,
    // as after a crash). A dispatcher the sidecar starts after the owner stopped the service would poll a stopped
    // service once a second for good: it waits for its cancellation instead.
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        if (IsStopped)
        {
            return await WaitForCancellation<TaskActivityWorkItem>(cancellationToken);
        }

        var workItem = await Inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken).WaitAsync(cancellationToken);
        if (workItem is not null && renewal is not null)
        {
            StartRenewing(workItem, renewal);
        }

        return workItem!;
    }

    void StartRenewing(TaskActivityWorkItem workItem, ActivityLockRenewal settings)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        var held = new RenewingLock(cancellation, RenewAsync(workItem, settings, cancellation.Token));
        if (!renewing.TryAdd(workItem.Id, held))
        {
            // The same message locked again while its previous lock is renewed: the older renewal stops on its own at completion.
            cancellation.Cancel();
            cancellation.Dispose();
        }
    }

    async Task RenewAsync(TaskActivityWorkItem workItem, ActivityLockRenewal settings, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + settings.Limit;
        try
        {
            while (true)
            {
                await Task.Delay(settings.Every, cancellationToken);
                if (DateTime.UtcNow + settings.Every > until)
                {
                    // The Functions host would have timed the activity out by now; its message is delivered again.
                    LogRenewalLimit(logger, ActivityName(workItem), workItem.Id, settings.Limit);
                    return;
                }

                try
                {
                    await Inner.RenewTaskActivityWorkItemLockAsync(workItem);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
                {
                    // One failed renewal is not fatal: the lock lasts twice the interval, so the next try may still hold it.
                    LogRenewalFailed(logger, ActivityName(workItem), workItem.Id, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Completed, abandoned or stopping.
        }
    }

    static string ActivityName(TaskActivityWorkItem workItem) => (workItem.TaskMessage?.Event as DurableTask.Core.History.TaskScheduledEvent)?.Name ?? "?";

    async Task StopRenewingAsync(TaskActivityWorkItem workItem)
    {
        if (!renewing.TryRemove(workItem.Id, out var held))
        {
            return;
        }

        await held.Cancellation.CancelAsync();
        await held.Loop;
        held.Cancellation.Dispose();
    }

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        IsStopped ? WaitForCancellation<TaskOrchestrationWorkItem>(cancellationToken) : Inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken).WaitAsync(cancellationToken);

    bool IsStopped
    {
        get
        {
            lock (gate)
            {
                return stopped;
            }
        }
    }

    static async Task<T> WaitForCancellation<T>(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new OperationCanceledException(cancellationToken);
    }

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => Inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => Inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    /// <summary>Called by the sidecar when a worker connects, before it starts its dispatchers; the owner has started the service already.</summary>
    public Task StartAsync()
    {
        lock (gate)
        {
            dispatching = true;
        }

        return Task.CompletedTask;
    }

    /// <summary>Called by the sidecar once its dispatchers stopped: the owner may now stop the service.</summary>
    public Task StopAsync() => StopAsync(isForced: false);

    public Task StopAsync(bool isForced)
    {
        dispatchersStopped.TrySetResult();
        return Task.CompletedTask;
    }

    sealed record RenewingLock(CancellationTokenSource Cancellation, Task Loop);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable engine: renewing the lock of activity {Activity} ({WorkItem}) failed; retrying at the next interval")]
    static partial void LogRenewalFailed(ILogger logger, string activity, string workItem, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable engine: activity {Activity} ({WorkItem}) has run for functionTimeout ({Limit}); its lock is no longer renewed and it will be delivered again")]
    static partial void LogRenewalLimit(ILogger logger, string activity, string workItem, TimeSpan limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable engine: the dispatchers were still busy after {Seconds} s; stopping the orchestration service anyway")]
    static partial void LogDispatchersStillBusy(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable engine: stopping the orchestration service failed")]
    static partial void LogStopFailed(ILogger logger, Exception exception);
}

/// <summary>
/// How the sidecar keeps activity locks: renewed every <paramref name="Every"/> (half the work-item visibility timeout)
/// for at most <paramref name="Limit"/> (host.json's <c>functionTimeout</c>, past which the Functions host would have
/// stopped the activity anyway).
/// </summary>
internal sealed record ActivityLockRenewal(TimeSpan Every, TimeSpan Limit);
