using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Json;
using Orchard.Domain.Workers;
using StackExchange.Redis;

namespace Orchard.Domain.State.Redis;

/// <summary>The ready queue and leases in Redis, shared by every master instance; each step is one Lua round trip.</summary>
public sealed class RedisLeaseStore : ILeaseStore
{
    /// <summary>How long a lease's record outlives its expiry, so a late call learns it lost the lease rather than "unknown".</summary>
    private const long RecordKeepMs = 10 * 60 * 1000;

    private readonly IConnectionMultiplexer redis;
    private readonly RedisKeys keys;
    private readonly StateOptions options;
    private readonly TimeProvider time;
    private readonly RedisResilience resilience;

    public RedisLeaseStore(IConnectionMultiplexer redis, IOptions<StateOptions> options, TimeProvider time, ILogger<RedisLeaseStore> logger)
    {
        this.redis = redis;
        this.options = options.Value;
        this.time = time;
        keys = new RedisKeys(this.options.KeyPrefix);
        resilience = new RedisResilience(this.options.OutageRetryBudget, time, logger);
    }

    private IDatabase Db => redis.GetDatabase();

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long ExpiryMs => (long)options.WorkerExpiry.TotalMilliseconds;

    public Task<int> OfferAsync(IReadOnlyList<ChunkOffer> offers, CancellationToken cancellationToken = default) =>
        offers.Count == 0 ? Task.FromResult(0) : resilience.RunAsync(nameof(OfferAsync), async () =>
        {
            var args = new List<RedisValue> { keys.AnsweredPrefix, keys.ChunkLeasesPrefix };
            foreach (var offer in offers)
            {
                args.Add(RedisKeys.ReadyMember(offer.JobId, offer.Index));
                args.Add(offer.JobId);
                args.Add(offer.Index);
                args.Add(offer.SentMs.ToString("R", CultureInfo.InvariantCulture));
                args.Add(OrchardJson.Serialize(offer));
                args.Add(offer.Hedge ? "1" : "0");
            }

            return (int)(long)(await Db.ScriptEvaluateAsync(LeaseScripts.Offer, [keys.ReadyQueue, keys.Offers, keys.ReadyVersion], [.. args]));
        }, cancellationToken);

