package dev.flowstore.redis.internal;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The queue's Lua scripts: each runs atomically in Redis, so a lease, ack, nack, heartbeat or
 * release either happens whole or not at all, and the token check and the write can't be
 * interleaved with another client. Every script gets {@code ARGV[1..4] = key prefix, pub/sub
 * channel, tenant, now (micros, from the store's clock)} and {@code KEYS[1]} = a key of the
 * tenant's slot (routing). Times are passed and stored as strings of microseconds: Lua numbers are
 * doubles, so values are never formatted by Lua's {@code tostring} (it would print 1.7e+15), only
 * with {@code %d}.
 *
 * <p>Replies: {@code {code, value}} where code is OK, NOT_FOUND, LEASE_LOST, CONFLICT or NO. A job
 * in a reply is the values of {@link #FIELDS}, in that order ({@link JobCodec#job(
 * dev.flowstore.TenantId, Object)}).
 *
 * <p>Speed: every {@code redis.call} costs about as much as a small command, and every value moved
 * between Redis and Lua (an argument, an element of a reply) a fraction of one, so the scripts read
 * each hash once with one HMGET of the fields they need, write it once, and return a job only when
 * the caller needs it (docs/benchmarks.md, row 5).
 *
 * <p>Longer than our ~400-line rule on purpose: it is mostly Lua text, and the scripts share the
 * reply format, {@link #FIELDS} and the key layout, so a change to one is reviewed against the
 * others in one file.
 */
final class Scripts {
  private Scripts() {}

  /** The job hash fields a reply carries, in this order. */
  static final List<String> FIELDS =
      List.of(
          "job_id",
          "message_id",
          "event_id",
          "trace_id",
          "queue",
          "job_type",
          "payload",
          "priority",
          "run_at",
          "attempt",
          "max_attempts",
          "unique_key",
          "status",
          "token",
          "lease_expires_at",
          "last_error",
          "seq",
          "created_at",
          "updated_at",
          "finished_at");

  private static final String PRELUDE =
      """
      local P = ARGV[1]
      local nowS = ARGV[4]
      local now = tonumber(nowS)
      local function jkey(id) return P .. '#job:' .. id end
      local function akey(id) return P .. '#att:' .. id end
      local function qkey(q, part) return P .. q .. ':' .. part end
      local function wake(q) redis.call('PUBLISH', ARGV[2], ARGV[3] .. ':' .. q) end
      local function int(n) return string.format('%%d', n) end
      -- the mirror's change log (docs/mirror.md, "The Redis queue"): while the tenant's #mirror key
      -- exists, every job a script changes or deletes is logged in the zset #changes by id, scored
      -- by the counter #chgseq (so a change after the mirror read an entry gives it a new score)
      local mirroring = nil
      local function logged(id)
        if mirroring == nil then mirroring = redis.call('EXISTS', P .. '#mirror') == 1 end
        if mirroring then redis.call('ZADD', P .. '#changes', redis.call('INCR', P .. '#chgseq'), id) end
      end
      -- the job as the values of FIELDS
      local function read(J) return redis.call('HMGET', J, %s) end
      -- lex member of the ready set: priority desc, run_at, seq (fixed width), then the id
      local function rk(prio, runAt, seq, id)
        runAt = math.min(math.max(0, tonumber(runAt)), 99999999999999999)
        return string.format('%%010d:%%017d:%%019d:', 2147483647 - tonumber(prio), runAt, tonumber(seq)) .. id
      end
      -- a queued job into ready (due) or delayed
      local function schedule(q, id, prio, runAtS, seq)
        if tonumber(runAtS) <= now then
          redis.call('ZADD', qkey(q, 'ready'), 0, rk(prio, runAtS, seq, id))
        else
          redis.call('ZADD', qkey(q, 'delayed'), runAtS, id)
        end
      end
      -- the unique key goes with the job that held it (SUCCEEDED, FAILED, deleted)
      local function freeKey(q, u, id)
        if u and u ~= '' and redis.call('HGET', qkey(q, 'uniq'), u) == id then
          redis.call('HDEL', qkey(q, 'uniq'), u)
        end
      end
      -- what the settling scripts read (each field read costs): a[1..5] status, token, queue,
      -- unique_key, att_tail; with full also a[6..11] attempt, max_attempts, leased_at, priority,
      -- run_at, seq. tok = nil: no token check.
      local function hold(J, tok, full)
        local a
        if full then
          a = redis.call('HMGET', J, 'status', 'token', 'queue', 'unique_key', 'att_tail', 'attempt',
            'max_attempts', 'leased_at', 'priority', 'run_at', 'seq')
        else
          a = redis.call('HMGET', J, 'status', 'token', 'queue', 'unique_key', 'att_tail')
        end
        if not a[1] then return nil, 'NOT_FOUND', '' end
        if tok and (a[1] ~= 'leased' or a[2] ~= tok) then return nil, 'LEASE_LOST', a[1] end
        return a
      end
      -- ends the open attempt of a (from hold): with att_tail it is kept in the hash fields
      -- last_outcome, last_finished_at (appended to h, the caller's HSET; its number is attempt,
      -- or last_attempt after a release), else (a job leased by layout 1) in the list's last entry
      local function close(J, id, a, outcome, err, h)
        if a[5] == '1' then
          h[#h + 1] = 'last_outcome'; h[#h + 1] = outcome
          h[#h + 1] = 'last_finished_at'; h[#h + 1] = nowS
        else
          local b = redis.call('HMGET', J, 'attempt', 'leased_at')
          -- pcall: a list lost by hand must not fail the other acks of a batch
          redis.pcall('LSET', akey(id), -1, (b[1] or '') .. '|' .. a[2] .. '|' .. outcome .. '|' .. (b[2] or '') .. '|' .. nowS .. '|' .. err)
        end
        return h
      end
      -- an expired (or abandoned) lease ends: back to the queue, or to dlq_pending without attempts left
      local function expire(J, q, id, a, exhausted)
        redis.call('ZREM', qkey(q, 'leased'), id)
        if exhausted then
          redis.call('HSET', J, unpack(close(J, id, a, 'expired', 'lease expired', {'status', 'dlq_pending',
            'lease_expires_at', '', 'last_error', 'lease expired', 'updated_at', nowS})))
          redis.call('SADD', qkey(q, 'dlq_pending'), id)
        else
          redis.call('HSET', J, unpack(close(J, id, a, 'expired', 'lease expired', {'status', 'queued',
            'lease_expires_at', '', 'last_error', 'lease expired', 'updated_at', nowS})))
          schedule(q, id, a[9], a[10], a[11])
        end
        logged(id)
      end
      """
          .formatted(FIELDS.stream().map(f -> "'" + f + "'").collect(Collectors.joining(", ")));

  /** A script body with the shared prelude (helpers, key names) before it. */
  static String withPrelude(String body) {
    return PRELUDE + body;
  }

  /**
   * ARGV[5] = n, then 11 per job: id, message_id, event_id, trace_id, queue, job_type, payload,
   * priority, run_at, max_attempts, unique_key. Reply per job: its seq (a number) when stored, else
   * {@code {duplicate 0|1, job}} (the job with that id, or the active holder of its unique key).
   * Fields without a value (no trace id, not leased yet...) are not stored: a missing field reads
   * as empty.
   */
  static final String ENQUEUE =
      PRELUDE
          + """
          local n = tonumber(ARGV[5])
          local out = {}
          local woken = {}
          local seq0 = tonumber(redis.call('GET', P .. '#seq') or '0')
          local seq = seq0
          for i = 0, n - 1 do
            local b = 6 + i * 11
            local id = ARGV[b]
            local q = ARGV[b + 4]
            local ukey = ARGV[b + 10]
            local J = jkey(id)
            local holder = false
            if redis.call('EXISTS', J) == 1 then
              out[#out + 1] = {0, read(J)}
            else
              if ukey ~= '' then holder = redis.call('HGET', qkey(q, 'uniq'), ukey) end
              if holder then
                out[#out + 1] = {1, read(jkey(holder))}
              else
                seq = seq + 1
                local h = {'job_id', id, 'message_id', ARGV[b + 1], 'queue', q, 'job_type', ARGV[b + 5],
                  'payload', ARGV[b + 6], 'priority', ARGV[b + 7], 'run_at', ARGV[b + 8], 'attempt', '0',
                  'max_attempts', ARGV[b + 9], 'status', 'queued', 'token', '0', 'seq', int(seq),
                  'created_at', nowS, 'updated_at', nowS, 'att_tail', '1'}
                if ARGV[b + 2] ~= '' then h[#h + 1] = 'event_id'; h[#h + 1] = ARGV[b + 2] end
                if ARGV[b + 3] ~= '' then h[#h + 1] = 'trace_id'; h[#h + 1] = ARGV[b + 3] end
                if ukey ~= '' then
                  h[#h + 1] = 'unique_key'; h[#h + 1] = ukey
                  redis.call('HSET', qkey(q, 'uniq'), ukey, id)
                end
                redis.call('HSET', J, unpack(h))
                logged(id)
                schedule(q, id, ARGV[b + 7], ARGV[b + 8], seq)
                woken[q] = true
                out[#out + 1] = seq
              end
            end
          end
          if seq ~= seq0 then redis.call('SET', P .. '#seq', int(seq)) end
          for q, _ in pairs(woken) do
            redis.call('SADD', P .. '#queues', q)
            wake(q)
          end
          return {'OK', out}
          """;

  /**
   * ARGV[5] = queue, [6] = lease expiry (micros), [7] = max. The attempt a lease opens lives in the
   * job hash (attempt, token, leased_at; then last_* when it ends); the previous attempt, if any,
   * moves to the list {@code #att:<id>} now, so a job leased once and acked never has a list.
   */
  static final String LEASE =
      PRELUDE
          + """
          local q = ARGV[5]
          local expS = ARGV[6]
          local max = tonumber(ARGV[7])
          for _, id in ipairs(redis.call('ZRANGEBYSCORE', qkey(q, 'leased'), '-inf', nowS, 'LIMIT', 0, 1000)) do
            local J = jkey(id)
            local a = hold(J, nil, true)
            if a and tonumber(a[6]) < tonumber(a[7]) then expire(J, q, id, a, false) end
          end
          local due = redis.call('ZRANGEBYSCORE', qkey(q, 'delayed'), '-inf', nowS, 'LIMIT', 0, 1000)
          if #due > 0 then
            redis.call('ZREM', qkey(q, 'delayed'), unpack(due))
            for _, id in ipairs(due) do
              local a = redis.call('HMGET', jkey(id), 'priority', 'run_at', 'seq')
              schedule(q, id, a[1], a[2], a[3])
            end
          end
          local out = {}
          local leased = {}
          local popped = redis.call('ZPOPMIN', qkey(q, 'ready'), max)
          for i = 1, #popped, 2 do
            local id = string.sub(popped[i], -36)
            local J = jkey(id)
            local v = redis.call('HMGET', J, %s,
              'att_tail', 'last_attempt', 'last_outcome', 'leased_at', 'last_finished_at')
            if v[1] then
              local attempt = int(tonumber(v[10]) + 1)
              local tok = int(tonumber(v[14]) + 1)
              -- (a job of layout 1, without att_tail, has every ended attempt in the list already)
              if v[21] and v[23] and v[23] ~= '' then
                local err = ''
                if v[23] == 'failed' or v[23] == 'expired' then err = v[16] or '' end
                local n = v[22]
                if not n or n == '' then n = v[10] end
                if redis.call('RPUSH', akey(id), n .. '|' .. v[14] .. '|' .. v[23] .. '|' .. v[24] .. '|' .. v[25] .. '|' .. err) > 999 then
                  redis.call('LTRIM', akey(id), -999, -1)
                end
              end
              if v[21] and not v[22] and not v[23] then
                -- never leased (the common case): nothing of a previous attempt to clear
                redis.call('HSET', J, 'status', 'leased', 'attempt', attempt, 'token', tok, 'lease_expires_at', expS,
                  'leased_at', nowS, 'updated_at', nowS)
              else
                redis.call('HSET', J, 'status', 'leased', 'attempt', attempt, 'token', tok, 'lease_expires_at', expS,
                  'leased_at', nowS, 'updated_at', nowS, 'last_outcome', '', 'last_attempt', '', 'att_tail', '1')
              end
              logged(id)
              leased[#leased + 1] = expS
              leased[#leased + 1] = id
              for k = 21, 25 do v[k] = nil end
              v[10] = attempt
              v[13] = 'leased'
              v[14] = tok
              v[15] = expS
              v[19] = nowS
              out[#out + 1] = v
            end
          end
          if #leased > 0 then redis.call('ZADD', qkey(q, 'leased'), unpack(leased)) end
          return {'OK', out}
          """
              .formatted(FIELDS.stream().map(f -> "'" + f + "'").collect(Collectors.joining(", ")));

  /**
   * Acks, ARGV[5] = n, then 3 per ack: id, token, "1" to reply with the job (else the caller knows
   * it). Reply per ack: {@code {code, job or '' or the status}}. Each ack leaves the leased set for
   * {@code #succeeded} (by finish time, for {@link #PURGE_SUCCEEDED}) and its queue's count in
   * {@code #succeeded_n}. Several acks in one call are what {@link AckBatcher} sends.
   */
  static final String ACK =
      PRELUDE
          + """
          local out = {}
          local n = tonumber(ARGV[5])
          for i = 0, n - 1 do
            local id = ARGV[6 + i * 3]
            local J = jkey(id)
            local a, e, st = hold(J, ARGV[7 + i * 3])
            if a then
              local q = a[3]
              redis.call('HSET', J, unpack(close(J, id, a, 'succeeded', '', {'status', 'succeeded',
                'lease_expires_at', '', 'finished_at', nowS, 'updated_at', nowS})))
              redis.call('ZREM', qkey(q, 'leased'), id)
              redis.call('ZADD', P .. '#succeeded', nowS, id)
              redis.call('HINCRBY', P .. '#succeeded_n', q, 1)
              freeKey(q, a[4], id)
              logged(id)
              if ARGV[8 + i * 3] == '1' then out[#out + 1] = {'OK', read(J)} else out[#out + 1] = {'OK', ''} end
            else
              out[#out + 1] = {e, st}
            end
          end
          return {'OK', out}
          """;

  /** ARGV[5] = id, [6] = token, [7] = error, [8] = run_at of the retry (micros). */
  static final String NACK =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local a, e, st = hold(J, ARGV[6], true)
          if not a then return {e, st} end
          local q = a[3]
          redis.call('ZREM', qkey(q, 'leased'), id)
          if tonumber(a[6]) >= tonumber(a[7]) then
            redis.call('HSET', J, unpack(close(J, id, a, 'failed', ARGV[7], {'status', 'dlq_pending',
              'lease_expires_at', '', 'last_error', ARGV[7], 'updated_at', nowS})))
            redis.call('SADD', qkey(q, 'dlq_pending'), id)
          else
            redis.call('HSET', J, unpack(close(J, id, a, 'failed', ARGV[7], {'status', 'queued', 'run_at', ARGV[8],
              'lease_expires_at', '', 'last_error', ARGV[7], 'updated_at', nowS})))
            schedule(q, id, a[9], ARGV[8], a[11])
            if tonumber(ARGV[8]) <= now then wake(q) end
          end
          logged(id)
          return {'OK', read(J)}
          """;

  /** ARGV[5] = id, [6] = token, [7] = new expiry (micros). */
  static final String HEARTBEAT =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local a, e, st = hold(J, ARGV[6])
          if not a then return {e, st} end
          redis.call('HSET', J, 'lease_expires_at', ARGV[7], 'updated_at', nowS)
          redis.call('ZADD', qkey(a[3], 'leased'), ARGV[7], id)
          logged(id)
          return {'OK', read(J)}
          """;

  /** ARGV[5] = id, [6] = token. The attempt does not count: attempt goes back down by one. */
  static final String RELEASE =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          local a, e, st = hold(J, ARGV[6], true)
          if not a then return {e, st} end
          local q = a[3]
          redis.call('HSET', J, unpack(close(J, id, a, 'released', '', {'status', 'queued',
            'attempt', int(tonumber(a[6]) - 1), 'last_attempt', a[6], 'lease_expires_at', '', 'updated_at', nowS})))
          redis.call('ZREM', qkey(q, 'leased'), id)
          schedule(q, id, a[9], a[10], a[11])
          logged(id)
          wake(q)
          return {'OK', read(J)}
          """;

  /**
   * ARGV[5] = id: the job's hash (HGETALL) and its attempt list, read together (a lease moves an
   * attempt from the one to the other).
   */
  static final String GET =
      PRELUDE
          + """
          local J = jkey(ARGV[5])
          return {'OK', {redis.call('HGETALL', J), redis.call('LRANGE', akey(ARGV[5]), 0, -1)}}
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
              local a = hold(J, nil, true)
              if a then
                local exhausted = tonumber(a[6]) >= tonumber(a[7])
                expire(J, q, id, a, exhausted)
                if exhausted then out[#out + 1] = {id, '1'} else requeued = true; out[#out + 1] = {id, '0'} end
              else
                redis.call('ZREM', qkey(q, 'leased'), id)
              end
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
          local a = redis.call('HMGET', J, 'status', 'queue', 'unique_key')
          if a[1] ~= ARGV[6] then return {'NO', a[1] or ''} end
          local q = a[2]
          redis.call('HSET', J, 'status', ARGV[7], 'updated_at', nowS)
          if ARGV[7] == 'failed' then
            redis.call('HSET', J, 'finished_at', nowS)
            freeKey(q, a[3], id)
          end
          redis.call('SMOVE', qkey(q, ARGV[6]), qkey(q, ARGV[7]), id)
          logged(id)
          return {'OK', ''}
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
          local a = redis.call('HMGET', J, 'status', 'unique_key', 'queue')
          if a[1] ~= 'failed' then return {'NOT_FOUND', a[1] or ''} end
          if ARGV[6] == 'redrive' and a[2] and a[2] ~= '' then
            local holder = redis.call('HGET', qkey(a[3], 'uniq'), a[2])
            if holder and holder ~= id then return {'CONFLICT', holder} end
            redis.call('HSET', qkey(a[3], 'uniq'), a[2], id)
          end
          redis.call('HSET', P .. '#dlq_ops', id, ARGV[6])
          return {'OK', ''}
          """;

  /** ARGV[5] = id, [6] = new message id: finishes a redrive begun by DLQ_OP_BEGIN. */
  static final String REDRIVE_FINISH =
      PRELUDE
          + """
          local id = ARGV[5]
          local J = jkey(id)
          if redis.call('HGET', P .. '#dlq_ops', id) ~= 'redrive' then return {'NO', ''} end
          local a = redis.call('HMGET', J, 'queue', 'priority', 'seq', 'attempt', 'last_attempt')
          local q = a[1]
          -- the last attempt (in the hash) keeps its number while attempt starts again from 0
          local last = a[5]
          if not last or last == '' then last = a[4] end
          redis.call('HSET', J, 'status', 'queued', 'attempt', '0', 'last_attempt', last, 'message_id', ARGV[6],
            'run_at', nowS, 'finished_at', '', 'updated_at', nowS)
          redis.call('SREM', qkey(q, 'failed'), id)
          schedule(q, id, a[2], nowS, a[3])
          redis.call('HDEL', P .. '#dlq_ops', id)
          logged(id)
          wake(q)
          return {'OK', read(J)}
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
          logged(id)
          return {'OK', ''}
          """;

  /**
   * Retention, ARGV[5] = cutoff (micros), [6] = max: deletes up to max jobs of {@code #succeeded}
   * that finished before the cutoff, oldest first, with their attempt list (and a unique-key entry
   * still naming them), and takes them off their queue's count. A member whose hash is missing or
   * not SUCCEEDED (it can't be, unless the data was edited by hand) only leaves the index. Reply:
   * how many jobs were deleted.
   */
  static final String PURGE_SUCCEEDED =
      PRELUDE
          + """
          local ids = redis.call('ZRANGEBYSCORE', P .. '#succeeded', '-inf', '(' .. ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))
          if #ids == 0 then return {'OK', 0} end
          local byQueue = {}
          local deleted = 0
          for _, id in ipairs(ids) do
            local J = jkey(id)
            local a = redis.call('HMGET', J, 'status', 'queue', 'unique_key')
            if a[1] == 'succeeded' then
              freeKey(a[2], a[3], id)
              redis.call('DEL', J, akey(id))
              logged(id)
              byQueue[a[2]] = (byQueue[a[2]] or 0) + 1
              deleted = deleted + 1
            end
          end
          for i = 1, #ids, 1000 do
            redis.call('ZREM', P .. '#succeeded', unpack(ids, i, math.min(#ids, i + 999)))
          end
          for q, k in pairs(byQueue) do
            if redis.call('HINCRBY', P .. '#succeeded_n', q, -k) <= 0 then
              redis.call('HDEL', P .. '#succeeded_n', q)
            end
          end
          return {'OK', deleted}
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
              redis.call('ZCARD', qkey(q, 'leased')),
              tonumber(redis.call('HGET', P .. '#succeeded_n', q) or '0'),
              redis.call('SCARD', qkey(q, 'dlq_pending')), redis.call('SCARD', qkey(q, 'dlq_recorded')),
              redis.call('SCARD', qkey(q, 'failed'))}
          end
          return {'OK', out}
          """;

  /**
   * A page of one queue's jobs, newest first (Queue.list): ARGV[5] queue, [6] status or '', [7] job
   * type or '', [8] before seq (0: none), [9] limit. why a cap: each state is a set or zset of its
   * own, so the script reads at most LIST_CAP members of each (for SUCCEEDED, the newest LIST_CAP
   * of the tenant), keeping one call bounded on a large queue; docs/dashboard.md says so.
   */
  static final String LIST =
      PRELUDE
          + """
          local q, want, jt = ARGV[5], ARGV[6], ARGV[7]
          local before, limit, cap = tonumber(ARGV[8]), tonumber(ARGV[9]), 10000
          local ids = {}
          local function take(list, lex)
            for _, m in ipairs(list) do
              if lex then m = string.match(m, '([^:]+)$') end
              ids[#ids + 1] = m
            end
          end
          if want == '' or want == 'queued' then
            take(redis.call('ZRANGE', qkey(q, 'ready'), 0, cap - 1), true)
            take(redis.call('ZRANGE', qkey(q, 'delayed'), 0, cap - 1), false)
          end
          if want == '' or want == 'leased' then take(redis.call('ZRANGE', qkey(q, 'leased'), 0, cap - 1), false) end
          for _, s in ipairs({'dlq_pending', 'dlq_recorded', 'failed'}) do
            if want == '' or want == s then take(redis.call('SRANDMEMBER', qkey(q, s), cap), false) end
          end
          if want == '' or want == 'succeeded' then take(redis.call('ZREVRANGE', P .. '#succeeded', 0, cap - 1), false) end
          local found = {}
          for _, id in ipairs(ids) do
            local m = redis.call('HMGET', jkey(id), 'queue', 'job_type', 'status', 'seq')
            local seq = tonumber(m[4])
            if m[1] == q and (jt == '' or m[2] == jt) and (want == '' or m[3] == want)
                and seq and (before == 0 or seq < before) then
              found[#found + 1] = {seq, id}
            end
          end
          table.sort(found, function(a, b) return a[1] > b[1] end)
          local out = {}
          for i = 1, math.min(limit, #found) do out[#out + 1] = read(jkey(found[i][2])) end
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

  /**
   * Layout 1 -> 2 (a queue's succeeded jobs moved from the set {@code <queue>:succeeded} to {@code
   * #succeeded} + {@code #succeeded_n}), for queue ARGV[5] and its set ARGV[6]: moves up to 1000
   * ids and replies with how many are left.
   */
  static final String MIGRATE_SUCCEEDED =
      PRELUDE
          + """
          local q = ARGV[5]
          local ids = redis.call('SPOP', ARGV[6], 1000)
          for _, id in ipairs(ids) do
            local a = redis.call('HMGET', jkey(id), 'status', 'finished_at', 'updated_at')
            if a[1] == 'succeeded' then
              local at = a[2]
              if not at or at == '' then at = a[3] or nowS end
              redis.call('ZADD', P .. '#succeeded', at, id)
              redis.call('HINCRBY', P .. '#succeeded_n', q, 1)
            end
          end
          return {'OK', redis.call('SCARD', ARGV[6])}
          """;
}
