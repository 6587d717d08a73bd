package dev.flowstore.redis.internal;

/**
 * The queue's Lua scripts: each runs atomically in Redis, so a lease, ack, nack, heartbeat or
 * release either happens whole or not at all, and the token check and the write can't be
 * interleaved with another client. Every script gets {@code ARGV[1..4] = key prefix, pub/sub
 * channel, tenant, now (micros, from the store's clock)} and {@code KEYS[1]} = a key of the
 * tenant's slot (routing). Times are passed and stored as strings of microseconds: Lua numbers are
 * doubles, so values are never formatted by Lua (it would print 1.7e+15).
 *
 * <p>Replies: {@code {code, value}} where code is OK, NOT_FOUND, LEASE_LOST, CONFLICT or NO.
 */
final class Scripts {
  private Scripts() {}

  private static final String PRELUDE =
      """
      local P = ARGV[1]
      local nowS = ARGV[4]
      local now = tonumber(nowS)
      local function jkey(id) return P .. '#job:' .. id end
      local function akey(id) return P .. '#att:' .. id end
      local function qkey(q, part) return P .. q .. ':' .. part end
      local function wake(q) redis.call('PUBLISH', ARGV[2], ARGV[3] .. ':' .. q) end
      -- lex member of the ready set: priority desc, run_at, seq (fixed width), then the id
      local function rk(J, id)
        local a = redis.call('HMGET', J, 'priority', 'run_at', 'seq')
        local runAt = math.min(math.max(0, tonumber(a[2])), 99999999999999999)
        return string.format('%010d:%017d:%019d:', 2147483647 - tonumber(a[1]), runAt, tonumber(a[3])) .. id
      end
      local function schedule(J, q, id)
        local runAtS = redis.call('HGET', J, 'run_at')
        if tonumber(runAtS) <= now then
          local r = rk(J, id)
          redis.call('HSET', J, 'rk', r)
          redis.call('ZADD', qkey(q, 'ready'), 0, r)
        else
          redis.call('ZADD', qkey(q, 'delayed'), runAtS, id)
        end
      end
      local function finishAttempt(J, id, outcome, err)
        local a = redis.call('HMGET', J, 'attempt', 'token', 'leased_at')
        redis.call('LSET', akey(id), -1, a[1] .. '|' .. a[2] .. '|' .. outcome .. '|' .. a[3] .. '|' .. nowS .. '|' .. err)
      end
      local function freeKey(J, q, id)
        local u = redis.call('HGET', J, 'unique_key')
        if u and u ~= '' and redis.call('HGET', qkey(q, 'uniq'), u) == id then
          redis.call('HDEL', qkey(q, 'uniq'), u)
        end
      end
      local function hold(J, tok)
        local a = redis.call('HMGET', J, 'status', 'token')
        if not a[1] then return 'NOT_FOUND' end
        if a[1] ~= 'leased' or a[2] ~= tok then return 'LEASE_LOST' end
        return nil
      end
      -- an expired (or abandoned) lease ends: back to the queue, or to dlq_pending without attempts left
      local function expire(J, q, id, exhausted)
        finishAttempt(J, id, 'expired', 'lease expired')
        redis.call('ZREM', qkey(q, 'leased'), id)
        if exhausted then
          redis.call('HSET', J, 'status', 'dlq_pending', 'lease_expires_at', '', 'last_error', 'lease expired', 'updated_at', nowS)
          redis.call('SADD', qkey(q, 'dlq_pending'), id)
        else
          redis.call('HSET', J, 'status', 'queued', 'lease_expires_at', '', 'last_error', 'lease expired', 'updated_at', nowS)
          schedule(J, q, id)
        end
      end
      """;