    public Task<LeaseTake> TakeAsync(LeaseRequest request, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(TakeAsync), async () =>
        {
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
                LeaseScripts.Take,
                [keys.ReadyQueue, keys.Offers, keys.Leases, keys.Worker(request.WorkerId), keys.WorkerIndex, keys.ReadyVersion],
                [
                    request.WorkerId, NowMs, request.LeaseId, (long)request.Ttl.TotalMilliseconds,
                    request.Pick == LeasePick.Longest ? "longest" : "shortest", request.MaxScan,
                    keys.LeasePrefix, keys.ChunkLeasesPrefix, ExpiryMs, RecordKeepMs, keys.DeclinedPrefix,
                ]))!;
            return result[0].ToString() switch
            {
                "leased" => new LeaseTake(LeaseTakeStatus.Leased, OrchardJson.Deserialize<ChunkLease>(result[1].ToString()),
                    Worker: result.Length > 2 ? OrchardJson.Deserialize<Worker>(result[2].ToString()) : null),
                "unknown" => new LeaseTake(LeaseTakeStatus.UnknownWorker),
                "cooling" => new LeaseTake(LeaseTakeStatus.Cooling, RetryAtMs: long.Parse(result[1].ToString(), CultureInfo.InvariantCulture)),
                _ => new LeaseTake(LeaseTakeStatus.NoWork),
            };
        }, cancellationToken);

    public Task<ChunkLease?> GetAsync(string leaseId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetAsync), async () =>
        {
            var raw = await Db.StringGetAsync(keys.Lease(leaseId));
            return raw.IsNull ? null : OrchardJson.Deserialize<ChunkLease>(raw.ToString());
        }, cancellationToken);

    public Task<ChunkLease?> RenewAsync(string leaseId, string workerId, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(RenewAsync), async () =>
        {
            var raw = await Db.ScriptEvaluateAsync(
                LeaseScripts.Renew,
                [keys.Leases],
                [leaseId, workerId, NowMs, (long)ttl.TotalMilliseconds, keys.LeasePrefix, keys.WorkerPrefix, ExpiryMs, RecordKeepMs]);
            return raw.IsNull ? null : OrchardJson.Deserialize<ChunkLease>(raw.ToString());
        }, cancellationToken);

    public Task<LeaseEnd?> EndAsync(string leaseId, ReleaseOutcome outcome, PerformanceSample? sample, string? error, CancellationToken cancellationToken = default) =>
        EndAsync(leaseId, outcome, sample, error, refusedJob: false, cancellationToken);

    public Task<LeaseEnd?> EndAsync(string leaseId, ReleaseOutcome outcome, PerformanceSample? sample, string? error, bool refusedJob, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(EndAsync), async () =>
        {
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
                LeaseScripts.End,
                [keys.Leases, keys.WorkerIndex, keys.ReadyQueue, keys.Offers],
                [
                    leaseId, OrchardJson.Serialize(outcome).Trim('"'), NowMs, ExpiryMs, error ?? string.Empty,
                    sample is null ? string.Empty : sample.AudioSeconds.ToString("R", CultureInfo.InvariantCulture),
                    sample?.ProcessingSeconds.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
                    sample is null ? string.Empty : OrchardJson.Serialize(sample.At).Trim('"'),
                    sample?.SpeedRatio.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
                    Worker.HistoryLength, keys.LeasePrefix, keys.ChunkLeasesPrefix, keys.AnsweredPrefix, keys.WorkerPrefix,
                    keys.DeclinedPrefix, refusedJob ? "1" : "0",
                ]))!;
            if (result[0].ToString() != "ok")
            {
                return null;
            }

            var cancelled = result.Skip(3).Select(r => OrchardJson.Deserialize<ChunkLease>(r.ToString())).ToArray();
            return new LeaseEnd(OrchardJson.Deserialize<ChunkLease>(result[1].ToString()), result[2].ToString() == "1", cancelled);
        }, cancellationToken);

    public Task<IReadOnlyList<ChunkLease>> ReapAsync(int max, CancellationToken cancellationToken = default) =>
        resilience.RunAsync<IReadOnlyList<ChunkLease>>(nameof(ReapAsync), async () =>
        {
            var rows = (RedisResult[])(await Db.ScriptEvaluateAsync(
                LeaseScripts.Reap,
                [keys.Leases, keys.WorkerIndex],
                [NowMs, max, ExpiryMs, Worker.HistoryLength, keys.LeasePrefix, keys.ChunkLeasesPrefix, keys.WorkerPrefix]))!;
            return rows.Select(r => OrchardJson.Deserialize<ChunkLease>(r.ToString())).ToArray();
        }, cancellationToken);

    public Task WithdrawAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(WithdrawAsync), async () =>
        {
            await Db.ScriptEvaluateAsync(
                LeaseScripts.Withdraw,
                [keys.Leases, keys.WorkerIndex, keys.ReadyQueue, keys.Offers],
                [
                    jobId, NowMs, ExpiryMs, Worker.HistoryLength, keys.LeasePrefix, keys.ChunkLeasesPrefix, keys.AnsweredPrefix, keys.WorkerPrefix,
                    .. indexes.Select(i => (RedisValue)RedisKeys.ReadyMember(jobId, i)),
                ]);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<ChunkQueueState>> InspectAsync(string jobId, IReadOnlyList<int> indexes, CancellationToken cancellationToken = default) =>
        resilience.RunAsync<IReadOnlyList<ChunkQueueState>>(nameof(InspectAsync), async () =>
        {
            var now = NowMs;
            var states = new List<ChunkQueueState>(indexes.Count);
            foreach (var index in indexes)
            {
                var member = RedisKeys.ReadyMember(jobId, index);
                var ready = await Db.HashExistsAsync(keys.Offers, member);
                var live = new List<ChunkLease>();
                foreach (var id in await Db.SetMembersAsync(keys.ChunkLeasesPrefix + member))
                {
                    var raw = await Db.StringGetAsync(keys.Lease(id.ToString()));
                    if (!raw.IsNull && OrchardJson.Deserialize<ChunkLease>(raw.ToString()) is { } lease && lease.ExpiresAtMs > now)
                    {
                        live.Add(lease);
                    }
                }

                states.Add(new ChunkQueueState(index, ready, live));
            }

            return states;
        }, cancellationToken);
}
