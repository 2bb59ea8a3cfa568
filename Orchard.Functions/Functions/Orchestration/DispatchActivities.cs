using Microsoft.Azure.Functions.Worker;
using Orchard.Domain.Dispatch;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>The delivery seam: claim a worker, then deliver the chunk to it and store the answer.</summary>
public sealed class DispatchActivities(ChunkDispatcher dispatcher)
{
    [Function(nameof(ClaimWorker))]
    public Task<Assignment> ClaimWorker([ActivityTrigger] ClaimInput input) =>
        dispatcher.ClaimAsync(input, CancellationToken.None);

    [Function(nameof(ReleaseWorker))]
    public async Task<bool> ReleaseWorker([ActivityTrigger] Handover handover)
    {
        await dispatcher.ReleaseAsync(handover, CancellationToken.None);
        return true;
    }

    [Function(nameof(DeliverChunk))]
    public Task<DeliveryReport> DeliverChunk([ActivityTrigger] Assignment assignment) =>
        dispatcher.DeliverAsync(assignment, CancellationToken.None);
}