  /**
   * ARGV[5] = n, then 11 per job: id, message_id, event_id, trace_id, queue, job_type, payload,
   * priority, run_at, max_attempts, unique_key.
   */
  static final String ENQUEUE =
      PRELUDE
          + """
          local n = tonumber(ARGV[5])
          local out = {}
          local woken = {}
          for i = 0, n - 1 do
            local b = 6 + i * 11
            local id = ARGV[b]
            local q = ARGV[b + 4]
            local ukey = ARGV[b + 10]
            local J = jkey(id)
            local holder = false
            if ukey ~= '' then holder = redis.call('HGET', qkey(q, 'uniq'), ukey) end
            if redis.call('EXISTS', J) == 1 then
              out[#out + 1] = {0, redis.call('HGETALL', J)}
            elseif holder then
              out[#out + 1] = {1, redis.call('HGETALL', jkey(holder))}
            else
              local seq = redis.call('INCR', P .. '#seq')
              redis.call('HSET', J, 'job_id', id, 'message_id', ARGV[b + 1], 'event_id', ARGV[b + 2],
                'trace_id', ARGV[b + 3], 'queue', q, 'job_type', ARGV[b + 5], 'payload', ARGV[b + 6],
                'priority', ARGV[b + 7], 'run_at', ARGV[b + 8], 'attempt', '0', 'max_attempts', ARGV[b + 9],
                'unique_key', ukey, 'status', 'queued', 'token', '0', 'lease_expires_at', '', 'leased_at', '',
                'last_error', '', 'seq', tostring(seq), 'created_at', nowS, 'updated_at', nowS, 'finished_at', '', 'rk', '')
              if ukey ~= '' then redis.call('HSET', qkey(q, 'uniq'), ukey, id) end
              schedule(J, q, id)
              redis.call('SADD', P .. '#queues', q)
              woken[q] = true
              out[#out + 1] = {0, redis.call('HGETALL', J)}
            end
          end
          for q, _ in pairs(woken) do wake(q) end
          return {'OK', out}
          """;

  /** ARGV[5] = queue, [6] = lease expiry (micros), [7] = max. */
  static final String LEASE =
      PRELUDE
          + """
          local q = ARGV[5]
          local expS = ARGV[6]
          local max = tonumber(ARGV[7])
          for _, id in ipairs(redis.call('ZRANGEBYSCORE', qkey(q, 'leased'), '-inf', nowS, 'LIMIT', 0, 1000)) do
            local J = jkey(id)
            local a = redis.call('HMGET', J, 'attempt', 'max_attempts')
            if tonumber(a[1]) < tonumber(a[2]) then expire(J, q, id, false) end
          end
          for _, id in ipairs(redis.call('ZRANGEBYSCORE', qkey(q, 'delayed'), '-inf', nowS, 'LIMIT', 0, 1000)) do
            redis.call('ZREM', qkey(q, 'delayed'), id)
            schedule(jkey(id), q, id)
          end
          local out = {}
          for _, r in ipairs(redis.call('ZRANGE', qkey(q, 'ready'), 0, max - 1)) do
            local id = string.sub(r, -36)
            local J = jkey(id)
            redis.call('ZREM', qkey(q, 'ready'), r)
            local attempt = redis.call('HINCRBY', J, 'attempt', 1)
            local tok = redis.call('HINCRBY', J, 'token', 1)
            redis.call('HSET', J, 'status', 'leased', 'lease_expires_at', expS, 'leased_at', nowS, 'updated_at', nowS, 'rk', '')
            redis.call('ZADD', qkey(q, 'leased'), expS, id)
            redis.call('RPUSH', akey(id), tostring(attempt) .. '|' .. tostring(tok) .. '|leased|' .. nowS .. '||')
            redis.call('LTRIM', akey(id), -1000, -1)
            out[#out + 1] = redis.call('HGETALL', J)
          end
          return {'OK', out}
          """;

