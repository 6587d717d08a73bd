package dev.flowstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowstore.Flowstore;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.Worker;
import io.lettuce.core.Consumer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.common.SqlStorageProviderFactory;

/**
 * Rows 4 and 5: queue burn-down. N jobs are enqueued in batches of {@link #ENQUEUE_BATCH}, then
 * {@link #WORKERS} threads lease {@link #LEASE_BATCH} at a time and ack each job on its own until
 * the queue is empty. Peers (db-scheduler, JobRunr) run the same N no-op jobs with their own worker
 * pools of {@link #PEER_THREADS} threads fetching up to {@link #LEASE_BATCH} due jobs per poll.
 */
final class QueueRows {
  static final int ENQUEUE_BATCH = 1000;
  static final int WORKERS = 4;
  static final int LEASE_BATCH = 100;
  static final int PEER_THREADS = 16;
  static final int WARMUP_JOBS = 1000;
  static final Duration VISIBILITY = Duration.ofMinutes(5);
  static final Duration LIMIT = Duration.ofMinutes(5);

  private final Env env;
  private final Settings s;

  QueueRows(Env env, Settings s) {
    this.env = env;
    this.s = s;
  }

  /** Jobs/s of the enqueue and of the burn-down. */
  record Burn(double enqueuePerSec, double burnPerSec) {}

  // ---------------------------------------------------------------- flowstore (any backend)

  static double enqueueFlowstore(Queue q, String queue, int n) {
    ObjectNode payload = Env.payload();
    long t0 = System.nanoTime();
    for (int done = 0; done < n; ) {
      int k = Math.min(ENQUEUE_BATCH, n - done);
      List<NewJob> jobs = new ArrayList<>(k);
      for (int i = 0; i < k; i++) jobs.add(NewJob.of(queue, "noop", payload));
      q.enqueueAll(jobs);
      done += k;
    }
    return n * 1e9 / (System.nanoTime() - t0);
  }

  static Burn burnFlowstore(Queue q, String queue, int n) {
    double enq = enqueueFlowstore(q, queue, n);
    AtomicLong acked = new AtomicLong();
    long t0 = System.nanoTime();
    Measure.parallel(
        WORKERS,
        w -> {
          while (true) {
            List<Lease> leases = q.lease(queue, LEASE_BATCH, VISIBILITY);
            if (leases.isEmpty()) return 0;
            for (Lease l : leases) {
              q.ack(l.jobId(), l.token());
              acked.incrementAndGet();
            }
          }
        });
    double burn = acked.get() * 1e9 / (System.nanoTime() - t0);
    if (acked.get() != n) throw new IllegalStateException("acked " + acked + " of " + n);
    return new Burn(enq, burn);
  }

  /** The same burn-down through the {@link Worker} API (one virtual thread per job). */
  static double burnWorker(Queue q, String queue, int n) throws Exception {
    enqueueFlowstore(q, queue, n);
    long t0 = System.nanoTime();
    try (Worker worker =
        q.worker(queue, lease -> {})
            .concurrency(LEASE_BATCH)
            .pollInterval(Duration.ofMillis(50))
            .start()) {
      waitUntil(() -> worker.acked() >= n, "Worker acked all jobs");
      return n * 1e9 / (System.nanoTime() - t0);
    }
  }

  // ---------------------------------------------------------------- row 4: PostgreSQL

