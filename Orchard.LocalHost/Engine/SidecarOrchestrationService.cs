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
/// </list>
/// </summary>
internal sealed partial class SidecarOrchestrationService(IOrchestrationService inner, int maxActivities, int maxOrchestrations, ILogger logger)
    : IOrchestrationService
{
    readonly TaskCompletionSource dispatchersStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => Inner.AbandonTaskActivityWorkItemAsync(workItem);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        Inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

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
    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        IsStopped ? WaitForCancellation<TaskActivityWorkItem>(cancellationToken) : Inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken).WaitAsync(cancellationToken);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable engine: the dispatchers were still busy after {Seconds} s; stopping the orchestration service anyway")]
    static partial void LogDispatchersStillBusy(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable engine: stopping the orchestration service failed")]
    static partial void LogStopFailed(ILogger logger, Exception exception);
}
