using DurableTask.Core;
using DurableTask.Core.Query;

namespace Orchard.LocalHost.Engine;

/// <summary>
/// Delegates to an orchestration service client but waits for completion by polling at <paramref name="pollInterval"/>:
/// DurableTask.AzureStorage polls every 2 s, which would dominate every wait the local host and the tests do.
/// </summary>
internal sealed class PollingOrchestrationServiceClient(IOrchestrationServiceClient inner, TimeSpan pollInterval)
    : IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => inner.CreateTaskOrchestrationAsync(creationMessage);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses) =>
        inner.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);

    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => inner.ForceTerminateTaskOrchestrationAsync(instanceId, reason);

    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) => inner.GetOrchestrationHistoryAsync(instanceId, executionId);

    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) =>
        inner.GetOrchestrationStateAsync(instanceId, allExecutions);

    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) =>
        inner.GetOrchestrationStateAsync(instanceId, executionId);

    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        inner.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);

    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => inner.SendTaskOrchestrationMessageAsync(message);

    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) => inner.SendTaskOrchestrationMessageBatchAsync(messages);

    public async Task<OrchestrationState> WaitForOrchestrationAsync(
        string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await inner.GetOrchestrationStateAsync(instanceId, executionId);
            if (state is { OrchestrationStatus: OrchestrationStatus.Completed or OrchestrationStatus.Failed
                    or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled })
            {
                return state;
            }

            if (DateTime.UtcNow >= deadline)
            {
                // Same contract as the wrapped services: null when the wait times out.
                return null!;
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        inner is IOrchestrationServiceQueryClient queries
            ? queries.GetOrchestrationWithQueryAsync(query, cancellationToken)
            : throw new NotSupportedException($"{inner.GetType().Name} does not support queries.");

    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) =>
        inner is IOrchestrationServicePurgeClient purges
            ? purges.PurgeInstanceStateAsync(instanceId)
            : throw new NotSupportedException($"{inner.GetType().Name} does not support purging.");

    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) =>
        inner is IOrchestrationServicePurgeClient purges
            ? purges.PurgeInstanceStateAsync(purgeInstanceFilter)
            : throw new NotSupportedException($"{inner.GetType().Name} does not support purging.");
}