  void row4(java.util.function.Consumer<Row> out) throws Exception {
    int n = s.queueJobs();
    String fsSchema = Env.newName("bench_fs");
    String rawSchema = Env.newName("bench_raw");
    Burn fs;
    double worker;
    try (Flowstore store = Flowstore.open(env.flowstorePg(fsSchema, 8, Map.of()))) {
      Queue q = store.queue(AppendRows.TENANT);
      burnFlowstore(q, "warm", Math.min(WARMUP_JOBS, n));
      fs = burnFlowstore(q, "burn", n);
      worker = burnWorker(q, "burn-worker", workerJobs(n));
    } finally {
      env.dropSchema(fsSchema);
    }
    Burn raw;
    env.createSchema(rawSchema);
    try (HikariDataSource ds = env.pool(rawSchema, 8)) {
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        st.execute(RAW_JOBS);
        st.execute(RAW_JOBS_READY);
      }
      rawBurn(ds, "warm", Math.min(WARMUP_JOBS, n));
      raw = rawBurn(ds, "burn", n);
    } finally {
      env.dropSchema(rawSchema);
    }
    String jobs = String.format("%,d", n);
    out.accept(
        Row.throughput(
            "4",
            "enqueue " + jobs + " jobs, 1000/call, PostgreSQL vs raw INSERT",
            fs.enqueuePerSec(),
            raw.enqueuePerSec(),
            "jobs/s"));
    out.accept(
        Row.throughput(
            "4",
            "burn-down "
                + jobs
                + " jobs, "
                + WORKERS
                + " workers lease 100 + ack each, PostgreSQL vs raw SKIP LOCKED",
            fs.burnPerSec(),
            raw.burnPerSec(),
            "jobs/s"));
    out.accept(
        Row.throughput(
            "4",
            "burn-down "
                + String.format("%,d", workerJobs(n))
                + " jobs via Worker (concurrency 100) vs raw SKIP LOCKED",
            worker,
            raw.burnPerSec(),
            "jobs/s"));
    Burn dbs = null;
    String dbsError = null;
    try {
      dbs = dbScheduler(n);
    } catch (RuntimeException | LinkageError e) {
      dbsError = e.toString();
    }
    out.accept(peerRow("db-scheduler", jobs, fs.burnPerSec(), dbs, dbsError));
    Burn jr = null;
    String jrError = null;
    try {
      jr = jobRunr(n);
    } catch (RuntimeException | LinkageError e) {
      jrError = e.toString();
    }
    out.accept(peerRow("JobRunr", jobs, fs.burnPerSec(), jr, jrError));
  }

  // ---------------------------------------------------------------- row 4: SQLite enqueue

  /** Rounds of the SQLite enqueue, taking turns (who goes first alternates); the median. */
  private static final int SQLITE_ROUNDS = 5;

  /**
   * Enqueue on SQLite, 1,000 jobs a call: flowstore ({@code enqueueAll}) vs raw JDBC, a JDBC batch
   * of 1,000 {@code INSERT}s and a commit, into a plain table (integer key, the lease order's
   * partial index) in a WAL file with {@code synchronous = FULL}, as flowstore's. A warm-up of
   * each, then {@link #SQLITE_ROUNDS} rounds of half the row's jobs each.
   */
  void row4Sqlite(java.util.function.Consumer<Row> out) throws Exception {
    int n = Math.max(ENQUEUE_BATCH, s.queueJobs() / 2 / ENQUEUE_BATCH * ENQUEUE_BATCH);
    Path fsDir = Env.tempDir("bench-fs-queue");
    Path rawDir = Env.tempDir("bench-raw-queue");
    double[] f = new double[SQLITE_ROUNDS];
    double[] b = new double[SQLITE_ROUNDS];
    try (Flowstore store = Flowstore.open(Env.flowstoreSqlite(fsDir, Map.of()));
        Connection c =
            java.sql.DriverManager.getConnection(
                "jdbc:sqlite:" + rawDir.resolve("raw.db").toAbsolutePath())) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = FULL");
        st.execute(RAW_SQLITE_JOBS);
        st.execute(RAW_SQLITE_JOBS_READY);
      }
      c.setAutoCommit(false);
      Queue q = store.queue(AppendRows.TENANT);
      enqueueFlowstore(q, "warm", WARMUP_JOBS * 5);
      rawEnqueueSqlite(c, "warm", WARMUP_JOBS * 5);
      for (int r = 0; r < SQLITE_ROUNDS; r++) {
        if (r % 2 == 0) {
          f[r] = enqueueFlowstore(q, "q", n);
          b[r] = rawEnqueueSqlite(c, "q", n);
        } else {
          b[r] = rawEnqueueSqlite(c, "q", n);
          f[r] = enqueueFlowstore(q, "q", n);
        }
      }
    } finally {
      Env.deleteTree(fsDir);
      Env.deleteTree(rawDir);
    }
    out.accept(
        Row.throughput(
            "4",
            "enqueue "
                + SQLITE_ROUNDS
                + " x "
                + String.format("%,d", n)
                + " jobs, 1000/call, SQLite vs raw INSERT",
            Measure.median(f),
            Measure.median(b),
            "jobs/s"));
  }

  static final String RAW_SQLITE_JOBS =
      """
      CREATE TABLE jobs (
        job_id INTEGER PRIMARY KEY, queue TEXT NOT NULL, job_type TEXT NOT NULL,
        payload TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0, run_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'queued', attempt INTEGER NOT NULL DEFAULT 0,
        lease_seq INTEGER NOT NULL DEFAULT 0, lease_expires_at INTEGER,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER)""";

  static final String RAW_SQLITE_JOBS_READY =
      "CREATE INDEX jobs_ready_ix ON jobs (queue, priority DESC, run_at, job_id)"
          + " WHERE status = 'queued'";

  /** Jobs/s of {@code n} raw inserts on SQLite, 1,000 a batch and a commit. */
  static double rawEnqueueSqlite(Connection c, String queue, int n) throws Exception {
    long t0 = System.nanoTime();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO jobs (queue, job_type, payload, run_at, created_at, updated_at)"
                + " VALUES (?, 'noop', ?, ?, ?, ?)")) {
      for (int done = 0; done < n; ) {
        int k = Math.min(ENQUEUE_BATCH, n - done);
        long now = System.currentTimeMillis() * 1000;
        for (int i = 0; i < k; i++) {
          ps.setString(1, queue);
          ps.setString(2, Env.PAYLOAD_TEXT);
          ps.setLong(3, now);
          ps.setLong(4, now);
          ps.setLong(5, now);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
        done += k;
      }
    }
    return n * 1e9 / (System.nanoTime() - t0);
  }

  /** The Worker variant burns a quarter of the jobs: it repeats the main row's path. */
  static int workerJobs(int n) {
    return Math.max(1, n / 4);
  }

  private static Row peerRow(String peer, String jobs, double fs, Burn b, String error) {
    String scenario =
        "burn-down " + jobs + " jobs, PostgreSQL: flowstore (4x lease 100) vs " + peer;
    if (b == null) {
      System.err.println("bench: " + peer + " failed: " + error);
      return Row.notAvailable("4", scenario, Row.rate(fs, "jobs/s"), "failed: " + error);
    }
    return Row.throughput("4", scenario, fs, b.burnPerSec(), "jobs/s");
  }

  static final String RAW_JOBS =
      """
      CREATE TABLE jobs (
        job_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, queue text NOT NULL,
        job_type text NOT NULL, payload jsonb NOT NULL, priority integer NOT NULL DEFAULT 0,
        run_at timestamptz NOT NULL DEFAULT now(), status text NOT NULL DEFAULT 'queued',
        attempt integer NOT NULL DEFAULT 0, lease_seq bigint NOT NULL DEFAULT 0,
        lease_expires_at timestamptz, created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz)""";

  static final String RAW_JOBS_READY =
      "CREATE INDEX jobs_ready_ix ON jobs (queue, priority DESC, run_at, job_id)"
          + " WHERE status = 'queued'";

  static final String RAW_CLAIM =
      """
      WITH claimed AS MATERIALIZED (
        SELECT job_id FROM jobs WHERE queue = ? AND status = 'queued' AND run_at <= now()
        ORDER BY priority DESC, run_at, job_id LIMIT ? FOR UPDATE SKIP LOCKED)
      UPDATE jobs j SET status = 'leased', attempt = attempt + 1, lease_seq = lease_seq + 1,
        lease_expires_at = now() + interval '5 minutes', updated_at = now()
      FROM claimed WHERE j.job_id = claimed.job_id
      RETURNING j.job_id, j.lease_seq, j.payload""";

  static final String RAW_ACK =
      "UPDATE jobs SET status = 'succeeded', lease_expires_at = NULL, finished_at = now(),"
          + " updated_at = now() WHERE job_id = ? AND status = 'leased' AND lease_seq = ?";

  Burn rawBurn(HikariDataSource ds, String queue, int n) throws Exception {
    long t0 = System.nanoTime();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO jobs (queue, job_type, payload) VALUES (?, 'noop', ?::jsonb)")) {
        for (int done = 0; done < n; ) {
          int k = Math.min(ENQUEUE_BATCH, n - done);
          for (int i = 0; i < k; i++) {
            ps.setString(1, queue);
            ps.setString(2, Env.PAYLOAD_TEXT);
            ps.addBatch();
          }
          ps.executeBatch();
          c.commit();
          done += k;
        }
      }
    }
    double enq = n * 1e9 / (System.nanoTime() - t0);
    AtomicLong acked = new AtomicLong();
    long t1 = System.nanoTime();
    Measure.parallel(
        WORKERS,
        w -> {
          try (Connection c = ds.getConnection();
              PreparedStatement claim = c.prepareStatement(RAW_CLAIM);
              PreparedStatement ack = c.prepareStatement(RAW_ACK)) {
            c.setAutoCommit(true);
            while (true) {
              List<long[]> leased = new ArrayList<>();
              claim.setString(1, queue);
              claim.setInt(2, LEASE_BATCH);
              try (ResultSet rs = claim.executeQuery()) {
                while (rs.next()) {
                  rs.getString(3);
                  leased.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
              }
              if (leased.isEmpty()) return 0;
              for (long[] l : leased) {
                ack.setLong(1, l[0]);
                ack.setLong(2, l[1]);
                if (ack.executeUpdate() != 1) throw new IllegalStateException("lease lost");
                acked.incrementAndGet();
              }
            }
          }
        });
    if (acked.get() != n) throw new IllegalStateException("raw acked " + acked + " of " + n);
    return new Burn(enq, acked.get() * 1e9 / (System.nanoTime() - t1));
  }

  // ---------------------------------------------------------------- peers

  static final String DB_SCHEDULER_TABLE =
      """
      CREATE TABLE scheduled_tasks (
        task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,
        execution_time timestamptz, picked boolean NOT NULL, picked_by text,
        last_success timestamptz, last_failure timestamptz, consecutive_failures int,
        last_heartbeat timestamptz, version bigint NOT NULL, priority smallint, state text,
        PRIMARY KEY (task_name, task_instance));
      CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
      CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
      CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time)""";

  /** db-scheduler one-time no-op tasks; a finished one-time task's row is deleted. */
  Burn dbScheduler(int n) throws RuntimeException {
    String schema = Env.newName("bench_dbs");
    env.createSchema(schema);
    env.execute("SET search_path TO " + schema + "; " + DB_SCHEDULER_TABLE);
    OneTimeTask<Void> task = Tasks.oneTime("noop").execute((inst, ctx) -> {});
    try (HikariDataSource ds = env.pool(schema, PEER_THREADS + 4)) {
      Scheduler scheduler =
          Scheduler.create(ds, task)
              .threads(PEER_THREADS)
              .pollingInterval(Duration.ofMillis(100))
              .pollUsingLockAndFetch(0.5, (double) LEASE_BATCH / PEER_THREADS)
              .build();
      scheduler.start();
      try {
        LongSupplier left = () -> count(ds, "SELECT count(*) FROM scheduled_tasks");
        scheduleDbs(scheduler, task, "w", Math.min(WARMUP_JOBS, n));
        waitUntil(() -> left.getAsLong() == 0, "db-scheduler warm-up");
        scheduler.pause();
        long t0 = System.nanoTime();
        scheduleDbs(scheduler, task, "j", n);
        double enq = n * 1e9 / (System.nanoTime() - t0);
        long t1 = System.nanoTime();
        scheduler.resume();
        waitUntil(() -> left.getAsLong() == 0, "db-scheduler burn-down");
        return new Burn(enq, n * 1e9 / (System.nanoTime() - t1));
      } finally {
        scheduler.stop();
      }
    } finally {
      env.dropSchema(schema);
    }
  }

  private static void scheduleDbs(Scheduler s, OneTimeTask<Void> task, String prefix, int n) {
    Instant now = Instant.now();
    for (int done = 0; done < n; ) {
      int k = Math.min(ENQUEUE_BATCH, n - done);
      List<TaskInstance<?>> batch = new ArrayList<>(k);
      for (int i = 0; i < k; i++) batch.add(task.instance(prefix + (done + i)));
      s.scheduleBatch(batch, now);
      done += k;
    }
  }

  /** JobRunr fire-and-forget no-op jobs; succeeded jobs stay in jobrunr_jobs as SUCCEEDED. */
  Burn jobRunr(int n) throws RuntimeException {
    String schema = Env.newName("bench_jr");
    env.createSchema(schema);
    try (HikariDataSource ds = env.pool(schema, PEER_THREADS + 4)) {
      JobScheduler scheduler =
          JobRunr.configure()
              .useStorageProvider(SqlStorageProviderFactory.using(ds))
              .useBackgroundJobServer(
                  BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                      .andWorkerCount(PEER_THREADS)
                      .andPollInterval(Duration.ofSeconds(5)))
              .initialize()
              .getJobScheduler();
      BackgroundJobServer server = JobRunr.getBackgroundJobServer();
      try {
        LongSupplier succeeded =
            () -> count(ds, "SELECT count(*) FROM jobrunr_jobs WHERE state = 'SUCCEEDED'");
        int warm = Math.min(WARMUP_JOBS, n);
        scheduler.enqueue(LongStream.range(0, warm).boxed(), id -> NoopJob.run(id));
        waitUntil(() -> succeeded.getAsLong() >= warm, "JobRunr warm-up");
        server.pauseProcessing();
        long t0 = System.nanoTime();
        scheduler.enqueue(LongStream.range(0, n).boxed(), id -> NoopJob.run(id));
        double enq = n * 1e9 / (System.nanoTime() - t0);
        long t1 = System.nanoTime();
        server.resumeProcessing();
        waitUntil(() -> succeeded.getAsLong() >= warm + n, "JobRunr burn-down");
        return new Burn(enq, n * 1e9 / (System.nanoTime() - t1));
      } finally {
        JobRunr.destroy();
      }
    } finally {
      env.dropSchema(schema);
    }
  }

  static long count(HikariDataSource ds, String sql) {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  interface Check {
    boolean done() throws Exception;
  }

  static void waitUntil(Check check, String what) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    try {
      while (!check.done()) {
        if (System.nanoTime() > deadline)
          throw new IllegalStateException(what + ": not done within " + LIMIT);
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + ": interrupted", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(what, e);
    }
  }

  // ---------------------------------------------------------------- row 5: Redis

  void row5(java.util.function.Consumer<Row> out) throws Exception {
    int n = s.queueJobs();
    env.flushBenchRedisDb();
    Path dir = Env.tempDir("bench-redis-");
    Burn fs;
    try {
      try (Flowstore store =
          Flowstore.open(
              Env.flowstoreSqlite(
                  dir,
                  Map.of(
                      "FLOWSTORE_QUEUE_BACKEND",
                      "redis",
                      "REDIS_DSN",
                      env.redisDsn(Env.REDIS_DB))))) {
        Queue q = store.queue(AppendRows.TENANT);
        burnFlowstore(q, "warm", Math.min(WARMUP_JOBS, n));
        fs = burnFlowstore(q, "burn", n);
      }
      env.flushBenchRedisDb();
      rawRedisBurn("bench:raw:warm", Math.min(WARMUP_JOBS, n));
      Burn raw = rawRedisBurn("bench:raw:burn", n);
      String jobs = String.format("%,d", n);
      out.accept(
          Row.throughput(
              "5",
              "enqueue " + jobs + " jobs, 1000/call, Redis vs pipelined XADD",
              fs.enqueuePerSec(),
              raw.enqueuePerSec(),
              "jobs/s"));
      out.accept(
          Row.throughput(
              "5",
              "burn-down "
                  + jobs
                  + " jobs, "
                  + WORKERS
                  + " workers lease 100 + ack each, Redis vs XREADGROUP/XACK",
              fs.burnPerSec(),
              raw.burnPerSec(),
              "jobs/s"));
    } finally {
      env.flushBenchRedisDb();
      Env.deleteTree(dir);
    }
  }

  Burn rawRedisBurn(String key, int n) {
    RedisClient client = RedisClient.create(RedisURI.create(env.redisDsn(Env.REDIS_DB)));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      var sync = c.sync();
      var async = c.async();
      sync.xgroupCreate(
          XReadArgs.StreamOffset.from(key, "0"), "g", XGroupCreateArgs.Builder.mkstream());
      Map<String, String> body = Map.of("job_type", "noop", "payload", Env.PAYLOAD_TEXT);
      long t0 = System.nanoTime();
      for (int done = 0; done < n; ) {
        int k = Math.min(ENQUEUE_BATCH, n - done);
        List<RedisFuture<String>> fs = new ArrayList<>(k);
        for (int i = 0; i < k; i++) fs.add(async.xadd(key, body));
        if (!LettuceFutures.awaitAll(1, TimeUnit.MINUTES, fs.toArray(new RedisFuture<?>[0])))
          throw new IllegalStateException("XADD timed out");
        done += k;
      }
      double enq = n * 1e9 / (System.nanoTime() - t0);
      AtomicLong acked = new AtomicLong();
      long t1 = System.nanoTime();
      Measure.parallel(
          WORKERS,
          w -> {
            Consumer<String> me = Consumer.from("g", "c" + w);
            while (true) {
              List<StreamMessage<String, String>> msgs =
                  sync.xreadgroup(
                      me,
                      XReadArgs.Builder.count(LEASE_BATCH),
                      XReadArgs.StreamOffset.lastConsumed(key));
              if (msgs.isEmpty()) return 0;
              for (StreamMessage<String, String> m : msgs) {
                if (sync.xack(key, "g", m.getId()) != 1) throw new IllegalStateException("XACK");
                acked.incrementAndGet();
              }
            }
          });
      if (acked.get() != n) throw new IllegalStateException("raw acked " + acked + " of " + n);
      return new Burn(enq, acked.get() * 1e9 / (System.nanoTime() - t1));
    } finally {
      client.shutdown();
    }
  }
}
