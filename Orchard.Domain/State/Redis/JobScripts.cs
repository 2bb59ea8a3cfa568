namespace Orchard.Domain.State.Redis;

/// <summary>
/// The Lua scripts behind <see cref="RedisJobStore"/>: each read-modify-write is one atomic round trip.
/// Status index keys arrive in enum order after the fixed keys, with the status names in the same order.
/// </summary>
internal static class JobScripts
{
    // Helpers shared by the scripts: find a status's index key; move a job between status indexes;
    // apply the TTL rule (finished: retention; running: none).
    private const string Common = """
        local function status_key(name, first, names)
          for i, n in ipairs(names) do
            if n == name then return KEYS[first + i - 1] end
          end
          return nil
        end
        local function split(s)
          local t = {}
          for part in string.gmatch(s, '([^,]+)') do t[#t + 1] = part end
          return t
        end
        local function contains(list, value)
          return string.find(',' .. list .. ',', ',' .. value .. ',', 1, true) ~= nil
        end
        """;

    /// <summary>
    /// Writes a whole job, replacing what is there. KEYS: job, chunks, index, expiry, status indexes…; ARGV: id,
    /// summary json, status, created ms, now ms, retention ms, then chunk field/json pairs. TERMINAL and NAMES come
    /// from <see cref="WithLifecycle"/>.
    /// </summary>
    public const string Save = Common + "\n" + """
        local id, json, status, created = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
        local names = split(NAMES)
        local now, retention = tonumber(ARGV[5]), tonumber(ARGV[6])
        redis.call('DEL', KEYS[2])
        if #ARGV > 6 then
          redis.call('HSET', KEYS[2], unpack(ARGV, 7))
        end
        for i = 1, #names do redis.call('ZREM', KEYS[4 + i], id) end
        redis.call('ZADD', status_key(status, 5, names), created, id)
        redis.call('ZADD', KEYS[3], created, id)
        if contains(TERMINAL, status) then
          redis.call('SET', KEYS[1], json, 'PX', retention)
          if #ARGV > 6 then redis.call('PEXPIRE', KEYS[2], retention) end
          redis.call('ZADD', KEYS[4], now + retention, id)
        else
          redis.call('SET', KEYS[1], json)
          redis.call('ZREM', KEYS[4], id)
        end
        return 1
        """;

    /// <summary>
    /// Creates a job if it does not exist. KEYS: job, index, the created-status index; ARGV: id, json, created ms.
    /// Returns 0 when the job exists.
    /// </summary>
    public const string Create = """
        if redis.call('SET', KEYS[1], ARGV[2], 'NX') == false then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
        return 1
        """;

    /// <summary>Prefixes a script with the lifecycle as Lua constants MOVES, TERMINAL and NAMES.</summary>
    public static string WithLifecycle(string script, string moves, string terminal, string names) =>
        $"local MOVES, TERMINAL, NAMES = '{moves}', '{terminal}', '{names}'\n" + script;

    /// <summary>
    /// Moves a job to a status. KEYS: job, chunks, index, expiry, status indexes…; ARGV: id, to, now ms, now iso,
    /// retention ms, error, duration ms. The lifecycle (MOVES ",from>to,", TERMINAL, NAMES) comes from
    /// <see cref="WithLifecycle"/>, so the scripts and <c>JobLifecycle</c> cannot disagree.
    /// Returns {'missing'} | {'illegal', from} | {'ok', json}.
    /// </summary>
    public const string Transition = Common + "\n" + """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return {'missing'} end
        local job = cjson.decode(raw)
        local id, to, now, now_iso, retention = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
        local from = job.status
        if from == to then return {'ok', raw} end
        if not string.find(MOVES, ',' .. from .. '>' .. to .. ',', 1, true) then return {'illegal', from} end
        local names = split(NAMES)
        job.status = to
        job.updated_at = now_iso
        if ARGV[6] ~= '' then job.error = ARGV[6] end
        if ARGV[7] ~= '' then job.duration_ms = tonumber(ARGV[7]) end
        local created = redis.call('ZSCORE', KEYS[3], id)
        if not created then
          created = now
          redis.call('ZADD', KEYS[3], created, id)
        end
        local old_key = status_key(from, 5, names)
        if old_key then redis.call('ZREM', old_key, id) end
        redis.call('ZADD', status_key(to, 5, names), created, id)
        if contains(TERMINAL, to) then
          job.finished_at = now_iso
          local encoded = cjson.encode(job)
          redis.call('SET', KEYS[1], encoded, 'PX', retention)
          redis.call('PEXPIRE', KEYS[2], retention)
          redis.call('ZADD', KEYS[4], now + retention, id)
          return {'ok', encoded}
        end
        local encoded = cjson.encode(job)
        redis.call('SET', KEYS[1], encoded)
        return {'ok', encoded}
        """;

