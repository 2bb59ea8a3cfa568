using Microsoft.DurableTask.Client;
using Orchard.Domain.Jobs;

namespace Orchard.Functions;

/// <summary>The job orchestrations over a Durable Task client (the one a trigger is given).</summary>
public sealed class DurableJobOrchestrations(DurableTaskClient client) : IJobOrchestrations
{
    public async Task TerminateAsync(string jobId, string reason, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(jobId, getInputsAndOutputs: false, cancellationToken);
        if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended })
        {
            await client.TerminateInstanceAsync(jobId, reason, cancellationToken);
        }
    }

    public async Task PurgeAsync(string jobId, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(jobId, getInputsAndOutputs: false, cancellationToken);
        if (instance is { IsCompleted: true })
        {
            await client.PurgeInstanceAsync(jobId, cancellation: cancellationToken);
        }
    }
}
