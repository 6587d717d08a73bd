package dev.flowstore.chaos;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Producers and workers of the queue scenarios, over HTTP, recording everything the checker ({@link
 * QueueCheck}) needs: each acknowledged enqueue (logical number {@code n} -> job id), each lease
 * seen (job, token, worker, when the request was sent and answered, visibility), each ack answer.
 *
 * <p>Producers enqueue batches with an {@code Idempotency-Key} and retry the same request (same
 * key, same body) until it is answered: after a crash the retry replays the stored answer instead
 * of enqueuing again. A key whose first run died in flight stays "in progress" for a minute on the
 * server; a producer gives up on it after {@link Options#inProgressGiveUpMs} and the batch counts
 * as indeterminate (its jobs may or may not exist: neither lost nor unexpected).
 *
 * <p>Workers lease, then mostly ack at once; some abandon the lease (a worker that died) and some
 * ack late, after the visibility timeout (a worker that stalled: the ack must fail with LEASE_LOST
 * if the job was leased again meanwhile).
 */
final class QueueWorkload {
  record Options(
      String queue,
      int jobs,
      int batch,
      int producers,
      int workers,
      int leaseMax,
      int visibilityS,
      double abandon,
      double lateAck,
      long inProgressGiveUpMs,
      long drainTimeoutMs,
      long loadMs) {}

  /** A lease as the worker saw it; times are System.nanoTime() of the checker. */
  record LeaseRec(
      String jobId, int n, long token, int worker, long sent, long recv, int visibilityS) {}

  /** An ack's final answer: OK, LEASE_LOST, UNKNOWN (no answer in time) or another error code. */
  record AckRec(String jobId, long token, int worker, long sent, long recv, String outcome) {}

  final Options o;
  final Servers servers;
  final String runId = UUID.randomUUID().toString().substring(0, 8);
  final Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
  final Set<Integer> indeterminate = ConcurrentHashMap.newKeySet();
  final ConcurrentLinkedQueue<LeaseRec> leases = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<AckRec> acks = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> harnessErrors = new ConcurrentLinkedQueue<>();
  final AtomicInteger rejectedEnqueues = new AtomicInteger();
  private final AtomicInteger nextBatch = new AtomicInteger();
  private final AtomicBoolean stopWorkers = new AtomicBoolean();
  private final AtomicInteger pendingLateAcks = new AtomicInteger();
  private final Http http = new Http();
  private final ScheduledExecutorService late = Executors.newScheduledThreadPool(2);
  private final ExecutorService ackers = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Thread> producerThreads = new ArrayList<>();
  private final List<Thread> workerThreads = new ArrayList<>();
  boolean drained;

  QueueWorkload(Options o, Servers servers) {
    this.o = o;
    this.servers = servers;
  }

  private long startedAt;

  /** System.nanoTime() at the start, for traces. */
  final long startNanos = System.nanoTime();

  void start() {
    startedAt = System.currentTimeMillis();
    for (int p = 0; p < o.producers(); p++) {
      int id = p;
      Thread t = Thread.ofPlatform().name("producer-" + p).start(() -> produce(id));
      producerThreads.add(t);
    }
    for (int w = 0; w < o.workers(); w++) {
      int id = w;
      Thread t = Thread.ofPlatform().name("worker-" + w).start(() -> work(id));
      workerThreads.add(t);
    }
  }

  void awaitProducers() throws InterruptedException {
    for (Thread t : producerThreads) t.join();
  }

  /**
   * After the producers and the faults stopped: let the workers empty the queue, then stop them.
   */
  void drain() throws InterruptedException {
    int[] emptyPolls = {0};
    try {
      // empty twice in a row: no ack still in flight can put a job back
      await("queue " + o.queue() + " drained")
          .atMost(Duration.ofMillis(o.drainTimeoutMs()))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                Long depth = depth();
                boolean empty = depth != null && depth == 0 && pendingLateAcks.get() == 0;
                emptyPolls[0] = empty ? emptyPolls[0] + 1 : 0;
                return emptyPolls[0] >= 2;
              });
      drained = true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      drained = false; // the figure reports it
    }
    stopWorkers.set(true);
    for (Thread t : workerThreads) t.join();
    ackers.shutdown();
    late.shutdown();
    late.awaitTermination(60, TimeUnit.SECONDS);
  }

  /** ready + delayed + leased of the queue, or null when no server answered. */
  Long depth() {
    URI uri = servers.anyUp(0);
    if (uri == null) return null;
    try {
      Http.Resp r = http.get(uri, "/v1/queues");
      if (!r.ok()) return null;
      for (JsonNode q : r.body().path("queues"))
        if (q.path("queue").asText().equals(o.queue())) return q.path("depth").asLong();
      return 0L;
    } catch (IOException e) {
      return null;
    }
  }

  /** Every job id seen (acknowledged or leased). */
  Set<String> jobIds() {
    Set<String> ids = new HashSet<>(acknowledged.values());
    for (LeaseRec l : leases) ids.add(l.jobId());
    return ids;
  }

  /**
   * GET /v1/jobs/{id} of each job after the run, in parallel; a job the server does not know maps
   * to a MissingNode.
   */
  Map<String, JsonNode> finalJobs(Set<String> ids) throws Exception {
    Map<String, JsonNode> out = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (String id : ids)
        fs.add(
            pool.submit(
                () -> {
                  for (int attempt = 0; ; attempt++) {
                    URI uri = servers.anyUp(attempt);
                    try {
                      if (uri == null) throw new IOException("no server up");
                      Http.Resp r = http.get(uri, "/v1/jobs/" + id);
                      if (r.ok()) {
                        out.put(id, r.body());
                        return null;
                      }
                      if (r.status() == 404) {
                        out.put(id, com.fasterxml.jackson.databind.node.MissingNode.getInstance());
                        return null;
                      }
                      if (attempt > 50) throw new IOException("GET /v1/jobs/" + id + ": " + r);
                    } catch (IOException e) {
                      if (attempt > 50) throw e;
                    }
                    Thread.sleep(200);
                  }
                }));
      for (Future<?> f : fs) f.get();
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  private void produce(int producer) {
    while (true) {
      int b = nextBatch.getAndIncrement();
      int from = b * o.batch();
      if (from >= o.jobs()) return;
      int to = Math.min(o.jobs(), from + o.batch());
      // why: spread the enqueues over the fault phase (loadMs), so faults hit a working system
      long due = startedAt + (long) ((double) from / o.jobs() * o.loadMs());
      long wait = due - System.currentTimeMillis();
      if (wait > 0) pause(wait);
      ObjectNode body = Http.JSON.createObjectNode();
      ArrayNode jobs = body.putArray("jobs");
      for (int n = from; n < to; n++) {
        ObjectNode j = jobs.addObject();
        j.put("job_type", "chaos");
        j.putObject("payload").put("n", n).put("run", runId);
        // why: abandoned leases and crashes count attempts; the scenario is about loss, not the DLQ
        j.put("max_attempts", 1000);
      }
      String key = "enq-" + runId + "-" + b;
      long inProgressSince = -1;
      while (true) {
        URI uri = servers.anyUp(producer);
        if (uri == null) {
          pause(100);
          continue;
        }
        Http.Resp r;
        try {
          r = http.post(uri, "/v1/queues/" + o.queue() + "/jobs", body, key);
        } catch (IOException e) {
          pause(100 + ThreadLocalRandom.current().nextInt(100));
          continue;
        }
        if (r.ok()) {
          JsonNode answered = r.body().path("jobs");
          for (int n = from; n < to; n++) {
            JsonNode j = answered.path(n - from);
            if (j.path("payload").path("n").asInt(-1) != n)
              harnessErrors.add("enqueue answer out of order at n=" + n + ": " + j);
            acknowledged.put(n, j.path("job_id").asText());
          }
          break;
        }
        // why: the server could not tell whether the batch was stored and keeps that answer under
        // the key (a retry replays it): the batch's jobs may or may not exist
        if (r.code().equals("OUTCOME_UNKNOWN")) {
          for (int n = from; n < to; n++) indeterminate.add(n);
          break;
        }
        if (r.code().equals("IDEMPOTENCY_IN_PROGRESS")) {
          long now = System.currentTimeMillis();
          if (inProgressSince < 0) inProgressSince = now;
          if (now - inProgressSince > o.inProgressGiveUpMs()) {
            for (int n = from; n < to; n++) indeterminate.add(n);
            break;
          }
          pause(500);
          continue;
        }
        if (r.transientFailure()) {
          pause(100 + ThreadLocalRandom.current().nextInt(100));
          continue;
        }
        rejectedEnqueues.addAndGet(to - from);
        harnessErrors.add("enqueue refused: " + r.status() + " " + r.body());
        break;
      }
    }
  }

  private void work(int worker) {
    ObjectNode leaseBody = Http.JSON.createObjectNode();
    leaseBody.put("max", o.leaseMax());
    leaseBody.put("visibility_timeout_s", o.visibilityS());
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    while (!stopWorkers.get()) {
      URI uri = servers.anyUp(worker);
      if (uri == null) {
        pause(100);
        continue;
      }
      long sent = System.nanoTime();
      Http.Resp r;
      try {
        r = http.post(uri, "/v1/queues/" + o.queue() + "/leases", leaseBody, null);
      } catch (IOException e) {
        pause(100 + rnd.nextInt(100));
        continue;
      }
      long recv = System.nanoTime();
      if (!r.ok()) {
        if (!r.transientFailure())
          harnessErrors.add("lease refused: " + r.status() + " " + r.body());
        pause(100 + rnd.nextInt(100));
        continue;
      }
      JsonNode got = r.body().path("leases");
      if (got.isEmpty()) {
        pause(50 + rnd.nextInt(100));
        continue;
      }
      List<Future<?>> inFlight = new ArrayList<>();
      for (JsonNode l : got) {
        LeaseRec rec =
            new LeaseRec(
                l.path("job_id").asText(),
                l.path("payload").path("n").asInt(-1),
                l.path("lease_token").asLong(),
                worker,
                sent,
                recv,
                o.visibilityS());
        leases.add(rec);
        double x = rnd.nextDouble();
        if (x < o.abandon()) continue; // the worker "died" holding it
        if (x < o.abandon() + o.lateAck()) {
          pendingLateAcks.incrementAndGet();
          long delayMs = o.visibilityS() * 1000L + 300 + rnd.nextInt(1200);
          late.schedule(
              () -> {
                try {
                  ack(rec, worker);
                } finally {
                  pendingLateAcks.decrementAndGet();
                }
              },
              delayMs,
              TimeUnit.MILLISECONDS);
          continue;
        }
        // why: a worker acks its page's jobs side by side, as flowstore's Worker runs them
        inFlight.add(ackers.submit(() -> ack(rec, worker)));
      }
      for (Future<?> f : inFlight) {
        try {
          f.get();
        } catch (Exception e) {
          harnessErrors.add("ack failed: " + e);
        }
      }
    }
  }

  /** Acks one lease, retrying the same request (same Idempotency-Key) until it has an answer. */
  private void ack(LeaseRec l, int worker) {
    ObjectNode body = Http.JSON.createObjectNode().put("lease_token", l.token());
    String key = "ack-" + l.jobId() + "-" + l.token();
    long sent = System.nanoTime();
    long deadline = System.currentTimeMillis() + 120_000;
    long inProgressSince = -1;
    while (System.currentTimeMillis() < deadline) {
      URI uri = servers.anyUp(worker);
      if (uri == null) {
        pause(100);
        continue;
      }
      Http.Resp r;
      try {
        r = http.post(uri, "/v1/jobs/" + l.jobId() + "/ack", body, key);
      } catch (IOException e) {
        pause(100 + ThreadLocalRandom.current().nextInt(100));
        continue;
      }
      if (r.ok()) {
        acks.add(new AckRec(l.jobId(), l.token(), worker, sent, System.nanoTime(), "OK"));
        return;
      }
      if (r.code().equals("OUTCOME_UNKNOWN")) break; // replayed under the key: read from the job
      if (r.code().equals("IDEMPOTENCY_IN_PROGRESS")) {
        long now = System.currentTimeMillis();
        if (inProgressSince < 0) inProgressSince = now;
        if (now - inProgressSince > o.inProgressGiveUpMs()) break;
        pause(500);
        continue;
      }
      if (r.transientFailure()) {
        pause(100 + ThreadLocalRandom.current().nextInt(100));
        continue;
      }
      acks.add(new AckRec(l.jobId(), l.token(), worker, sent, System.nanoTime(), r.code()));
      return;
    }
    acks.add(new AckRec(l.jobId(), l.token(), worker, sent, System.nanoTime(), "UNKNOWN"));
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
