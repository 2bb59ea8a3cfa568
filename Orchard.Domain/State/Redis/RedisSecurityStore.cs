using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Json;
using Orchard.Domain.Security;
using StackExchange.Redis;

namespace Orchard.Domain.State.Redis;

/// <summary>
/// Identities, ownership and rate counters in Redis. Each read-modify-write is one Lua script (a key and its reverse
/// mapping change together, so a revoked key never lingers in the other map); the rest are single commands.
/// </summary>
public sealed class RedisSecurityStore(IConnectionMultiplexer redis, IOptions<StateOptions> options, TimeProvider time, ILogger<RedisSecurityStore> logger)
    : ISecurityStore
{
    /// <summary>KEYS: clients, client keys; ARGV: id, json, key hash, max. 0 when the registry is full.</summary>
    private const string AddClientScript = """
        if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: clients, client keys; ARGV: id. 0 when unknown.</summary>
    private const string RemoveClientScript = """
        local raw = redis.call('HGET', KEYS[1], ARGV[1])
        if not raw then return 0 end
        redis.call('HDEL', KEYS[2], cjson.decode(raw).key_hash)
        redis.call('HDEL', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: credentials, tokens; ARGV: worker id, json (empty: remove), token hash. 0 when there was none.</summary>
    private const string SetCredentialScript = """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        if old then redis.call('HDEL', KEYS[2], cjson.decode(old).token_hash) end
        if ARGV[2] == '' then
          redis.call('HDEL', KEYS[1], ARGV[1])
        else
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
        end
        if old then return 1 end
        return 0
        """;

    /// <summary>
    /// A fixed window: the first call sets its expiry, so the window cannot be stretched by calling. KEYS: window;
    /// ARGV: window ms. Returns {count, ms left}.
    /// </summary>
    private const string HitScript = """
        local count = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return {count, ttl}
        """;

    /// <summary>KEYS: the owner's index; ARGV: max score, cursor id, count. Returns id, score pairs, newest first.</summary>
    private const string OwnedScript = """
        local max, cursor_id, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local out = {}
        local offset = 0
        local batch = limit + 16
        while #out < limit * 2 do
          local rows = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, '-inf', 'WITHSCORES', 'LIMIT', offset, batch)
          if #rows == 0 then break end
          for i = 1, #rows, 2 do
            local id, score = rows[i], rows[i + 1]
            if not (cursor_id ~= '' and score == max and id >= cursor_id) then
              out[#out + 1] = id; out[#out + 1] = score
              if #out >= limit * 2 then break end
            end
          end
          offset = offset + batch
        end
        return out
        """;

    private readonly RedisKeys keys = new(options.Value.KeyPrefix);
    private readonly RedisResilience resilience = new(options.Value.OutageRetryBudget, time, logger);

    private IDatabase Db => redis.GetDatabase();

    public Task<bool> AddClientAsync(ClientRecord client, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return resilience.RunAsync(nameof(AddClientAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(AddClientScript, [keys.Clients, keys.ClientKeys], [client.Id, OrchardJson.Serialize(client), client.KeyHash, max])) == 1,
            cancellationToken);
    }

    public Task<ClientRecord?> FindClientByKeyHashAsync(string keyHash, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(FindClientByKeyHashAsync), async () =>
        {
            var id = await Db.HashGetAsync(keys.ClientKeys, keyHash);
            if (id.IsNull)
            {
                return null;
            }

            var raw = await Db.HashGetAsync(keys.Clients, id.ToString());
            var client = raw.IsNull ? null : OrchardJson.Deserialize<ClientRecord>(raw.ToString());
            return client?.KeyHash == keyHash ? client : null;
        }, cancellationToken);

    public Task<IReadOnlyList<ClientRecord>> ListClientsAsync(CancellationToken cancellationToken = default) =>
        resilience.RunAsync<IReadOnlyList<ClientRecord>>(nameof(ListClientsAsync), async () =>
            (await Db.HashValuesAsync(keys.Clients)).Select(v => OrchardJson.Deserialize<ClientRecord>(v.ToString())).OrderBy(c => c.CreatedAt).ToArray(),
            cancellationToken);

    public Task<bool> RemoveClientAsync(string clientId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(RemoveClientAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(RemoveClientScript, [keys.Clients, keys.ClientKeys], [clientId])) == 1,
            cancellationToken);

    public Task SetWorkerCredentialAsync(WorkerCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return resilience.RunAsync(nameof(SetWorkerCredentialAsync), () =>
            Db.ScriptEvaluateAsync(SetCredentialScript, [keys.WorkerCredentials, keys.WorkerTokens], [credential.WorkerId, OrchardJson.Serialize(credential), credential.TokenHash]),
            cancellationToken);
    }

    public Task<WorkerCredential?> GetWorkerCredentialAsync(string workerId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetWorkerCredentialAsync), async () =>
        {
            var raw = await Db.HashGetAsync(keys.WorkerCredentials, workerId);
            return raw.IsNull ? null : OrchardJson.Deserialize<WorkerCredential>(raw.ToString());
        }, cancellationToken);

    public Task<string?> FindWorkerByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(FindWorkerByTokenHashAsync), async () =>
        {
            var id = await Db.HashGetAsync(keys.WorkerTokens, tokenHash);
            return id.IsNull ? null : id.ToString();
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, WorkerCredential>> ListWorkerCredentialsAsync(CancellationToken cancellationToken = default) =>
        resilience.RunAsync<IReadOnlyDictionary<string, WorkerCredential>>(nameof(ListWorkerCredentialsAsync), async () =>
            (await Db.HashGetAllAsync(keys.WorkerCredentials)).ToDictionary(e => e.Name.ToString(), e => OrchardJson.Deserialize<WorkerCredential>(e.Value.ToString())),
            cancellationToken);

    public Task<bool> RemoveWorkerCredentialAsync(string workerId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(RemoveWorkerCredentialAsync), async () =>
            (long)(await Db.ScriptEvaluateAsync(SetCredentialScript, [keys.WorkerCredentials, keys.WorkerTokens], [workerId, "", ""])) == 1,
            cancellationToken);

    // Counting is not idempotent: a retry after an unknown outcome may count one call twice, which only errs towards the limit.
    public Task<RateCount> HitAsync(string bucket, string identity, TimeSpan window, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(HitAsync), async () =>
        {
            var result = (long[])(await Db.ScriptEvaluateAsync(HitScript, [keys.RateWindow(bucket, identity)], [(long)window.TotalMilliseconds]))!;
            return new RateCount(result[0], TimeSpan.FromMilliseconds(result[1]));
        }, cancellationToken);

    public Task AddOwnedJobAsync(string owner, string jobId, DateTimeOffset createdAt, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(AddOwnedJobAsync), () => Db.SortedSetAddAsync(keys.OwnedJobs(owner), jobId, createdAt.ToUnixTimeMilliseconds()), cancellationToken);

    public Task<IReadOnlyList<(string JobId, double Score)>> OwnedJobsAsync(string owner, string maxScore, string afterId, int count, CancellationToken cancellationToken = default) =>
        resilience.RunAsync<IReadOnlyList<(string, double)>>(nameof(OwnedJobsAsync), async () =>
        {
            var rows = (RedisResult[])(await Db.ScriptEvaluateAsync(OwnedScript, [keys.OwnedJobs(owner)], [maxScore, afterId, count]))!;
            var jobs = new List<(string, double)>(rows.Length / 2);
            for (var i = 0; i < rows.Length; i += 2)
            {
                jobs.Add((rows[i].ToString(), double.Parse(rows[i + 1].ToString(), System.Globalization.CultureInfo.InvariantCulture)));
            }

            return jobs;
        }, cancellationToken);

    public Task RemoveOwnedJobAsync(string owner, string jobId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(RemoveOwnedJobAsync), () => Db.SortedSetRemoveAsync(keys.OwnedJobs(owner), jobId), cancellationToken);

    public Task SaveUploadGrantAsync(UploadGrant grant, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return resilience.RunAsync(nameof(SaveUploadGrantAsync), () => Db.StringSetAsync(keys.UploadGrant(grant.UploadId), OrchardJson.Serialize(grant), lifetime), cancellationToken);
    }

    public Task<UploadGrant?> GetUploadGrantAsync(string uploadId, CancellationToken cancellationToken = default) =>
        resilience.RunAsync(nameof(GetUploadGrantAsync), async () =>
        {
            var raw = await Db.StringGetAsync(keys.UploadGrant(uploadId));
            return raw.IsNull ? null : OrchardJson.Deserialize<UploadGrant>(raw.ToString());
        }, cancellationToken);
}
