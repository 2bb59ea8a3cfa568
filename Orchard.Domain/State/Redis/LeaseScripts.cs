namespace Orchard.Domain.State.Redis;

/// <summary>
/// The Lua scripts behind <see cref="RedisLeaseStore"/>: each step of the ready queue is one round trip, so two master
/// instances never lease one chunk to two workers by accident, nor one worker twice. Key names arrive as KEYS or as
/// prefixes in ARGV (from <see cref="RedisKeys"/>); every rule (which end of the queue, how long a lease lives) is
/// passed in by the dispatch policy.
/// Layout: ready = sorted set of "job|index" by audio ms; offers = hash of those members to the offer's JSON; leases =
/// sorted set of live lease ids by expiry; lease:&lt;id&gt; = the lease's JSON, kept a while after the lease ended (its
/// expiry then the time it ended); chunk-leases:&lt;member&gt; = the chunk's
/// live lease ids; done:&lt;job&gt; = hash of answered chunk indexes to the winning lease.
/// </summary>
internal static class LeaseScripts
{
    /// <summary>
    /// Shared by the scripts that end leases. Expects locals: now, expiry, hist, lease_prefix, chunk_prefix,
    /// worker_prefix, leases_key, index_key.
    /// </summary>
    private const string EndOne = """
        local function end_one(id, outcome, err, sample)
          -- Only a live lease is in the leases set; an ended one keeps its record but is gone from there.
          if redis.call('ZREM', leases_key, id) == 0 then return nil end
          local raw = redis.call('GET', lease_prefix .. id)
          if not raw then return nil end
          local l = cjson.decode(raw)
          -- The record stays until its key expires, marked as ending now (never renewable again), so a repeated answer
          -- finds its job and its stored answer, and a late call learns it lost the lease rather than "unknown".
          local keep = redis.call('PTTL', lease_prefix .. id)
          if keep > 0 then
            l.expires_at_ms = math.min(tonumber(l.expires_at_ms), now)
            redis.call('SET', lease_prefix .. id, cjson.encode(l), 'PX', keep)
          else
            redis.call('DEL', lease_prefix .. id)
          end
          redis.call('SREM', chunk_prefix .. l.member, id)
          local wkey = worker_prefix .. l.worker_id
          local wraw = redis.call('GET', wkey)
          if wraw then
            local w = cjson.decode(wraw)
            if type(w.claim) == 'table' and w.claim.token == id then
              release(w, outcome, now, err, sample, hist)
              save(wkey, w, now, expiry)
              if outcome ~= 'unreachable' then redis.call('ZADD', index_key, now, w.id) end
            end
          end
          return raw
        end
        """;

    /// <summary>
    /// KEYS: ready, offers, ready version; ARGV: done prefix, chunk-leases prefix, then per offer: member, job id, index,
    /// audio ms, json, hedge ('1': may be ready while the chunk is leased). Returns how many became ready; when any did,
    /// the ready version goes up (the only way a chunk joins the queue, so polls that found nothing look again).
    /// </summary>
    public const string Offer = """
        local n = 0
        for i = 3, #ARGV, 6 do
          local m = ARGV[i]
          local answered = redis.call('HEXISTS', ARGV[1] .. ARGV[i + 1], ARGV[i + 2]) == 1
          local waiting = redis.call('HEXISTS', KEYS[2], m) == 1
          local leased = ARGV[i + 5] ~= '1' and redis.call('SCARD', ARGV[2] .. m) > 0
          if not answered and not waiting and not leased then
            redis.call('HSET', KEYS[2], m, ARGV[i + 4])
            redis.call('ZADD', KEYS[1], tonumber(ARGV[i + 3]), m)
            n = n + 1
          end
        end
        if n > 0 then redis.call('INCR', KEYS[3]) end
        return n
        """;

