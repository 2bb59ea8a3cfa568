using Orchard.Domain.Workers;

namespace Orchard.Domain.State.InMemory;

/// <summary>The ready queue and leases in process memory (the fallback), under the worker registry's lock, with the Redis scripts' rules.</summary>
public sealed class InMemoryLeaseStore(InMemoryWorkerRegistry registry) : ILeaseStore
{
    /// <summary>How long an ended lease is remembered, as the Redis store keeps its record.</summary>
    private const long RecordKeepMs = 10 * 60 * 1000;

    private readonly Dictionary<string, ChunkOffer> ready = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChunkLease> leases = new(StringComparer.Ordinal);

    /// <summary>Ended leases (expiry = when they ended), oldest first, so a repeated or late call learns what became of them.</summary>
    private readonly Dictionary<string, ChunkLease> ended = new(StringComparer.Ordinal);
    private readonly Queue<string> endedOrder = new();
    private readonly HashSet<string> answered = new(StringComparer.Ordinal);
    private readonly HashSet<(string JobId, string WorkerId)> refused = [];

    private static string Member(string jobId, int index) => RedisKeys.ReadyMember(jobId, index);

    public Task<int> OfferAsync(IReadOnlyList<ChunkOffer> offers, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked((_, _) =>
        {
            var n = 0;
            foreach (var offer in offers)
            {
                var member = Member(offer.JobId, offer.Index);
                var leased = !offer.Hedge && leases.Values.Any(l => l.JobId == offer.JobId && l.Index == offer.Index);
                if (!answered.Contains(member) && !ready.ContainsKey(member) && !leased)
                {
                    ready[member] = offer;
                    n++;
                }
            }

            return n;
        }));

    public Task<LeaseTake> TakeAsync(LeaseRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked((workers, now) =>
        {
            if (!workers.TryGetValue(request.WorkerId, out var w))
            {
                return new LeaseTake(LeaseTakeStatus.UnknownWorker);
            }

            if (w.Claim is { } claim && claim.LeaseUntilMs > now && leases.TryGetValue(claim.Token, out var held))
            {
                return new LeaseTake(LeaseTakeStatus.Leased, held, Worker: w);
            }

            if (w.CooldownUntilMs > now)
            {
                return new LeaseTake(LeaseTakeStatus.Cooling, RetryAtMs: w.CooldownUntilMs);
            }

            var ratio = w.AverageSpeedRatio;
            var ordered = request.Pick == LeasePick.Longest
                ? ready.OrderByDescending(p => p.Value.SentMs).ThenByDescending(p => p.Key, StringComparer.Ordinal)
                : ready.OrderBy(p => p.Value.SentMs).ThenBy(p => p.Key, StringComparer.Ordinal);
            var pick = ordered.Take(request.MaxScan).Select(p => (KeyValuePair<string, ChunkOffer>?)p).FirstOrDefault(p =>
                w.Trust != WorkerTrust.Quarantined
                && (!p!.Value.Value.TrustedOnly || TrustPolicy.MayServeTrustedOnly(w))
                && w.Serves(p!.Value.Value.Language)
                && !p.Value.Value.Exclude.Contains(w.Id)
                && !refused.Contains((p.Value.Value.JobId, w.Id))
                && (p.Value.Value.MaxRatio is not { } max || (ratio is not null && ratio <= max)));
            if (pick is not { } chosen)
            {
                workers[w.Id] = w with { LastSeenMs = now, Status = w.Claim is { } c && c.LeaseUntilMs > now ? WorkerStatus.Busy : WorkerStatus.Online };
                return new LeaseTake(LeaseTakeStatus.NoWork);
            }

            ready.Remove(chosen.Key);
            var offer = chosen.Value;
            var until = now + (long)request.Ttl.TotalMilliseconds;
            var lease = new ChunkLease(request.LeaseId, offer.JobId, offer.Index, offer.ChunkId, w.Id, offer.SentMs, offer.Language, offer.Attempt, now, until);
            leases[lease.LeaseId] = lease;
            var busy = workers[w.Id] = w with
            {
                Claim = new WorkerClaim(lease.LeaseId, offer.JobId, offer.ChunkId, now, until),
                Status = WorkerStatus.Busy,
                LastSeenMs = now,
            };
            return new LeaseTake(LeaseTakeStatus.Leased, lease, Worker: busy);
        }));

