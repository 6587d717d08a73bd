package dev.flowstore.redis.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import dev.flowstore.spi.Mirroring.CaptureState;
import dev.flowstore.spi.QueueChanges;
import dev.flowstore.spi.QueueContents.StoredJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The Redis queue's change log for the mirror (docs/mirror.md, "The Redis queue"). Every queue
 * script calls {@code logged(id)} for a job it changes or deletes: while the tenant's {@code
 * #mirror} key exists, the id goes into the tenant's zset {@code #changes}, scored by the counter
 * {@code #chgseq} (a later change of the same job gives it a higher score; the log holds each job
 * once). Everything stays in the tenant's Redis Cluster slot: the scripts never read a key of
 * another slot.
 *
 * <p>Capture is one key of the environment, {@code flowstore:<env>:#mirror}, read only here, plus
 * {@code #mirror} in each tenant's slot. {@code capture on} sets the first, then the second for
 * every tenant of the store's registry. A tenant registered later (the queue registers a tenant in
 * the SQL store before storing its first job) is taken up by the mirror's next {@link #take}: its
 * flag is set and every job it holds logged in one script, so nothing it did before is missed (a
 * job the copy carried already is written again with the same state).
 *
 * <p>{@link #take} reads each tenant's oldest entries, then the current state of their jobs; {@link
 * #done} removes the entries up to the highest score taken: a job changed after the take read its
 * entry has a higher score by then, and stays logged.
 */
final class RedisQueueCapture implements QueueChanges {
  /** ARGV[5] = '1' to log every job of the tenant. Reply: how many were logged (0: was on). */
  private static final String TENANT_ON =
      Scripts.withPrelude(
          """
          if redis.call('EXISTS', P .. '#mirror') == 1 then return {'OK', 0} end
          redis.call('SET', P .. '#mirror', '1')
          mirroring = true
          local n = 0
          if ARGV[5] == '1' then
            local function each(ids, lex)
              for _, m in ipairs(ids) do
                if lex then m = string.sub(m, -36) end
                logged(m)
                n = n + 1
              end
            end
            for _, q in ipairs(redis.call('SMEMBERS', P .. '#queues')) do
              each(redis.call('ZRANGE', qkey(q, 'ready'), 0, -1), true)
              each(redis.call('ZRANGE', qkey(q, 'delayed'), 0, -1), false)
              each(redis.call('ZRANGE', qkey(q, 'leased'), 0, -1), false)
              for _, s in ipairs({'dlq_pending', 'dlq_recorded', 'failed'}) do
                each(redis.call('SMEMBERS', qkey(q, s)), false)
              end
            end
            each(redis.call('ZRANGE', P .. '#succeeded', 0, -1), false)
          end
          return {'OK', n}
          """);

  /**
   * ARGV[5..] = job ids: each {id, job hash, attempt list}, read together (an attempt list and the
   * hash fields that end it are one state only when read atomically). For the few jobs whose list
   * can exist (leased twice, or kept their attempts there: layout 1, without att_tail); every other
   * job is read by a plain pipelined HGETALL, see {@link #take}.
   */
  private static final String WITH_LISTS =
      Scripts.withPrelude(
          """
          local out = {}
          for i = 5, #ARGV do
            local id = ARGV[i]
            out[#out + 1] = {id, redis.call('HGETALL', jkey(id)), redis.call('LRANGE', akey(id), 0, -1)}
          end
          return {'OK', out}
          """);

  /**
   * ARGV[5] = the highest score a take read: drops the entries up to it. why one range: a take
   * reads the lowest-scored entries, and a job changed since gets a score above every score then
   * (the counter only rises), so the entries at or below it are exactly those read and unchanged.
   */
  private static final String DONE =
      Scripts.withPrelude(
          """
          return {'OK', redis.call('ZREMRANGEBYSCORE', P .. '#changes', '-inf', ARGV[5])}
          """);

  /**
   * The tenant's {pending entries, the updated_at of its oldest entry's job ('' if gone), 1 if not
   * taken up}. A tenant not taken up yet (registered after {@code capture on}, no mirror batch
   * since) logs nothing until the mirror's next batch logs every job it holds: those jobs are its
   * pending entries, counted as just logged ('').
   */
  private static final String PENDING =
      Scripts.withPrelude(
          """
          if redis.call('EXISTS', P .. '#mirror') == 0 then
            local jobs = redis.call('ZCARD', P .. '#succeeded')
            for _, q in ipairs(redis.call('SMEMBERS', P .. '#queues')) do
              for _, z in ipairs({'ready', 'delayed', 'leased'}) do
                jobs = jobs + redis.call('ZCARD', qkey(q, z))
              end
              for _, s in ipairs({'dlq_pending', 'dlq_recorded', 'failed'}) do
                jobs = jobs + redis.call('SCARD', qkey(q, s))
              end
            end
            return {'OK', {jobs, '', 1}}
          end
          local n = redis.call('ZCARD', P .. '#changes')
          if n == 0 then return {'OK', {0, '', 0}} end
          local first = redis.call('ZRANGE', P .. '#changes', 0, 0)[1]
          return {'OK', {n, redis.call('HGET', jkey(first), 'updated_at') or '', 0}}
          """);

  private final RedisQueueBackend backend;
  private final String env;
  private final Set<TenantId> flagged = new HashSet<>();
  private int start;

  RedisQueueCapture(RedisQueueBackend backend, String env) {
    this.backend = backend;
    this.env = env;
  }

  private RedisCalls redis() {
    return backend.redis();
  }

  private String flagKey() {
    return "flowstore:" + env + ":#mirror";
  }

  private boolean on() {
    return redis().call(() -> redis().commands().exists(flagKey())) > 0;
  }

  @Override
  public synchronized void capture(boolean on, List<TenantId> tenants) {
    if (on) {
      redis().call(() -> redis().commands().set(flagKey(), "1"));
      // why not logged whole: the jobs already there are the copy's to carry (it runs after this)
      takeUp(tenants, false);
      return;
    }
    redis().call(() -> redis().commands().del(flagKey()));
    Set<TenantId> all = new HashSet<>(tenants);
    for (String t : scanTenants()) all.add(new TenantId(t));
    for (TenantId t : all) {
      String p = new Keys(env, t).prefix();
      redis().call(() -> redis().commands().del(p + "#mirror", p + "#changes", p + "#chgseq"));
    }
    flagged.clear();
  }

  @Override
  public synchronized CaptureState state(List<TenantId> tenants) {
    if (!on()) return new CaptureState(false, 0, Optional.empty());
    return pending(tenants);
  }

  /** Each tenant's {pending entries, updated_at of the oldest one's job or ''}: one pipeline. */
  private List<List<?>> pendings(List<TenantId> of, Instant now) {
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>(of.size());
    for (TenantId t : of) replies.add(redis().evalAsync(PENDING, new Keys(env, t), now));
    List<List<?>> out = new ArrayList<>(of.size());
    for (CompletableFuture<List<Object>> r : replies) out.add((List<?>) ok(RedisCalls.join(r)));
    return out;
  }

  private CaptureState pending(List<TenantId> of) {
    Instant now = backend.now();
    long pending = 0;
    long oldest = Long.MAX_VALUE;
    for (List<?> v : pendings(of, now)) {
      long n = ((Number) v.get(0)).longValue();
      pending += n;
      String at = (String) v.get(1);
      if (n > 0 && !at.isEmpty()) oldest = Math.min(oldest, Long.parseLong(at));
    }
    // why the job's updated_at: the log keeps no time per entry; the oldest entry's job changed
    // last then (a deleted job has none: counted as just logged)
    Optional<Duration> age =
        pending == 0
            ? Optional.empty()
            : Optional.of(
                oldest == Long.MAX_VALUE
                    ? Duration.ZERO
                    : Duration.ofNanos(Math.max(0, (JobCodec.micros(now) - oldest) * 1000L)));
    return new CaptureState(true, pending, age);
  }

  @Override
  public synchronized List<Batch> take(int max, List<TenantId> tenants) {
    if (!on())
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "the queue "
              + backend.describe()
              + " does not capture its changes: start the window with flowstore mirror capture on"
              + " (with --from-queue), then copy, then mirror");
    takeUp(tenants, true);
    // which tenants have entries: one pipeline of cheap reads, then a take of each of those only
    List<TenantId> busy = new ArrayList<>();
    List<List<?>> counts = pendings(tenants, backend.now());
    // why: a tenant this process took up may have lost its flag since (capture switched off and
    // on by another process, Redis restarted without its data): taken up again, every job logged
    List<TenantId> lost = new ArrayList<>();
    for (int i = 0; i < tenants.size(); i++)
      if (((Number) counts.get(i).get(2)).longValue() == 1) lost.add(tenants.get(i));
    if (!lost.isEmpty()) {
      flagged.removeAll(lost);
      takeUp(lost, true);
    }
    for (int i = 0; i < tenants.size(); i++)
      if (((Number) counts.get(i).get(0)).longValue() > 0) busy.add(tenants.get(i));
    List<Batch> out = new ArrayList<>();
    int left = max;
    // why a rotating start: a tenant with more pending than a batch must not starve the others
    start = busy.isEmpty() ? 0 : (start + 1) % busy.size();
    for (int i = 0; i < busy.size() && left > 0; i++) {
      TenantId tenant = busy.get((start + i) % busy.size());
      Batch b = take(tenant, left);
      if (b == null) continue;
      out.add(b);
      left -= b.changes().size();
    }
    return out;
  }

  /**
   * The tenant's oldest {@code max} entries with their jobs' current state, or null if it has none.
   *
   * <p>why not one script: a script's {@code HGETALL} goes through Lua tables twice (into Lua, then
   * back into a reply), about as much Redis time per job as the enqueue that logged it, and Redis
   * is what the primary's own scripts wait for. So the entries are read by one {@code ZRANGE}, the
   * jobs by plain {@code HGETALL}s in one pipeline, and only a job whose attempt list can exist by
   * a script. Not one snapshot, and it need not be: a job changed after the {@code ZRANGE} is read
   * in a newer state, and its entry, re-scored above the highest score taken, stays for the next
   * take ({@link #done} drops only up to that score), which writes the state again; a job deleted
   * meanwhile reads empty and is carried as gone, as its new entry will be.
   */
  private Batch take(TenantId tenant, int max) {
    Keys keys = new Keys(env, tenant);
    List<io.lettuce.core.ScoredValue<String>> entries =
        redis()
            .call(
                () -> redis().commands().zrangeWithScores(keys.prefix() + "#changes", 0, max - 1));
    if (entries.isEmpty()) return null;
    List<UUID> ids = new ArrayList<>(entries.size());
    List<String> jobKeys = new ArrayList<>(entries.size());
    for (io.lettuce.core.ScoredValue<String> e : entries) {
      UUID id = UUID.fromString(e.getValue());
      ids.add(id);
      jobKeys.add(keys.job(id));
    }
    List<Map<String, String>> hashes = redis().hgetalls(jobKeys);
    List<String> withLists = new ArrayList<>();
    for (int k = 0; k < entries.size(); k++)
      if (listCanExist(hashes.get(k))) withLists.add(entries.get(k).getValue());
    Map<String, List<?>> read = new HashMap<>();
    if (!withLists.isEmpty()) {
      List<?> reply =
          (List<?>) ok(redis().eval(WITH_LISTS, keys, withLists.toArray(String[]::new)));
      for (Object o : reply) {
        List<?> e = (List<?>) o;
        read.put((String) e.get(0), e);
      }
    }
    List<Change> changes = new ArrayList<>(entries.size());
    for (int k = 0; k < entries.size(); k++) {
      String id = entries.get(k).getValue();
      Map<String, String> hash = hashes.get(k);
      List<?> list = List.of();
      List<?> again = read.get(id);
      if (again != null) {
        hash = JobCodec.fields(again.get(1));
        list = (List<?>) again.get(2);
      }
      StoredJob current =
          hash.isEmpty()
              ? null
              : new StoredJob(JobCodec.job(tenant, hash), JobCodec.attempts(hash, list));
      changes.add(new Change(ids.get(k), current));
    }
    // why the score as the receipt: DONE drops the entries up to it (see there)
    double top = entries.get(entries.size() - 1).getScore();
    return new Batch(tenant, changes, List.of(Long.toString((long) top)));
  }

  /**
   * Whether a job's attempt list can exist: once it was leased twice, or when it kept its attempts
   * there (layout 1, without {@code att_tail}). A job leased at most once has none: the lease
   * script moves an attempt there only at the next lease.
   */
  private static boolean listCanExist(Map<String, String> hash) {
    if (hash.isEmpty()) return false;
    String attempt = hash.get("attempt");
    boolean many =
        (attempt != null && Long.parseLong(attempt) > 1) || hash.containsKey("last_attempt");
    return many || !hash.containsKey("att_tail");
  }

  @Override
  public void done(Batch batch) {
    if (batch.receipt().isEmpty()) return;
    redis().eval(DONE, new Keys(env, batch.tenant()), batch.receipt().get(0));
  }

  /** Sets the flag of each tenant not known to have it ({@code logAll}: and logs its jobs). */
  private void takeUp(List<TenantId> tenants, boolean logAll) {
    for (TenantId t : tenants) {
      if (flagged.contains(t)) continue;
      redis().eval(TENANT_ON, new Keys(env, t), logAll ? "1" : "0");
      flagged.add(t);
    }
  }

  /** The tenants that hold (or held) jobs: one SCAN of their {@code #seq} keys. */
  private List<String> scanTenants() {
    String head = "flowstore:" + env + ":{";
    String pattern = RedisQueueContents.glob(head) + "*}:#seq";
    Set<String> out = new TreeSet<>();
    redis()
        .scan(
            pattern,
            key -> {
              if (key.startsWith(head) && key.endsWith("}:#seq"))
                out.add(key.substring(head.length(), key.length() - "}:#seq".length()));
            });
    return new ArrayList<>(out);
  }

  private static Object ok(List<Object> reply) {
    if (!"OK".equals(reply.get(0)))
      throw new IllegalStateException("mirror capture script answered " + reply);
    return reply.get(1);
  }
}
