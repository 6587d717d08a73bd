package dev.flowstore.redis.internal;

import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.QueueContents;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The Redis queue's contents, for {@code flowstore copy} and {@code compare} (docs/switching.md
 * "The Redis queue"). Reading starts with one SCAN of the environment's job hashes ({@code
 * flowstore:<env>:{*}:#job:*}), taken once per instance: the ids of every tenant's jobs at that
 * moment (a source must be frozen, as for the SQL copy); each batch is then read by one script
 * (hash + attempt list of each job). Writing stores each job with one script per batch, in the
 * state it had: its hash (fencing token, attempt, lease expiry, times), its attempt history (the
 * ended attempts in {@code #att:<id>}, an open one in the hash as a lease leaves it) and its place
 * in the indexes: {@code ready} (due) or {@code delayed}, {@code leased} by lease expiry, {@code
 * #succeeded} with {@code #succeeded_n}, the DLQ state sets, {@code uniq} for an active job's
 * unique key, {@code #queues} and {@code #seq}. A job whose hash exists already is skipped (a
 * resumed copy writes each once). The copy's mark is the key {@code flowstore:<env>:copy}.
 */
final class RedisQueueContents implements QueueContents {
  /** The attempt list holds at most this many (as the lease script trims it). */
  private static final int MAX_LIST = 999;

  private static final String DUMP =
      Scripts.withPrelude(
          """
          local out = {}
          for i = 5, #ARGV do
            out[#out + 1] = {redis.call('HGETALL', jkey(ARGV[i])), redis.call('LRANGE', akey(ARGV[i]), 0, -1)}
          end
          return {'OK', out}
          """);

  private static final String SEQS =
      Scripts.withPrelude(
          """
          local out = {}
          for i = 5, #ARGV do out[#out + 1] = redis.call('HGET', jkey(ARGV[i]), 'seq') or '' end
          return {'OK', out}
          """);

  /**
   * ARGV[5] = n, ARGV[6] = '1' to replace a job that exists (a copy skips it), then per job: id,
   * number of hash items, the items (field, value...), number of attempt entries, the entries; then
   * the number of jobs to delete and their ids. Reply: {written, deleted}.
   */
  private static final String IMPORT =
      Scripts.withPrelude(
          """
          -- a job out of every index it is in, and deleted (the mirror replaces or deletes it)
          local function unindex(id)
            local J = jkey(id)
            local a = redis.call('HMGET', J, 'status', 'queue', 'priority', 'run_at', 'seq', 'unique_key')
            if not a[1] then return 0 end
            local st, q = a[1], a[2]
            if st == 'queued' then
              redis.call('ZREM', qkey(q, 'ready'), rk(a[3], a[4], a[5], id))
              redis.call('ZREM', qkey(q, 'delayed'), id)
            elseif st == 'leased' then
              redis.call('ZREM', qkey(q, 'leased'), id)
            elseif st == 'succeeded' then
              if redis.call('ZREM', P .. '#succeeded', id) == 1
                  and redis.call('HINCRBY', P .. '#succeeded_n', q, -1) <= 0 then
                redis.call('HDEL', P .. '#succeeded_n', q)
              end
            else
              redis.call('SREM', qkey(q, st), id)
            end
            freeKey(q, a[6], id)
            redis.call('DEL', J, akey(id))
            return 1
          end
          local n = tonumber(ARGV[5])
          local replace = ARGV[6] == '1'
          local i = 7
          local written = 0
          local seq0 = tonumber(redis.call('GET', P .. '#seq') or '0')
          local maxseq = seq0
          local woken = {}
          for _ = 1, n do
            local id = ARGV[i]
            local nh = tonumber(ARGV[i + 1])
            local h = {}
            for j = 1, nh do h[j] = ARGV[i + 1 + j] end
            i = i + 2 + nh
            local na = tonumber(ARGV[i])
            local att = {}
            for j = 1, na do att[j] = ARGV[i + j] end
            i = i + 1 + na
            local J = jkey(id)
            if replace then unindex(id) end
            if redis.call('EXISTS', J) == 0 then
              redis.call('HSET', J, unpack(h))
              if na > 0 then redis.call('RPUSH', akey(id), unpack(att)) end
              local f = {}
              for j = 1, nh, 2 do f[h[j]] = h[j + 1] end
              local q, st = f['queue'], f['status']
              redis.call('SADD', P .. '#queues', q)
              if st == 'queued' then
                schedule(q, id, f['priority'], f['run_at'], f['seq'])
                woken[q] = true
              elseif st == 'leased' then
                redis.call('ZADD', qkey(q, 'leased'), f['lease_expires_at'], id)
              elseif st == 'succeeded' then
                redis.call('ZADD', P .. '#succeeded', f['finished_at'], id)
                redis.call('HINCRBY', P .. '#succeeded_n', q, 1)
              else
                redis.call('SADD', qkey(q, st), id)
              end
              if f['unique_key'] and st ~= 'succeeded' and st ~= 'failed' then
                redis.call('HSET', qkey(q, 'uniq'), f['unique_key'], id)
              end
              if tonumber(f['seq']) > maxseq then maxseq = tonumber(f['seq']) end
              logged(id)
              written = written + 1
            end
          end
          local deleted = 0
          for j = 1, tonumber(ARGV[i] or '0') do
            deleted = deleted + unindex(ARGV[i + j])
            logged(ARGV[i + j])
          end
          if maxseq ~= seq0 then redis.call('SET', P .. '#seq', int(maxseq)) end
          for q, _ in pairs(woken) do wake(q) end
          return {'OK', {written, deleted}}
          """);

  private final RedisQueueBackend backend;
  private final String env;
  private Map<String, List<String>> index;

  RedisQueueContents(RedisQueueBackend backend, String env) {
    this.backend = backend;
    this.env = env;
  }

  private RedisCalls redis() {
    return backend.redis();
  }

  private String markKey() {
    return "flowstore:" + env + ":copy";
  }

  /** Tenant -> ids of its job hashes, from one SCAN (taken at first use). */
  private Map<String, List<String>> index() {
    if (index != null) return index;
    Map<String, List<String>> m = new TreeMap<>();
    String head = "flowstore:" + env + ":{";
    String pattern = glob(head) + "*}:#job:*";
    redis()
        .scan(
            pattern,
            key -> {
              int close = key.indexOf("}:#job:", head.length());
              if (close < 0) return;
              m.computeIfAbsent(key.substring(head.length(), close), k -> new ArrayList<>())
                  .add(key.substring(close + "}:#job:".length()));
            });
    index = m;
    return m;
  }

  static String glob(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if ("*?[]\\".indexOf(c) >= 0) b.append('\\');
      b.append(c);
    }
    return b.toString();
  }

  @Override
  public List<TenantId> tenants() {
    List<TenantId> out = new ArrayList<>();
    for (String t : index().keySet()) out.add(new TenantId(t));
    return out;
  }

  @Override
  public long count(TenantId tenant) {
    return index().getOrDefault(tenant.value(), List.of()).size();
  }

  @Override
  public void read(TenantId tenant, int batchSize, Consumer<List<StoredJob>> batch) {
    Keys keys = new Keys(env, tenant);
    List<String> ids = index().getOrDefault(tenant.value(), List.of());
    // enqueue order: the seq of each, read in pages
    List<Object[]> bySeq = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i += 1000) {
      List<String> page = ids.subList(i, Math.min(ids.size(), i + 1000));
      List<?> seqs = (List<?>) ok(redis().eval(SEQS, keys, page.toArray(String[]::new)));
      for (int j = 0; j < page.size(); j++) {
        String s = (String) seqs.get(j);
        if (s != null && !s.isEmpty()) bySeq.add(new Object[] {Long.parseLong(s), page.get(j)});
      }
    }
    bySeq.sort(
        Comparator.<Object[]>comparingLong(o -> (Long) o[0]).thenComparing(o -> (String) o[1]));
    for (int i = 0; i < bySeq.size(); i += batchSize) {
      List<Object[]> page = bySeq.subList(i, Math.min(bySeq.size(), i + batchSize));
      String[] args = page.stream().map(o -> (String) o[1]).toArray(String[]::new);
      List<?> reply = (List<?>) ok(redis().eval(DUMP, keys, args));
      List<StoredJob> out = new ArrayList<>(reply.size());
      for (Object o : reply) {
        List<?> pair = (List<?>) o;
        Map<String, String> hash = JobCodec.fields(pair.get(0));
        if (hash.isEmpty()) continue; // gone since the scan
        out.add(
            new StoredJob(
                JobCodec.job(tenant, hash), JobCodec.attempts(hash, (List<?>) pair.get(1))));
      }
      if (!out.isEmpty()) batch.accept(out);
    }
  }

  @Override
  public int write(TenantId tenant, List<StoredJob> jobs) {
    if (jobs.isEmpty()) return 0;
    return store(tenant, jobs, List.of(), false)[0];
  }

  /**
   * The mirror's write into this queue: in one script, each job of {@code current} replaces the job
   * with its id (taken out of every index first), and the jobs {@code gone} names are deleted.
   */
  @Override
  public int[] replace(TenantId tenant, List<StoredJob> current, List<java.util.UUID> gone) {
    if (current.isEmpty() && gone.isEmpty()) return new int[2];
    return store(tenant, current, gone, true);
  }

  private int[] store(
      TenantId tenant, List<StoredJob> jobs, List<java.util.UUID> gone, boolean replace) {
    List<String> args = new ArrayList<>();
    args.add(Integer.toString(jobs.size()));
    args.add(replace ? "1" : "0");
    for (StoredJob s : jobs) encode(s, args);
    args.add(Integer.toString(gone.size()));
    for (java.util.UUID id : gone) args.add(id.toString());
    List<?> r =
        (List<?>)
            ok(
                redis()
                    .eval(
                        IMPORT, new Keys(env, tenant), backend.now(), args.toArray(String[]::new)));
    return new int[] {((Number) r.get(0)).intValue(), ((Number) r.get(1)).intValue()};
  }

  /** One job as the import script takes it: id, hash items, attempt entries. */
  private static void encode(StoredJob s, List<String> args) {
    Job j = s.job();
    List<String> h = new ArrayList<>();
    put(h, "job_id", j.jobId().toString());
    put(h, "message_id", j.messageId().toString());
    put(h, "event_id", j.eventId() == null ? null : j.eventId().toString());
    put(h, "trace_id", j.traceId());
    put(h, "queue", j.queue());
    put(h, "job_type", j.jobType());
    put(h, "payload", Json.write(j.payload()));
    put(h, "priority", Integer.toString(j.priority()));
    put(h, "run_at", Long.toString(JobCodec.micros(j.runAt())));
    put(h, "attempt", Integer.toString(j.attempt()));
    put(h, "max_attempts", Integer.toString(j.maxAttempts()));
    put(h, "unique_key", j.uniqueKey());
    put(h, "status", j.status().wire());
    put(h, "token", Long.toString(j.leaseToken()));
    put(h, "lease_expires_at", j.leaseExpiresAt() == null ? null : micros(j.leaseExpiresAt()));
    put(h, "last_error", j.lastError());
    put(h, "seq", Long.toString(j.seq()));
    put(h, "created_at", micros(j.createdAt()));
    put(h, "updated_at", micros(j.updatedAt()));
    put(h, "finished_at", j.finishedAt() == null ? null : micros(j.finishedAt()));
    // why att_tail without last_outcome: every ended attempt goes to the list, and the hash holds
    // only an open one (as a lease leaves it); the next lease then has nothing to move to the list
    put(h, "att_tail", "1");
    List<JobAttempt> ended = new ArrayList<>(s.attempts());
    if (j.status() == Job.Status.LEASED) {
      JobAttempt open = null;
      for (int i = ended.size() - 1; i >= 0; i--)
        if (ended.get(i).outcome() == JobAttempt.Outcome.LEASED) {
          open = ended.remove(i);
          break;
        }
      put(h, "leased_at", micros(open == null ? j.updatedAt() : open.leasedAt()));
    }
    if (ended.size() > MAX_LIST) ended = ended.subList(ended.size() - MAX_LIST, ended.size());
    args.add(j.jobId().toString());
    args.add(Integer.toString(h.size()));
    args.addAll(h);
    args.add(Integer.toString(ended.size()));
    for (JobAttempt a : ended)
      args.add(
          a.attempt()
              + "|"
              + a.token()
              + "|"
              + a.outcome().name().toLowerCase(Locale.ROOT)
              + "|"
              + micros(a.leasedAt())
              + "|"
              + (a.finishedAt() == null ? "" : micros(a.finishedAt()))
              + "|"
              + (a.error() == null ? "" : a.error()));
  }

  private static void put(List<String> h, String field, String value) {
    if (value == null || value.isEmpty()) return;
    h.add(field);
    h.add(value);
  }

  private static String micros(java.time.Instant t) {
    return Long.toString(JobCodec.micros(t));
  }

  private static Object ok(List<Object> reply) {
    if (!"OK".equals(reply.get(0)))
      throw new IllegalStateException("queue contents script answered " + reply);
    return reply.get(1);
  }

  @Override
  public boolean isEmpty() {
    return copyMark() == null && index().isEmpty();
  }

  @Override
  public String copyMark() {
    return redis().call(() -> redis().commands().get(markKey()));
  }

  @Override
  public void markCopy(String source, boolean done) {
    String value = source + "\n" + (done ? "1" : "0");
    redis().call(() -> redis().commands().set(markKey(), value));
  }

  @Override
  public String describe() {
    return backend.describe();
  }
}
