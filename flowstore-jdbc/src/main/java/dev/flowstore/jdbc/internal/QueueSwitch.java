package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch.CopyOptions;
import dev.flowstore.spi.BackendSwitch.CopyProgress;
import dev.flowstore.spi.BackendSwitch.Difference;
import dev.flowstore.spi.BackendSwitch.TableComparison;
import dev.flowstore.spi.QueueBackend;
import dev.flowstore.spi.QueueContents;
import dev.flowstore.spi.QueueContents.StoredJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The queue's part of a switch when either deployment keeps its queue outside the SQL store (a
 * Redis queue: {@link QueueBackend#contents()}); docs/switching.md "The Redis queue". The store's
 * tables (with {@code dlq_items} and the audit log, the DLQ's truth) are copied and compared by
 * {@link BackendCopy} / {@link BackendCompare} as always; this adds:
 *
 * <ul>
 *   <li>copy: every job of every tenant, in every state, with its attempt history, from the
 *       source's queue into the target's, in batches; then the target store's {@code jobs} keeps
 *       only what its queue serves: with a Redis queue, the DLQ's jobs (those with a {@code
 *       dlq_items} row); with the SQL queue, the jobs copied (rows the source's store held for jobs
 *       its Redis queue no longer has are left out, with a warning);
 *   <li>compare: {@code jobs} and {@code job_attempts} of each side's queue (not its store's
 *       tables) by count, order-independent digest and first differing job ids.
 * </ul>
 */
final class QueueSwitch {
  private QueueSwitch() {}

  /** Whether either side keeps its queue outside its SQL store. */
  static boolean involved(JdbcFlowstore a, JdbcFlowstore b) {
    return a.queueBackend() != null || b.queueBackend() != null;
  }

  static QueueContents contents(JdbcFlowstore fs) {
    QueueBackend q = fs.queueBackend();
    return q == null ? new JdbcQueueContents(fs) : q.contents();
  }

