namespace Orchard.Domain.State.Redis;

/// <summary>
/// The Lua scripts behind <see cref="RedisWorkerRegistry"/>. A worker's key lives until 5 minutes (configurable)
/// after its last success, and never shorter than a live claim; the index is scored by last success.
/// </summary>
internal static class WorkerScripts
{
    // ttl: until expiry after the last success, but at least as long as a live claim.
    private const string Common = """
        local function live_claim(w, now)
          return type(w.claim) == 'table' and tonumber(w.claim.lease_until_ms) > now
        end
        local function save(key, w, now, expiry)
          local until_ms = tonumber(w.last_seen_ms) + expiry
          if live_claim(w, now) and tonumber(w.claim.lease_until_ms) > until_ms then until_ms = tonumber(w.claim.lease_until_ms) end
          local ttl = until_ms - now
          if ttl < 1 then ttl = 1 end
          if type(w.performance) == 'table' and #w.performance == 0 then w.performance = nil end
          redis.call('SET', key, cjson.encode(w), 'PX', ttl)
        end
        local function avg_ratio(w)
          if type(w.performance) ~= 'table' or #w.performance == 0 then return nil end
          local sum, n = 0, 0
          for i = math.max(1, #w.performance - 9), #w.performance do
            sum = sum + tonumber(w.performance[i].speed_ratio); n = n + 1
          end
          return sum / n
        end
        """;

    /// <summary>
    /// Adds or updates a worker. KEYS: worker, index; ARGV: id, new json, now ms, expiry ms, mode ('add' fails when
    /// present; 'register' merges, taking the new record's languages), url, name, model, max workers, key prefix. Returns {'exists'}, {'full'} or {'ok', json}.
    /// </summary>
    public const string Upsert = Common + "\n" + """
        local id, now, expiry, mode, max = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[9])
        local raw = redis.call('GET', KEYS[1])
        local w
        if not raw and redis.call('ZCARD', KEYS[2]) >= max then
          -- Index entries whose key expired do not count; they are dropped only when the limit is in sight.
          for _, other in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
            if redis.call('EXISTS', ARGV[10] .. other) == 0 then redis.call('ZREM', KEYS[2], other) end
          end
          if redis.call('ZCARD', KEYS[2]) >= max then return {'full'} end
        end
        if raw then
          if mode == 'add' then return {'exists'} end
          w = cjson.decode(raw)
          if ARGV[6] ~= '' then w.url = ARGV[6] end
          if ARGV[7] ~= '' then w.name = ARGV[7] end
          if ARGV[8] ~= '' then w.model = ARGV[8] end
          -- A registration always says what it serves now: no languages means every language.
          local declared = cjson.decode(ARGV[2]).languages
          if type(declared) == 'table' then w.languages = declared else w.languages = nil end
          w.self_registered = true
          w.last_seen_ms = now
          w.last_error = cjson.null
          if live_claim(w, now) then w.status = 'busy' else w.status = 'online' end
        else
          w = cjson.decode(ARGV[2])
        end
        save(KEYS[1], w, now, expiry)
        redis.call('ZADD', KEYS[2], now, id)
        return {'ok', redis.call('GET', KEYS[1])}
        """;

    /// <summary>
    /// A heartbeat (ARGV[4] = '1') or probe result. KEYS: worker, index; ARGV: now ms, expiry ms, error, healthy.
    /// Returns nil when unknown, else the json.
    /// </summary>
    public const string Touch = Common + "\n" + """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return nil end
        local w = cjson.decode(raw)
        local now, expiry = tonumber(ARGV[1]), tonumber(ARGV[2])
        if ARGV[4] == '1' then
          w.last_seen_ms = now
          w.last_error = cjson.null
          if live_claim(w, now) then w.status = 'busy' else w.status = 'online' end
          save(KEYS[1], w, now, expiry)
          redis.call('ZADD', KEYS[2], now, w.id)
        elseif not live_claim(w, now) then
          w.status = 'offline'
          w.last_error = ARGV[3]
          save(KEYS[1], w, now, expiry)
        end
        return redis.call('GET', KEYS[1])
        """;

