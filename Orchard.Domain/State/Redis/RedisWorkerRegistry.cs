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

    public Task<Worker?> MarkUnverifiedAsync(string workerId, CancellationToken cancellationToken = default) =>
        TrustAsync(workerId, "unverified", false, 0, null, cancellationToken);

    public Task<Worker?> RecordVerificationAsync(string workerId, bool agreed, int verifyAnswers, string? reason, CancellationToken cancellationToken = default) =>
        TrustAsync(workerId, "check", agreed, verifyAnswers, reason, cancellationToken);

    private Task<Worker?> TrustAsync(string workerId, string mode, bool agreed, int verifyAnswers, string? reason, CancellationToken cancellationToken) =>
        resilience.RunAsync("TrustWorker", async () =>
        {
            var raw = await Db.ScriptEvaluateAsync(
                WorkerScripts.Trust, [keys.Worker(workerId)], [mode, agreed ? "1" : "0", verifyAnswers, reason ?? string.Empty, NowMs, ExpiryMs]);
            return raw.IsNull ? null : OrchardJson.Deserialize<Worker>(raw.ToString());
        }, cancellationToken);

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
}
