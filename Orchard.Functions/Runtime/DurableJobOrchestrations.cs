using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Orchard.Domain.Jobs;
using Orchard.Domain.Webhooks;

namespace Orchard.Functions.Runtime;

/// <summary>The job orchestrations over a Durable Task client (the one a trigger is given).</summary>
public sealed class DurableJobOrchestrations(DurableTaskClient client) : IJobOrchestrations
{
    /// <summary>The instance id of a job's callback delivery: one per job, so starting it twice starts it once.</summary>
    public static string CallbackInstanceId(string jobId) => jobId + ":callback";

    /// <summary>
    /// The function name of the callback delivery's orchestrator. Its trigger takes its name from here, so the name
    /// this class starts and the one the host registers cannot drift apart.
    /// </summary>
    public const string CallbackOrchestratorName = "CallbackOrchestrator";

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
        foreach (var id in new[] { jobId, CallbackInstanceId(jobId) })
        {
            var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
            if (instance is { IsCompleted: true })
            {
                await client.PurgeInstanceAsync(id, cancellation: cancellationToken);
            }
        }
    }

    public async Task StartCallbackAsync(string jobId, CallbackSchedule schedule, CancellationToken cancellationToken)
    {
        var id = CallbackInstanceId(jobId);
        if (await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(CallbackOrchestratorName, new CallbackRequest(jobId, schedule), new StartOrchestrationOptions(id), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Started by a concurrent caller (a re-run activity, a cancel racing the job's end): once is enough.
            if (await client.GetInstanceAsync(id, getInputsAndOutputs: false, CancellationToken.None) is null)
            {
                throw;
            }
        }
    }
}
