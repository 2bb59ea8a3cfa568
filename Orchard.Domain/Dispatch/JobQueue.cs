using Orchard.Domain.Jobs;
using Orchard.Domain.State;
using Orchard.Domain.Storage;
using Orchard.Domain.Workers;

namespace Orchard.Domain.Dispatch;

/// <summary>A chunk the orchestration makes ready again, with the policy's terms (who may not take it, how fast a hedge must be).</summary>
public sealed record OfferSpec(int Index, double SentMs, int Attempt)
{
    public IReadOnlyList<string> Exclude { get; init; } = [];

    public double? MaxRatio { get; init; }

    public bool Hedge { get; init; }

    public bool TrustedOnly { get; init; }
}

public sealed record OfferRequest(string JobId, string? Language, IReadOnlyList<OfferSpec> Offers);

/// <summary>Where a chunk stands, as the orchestration's review sees it.</summary>
public sealed record ChunkReview(int Index, bool Answered, bool Ready, IReadOnlyList<ChunkLease> Leases);

/// <summary>
/// The orchestration's side of the ready queue, each call one activity: offer chunks, review them against what the
/// events said, revoke a lease held too long, ask whether any worker can serve the job, withdraw a job.
/// </summary>
public sealed class JobQueue(ILeaseStore leases, IWorkerRegistry workers, LeaseBroker broker, RecordingStore recordings, ReadySignal signal, Microsoft.Extensions.Options.IOptions<StateOptions> state, TimeProvider time)
{
    /// <summary>Makes chunks ready; returns those found answered already (their answer arrived while the event did not).</summary>
    public async Task<IReadOnlyList<int>> OfferAsync(OfferRequest request, CancellationToken cancellationToken)
    {
        var answered = new List<int>();
        var offers = new List<ChunkOffer>();
        var language = request.Language is null or LanguageCode.Auto ? null : request.Language;
        foreach (var spec in request.Offers)
        {
            if (await recordings.ExistsAsync(RecordingStore.ResultBlob(request.JobId, spec.Index), cancellationToken))
            {
                answered.Add(spec.Index);
                continue;
            }

            offers.Add(new ChunkOffer(request.JobId, spec.Index, ChunkRecord.IdFor(request.JobId, spec.Index), spec.SentMs, language)
            {
                Attempt = spec.Attempt,
                Exclude = spec.Exclude,
                MaxRatio = spec.MaxRatio,
                Hedge = spec.Hedge,
                TrustedOnly = spec.TrustedOnly,
            });
        }

        if (await leases.OfferAsync(offers, cancellationToken) is > 0 and var ready)
        {
            await signal.NotifyAsync(ready);
        }

        return answered;
    }

    public async Task<IReadOnlyList<ChunkReview>> ReviewAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        var states = await leases.InspectAsync(jobId, indexes, cancellationToken);
        var reviews = new List<ChunkReview>(states.Count);
        foreach (var s in states)
        {
            var answered = await recordings.ExistsAsync(RecordingStore.ResultBlob(jobId, s.Index), cancellationToken);
            reviews.Add(new ChunkReview(s.Index, answered, s.Ready, s.Leases));
        }

        return reviews;
    }

    /// <summary>Ends leases held past the chunk's timeout; each loss reaches the orchestration as a failed attempt.</summary>
    public async Task RevokeAsync(IReadOnlyList<string> leaseIds, string reason, CancellationToken cancellationToken)
    {
        foreach (var id in leaseIds)
        {
            // An ended lease is still remembered (expired): it ended meanwhile, and its own event tells the orchestration.
            if (await leases.GetAsync(id, cancellationToken) is { } lease && lease.ExpiresAtMs > time.GetUtcNow().ToUnixTimeMilliseconds())
            {
                try
                {
                    await broker.FailAsync(lease, WorkerFailureKind.Timeout, reason, cancellationToken);
                }
                catch (LeaseLostException)
                {
                    // It ended meanwhile: its own event tells the orchestration.
                }
            }
        }
    }

    /// <summary>
    /// Null while some online worker may serve the job; otherwise the sentence it fails with: every online worker
    /// declined it, or none serves its language. An empty fleet is not a refusal: the job waits for a worker.
    /// </summary>
    public async Task<string?> CheckFleetAsync(string jobId, string? language, IReadOnlyList<string> declined, CancellationToken cancellationToken)
    {
        var code = language is null or LanguageCode.Auto ? null : language;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var online = (await workers.ListAsync(cancellationToken)).Where(w => w.EffectiveStatus(now, state.Value.WorkerOfflineAfter) != WorkerStatus.Offline).ToArray();
        return online.Length > 0 && online.All(w => declined.Contains(w.Id) || !w.Serves(code))
            ? new NoWorkerCanServeException(jobId, code, online.Length).Message
            : null;
    }

    public Task WithdrawAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken) =>
        leases.WithdrawAsync(jobId, indexes, cancellationToken);
}
