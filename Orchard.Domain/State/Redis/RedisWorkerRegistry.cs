using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Jobs;
using Orchard.Domain.Json;
using Orchard.Domain.Workers;
using StackExchange.Redis;

namespace Orchard.Domain.State.Redis;

/// <summary>Workers in Redis: <c>worker:&lt;id&gt;</c> JSON strings with TTLs, one sorted-set index.</summary>
public sealed class RedisWorkerRegistry : IWorkerRegistry
{
    private readonly IConnectionMultiplexer redis;
    private readonly RedisKeys keys;
    private readonly StateOptions options;
    private readonly TimeProvider time;
    private readonly RedisResilience resilience;

    public RedisWorkerRegistry(IConnectionMultiplexer redis, IOptions<StateOptions> options, TimeProvider time, ILogger<RedisWorkerRegistry> logger)
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

    public async Task<Worker> AddAsync(string url, CancellationToken cancellationToken = default)
    {
        var id = WorkerUrl.Normalize(url);
        var worker = WorkerFactory.New(id, id, name: null, model: null, selfRegistered: false, NowMs);
        return await UpsertAsync(worker, "add", cancellationToken) ?? throw new DuplicateWorkerException(id);
    }

    public async Task<Worker> RegisterAsync(WorkerRegistration registration, CancellationToken cancellationToken = default)
    {
        var worker = WorkerFactory.FromRegistration(registration, NowMs);
        return (await UpsertAsync(worker, "register", cancellationToken))!;
    }

    public Task<Worker?> HeartbeatAsync(string workerId, CancellationToken cancellationToken = default) =>
        TouchAsync(workerId, healthy: true, error: null, cancellationToken);

    public Task<Worker?> RecordProbeAsync(string workerId, bool healthy, string? error, CancellationToken cancellationToken = default) =>
        TouchAsync(workerId, healthy, error, cancellationToken);

    public Task<bool> RemoveAsync(string workerId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(RemoveAsync), async () =>
        {
            var tx = Db.CreateTransaction();
            var deleted = tx.KeyDeleteAsync(keys.Worker(workerId));
            _ = tx.SortedSetRemoveAsync(keys.WorkerIndex, workerId);
            await tx.ExecuteAsync();
            return await deleted;
        }, cancellationToken);

