using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Orchard.Domain.Dispatch;
using Orchard.Domain.Telemetry;
using Orchard.Functions.Runtime;

namespace Orchard.Functions.Functions.Orchestration;

/// <summary>The orchestration's side of the ready queue: each a short, idempotent step in a span for its job; none waits on a device.</summary>
public sealed class DispatchActivities(JobQueue queue, DurableClientHolder holder)
{
    [Function(nameof(OfferChunks))]
    public Task<int[]> OfferChunks([ActivityTrigger] OfferRequest request, [DurableClient] DurableTaskClient durable)
    {
        holder.Remember(durable);
        return OrchardTelemetry.TraceAsync(nameof(OfferChunks), request.JobId, null, async () => (await queue.OfferAsync(request, CancellationToken.None)).ToArray());
    }

    [Function(nameof(ReviewChunks))]
    public Task<ChunkReview[]> ReviewChunks([ActivityTrigger] ReviewRequest request, [DurableClient] DurableTaskClient durable)
    {
        holder.Remember(durable);
        return OrchardTelemetry.TraceAsync(nameof(ReviewChunks), request.JobId, null, async () => (await queue.ReviewAsync(request.JobId, request.Indexes, CancellationToken.None)).ToArray());
    }

    [Function(nameof(RevokeLeases))]
    public Task<bool> RevokeLeases([ActivityTrigger] RevokeRequest request) =>
        OrchardTelemetry.TraceAsync(nameof(RevokeLeases), request.JobId, null, async () =>
        {
            await queue.RevokeAsync(request.LeaseIds, request.Reason, CancellationToken.None);
            return true;
        });

    [Function(nameof(CheckFleet))]
    public Task<string?> CheckFleet([ActivityTrigger] FleetCheck check) =>
        OrchardTelemetry.TraceAsync(nameof(CheckFleet), check.JobId, null, () => queue.CheckFleetAsync(check.JobId, check.Language, check.Declined, CancellationToken.None));

    [Function(nameof(WithdrawChunks))]
    public Task<bool> WithdrawChunks([ActivityTrigger] WithdrawRequest request) =>
        OrchardTelemetry.TraceAsync(nameof(WithdrawChunks), request.JobId, null, async () =>
        {
            await queue.WithdrawAsync(request.JobId, request.Indexes, CancellationToken.None);
            return true;
        });
}
