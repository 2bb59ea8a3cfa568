using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Orchard.Domain.Webhooks;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>
/// Delivers one finished job's callback: an attempt (an activity that POSTs with a bounded timeout and records the
/// outcome in the job's document), then, while the receiver may yet accept it (a 5xx, 408, 429 or no answer), a
/// durable timer and the next attempt, up to the schedule's bound. Separate from the job's orchestration, which has
/// ended by then. Deterministic: the clock only through the context.
/// </summary>
public static class CallbackOrchestrator
{
    [Function(DurableJobOrchestrations.CallbackOrchestratorName)]
    public static async Task<CallbackResult> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<CallbackRequest>()!;
        var schedule = request.Schedule;
        for (var attempt = 1; ; attempt++)
        {
            var result = await context.CallActivityAsync<CallbackResult>(
                nameof(CallbackActivities.DeliverCallback), new CallbackAttempt(request.JobId, attempt, schedule.MaxAttempts), JobOrchestrator.StoreRetry);
            if (result != CallbackResult.Retry || attempt >= schedule.MaxAttempts)
            {
                return result;
            }

            await context.CreateTimer(context.CurrentUtcDateTime + schedule.DelayAfter(attempt), CancellationToken.None);
        }
    }
}
