package dev.flowstore.redis.internal;

import dev.flowstore.Backoff;
import dev.flowstore.DeadLetters;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.JobDetail;
import dev.flowstore.JobQuery;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.QueueStats;
import dev.flowstore.Recorded;
import dev.flowstore.internal.DeadLettering;
import dev.flowstore.internal.QueueValidation;
import dev.flowstore.internal.QueueValidation.ValidJob;
import dev.flowstore.internal.RecordValidation;
import dev.flowstore.internal.Wakeups;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's queue on Redis: every state change is one Lua script ({@link Scripts}), so it is
 * atomic and the fencing-token check cannot race with another client. The DLQ transition writes its
 * item and audit entry in the SQL store ({@link RedisDeadLetters}). See docs/queue.md "Redis".
 */
final class RedisQueue implements Queue {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  private final RedisQueueBackend backend;
  private final RedisCalls redis;
  private final Keys keys;
  private final RedisDeadLetters dlq;
  // why: the wake-up generation each queue had when this instance last polled or waited, so a
  // signal between an empty lease and awaitWork is not lost
  private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

  RedisQueue(RedisQueueBackend backend, Keys keys) {
    this.backend = backend;
    this.redis = backend.redis();
    this.keys = keys;
    this.dlq = new RedisDeadLetters(this, backend, keys);
  }

  Keys keys() {
    return keys;
  }

  int maxPayloadBytes() {
    return backend.maxPayloadBytes();
  }

  Instant now() {
    return backend.now();
  }

  /** The active job of a queue holding a unique key, if any. */
  Optional<Job> activeByKey(String queue, String uniqueKey) {
    String id = redis.call(() -> redis.commands().hget(keys.prefix() + queue + ":uniq", uniqueKey));
    return id == null ? Optional.empty() : find(UUID.fromString(id));
  }