    public Task<ChunkLease?> GetAsync(string leaseId, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked((_, _) => leases.GetValueOrDefault(leaseId) ?? ended.GetValueOrDefault(leaseId)));

    public Task<ChunkLease?> RenewAsync(string leaseId, string workerId, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked((workers, now) =>
        {
            if (!leases.TryGetValue(leaseId, out var lease) || lease.WorkerId != workerId || lease.ExpiresAtMs <= now)
            {
                return null;
            }

            var renewed = leases[leaseId] = lease with { ExpiresAtMs = now + (long)ttl.TotalMilliseconds };
            if (workers.TryGetValue(workerId, out var w) && w.Claim?.Token == leaseId)
            {
                workers[workerId] = w with { Claim = w.Claim with { LeaseUntilMs = renewed.ExpiresAtMs }, LastSeenMs = now };
            }

            return renewed;
        }));

    public Task<LeaseEnd?> EndAsync(string leaseId, ReleaseOutcome outcome, PerformanceSample? sample, string? error, CancellationToken cancellationToken = default) =>
        EndAsync(leaseId, outcome, sample, error, refusedJob: false, cancellationToken);

    public Task<LeaseEnd?> EndAsync(string leaseId, ReleaseOutcome outcome, PerformanceSample? sample, string? error, bool refusedJob, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked<LeaseEnd?>((workers, now) =>
        {
            if (EndOne(workers, leaseId, outcome, sample, error, now) is not { } lease)
            {
                return null;
            }

            if (refusedJob)
            {
                refused.Add((lease.JobId, lease.WorkerId));
            }

            if (outcome != ReleaseOutcome.Succeeded)
            {
                return new LeaseEnd(lease, false, []);
            }

            var member = Member(lease.JobId, lease.Index);
            var won = answered.Add(member);
            ready.Remove(member);
            var cancelled = leases.Values.Where(l => l.JobId == lease.JobId && l.Index == lease.Index).Select(l => l.LeaseId).ToArray()
                .Select(id => EndOne(workers, id, ReleaseOutcome.Returned, null, null, now)!).ToArray();
            return new LeaseEnd(lease, won, cancelled);
        }));

    public Task<IReadOnlyList<ChunkLease>> ReapAsync(int max, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked<IReadOnlyList<ChunkLease>>((workers, now) =>
            leases.Values.Where(l => l.ExpiresAtMs <= now).OrderBy(l => l.ExpiresAtMs).Take(max).Select(l => l.LeaseId).ToArray()
                .Select(id => EndOne(workers, id, ReleaseOutcome.Unreachable, null, "stopped renewing its lease", now)!).ToArray()));

    public Task WithdrawAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked((workers, now) =>
        {
            foreach (var index in indexes)
            {
                ready.Remove(Member(jobId, index));
                foreach (var id in leases.Values.Where(l => l.JobId == jobId && l.Index == index).Select(l => l.LeaseId).ToArray())
                {
                    EndOne(workers, id, ReleaseOutcome.Returned, null, null, now);
                }
            }

            answered.RemoveWhere(m => m.StartsWith(jobId + "|", StringComparison.Ordinal));
            return true;
        }));

    public Task<IReadOnlyList<ChunkQueueState>> InspectAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Locked<IReadOnlyList<ChunkQueueState>>((_, now) => indexes.Select(i => new ChunkQueueState(
            i,
            ready.ContainsKey(Member(jobId, i)),
            leases.Values.Where(l => l.JobId == jobId && l.Index == i && l.ExpiresAtMs > now).ToArray())).ToArray()));

    private ChunkLease? EndOne(Dictionary<string, Worker> workers, string leaseId, ReleaseOutcome outcome, PerformanceSample? sample, string? error, long now)
    {
        if (!leases.Remove(leaseId, out var lease))
        {
            return null;
        }

        while (endedOrder.TryPeek(out var oldest) && (!ended.TryGetValue(oldest, out var old) || old.ExpiresAtMs < now - RecordKeepMs))
        {
            ended.Remove(endedOrder.Dequeue());
        }

        ended[leaseId] = lease with { ExpiresAtMs = Math.Min(lease.ExpiresAtMs, now) };
        endedOrder.Enqueue(leaseId);

        if (workers.TryGetValue(lease.WorkerId, out var w) && w.Claim?.Token == leaseId)
        {
            workers[w.Id] = InMemoryWorkerRegistry.Released(w, outcome, sample, error, now);
        }

        return lease;
    }
}