    /// <summary>
    /// Sets chunks absolutely and adjusts the job's counts by the status each chunk left and entered (so setting
    /// the same state twice counts once); a chunk in the final status (ARGV 2) keeps it against any other.
    /// KEYS: job, chunks; ARGV: now iso, final status, then field/json/status triples.
    /// Returns 0 when the job record is gone.
    /// </summary>
    public const string SetChunks = """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return 0 end
        local job = cjson.decode(raw)
        local counts = {completed = 0, failed = 0, silent = 0}
        for i = 3, #ARGV, 3 do
          local field, json, status = ARGV[i], ARGV[i + 1], ARGV[i + 2]
          local old = redis.call('HGET', KEYS[2], field)
          local old_status = old and cjson.decode(old).status
          if old_status ~= ARGV[2] or status == ARGV[2] then
            if old_status and counts[old_status] then counts[old_status] = counts[old_status] - 1 end
            if counts[status] then counts[status] = counts[status] + 1 end
            redis.call('HSET', KEYS[2], field, json)
          end
        end
        job.completed_chunks = (tonumber(job.completed_chunks) or 0) + counts.completed
        job.failed_chunks = (tonumber(job.failed_chunks) or 0) + counts.failed
        job.silent_chunks = (tonumber(job.silent_chunks) or 0) + counts.silent
        job.total_chunks = redis.call('HLEN', KEYS[2])
        job.updated_at = ARGV[1]
        redis.call('SET', KEYS[1], cjson.encode(job), 'KEEPTTL')
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) else redis.call('PERSIST', KEYS[2]) end
        return 1
        """;

    /// <summary>
    /// Sets the job's callback state, keeping its TTL. KEYS: job; ARGV: state json. Returns 0 when the job record is gone.
    /// </summary>
    public const string SetCallback = """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return 0 end
        local job = cjson.decode(raw)
        job.callback = cjson.decode(ARGV[1])
        redis.call('SET', KEYS[1], cjson.encode(job), 'KEEPTTL')
        return 1
        """;

    /// <summary>
    /// Newest-first page. KEYS: the index to read; ARGV: job key prefix, max score ('+inf' or a cursor score),
    /// cursor id ('' for none), limit. Returns {score, id, json} triples; ids whose record is gone are skipped.
    /// </summary>
    public const string List = """
        local prefix, max, cursor_id, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
        local out = {}
        local offset = 0
        local batch = limit + 16
        while #out < limit * 3 do
          local rows = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, '-inf', 'WITHSCORES', 'LIMIT', offset, batch)
          if #rows == 0 then break end
          for i = 1, #rows, 2 do
            local id, score = rows[i], rows[i + 1]
            local skip = cursor_id ~= '' and score == max and id >= cursor_id
            if not skip then
              local json = redis.call('GET', prefix .. id)
              if json then
                out[#out + 1] = score; out[#out + 1] = id; out[#out + 1] = json
                if #out >= limit * 3 then break end
              end
            end
          end
          offset = offset + batch
        end
        return out
        """;

    /// <summary>
    /// Trims jobs whose retention passed out of every index, then counts. KEYS: index, expiry, status indexes…;
    /// ARGV: now ms. Returns {total, count per status in key order}.
    /// </summary>
    public const string Stats = """
        local now = tonumber(ARGV[1])
        local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
        for _, id in ipairs(expired) do
          redis.call('ZREM', KEYS[1], id)
          redis.call('ZREM', KEYS[2], id)
          for i = 3, #KEYS do redis.call('ZREM', KEYS[i], id) end
        end
        local out = {redis.call('ZCARD', KEYS[1])}
        for i = 3, #KEYS do out[#out + 1] = redis.call('ZCARD', KEYS[i]) end
        return out
        """;

    /// <summary>Deletes a job and its index entries. KEYS: job, chunks, index, expiry, status indexes…; ARGV: id.</summary>
    public const string Delete = """
        local existed = redis.call('DEL', KEYS[1])
        redis.call('DEL', KEYS[2])
        for i = 3, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
        return existed
        """;
}