  /** Micros since the epoch, clamped to the long range (Instant.MIN/MAX as a cutoff). */
  private static long saturatedMicros(Instant t) {
    try {
      return JobCodec.micros(t);
    } catch (ArithmeticException e) {
      return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static String micros(Instant t) {
    return Long.toString(JobCodec.micros(t));
  }

  @Override
  public Recorded<Job> enqueue(NewJob job) {
    ValidJob v = QueueValidation.job(job, backend.maxPayloadBytes());
    return insert(List.of(v), List.of(UUID.randomUUID())).get(0);
  }

  @Override
  public List<Recorded<Job>> enqueueAll(List<NewJob> jobs) {
    List<ValidJob> valid = QueueValidation.batch(jobs, backend.maxPayloadBytes());
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < valid.size(); i++) ids.add(UUID.randomUUID());
    return insert(valid, ids);
  }

  /**
   * Stores validated jobs under the given ids in one script (all or none). A job whose id exists
   * already is returned as stored (so a replayed after-commit enqueue is a no-op).
   */
  List<Recorded<Job>> insert(List<ValidJob> jobs, List<UUID> ids) {
    backend.registerTenant(keys.tenant());
    Instant now = backend.now();
    List<String> args = new ArrayList<>(1 + jobs.size() * 11);
    UUID[] messageIds = new UUID[jobs.size()];
    Instant[] runAts = new Instant[jobs.size()];
    args.add(Integer.toString(jobs.size()));
    for (int i = 0; i < jobs.size(); i++) {
      ValidJob v = jobs.get(i);
      NewJob j = v.job();
      messageIds[i] = UUID.randomUUID();
      // why: stored to the microsecond, so the returned job says what a later read says
      runAts[i] = JobCodec.instant(JobCodec.micros(j.runAt() == null ? now : j.runAt()));
      args.add(ids.get(i).toString());
      args.add(messageIds[i].toString());
      args.add(j.eventId() == null ? "" : j.eventId().toString());
      args.add(j.traceId() == null ? "" : j.traceId());
      args.add(j.queue());
      args.add(j.jobType());
      args.add(v.payloadJson());
      args.add(Integer.toString(j.priority()));
      args.add(micros(runAts[i]));
      args.add(Integer.toString(j.maxAttempts()));
      args.add(j.uniqueKey() == null ? "" : j.uniqueKey());
    }
    Object reply = ok(redis.eval(Scripts.ENQUEUE, keys, now, args.toArray(String[]::new)), null);
    List<Recorded<Job>> out = new ArrayList<>(jobs.size());
    Set<String> woken = new LinkedHashSet<>();
    List<?> results = (List<?>) reply;
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) instanceof Long seq) {
        // stored as sent: the script only gave it its seq (no job is read back)
        ValidJob v = jobs.get(i);
        woken.add(v.job().queue());
        Job stored =
            v.enqueued(ids.get(i), messageIds[i], keys.tenant(), v.payload(), runAts[i], seq, now);
        out.add(new Recorded<>(stored, false));
      } else {
        List<?> pair = (List<?>) results.get(i);
        out.add(new Recorded<>(job(pair.get(1)), ((Long) pair.get(0)) == 1L));
      }
    }
    for (String q : woken) backend.wakeups().signal(keys.wakeKey(q));
    return out;
  }

  /** The reply's value when its code is OK; else NOT_FOUND / LEASE_LOST for {@code jobId}. */
  private static Object ok(List<Object> reply, UUID jobId) {
    String code = (String) reply.get(0);
    Object value = reply.get(1);
    return switch (code) {
      case "OK" -> value;
      case "NOT_FOUND" ->
          throw new FlowstoreException(ErrorCode.NOT_FOUND, "job " + jobId + " not found");
      case "LEASE_LOST" ->
          throw new FlowstoreException(
              ErrorCode.LEASE_LOST,
              "job " + jobId + ": the lease token is stale (the job is " + value + ")");
      default -> throw new FlowstoreException(ErrorCode.INTERNAL, "unexpected reply " + reply);
    };
  }

  private Job job(Object hgetall) {
    return JobCodec.job(keys.tenant(), hgetall);
  }

  @Override
  public List<Lease> lease(String queue, int max, Duration visibility) {
    QueueValidation.queue(queue);
    QueueValidation.max(max);
    QueueValidation.positive("visibility", visibility);
    String key = keys.wakeKey(queue);
    lastSeen.put(key, backend.wakeups().generation(key));
    Instant expires = backend.now().plus(visibility);
    Object reply =
        ok(redis.eval(Scripts.LEASE, keys, queue, micros(expires), Integer.toString(max)), null);
    return RedisCalls.map(
        reply,
        o -> {
          Job j = job(o);
          backend.rememberLease(j, ((String) ((List<?>) o).get(6)).length());
          return new Lease(j, j.leaseToken(), j.leaseExpiresAt());
        });
  }

  @Override
  public Job ack(UUID jobId, long token) {
    RecordValidation.required("job_id", jobId);
    Job leased = backend.forgetLease(keys.tenant(), jobId, token);
    AckBatcher.Ack a = new AckBatcher.Ack(jobId.toString(), Long.toString(token), leased == null);
    backend.ack(keys, a);
    @SuppressWarnings("unchecked")
    Object value = ok((List<Object>) a.reply, jobId);
    if (leased == null) return job(value);
    // the script changed only these fields of the job this process leased with this token
    return new Job(
        leased.jobId(),
        leased.messageId(),
        leased.eventId(),
        leased.tenantId(),
        leased.traceId(),
        leased.queue(),
        leased.jobType(),
        leased.payload().deepCopy(),
        leased.priority(),
        leased.runAt(),
        leased.attempt(),
        leased.maxAttempts(),
        leased.uniqueKey(),
        Job.Status.SUCCEEDED,
        leased.leaseToken(),
        null,
        leased.lastError(),
        leased.seq(),
        leased.createdAt(),
        a.now,
        a.now);
  }

  @Override
  public Job nack(UUID jobId, long token, String error, Duration retryDelay) {
    RecordValidation.required("job_id", jobId);
    String why = QueueValidation.error(error);
    backend.forgetLease(keys.tenant(), jobId, token);
    QueueValidation.delay(retryDelay);
    // why: the backoff needs the attempt number; the script re-checks the token, so a stale read
    // here can only end in LEASE_LOST
    String attempt = redis.call(() -> redis.commands().hget(keys.job(jobId), "attempt"));
    int n = attempt == null ? 1 : Integer.parseInt(attempt);
    Duration delay =
        retryDelay != null ? retryDelay : Backoff.DEFAULT.delay(n, ThreadLocalRandom.current());
    Instant runAt = backend.now().plus(delay);
    Job after =
        job(
            ok(
                redis.eval(
                    Scripts.NACK, keys, jobId.toString(), Long.toString(token), why, micros(runAt)),
                jobId));
    if (after.status() == Job.Status.QUEUED && !after.runAt().isAfter(backend.now()))
      backend.wakeups().signal(keys.wakeKey(after.queue()));
    return DeadLettering.afterNack(dlq, after);
  }

  @Override
  public Lease heartbeat(UUID jobId, long token, Duration extend) {
    RecordValidation.required("job_id", jobId);
    QueueValidation.positive("extend", extend);
    Instant expires = backend.now().plus(extend);
    Job j =
        job(
            ok(
                redis.eval(
                    Scripts.HEARTBEAT,
                    keys,
                    jobId.toString(),
                    Long.toString(token),
                    micros(expires)),
                jobId));
    return new Lease(j, token, j.leaseExpiresAt());
  }

  @Override
  public Job release(UUID jobId, long token) {
    RecordValidation.required("job_id", jobId);
    backend.forgetLease(keys.tenant(), jobId, token);
    Job j =
        job(ok(redis.eval(Scripts.RELEASE, keys, jobId.toString(), Long.toString(token)), jobId));
    backend.wakeups().signal(keys.wakeKey(j.queue()));
    return j;
  }

  /** The job as stored in Redis, without history. */
  Optional<Job> find(UUID jobId) {
    Map<String, String> f = redis.call(() -> redis.commands().hgetall(keys.job(jobId)));
    if (f == null || f.isEmpty()) return Optional.empty();
    return Optional.of(JobCodec.job(keys.tenant(), f));
  }

  @Override
  public Optional<JobDetail> get(UUID jobId) {
    RecordValidation.required("job_id", jobId);
    List<?> both = (List<?>) ok(redis.eval(Scripts.GET, keys, jobId.toString()), jobId);
    Map<String, String> hash = JobCodec.fields(both.get(0));
    if (hash.isEmpty()) return Optional.empty();
    Optional<Job> job = Optional.of(JobCodec.job(keys.tenant(), hash));
    Job.Status s = job.get().status();
    DlqItem item =
        s == Job.Status.DLQ_PENDING || s == Job.Status.DLQ_RECORDED || s == Job.Status.FAILED
            ? backend.deadLetterStore().find(keys.tenant(), jobId).orElse(null)
            : null;
    return Optional.of(
        new JobDetail(job.get(), JobCodec.attempts(hash, (List<?>) both.get(1)), item));
  }

  @Override
  public List<Job> list(JobQuery query) {
    Object reply =
        ok(
            redis.eval(
                Scripts.LIST,
                keys,
                query.queue(),
                query.status() == null ? "" : query.status().wire(),
                query.jobType() == null ? "" : query.jobType(),
                Long.toString(query.beforeSeq()),
                Integer.toString(query.limit())),
            null);
    List<Job> out = new ArrayList<>();
    for (Object values : (List<?>) reply) out.add(JobCodec.job(keys.tenant(), values));
    return out;
  }

  @Override
  public List<QueueStats> stats() {
    Object reply = ok(redis.eval(Scripts.STATS, keys), null);
    List<QueueStats> out = new ArrayList<>();
    for (Object o : (List<?>) reply) {
      List<?> r = (List<?>) o;
      long[] n = new long[8];
      for (int i = 1; i < 9; i++) n[i - 1] = (Long) r.get(i);
      QueueStats s =
          new QueueStats((String) r.get(0), n[0] + n[1], n[2], n[3], n[4], n[5], n[6], n[7]);
      if (s.depth() + s.succeeded() + s.dlqPending() + s.dlqRecorded() + s.failed() > 0) out.add(s);
    }
    out.sort(Comparator.comparing(QueueStats::queue));
    return out;
  }

  @Override
  public int releaseExpired() {
    Object reply = ok(redis.eval(Scripts.REAP, keys), null);
    List<?> ended = (List<?>) reply;
    for (Object o : ended) {
      List<?> r = (List<?>) o;
      if ("1".equals(r.get(1))) DeadLettering.finish(dlq, UUID.fromString((String) r.get(0)));
    }
    return ended.size();
  }

  @Override
  public int recoverDlq() {
    Object reply = ok(redis.eval(Scripts.DLQ_STUCK, keys), null);
    int failed = 0;
    for (Object o : (List<?>) reply) {
      List<?> r = (List<?>) o;
      UUID id = UUID.fromString((String) r.get(0));
      switch ((String) r.get(1)) {
        case "dlq" -> {
          if (dlq.complete(id)) failed++;
        }
        case "redrive" -> dlq.finishRedrive(id);
        case "purge" -> dlq.finishPurge(id);
        default -> log.warn("job {}: unknown DLQ step {}", id, r.get(1));
      }
    }
    return failed;
  }

  @Override
  public int purgeSucceeded(Instant finishedBefore, int max) {
    QueueValidation.purge("finished_before", finishedBefore, max);
    Object reply =
        ok(
            redis.eval(
                Scripts.PURGE_SUCCEEDED,
                keys,
                Long.toString(saturatedMicros(finishedBefore)),
                Integer.toString(max)),
            null);
    return ((Long) reply).intValue();
  }

  @Override
  public DeadLetters deadLetters() {
    return dlq;
  }

  @Override
  public boolean awaitWork(String queue, Duration timeout) throws InterruptedException {
    QueueValidation.queue(queue);
    RecordValidation.required("timeout", timeout);
    if (timeout.isNegative())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "timeout must be >= 0");
    Wakeups wakeups = backend.wakeups();
    String key = keys.wakeKey(queue);
    long seen = lastSeen.computeIfAbsent(key, wakeups::generation);
    boolean woken = wakeups.await(key, seen, timeout);
    lastSeen.put(key, wakeups.generation(key));
    return woken;
  }
}
