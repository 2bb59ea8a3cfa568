using DurableTask.Core;

namespace Orchard.LocalHost.Engine;

/// <summary>
/// Delegates to an orchestration service but reports its own concurrency limits: the gRPC server's dispatchers
/// read these limits and pause 500 ms at the cap, which the in-memory service pins to the processor count.
/// </summary>
internal sealed class HighConcurrencyOrchestrationService(IOrchestrationService inner, int maxActivities, int maxOrchestrations)
    : IOrchestrationService
{
    public IOrchestrationService Inner { get; } = inner;

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

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        Inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        Inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => Inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => Inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task StartAsync() => Inner.StartAsync();

    public Task StopAsync() => Inner.StopAsync();

    public Task StopAsync(bool isForced) => Inner.StopAsync(isForced);
}
