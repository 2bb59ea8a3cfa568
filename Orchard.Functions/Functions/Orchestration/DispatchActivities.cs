using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Telemetry;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>The delivery seam: claim a worker, then deliver the chunk to it and store the answer. Each runs in a span for its job.</summary>
public sealed class DispatchActivities(ChunkDispatcher dispatcher)
{
    [Function(nameof(ClaimWorker))]
    public Task<Assignment> ClaimWorker([ActivityTrigger] ClaimInput input) =>
        OrchardTelemetry.TraceAsync(nameof(ClaimWorker), input.JobId, null, () => dispatcher.ClaimAsync(input, CancellationToken.None));

    [Function(nameof(ReleaseWorker))]
    public Task<bool> ReleaseWorker([ActivityTrigger] Handover handover) =>
        OrchardTelemetry.TraceAsync(nameof(ReleaseWorker), handover.JobId, null, async () =>
        {
            await dispatcher.ReleaseAsync(handover, CancellationToken.None);
            return true;
        }, handover.WorkerId);

    [Function(nameof(DeliverChunk))]
    public Task<DeliveryReport> DeliverChunk([ActivityTrigger] Assignment assignment) =>
        OrchardTelemetry.TraceAsync(nameof(DeliverChunk), assignment.JobId, assignment.Chunk.Index, () => dispatcher.DeliverAsync(assignment, CancellationToken.None), assignment.WorkerId);
}