  /** ARGV[5] = id, [6] = token. */
  static final String ACK =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local e = hold(J, ARGV[6])
          if e then return {e, redis.call('HGET', J, 'status') or ''} end
          local q = redis.call('HGET', J, 'queue')
          finishAttempt(J, id, 'succeeded', '')
          redis.call('HSET', J, 'status', 'succeeded', 'lease_expires_at', '', 'finished_at', nowS, 'updated_at', nowS)
          redis.call('ZREM', qkey(q, 'leased'), id)
          redis.call('SADD', qkey(q, 'succeeded'), id)
          freeKey(J, q, id)
          return {'OK', redis.call('HGETALL', J)}
          """;

  /** ARGV[5] = id, [6] = token, [7] = error, [8] = run_at of the retry (micros). */
  static final String NACK =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local e = hold(J, ARGV[6])
          if e then return {e, redis.call('HGET', J, 'status') or ''} end
          local q = redis.call('HGET', J, 'queue')
          local a = redis.call('HMGET', J, 'attempt', 'max_attempts')
          finishAttempt(J, id, 'failed', ARGV[7])
          redis.call('ZREM', qkey(q, 'leased'), id)
          if tonumber(a[1]) >= tonumber(a[2]) then
            redis.call('HSET', J, 'status', 'dlq_pending', 'lease_expires_at', '', 'last_error', ARGV[7], 'updated_at', nowS)
            redis.call('SADD', qkey(q, 'dlq_pending'), id)
          else
            redis.call('HSET', J, 'status', 'queued', 'run_at', ARGV[8], 'lease_expires_at', '', 'last_error', ARGV[7], 'updated_at', nowS)
            schedule(J, q, id)
            if tonumber(ARGV[8]) <= now then wake(q) end
          end
          return {'OK', redis.call('HGETALL', J)}
          """;

  /** ARGV[5] = id, [6] = token, [7] = new expiry (micros). */
  static final String HEARTBEAT =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local e = hold(J, ARGV[6])
          if e then return {e, redis.call('HGET', J, 'status') or ''} end
          local q = redis.call('HGET', J, 'queue')
          redis.call('HSET', J, 'lease_expires_at', ARGV[7], 'updated_at', nowS)
          redis.call('ZADD', qkey(q, 'leased'), ARGV[7], id)
          return {'OK', redis.call('HGETALL', J)}
          """;

  /** ARGV[5] = id, [6] = token. */
  static final String RELEASE =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local e = hold(J, ARGV[6])
          if e then return {e, redis.call('HGET', J, 'status') or ''} end
          local q = redis.call('HGET', J, 'queue')
          finishAttempt(J, id, 'released', '')
          redis.call('HINCRBY', J, 'attempt', -1)
          redis.call('HSET', J, 'status', 'queued', 'lease_expires_at', '', 'updated_at', nowS)
          redis.call('ZREM', qkey(q, 'leased'), id)
          schedule(J, q, id)
          wake(q)
          return {'OK', redis.call('HGETALL', J)}
          """;

  /** The reaper over every queue of the tenant: {@code {id, "1" if it went to dlq_pending}}. */
  static final String REAP =
      PRELUDE
          + """
          local out = {}
          for _, q in ipairs(redis.call('SMEMBERS', P .. '#queues')) do
            local requeued = false
            for _, id in ipairs(redis.call('ZRANGEBYSCORE', qkey(q, 'leased'), '-inf', nowS, 'LIMIT', 0, 1000)) do
              local J = jkey(id)
              local a = redis.call('HMGET', J, 'attempt', 'max_attempts')
              local exhausted = tonumber(a[1]) >= tonumber(a[2])
              expire(J, q, id, exhausted)
              if exhausted then out[#out + 1] = {id, '1'} else requeued = true; out[#out + 1] = {id, '0'} end
            end
            if requeued then wake(q) end
          end
          return {'OK', out}
          """;

