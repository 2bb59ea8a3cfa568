using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Orchard.Domain.Application;
using Orchard.Domain.Webhooks;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>The callback activities: start a finished job's delivery, and one delivery attempt. Each is idempotent.</summary>
public sealed class CallbackActivities(CallbackDelivery delivery, IOptions<WebhooksOptions> options)
{
    /// <summary>Starts the job's callback delivery (its own orchestration); the job's orchestration calls it as it ends.</summary>
    [Function(nameof(StartCallback))]
    public async Task<bool> StartCallback([ActivityTrigger] string jobId, [DurableClient] DurableTaskClient durable)
    {
        await new DurableJobOrchestrations(durable).StartCallbackAsync(jobId, CallbackSchedule.From(options.Value), CancellationToken.None);
        return true;
    }

    [Function(nameof(DeliverCallback))]
    public Task<CallbackResult> DeliverCallback([ActivityTrigger] CallbackAttempt attempt) =>
        delivery.AttemptAsync(attempt, CancellationToken.None);
}