    /// <summary>
    /// KEYS: ready, offers, leases, worker, worker index, ready version; ARGV: worker id, now, lease id, ttl ms, pick ('longest' or
    /// 'shortest'), how many ready chunks to look at, lease prefix, chunk-leases prefix, worker expiry ms, how long a
    /// lost lease's record is kept (ms), the prefix of each job's set of workers that declined it. Returns {'leased', json,
    /// worker json} (the worker as saved, so the caller needs no second read), {'none'}, {'unknown'} or {'cooling', until ms}.
    /// </summary>
    public const string Take = WorkerScripts.Common + "\n" + """
        local raw = redis.call('GET', KEYS[4])
        if not raw then return {'unknown'} end
        local w = cjson.decode(raw)
        local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[4])
        if live_claim(w, now) then
          local held = redis.call('GET', ARGV[7] .. w.claim.token)
          if held then return {'leased', held, raw} end
        end
        if (tonumber(w.cooldown_until_ms) or 0) > now then return {'cooling', tostring(w.cooldown_until_ms)} end
        -- A quarantined worker never gets another user's audio.
        local quarantined = w.trust == 'quarantined'
        local trusted = w.trust == nil or w.trust == 'trusted' 
        local members
        if ARGV[5] == 'longest' then
          members = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[6]) - 1)
        else
          members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[6]) - 1)
        end
        local ratio = avg_ratio(w)
        -- A worker that looked at the whole queue and found nothing it may take finds nothing again until a chunk joins
        -- the queue (chunks only leave it otherwise) or what it may take changes (trust, speed, languages): 200 parked
        -- polls looking again every 2 s then cost a read each, not a scan of every ready chunk.
        local langs = ''
        if type(w.languages) == 'table' then langs = table.concat(w.languages, ',') end
        local seen = table.concat({redis.call('GET', KEYS[6]) or '0', tostring(w.trust), tostring(ratio), langs}, '|')
        if w.nothing_at == seen then members = {} end
        local pick, offer
        for _, m in ipairs(members) do
          local o_raw = redis.call('HGET', KEYS[2], m)
          if not o_raw then
            redis.call('ZREM', KEYS[1], m)
          else
            local o = cjson.decode(o_raw)
            local ok = not quarantined
            if ok and o.trusted_only == true and not trusted then ok = false end
            if ok and type(o.language) == 'string' and type(w.languages) == 'table' and #w.languages > 0 then
              ok = false
              for _, code in ipairs(w.languages) do if code == o.language then ok = true end end
            end
            if ok and type(o.exclude) == 'table' then
              for _, x in ipairs(o.exclude) do if x == w.id then ok = false end end
            end
            if ok and redis.call('SISMEMBER', ARGV[11] .. o.job_id, w.id) == 1 then ok = false end
            if ok and type(o.max_ratio) == 'number' then ok = ratio ~= nil and ratio <= o.max_ratio end
            if ok then pick, offer = m, o break end
          end
        end
        -- Asking for work is a sign of life: a pull worker needs no other heartbeat while it polls.
        w.last_seen_ms = now
        if not pick then
          if #members < tonumber(ARGV[6]) then w.nothing_at = seen else w.nothing_at = nil end
          if not live_claim(w, now) then w.status = 'online' end
          save(KEYS[4], w, now, tonumber(ARGV[9]))
          redis.call('ZADD', KEYS[5], now, w.id)
          return {'none'}
        end
        redis.call('ZREM', KEYS[1], pick)
        redis.call('HDEL', KEYS[2], pick)
        local until_ms = now + ttl
        local lease = {lease_id = ARGV[3], member = pick, job_id = offer.job_id, index = offer.index, chunk_id = offer.chunk_id,
          worker_id = w.id, sent_ms = offer.sent_ms, language = offer.language, attempt = offer.attempt,
          leased_at_ms = now, expires_at_ms = until_ms}
        local json = cjson.encode(lease)
        redis.call('SET', ARGV[7] .. ARGV[3], json, 'PX', ttl + tonumber(ARGV[10]))
        redis.call('ZADD', KEYS[3], until_ms, ARGV[3])
        redis.call('SADD', ARGV[8] .. pick, ARGV[3])
        redis.call('PEXPIRE', ARGV[8] .. pick, 86400000)
        w.nothing_at = nil
        w.claim = {token = ARGV[3], job_id = offer.job_id, chunk_id = offer.chunk_id, claimed_at_ms = now, lease_until_ms = until_ms}
        w.status = 'busy'
        local saved = save(KEYS[4], w, now, tonumber(ARGV[9]))
        redis.call('ZADD', KEYS[5], now, w.id)
        return {'leased', json, saved}
        """;

    /// <summary>
    /// KEYS: leases; ARGV: lease id, worker id, now, ttl ms, lease prefix, worker prefix, worker expiry ms, record
    /// keep ms. Returns the renewed lease's json, or nil when it is lost.
    /// </summary>
    public const string Renew = WorkerScripts.Common + "\n" + """
        local raw = redis.call('GET', ARGV[5] .. ARGV[1])
        if not raw then return nil end
        local l = cjson.decode(raw)
        local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
        if l.worker_id ~= ARGV[2] or tonumber(l.expires_at_ms) <= now then return nil end
        l.expires_at_ms = now + ttl
        local json = cjson.encode(l)
        redis.call('SET', ARGV[5] .. ARGV[1], json, 'PX', ttl + tonumber(ARGV[8]))
        redis.call('ZADD', KEYS[1], l.expires_at_ms, ARGV[1])
        local wkey = ARGV[6] .. l.worker_id
        local wraw = redis.call('GET', wkey)
        if wraw then
          local w = cjson.decode(wraw)
          if type(w.claim) == 'table' and w.claim.token == ARGV[1] then
            w.claim.lease_until_ms = l.expires_at_ms
            w.last_seen_ms = now
            save(wkey, w, now, tonumber(ARGV[7]))
          end
        end
        return json
        """;