  /**
   * ARGV[5] = id, [6] = from status, [7] = to status: a DLQ state machine step, only from {@code
   * from}.
   */
  static final String DLQ_MOVE =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local st = redis.call('HGET', J, 'status')
          if st ~= ARGV[6] then return {'NO', st or ''} end
          local q = redis.call('HGET', J, 'queue')
          redis.call('HSET', J, 'status', ARGV[7], 'updated_at', nowS)
          if ARGV[7] == 'failed' then
            redis.call('HSET', J, 'finished_at', nowS)
            freeKey(J, q, id)
          end
          redis.call('SMOVE', qkey(q, ARGV[6]), qkey(q, ARGV[7]), id)
          return {'OK', redis.call('HGETALL', J)}
          """;

  /**
   * ARGV[5] = id, [6] = redrive|purge: marks the intent (so recovery can finish it) and, for a
   * redrive, takes the unique key back so no enqueue can grab it meanwhile.
   */
  static final String DLQ_OP_BEGIN =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local st = redis.call('HGET', J, 'status')
          if st ~= 'failed' then return {'NOT_FOUND', st or ''} end
          if ARGV[6] == 'redrive' then
            local a = redis.call('HMGET', J, 'unique_key', 'queue')
            if a[1] ~= '' then
              local holder = redis.call('HGET', qkey(a[2], 'uniq'), a[1])
              if holder and holder ~= id then return {'CONFLICT', holder} end
              redis.call('HSET', qkey(a[2], 'uniq'), a[1], id)
            end
          end
          redis.call('HSET', P .. '#dlq_ops', id, ARGV[6])
          return {'OK', redis.call('HGETALL', J)}
          """;

  /** ARGV[5] = id, [6] = new message id: finishes a redrive begun by DLQ_OP_BEGIN. */
  static final String REDRIVE_FINISH =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          if redis.call('HGET', P .. '#dlq_ops', id) ~= 'redrive' then return {'NO', ''} end
          local q = redis.call('HGET', J, 'queue')
          redis.call('HSET', J, 'status', 'queued', 'attempt', '0', 'message_id', ARGV[6], 'run_at', nowS,
            'finished_at', '', 'updated_at', nowS)
          redis.call('SREM', qkey(q, 'failed'), id)
          schedule(J, q, id)
          redis.call('HDEL', P .. '#dlq_ops', id)
          wake(q)
          return {'OK', redis.call('HGETALL', J)}
          """;

  /** ARGV[5] = id: finishes a purge begun by DLQ_OP_BEGIN. */
  static final String PURGE_FINISH =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          if redis.call('HGET', P .. '#dlq_ops', id) ~= 'purge' then return {'NO', ''} end
          local q = redis.call('HGET', J, 'queue')
          if q then redis.call('SREM', qkey(q, 'failed'), id) end
          redis.call('DEL', J, akey(id))
          redis.call('HDEL', P .. '#dlq_ops', id)
          return {'OK', ''}
          """;

  /**
   * Per queue: {name, ready, due delayed, delayed, leased, succeeded, dlq_pending, dlq_recorded,
   * failed}.
   */
  static final String STATS =
      PRELUDE
          + """
          local out = {}
          for _, q in ipairs(redis.call('SMEMBERS', P .. '#queues')) do
            out[#out + 1] = {q, redis.call('ZCARD', qkey(q, 'ready')),
              redis.call('ZCOUNT', qkey(q, 'delayed'), '-inf', nowS),
              redis.call('ZCOUNT', qkey(q, 'delayed'), '(' .. nowS, '+inf'),
              redis.call('ZCARD', qkey(q, 'leased')), redis.call('SCARD', qkey(q, 'succeeded')),
              redis.call('SCARD', qkey(q, 'dlq_pending')), redis.call('SCARD', qkey(q, 'dlq_recorded')),
              redis.call('SCARD', qkey(q, 'failed'))}
          end
          return {'OK', out}
          """;

  /** Jobs in dlq_pending / dlq_recorded of every queue, and DLQ admin steps in flight. */
  static final String DLQ_STUCK =
      PRELUDE
          + """
          local out = {}
          for _, q in ipairs(redis.call('SMEMBERS', P .. '#queues')) do
            for _, id in ipairs(redis.call('SMEMBERS', qkey(q, 'dlq_pending'))) do out[#out + 1] = {id, 'dlq'} end
            for _, id in ipairs(redis.call('SMEMBERS', qkey(q, 'dlq_recorded'))) do out[#out + 1] = {id, 'dlq'} end
          end
          local ops = redis.call('HGETALL', P .. '#dlq_ops')
          for i = 1, #ops, 2 do out[#out + 1] = {ops[i], ops[i + 1]} end
          return {'OK', out}
          """;
}