    public Task<Worker?> GetAsync(string workerId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetAsync), async () =>
        {
            var raw = await Db.StringGetAsync(keys.Worker(workerId));
            return raw.IsNull ? null : OrchardJson.Deserialize<Worker>(raw.ToString());
        }, cancellationToken);

    public Task<IReadOnlyList<Worker>> ListAsync(CancellationToken cancellationToken = default) =>
        resilience.RunAsync<IReadOnlyList<Worker>>(nameof(ListAsync), async () =>
        {
            var rows = (RedisResult[])(await Db.ScriptEvaluateAsync(WorkerScripts.List, [keys.WorkerIndex], [keys.WorkerPrefix]))!;
            return rows.Select(r => OrchardJson.Deserialize<Worker>(r.ToString())).OrderBy(w => w.RegisteredAtMs).ThenBy(w => w.Id, StringComparer.Ordinal).ToArray();
        }, cancellationToken);

    public Task<ClaimedWorker?> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default) =>
        ClaimCoreAsync(string.Empty, request, cancellationToken);

    public Task<ClaimedWorker?> ClaimWorkerAsync(string workerId, ClaimRequest request, CancellationToken cancellationToken = default) =>
        ClaimCoreAsync(workerId, request, cancellationToken);

    public Task<bool> ReleaseAsync(string workerId, string token, ReleaseOutcome outcome, PerformanceSample? sample, string? error, CancellationToken cancellationToken = default) =>
        ReleaseCoreAsync(workerId, token, outcome, sample, error, hold: null, cancellationToken);

    public Task<bool> HandOverAsync(string workerId, string token, PerformanceSample sample, TimeSpan hold, CancellationToken cancellationToken = default) =>
        ReleaseCoreAsync(workerId, token, ReleaseOutcome.Succeeded, sample, null, hold, cancellationToken);

    public Task<ClaimedWorker?> RenewClaimAsync(string workerId, string token, string chunkId, TimeSpan lease, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(RenewClaimAsync), async () =>
        {
            var raw = await Db.ScriptEvaluateAsync(WorkerScripts.Renew, [keys.Worker(workerId)], [token, NowMs, (long)lease.TotalMilliseconds, ExpiryMs, chunkId]);
            if (raw.IsNull)
            {
                return null;
            }

            var worker = OrchardJson.Deserialize<Worker>(raw.ToString());
            return new ClaimedWorker(worker, worker.Claim!);
        }, cancellationToken);

    private Task<bool> ReleaseCoreAsync(string workerId, string token, ReleaseOutcome outcome, PerformanceSample? sample, string? error, TimeSpan? hold, CancellationToken cancellationToken) =>
        resilience.RunAsync(nameof(ReleaseAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(
                WorkerScripts.Release,
                [keys.Worker(workerId), keys.WorkerIndex],
                [
                    token,
                    OrchardJson.Serialize(outcome).Trim('"'),
                    NowMs,
                    ExpiryMs,
                    error ?? string.Empty,
                    sample is null ? string.Empty : sample.AudioSeconds.ToString("R", CultureInfo.InvariantCulture),
                    sample?.ProcessingSeconds.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
                    sample is null ? string.Empty : OrchardJson.Serialize(sample.At).Trim('"'),
                    sample?.SpeedRatio.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
                    Worker.HistoryLength,
                    hold is null ? string.Empty : (long)hold.Value.TotalMilliseconds,
                ])) == 1,
            cancellationToken);

    public async Task<WorkerStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        WorkerFactory.Count(await ListAsync(cancellationToken), NowMs, options.WorkerOfflineAfter);

    private Task<Worker?> UpsertAsync(Worker worker, string mode, CancellationToken cancellationToken) =>
        resilience.RunAsync("UpsertWorker", async () =>
        {
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
                WorkerScripts.Upsert,
                [keys.Worker(worker.Id), keys.WorkerIndex],
                [worker.Id, OrchardJson.Serialize(worker), worker.LastSeenMs, ExpiryMs, mode, worker.Url ?? string.Empty, worker.Name ?? string.Empty, worker.Model ?? string.Empty, options.MaxWorkers, keys.WorkerPrefix]))!;
            return result[0].ToString() switch
            {
                "ok" => OrchardJson.Deserialize<Worker>(result[1].ToString()),
                "full" => throw new WorkerLimitReachedException(options.MaxWorkers),
                _ => null,
            };
        }, cancellationToken);

    private Task<Worker?> TouchAsync(string workerId, bool healthy, string? error, CancellationToken cancellationToken) =>
        resilience.RunAsync("TouchWorker", async () =>
        {
            var raw = await Db.ScriptEvaluateAsync(
                WorkerScripts.Touch,
                [keys.Worker(workerId), keys.WorkerIndex],
                [NowMs, ExpiryMs, error ?? string.Empty, healthy ? "1" : "0"]);
            return raw.IsNull ? null : OrchardJson.Deserialize<Worker>(raw.ToString());
        }, cancellationToken);

    // Always nine values, so the arguments after the plan keep their places.
    private static RedisValue[] PlanArguments(LeasePlan? plan) => plan is null
        ? [string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty]
        : [
            "1",
            plan.ShortChunkId,
            plan.LongAudioSeconds.ToString("R", CultureInfo.InvariantCulture),
            plan.ShortAudioSeconds.ToString("R", CultureInfo.InvariantCulture),
            plan.SafetyFactor.ToString("R", CultureInfo.InvariantCulture),
            (long)plan.Floor.TotalMilliseconds,
            (long)plan.Cap.TotalMilliseconds,
            plan.UnmeasuredRatio.ToString("R", CultureInfo.InvariantCulture),
            Worker.SlowFactor.ToString("R", CultureInfo.InvariantCulture),
        ];

    private Task<ClaimedWorker?> ClaimCoreAsync(string workerId, ClaimRequest request, CancellationToken cancellationToken) =>
        resilience.RunAsync(nameof(ClaimAsync), async () =>
        {
            var raw = await Db.ScriptEvaluateAsync(
                WorkerScripts.Claim,
                [keys.WorkerIndex],
                [
                    keys.WorkerPrefix,
                    NowMs,
                    (long)options.WorkerOfflineAfter.TotalMilliseconds,
                    (long)request.Lease.TotalMilliseconds,
                    request.Token,
                    request.JobId,
                    request.ChunkId,
                    ExpiryMs,
                    workerId,
                    string.Join('\n', request.Exclude ?? []),
                    .. PlanArguments(request.Plan),
                    request.Language is null or LanguageCode.Auto ? string.Empty : request.Language,
                ]);
            if (raw.IsNull)
            {
                return null;
            }

            var worker = OrchardJson.Deserialize<Worker>(raw.ToString());
            return new ClaimedWorker(worker, worker.Claim!);
        }, cancellationToken);
}
