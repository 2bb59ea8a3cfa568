namespace Orchard.Domain.State.Redis;

/// <summary>
/// The Lua scripts behind <see cref="RedisWorkerRegistry"/>. A worker's key lives until 5 minutes (configurable)
/// after its last success, and never shorter than a live claim; the index is scored by last success.
/// </summary>
internal static class WorkerScripts
{
    // ttl: until expiry after the last success, but at least as long as a live claim.
    internal const string Common = """
        local function live_claim(w, now)
          return type(w.claim) == 'table' and tonumber(w.claim.lease_until_ms) > now
        end
        local function save(key, w, now, expiry)
          local until_ms = tonumber(w.last_seen_ms) + expiry
          if live_claim(w, now) and tonumber(w.claim.lease_until_ms) > until_ms then until_ms = tonumber(w.claim.lease_until_ms) end
          local ttl = until_ms - now
          if ttl < 1 then ttl = 1 end
          if type(w.performance) == 'table' and #w.performance == 0 then w.performance = nil end
          local json = cjson.encode(w)
          redis.call('SET', key, json, 'PX', ttl)
          return json
        end
        -- Ends the worker's claim with an outcome (see ReleaseOutcome), recording a speed sample on success. The sample
        -- is {audio s, processing s, at, ratio} or nil; hist is how many samples are kept.
        local function release(w, outcome, now, err, sample, hist)
          w.claim = cjson.null
          -- A provisional answer (kept until a trusted worker's agrees) counts for the worker as a success.
          if outcome == 'provisional' then outcome = 'succeeded' end
          if outcome == 'succeeded' then
            w.consecutive_failures = 0
          elseif outcome ~= 'declined' and outcome ~= 'returned' then
            w.consecutive_failures = (tonumber(w.consecutive_failures) or 0) + 1
            w.cooldown_until_ms = now + math.min(60000, 1000 * 2 ^ math.min(w.consecutive_failures - 1, 16))
          end
          if outcome == 'unreachable' then
            w.status = 'offline'
            w.failed_chunks = (tonumber(w.failed_chunks) or 0) + 1
            w.last_error = err
            return
          end
          w.status = 'online'
          w.last_seen_ms = now
          if outcome == 'succeeded' then
            w.completed_chunks = (tonumber(w.completed_chunks) or 0) + 1
            w.last_error = cjson.null
            if sample then
              if type(w.performance) ~= 'table' then w.performance = {} end
              table.insert(w.performance, {audio_seconds = tonumber(sample[1]), processing_seconds = tonumber(sample[2]), at = sample[3], speed_ratio = tonumber(sample[4])})
              while #w.performance > hist do table.remove(w.performance, 1) end
            end
          elseif outcome == 'declined' then
            w.last_error = err
          elseif outcome ~= 'returned' then
            w.failed_chunks = (tonumber(w.failed_chunks) or 0) + 1
            w.last_error = err
          end
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
    /// Trust changes. KEYS: worker; ARGV: mode ('unverified': a first enrollment, or 'check'), agreed ('1'/'0'),
    /// answers to verify, reason, now ms, expiry ms. Returns the json, or nil when unknown.
    /// </summary>
    public const string Trust = Common + "\n" + """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return nil end
        local w = cjson.decode(raw)
        local now, expiry = tonumber(ARGV[5]), tonumber(ARGV[6])
        if ARGV[1] == 'unverified' then
          if w.trust == nil or w.trust == 'trusted' then w.trust = 'unverified' end
        elseif w.trust ~= 'quarantined' and w.trust ~= 'trusted' and w.trust ~= nil then
          if ARGV[2] == '1' then
            w.verified_answers = (tonumber(w.verified_answers) or 0) + 1
            if w.verified_answers >= tonumber(ARGV[3]) then w.trust = 'verified' end
          else
            w.trust = 'quarantined'
            w.quarantine_reason = ARGV[4]
          end
        end
        save(KEYS[1], w, now, expiry)
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