    /// <summary>
    /// Chooses and claims an idle, online worker with a URL: unmeasured first, then the lowest average speed ratio.
    /// KEYS: index; ARGV: worker key prefix, now ms, offline-after ms, lease ms, token, job id, chunk id, expiry ms,
    /// only this worker id ('' for any), worker ids passed over (newline-separated), then an optional lease plan: '1', short chunk id, long s, short s, safety,
    /// floor ms, cap ms, unmeasured ratio, slow factor (nine empty values without a plan), then the job's language
    /// ('' for detection: any worker). A retried claim (same token, still live) returns that claim. Returns nil or the
    /// claimed worker's json.
    /// </summary>
    public const string Claim = Common + "\n" + """
        local prefix, now, offline_after, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local ids
        if ARGV[9] ~= '' then ids = {ARGV[9]} else ids = redis.call('ZRANGE', KEYS[1], 0, -1) end
        local excluded = {}
        for id in string.gmatch(ARGV[10], '[^\n]+') do excluded[id] = true end
        local best, best_key, best_rank, best_ratio
        local fastest
        for _, id in ipairs(ids) do
          local key = prefix .. id
          local raw = redis.call('GET', key)
          if not raw then
            redis.call('ZREM', KEYS[1], id)
          else
            local w = cjson.decode(raw)
            -- A retried claim (same token) gets the worker it claimed the first time, not a second one.
            if live_claim(w, now) and w.claim.token == ARGV[5] then return raw end
          end
          if raw and not excluded[id] then
            local w = cjson.decode(raw)
            local serves = ARGV[20] == '' or type(w.languages) ~= 'table' or #w.languages == 0
            if not serves then
              for _, code in ipairs(w.languages) do if code == ARGV[20] then serves = true end end
            end
            if not serves then excluded[id] = true end
          end
          if raw and not excluded[id] then
            local w = cjson.decode(raw)
            local url_ok = type(w.url) == 'string' and w.url ~= ''
            local online = w.status ~= 'offline' and now - tonumber(w.last_seen_ms) <= offline_after
            local measured = avg_ratio(w)
            if url_ok and online and measured and (fastest == nil or measured < fastest) then fastest = measured end
            local cooling = (tonumber(w.cooldown_until_ms) or 0) > now
            if url_ok and online and not cooling and not live_claim(w, now) then
              local ratio = avg_ratio(w)
              local rank = ratio or -1
              if (tonumber(w.consecutive_failures) or 0) > 0 then rank = rank + 1000000 end
              if best == nil or rank < best_rank then best, best_key, best_rank, best_ratio = w, key, rank, ratio end
            end
          end
        end
        if best == nil then return nil end
        local chunk_id = ARGV[7]
        if ARGV[11] == '1' then
          local seconds
          if best_ratio == nil then
            chunk_id = ARGV[12]
            seconds = tonumber(ARGV[14]) * tonumber(ARGV[18])
          elseif fastest ~= nil and best_ratio > tonumber(ARGV[19]) * fastest then
            -- A slow worker, while a much faster one is online: the long chunk waits for the fast one.
            chunk_id = ARGV[12]
            seconds = tonumber(ARGV[14]) * best_ratio
          else
            seconds = tonumber(ARGV[13]) * best_ratio
          end
          lease = math.min(tonumber(ARGV[17]), tonumber(ARGV[16]) + math.floor(seconds * tonumber(ARGV[15]) * 1000))
        end
        best.claim = {token = ARGV[5], job_id = ARGV[6], chunk_id = chunk_id, claimed_at_ms = now, lease_until_ms = now + lease}
        best.status = 'busy'
        save(best_key, best, now, tonumber(ARGV[8]))
        return redis.call('GET', best_key)
        """;

    /// <summary>
    /// Ends a claim if the token matches. KEYS: worker, index; ARGV: token, outcome, now ms, expiry ms, error,
    /// audio s, processing s, at iso, speed ratio, history length, and optionally hold ms: on success the claim is
    /// then kept for that long (handed over to the worker's next chunk) instead of ended. Returns 1 when done.
    /// </summary>
    public const string Release = Common + "\n" + """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return 0 end
        local w = cjson.decode(raw)
        if type(w.claim) ~= 'table' or w.claim.token ~= ARGV[1] then return 0 end
        local outcome, now, expiry = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        local hold = tonumber(ARGV[11] or '')
        if outcome == 'succeeded' and hold then
          w.claim.lease_until_ms = now + hold
        else
          w.claim = cjson.null
        end
        if outcome == 'succeeded' then
          w.consecutive_failures = 0
        elseif outcome ~= 'declined' and outcome ~= 'returned' then
          w.consecutive_failures = (tonumber(w.consecutive_failures) or 0) + 1
          w.cooldown_until_ms = now + math.min(60000, 1000 * 2 ^ math.min(w.consecutive_failures - 1, 16))
        end
        if outcome == 'unreachable' then
          w.status = 'offline'
          w.failed_chunks = (tonumber(w.failed_chunks) or 0) + 1
          w.last_error = ARGV[5]
        else
          if type(w.claim) == 'table' then w.status = 'busy' else w.status = 'online' end
          w.last_seen_ms = now
          redis.call('ZADD', KEYS[2], now, w.id)
          if outcome == 'succeeded' then
            w.completed_chunks = (tonumber(w.completed_chunks) or 0) + 1
            w.last_error = cjson.null
            if ARGV[6] ~= '' then
              if type(w.performance) ~= 'table' then w.performance = {} end
              table.insert(w.performance, {audio_seconds = tonumber(ARGV[6]), processing_seconds = tonumber(ARGV[7]), at = ARGV[8], speed_ratio = tonumber(ARGV[9])})
              while #w.performance > tonumber(ARGV[10]) do table.remove(w.performance, 1) end
            end
          elseif outcome == 'declined' then
            w.last_error = ARGV[5]
          elseif outcome == 'returned' then
            -- counted when it was handed over
          else
            w.failed_chunks = (tonumber(w.failed_chunks) or 0) + 1
            w.last_error = ARGV[5]
          end
        end
        save(KEYS[1], w, now, expiry)
        return 1
        """;

    /// <summary>
    /// Extends a live claim if the token matches (a handed-over claim starting its next chunk). KEYS: worker;
    /// ARGV: token, now ms, lease ms, expiry ms, chunk id. Returns the worker's json, or nil when the claim is gone.
    /// </summary>
    public const string Renew = Common + "\n" + """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return nil end
        local w = cjson.decode(raw)
        local now = tonumber(ARGV[2])
        if not live_claim(w, now) or w.claim.token ~= ARGV[1] then return nil end
        w.claim.lease_until_ms = now + tonumber(ARGV[3])
        w.claim.chunk_id = ARGV[5]
        w.status = 'busy'
        save(KEYS[1], w, now, tonumber(ARGV[4]))
        return redis.call('GET', KEYS[1])
        """;

    /// <summary>Every worker in the index, dropping entries whose key expired. KEYS: index; ARGV: worker key prefix.</summary>
    public const string List = """
        local out = {}
        for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
          local raw = redis.call('GET', ARGV[1] .. id)
          if raw then out[#out + 1] = raw else redis.call('ZREM', KEYS[1], id) end
        end
        return out
        """;
}