    /// <summary>
    /// KEYS: leases, worker index, ready, offers; ARGV: lease id, outcome, now, worker expiry ms, error, sample
    /// (audio s, processing s, at, ratio; empty without), history length, lease prefix, chunk-leases prefix, done
    /// prefix, worker prefix, declined prefix, '1' when the worker refused the job. Returns {'gone'} or {'ok', json,
    /// won ('1'/'0'), cancelled lease json...}.
    /// </summary>
    public const string End = WorkerScripts.Common + "\n" + """
        local now, expiry, hist = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[10])
        local leases_key, index_key = KEYS[1], KEYS[2]
        local lease_prefix, chunk_prefix, done_prefix, worker_prefix = ARGV[11], ARGV[12], ARGV[13], ARGV[14]
        """ + "\n" + EndOne + "\n" + """
        local sample = nil
        if ARGV[6] ~= '' then sample = {ARGV[6], ARGV[7], ARGV[8], ARGV[9]} end
        local raw = end_one(ARGV[1], ARGV[2], ARGV[5], sample)
        if not raw then return {'gone'} end
        local l = cjson.decode(raw)
        if ARGV[16] == '1' then
          -- A worker that refused the job (its language) is never offered its other chunks.
          redis.call('SADD', ARGV[15] .. l.job_id, l.worker_id)
          redis.call('PEXPIRE', ARGV[15] .. l.job_id, 86400000)
        end
        local out = {'ok', raw, '0'}
        if ARGV[2] == 'succeeded' then
          if redis.call('HSETNX', done_prefix .. l.job_id, tostring(l.index), ARGV[1]) == 1 then out[3] = '1' end
          redis.call('PEXPIRE', done_prefix .. l.job_id, 86400000)
          -- The first valid answer wins: the chunk's other leases (a hedge) end, counting nothing.
          for _, other in ipairs(redis.call('SMEMBERS', chunk_prefix .. l.member)) do
            local oraw = end_one(other, 'returned', '', nil)
            if oraw then out[#out + 1] = oraw end
          end
          redis.call('DEL', chunk_prefix .. l.member)
          redis.call('ZREM', KEYS[3], l.member)
          redis.call('HDEL', KEYS[4], l.member)
        end
        return out
        """;

    /// <summary>
    /// Ends leases whose time ran out (their worker is unreachable). KEYS: leases, worker index; ARGV: now, max,
    /// worker expiry ms, history length, lease prefix, chunk-leases prefix, worker prefix. Returns their json.
    /// </summary>
    public const string Reap = WorkerScripts.Common + "\n" + """
        local now, expiry, hist = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local leases_key, index_key = KEYS[1], KEYS[2]
        local lease_prefix, chunk_prefix, worker_prefix = ARGV[5], ARGV[6], ARGV[7]
        """ + "\n" + EndOne + "\n" + """
        local out = {}
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', leases_key, '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
          local raw = end_one(id, 'unreachable', 'stopped renewing its lease', nil)
          if raw then out[#out + 1] = raw end
        end
        return out
        """;

    /// <summary>
    /// Removes a job's chunks from the queue and ends their leases (workers freed, nothing counted). KEYS: leases,
    /// worker index, ready, offers; ARGV: job id, now, worker expiry ms, history length, lease prefix, chunk-leases
    /// prefix, done prefix, worker prefix, then the members.
    /// </summary>
    public const string Withdraw = WorkerScripts.Common + "\n" + """
        local now, expiry, hist = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local leases_key, index_key = KEYS[1], KEYS[2]
        local lease_prefix, chunk_prefix, worker_prefix = ARGV[5], ARGV[6], ARGV[8]
        """ + "\n" + EndOne + "\n" + """
        for i = 9, #ARGV do
          local m = ARGV[i]
          redis.call('ZREM', KEYS[3], m)
          redis.call('HDEL', KEYS[4], m)
          for _, id in ipairs(redis.call('SMEMBERS', chunk_prefix .. m)) do end_one(id, 'returned', '', nil) end
          redis.call('DEL', chunk_prefix .. m)
        end
        redis.call('DEL', ARGV[7] .. ARGV[1])
        return 1
        """;
}