  /**
   * Before anything is written: a target queue outside the store must be empty, or hold a copy of
   * this source when resuming.
   */
  static void checkTarget(JdbcFlowstore source, JdbcFlowstore target, CopyOptions options) {
    if (target.queueBackend() == null) return;
    QueueContents to = contents(target);
    String mark = to.copyMark();
    String from = source.describe();
    if (mark == null) {
      if (!to.isEmpty())
        throw new FlowstoreException(
            ErrorCode.CONFIGURATION,
            "the target queue "
                + to.describe()
                + " is not empty: copy into an empty queue (another FLOWSTORE_ENV, or another Redis database)");
      return;
    }
    String markSource = mark.substring(0, mark.lastIndexOf('\n'));
    if (!options.resume())
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "the target queue "
              + to.describe()
              + " holds a copy from "
              + markSource
              + ": copy into an empty queue, or pass --resume to continue it");
    if (!markSource.equals(from))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "the target queue "
              + to.describe()
              + " holds a copy from "
              + markSource
              + ", not from "
              + from
              + ": --resume continues a copy from the same source only");
  }

  /** What the queue's copy did. */
  record Result(long rows, long total, boolean alreadyComplete, List<String> warnings) {}

  /**
   * Copies the queue, reporting progress after the store's {@code storeDone} of {@code storeTotal}
   * rows.
   */
  static Result copy(
      JdbcFlowstore source,
      JdbcFlowstore target,
      CopyOptions options,
      Consumer<CopyProgress> progress,
      long storeDone,
      long storeTotal) {
    QueueContents from = contents(source);
    QueueContents to = contents(target);
    String mark = to.copyMark();
    if (mark != null && mark.endsWith("\n1")) return new Result(0, 0, true, List.of());
    List<TenantId> tenants = from.tenants();
    Map<TenantId, Long> counts = new LinkedHashMap<>();
    long total = 0;
    for (TenantId t : tenants) {
      long n = from.count(t);
      if (n > 0) counts.put(t, n);
      total += n;
    }
    to.markCopy(source.describe(), false);
    long[] done = {0};
    long all = total;
    Map<TenantId, Set<UUID>> copied = new HashMap<>();
    for (Map.Entry<TenantId, Long> e : counts.entrySet()) {
      TenantId tenant = e.getKey();
      Set<UUID> ids = new HashSet<>();
      copied.put(tenant, ids);
      from.read(
          tenant,
          options.batchSize(),
          batch -> {
            to.write(tenant, batch);
            for (StoredJob s : batch) ids.add(s.job().jobId());
            done[0] += batch.size();
            progress.accept(
                new CopyProgress(
                    "jobs (queue)", tenant.value(), storeDone + done[0], storeTotal + all));
          });
    }
    // the target store's jobs: only what its queue serves (see the class comment)
    JdbcQueueContents store = new JdbcQueueContents(target);
    Set<TenantId> storeTenants = new LinkedHashSet<>(target.tenants());
    storeTenants.addAll(counts.keySet());
    long left = 0;
    for (TenantId t : storeTenants)
      left +=
          store.removeUnserved(
              t, target.queueBackend() == null ? copied.getOrDefault(t, Set.of()) : Set.of());
    List<String> warnings = new ArrayList<>();
    if (target.queueBackend() == null && left > 0)
      warnings.add(
          left
              + " jobs in the source store's jobs table that its queue ("
              + from.describe()
              + ") does not hold were not copied (rows from before the queue moved out of the"
              + " store, without a DLQ item)");
    to.markCopy(source.describe(), true);
    return new Result(done[0], total, false, warnings);
  }

  /**
   * The queue's tables compared job by job: replaces the store's {@code jobs}, {@code
   * job_attempts}.
   */
  static List<TableComparison> compare(JdbcFlowstore a, JdbcFlowstore b, int maxDifferences) {
    QueueContents ca = contents(a);
    QueueContents cb = contents(b);
    Set<String> tenants = new TreeSet<>();
    ca.tenants().forEach(t -> tenants.add(t.value()));
    cb.tenants().forEach(t -> tenants.add(t.value()));
    List<TableComparison> out = new ArrayList<>();
    for (String name : tenants) {
      TenantId t = new TenantId(name);
      Rows ra = rows(ca, t);
      Rows rb = rows(cb, t);
      if (ra.jobs.isEmpty() && rb.jobs.isEmpty()) continue;
      out.add(table("jobs", name, ra.jobs, rb.jobs, maxDifferences));
      out.add(table("job_attempts", name, ra.attempts, rb.attempts, maxDifferences));
    }
    return out;
  }

  /** One side's rows of one tenant, canonical, by key. */
  private record Rows(
      TreeMap<String, Map<String, String>> jobs, TreeMap<String, Map<String, String>> attempts) {}

  private static Rows rows(QueueContents c, TenantId tenant) {
    TreeMap<String, Map<String, String>> jobs = new TreeMap<>();
    TreeMap<String, Map<String, String>> attempts = new TreeMap<>();
    c.read(
        tenant,
        1000,
        batch -> {
          for (StoredJob s : batch) {
            Job j = s.job();
            String id = j.jobId().toString();
            jobs.put(id, job(j));
            for (JobAttempt at : s.attempts())
              attempts.put(id + "/" + String.format("%019d", at.token()), attempt(id, at));
          }
        });
    return new Rows(jobs, attempts);
  }

  /** A job's columns as the store's {@code jobs} names them, canonical (no {@code seq}). */
  static Map<String, String> job(Job j) {
    Map<String, String> m = new TreeMap<>();
    m.put("job_id", j.jobId().toString());
    m.put("message_id", j.messageId().toString());
    m.put("event_id", j.eventId() == null ? null : j.eventId().toString());
    m.put("trace_id", j.traceId());
    m.put("queue", j.queue());
    m.put("job_type", j.jobType());
    m.put("payload", Json.canonical(j.payload()));
    m.put("priority", Integer.toString(j.priority()));
    m.put("run_at", micros(j.runAt()));
    m.put("attempt", Integer.toString(j.attempt()));
    m.put("max_attempts", Integer.toString(j.maxAttempts()));
    m.put("unique_key", j.uniqueKey());
    m.put("status", j.status().wire());
    m.put("lease_seq", Long.toString(j.leaseToken()));
    m.put("lease_expires_at", micros(j.leaseExpiresAt()));
    m.put("last_error", j.lastError());
    m.put("created_at", micros(j.createdAt()));
    m.put("updated_at", micros(j.updatedAt()));
    m.put("finished_at", micros(j.finishedAt()));
    return m;
  }

  private static Map<String, String> attempt(String jobId, JobAttempt a) {
    Map<String, String> m = new TreeMap<>();
    m.put("job_id", jobId);
    m.put("token", Long.toString(a.token()));
    m.put("attempt", Integer.toString(a.attempt()));
    m.put("outcome", a.outcome().name().toLowerCase(Locale.ROOT));
    m.put("error", a.error());
    m.put("leased_at", micros(a.leasedAt()));
    m.put("finished_at", micros(a.finishedAt()));
    return m;
  }

  private static String micros(Instant t) {
    if (t == null) return null;
    return Long.toString(
        Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000));
  }

  private static TableComparison table(
      String table,
      String tenant,
      TreeMap<String, Map<String, String>> a,
      TreeMap<String, Map<String, String>> b,
      int max) {
    long sumA = 0;
    long sumB = 0;
    for (Map<String, String> row : a.values()) sumA += hash(row);
    for (Map<String, String> row : b.values()) sumB += hash(row);
    List<Difference> diffs = new ArrayList<>();
    Set<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      if (diffs.size() >= max) break;
      Map<String, String> x = a.get(k);
      Map<String, String> y = b.get(k);
      Map<String, String> key = key(table, x != null ? x : y);
      if (y == null) diffs.add(new Difference(key, "only in a", Map.of()));
      else if (x == null) diffs.add(new Difference(key, "only in b", Map.of()));
      else if (!x.equals(y)) {
        Map<String, List<String>> cols = new TreeMap<>();
        for (String col : x.keySet())
          if (!Objects.equals(x.get(col), y.get(col)))
            cols.put(col, java.util.Arrays.asList(x.get(col), y.get(col)));
        diffs.add(new Difference(key, "values differ", cols));
      }
    }
    return new TableComparison(
        table,
        tenant,
        a.size(),
        b.size(),
        String.format("%016x", sumA),
        String.format("%016x", sumB),
        diffs);
  }

  private static Map<String, String> key(String table, Map<String, String> row) {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("job_id", row.get("job_id"));
    if (table.equals("job_attempts")) k.put("token", row.get("token"));
    return k;
  }

  /** SHA-256 over the columns in name order, each name and value length-prefixed; first 8 bytes. */
  private static long hash(Map<String, String> row) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Map.Entry<String, String> c : row.entrySet()) {
      byte[] name = c.getKey().getBytes(StandardCharsets.UTF_8);
      sha.update(ByteBuffer.allocate(4).putInt(name.length).array());
      sha.update(name);
      if (c.getValue() == null) {
        sha.update(ByteBuffer.allocate(4).putInt(-1).array());
      } else {
        byte[] value = c.getValue().getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(value.length).array());
        sha.update(value);
      }
    }
    return ByteBuffer.wrap(sha.digest()).getLong();
  }
}
