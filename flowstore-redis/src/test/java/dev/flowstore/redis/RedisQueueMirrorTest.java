package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.DlqItem;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import dev.flowstore.spi.BackendSwitch;
import dev.flowstore.spi.BackendSwitch.Comparison;
import dev.flowstore.spi.BackendSwitch.CopyOptions;
import dev.flowstore.spi.Mirroring;
import dev.flowstore.spi.QueueChanges;
import dev.flowstore.testkit.SettableClock;
import dev.flowstore.testkit.TestBackends;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The mirror of a deployment on PostgreSQL + the Redis queue into SQLite on the SQL queue
 * (docs/mirror.md, "The Redis queue"): the rollback-readiness window of the runbook. Jobs change in
 * every way a queue changes them after the copy (enqueue, lease, heartbeat, ack, nack to a retry
 * and to the DLQ, release, DLQ redrive and purge, retention), in a tenant that existed at capture
 * and in one that came later; the mirror carries them and {@code compare} finds no difference. A
 * job changed between a take and its done stays logged; with capture off nothing is logged; a
 * secondary that fails mid-window loses nothing. Redis database 2, keys under environment names of
 * the test's own (deleted at the end).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisQueueMirrorTest {
  private static final int DB = 2;
  private static final Duration VIS = Duration.ofMinutes(10);

  private final SettableClock clock = new SettableClock();
  private final List<Flowstore> open = new ArrayList<>();
  private final List<String> envs = new ArrayList<>();

  private Flowstore primary() {
    Map<String, String> m = new HashMap<>();
    m.put("FLOWSTORE_STORE_BACKEND", "postgres");
    m.put("POSTGRES_DSN", TestBackends.postgresDsn());
    m.put(
        "POSTGRES_SCHEMA",
        "t_qm" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36));
    m.put("POSTGRES_POOL_MAX", "4");
    String env = "qm" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    envs.add(env);
    m.put("FLOWSTORE_QUEUE_BACKEND", "redis");
    m.put("REDIS_DSN", TestBackends.redisDsn(DB));
    m.put("FLOWSTORE_ENV", env);
    return track(Flowstore.open(FlowstoreConfig.fromMap(m), clock));
  }

  private Flowstore sqlite(Path dir) {
    return track(
        Flowstore.open(
            FlowstoreConfig.fromMap(
                Map.of("FLOWSTORE_STORE_BACKEND", "sqlite", "FLOWSTORE_DATA_DIR", dir.toString())),
            clock));
  }

  private Flowstore track(Flowstore f) {
    open.add(f);
    return f;
  }

  private static Path tempDir() {
    return dev.flowstore.testkit.TestBackends.tempDir("flowstore-qm-");
  }

  @BeforeEach
  void startClock() {
    clock.set(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @AfterEach
  void closeAll() {
    for (Flowstore f : open) {
      f.close();
      TestBackends.drop(f.config());
    }
    open.clear();
  }

  @AfterAll
  void deleteKeys() {
    for (String env : envs) RedisTestKeys.deleteMatching(DB, "flowstore:" + env + ":*");
  }

  private static NewJob job(String queue, int n) {
    return NewJob.of(queue, "work", JsonNodeFactory.instance.objectNode().put("n", n));
  }

  private static Mirroring mirroring(Flowstore a, Flowstore b) {
    return Mirroring.find(a, b);
  }

  /** The start of a window: capture on, then a copy into a new SQLite store in {@code dir}. */
  private Flowstore windowInto(Flowstore source, Path dir) {
    mirroring(source, source).capture(source, true);
    Flowstore target = sqlite(dir);
    copy(source, target);
    return target;
  }

  private static void copy(Flowstore from, Flowstore to) {
    BackendSwitch.find(from, to)
        .copy(from, to, new CopyOptions(false, 50), p -> {}, Clock.systemUTC());
  }

  private static Comparison compare(Flowstore a, Flowstore b) {
    return BackendSwitch.find(a, b).compare(a, b, 10);
  }

  /** Steps until a step carries nothing; the entries carried. */
  private static long drain(Mirroring.Link link) {
    long n = 0;
    for (Mirroring.Step s = link.step(); s.entries() > 0; s = link.step()) n += s.entries();
    return n;
  }

  /**
   * Carries what is logged, then both sides compare equal; a secondary on the Redis queue keeps in
   * its store's {@code jobs} the DLQ's jobs and no other (as a copy leaves it).
   */
  private static void same(Mirroring.Link link, Flowstore source, Flowstore target) {
    assertThat(drain(link)).isPositive();
    Comparison c = compare(source, target);
    assertThat(c.equal()).as("%s", c).isTrue();
    if (((dev.flowstore.jdbc.internal.JdbcFlowstore) target).queueBackend() != null)
      TestBackends.executeAsOwner(
          target.config(),
          "DO $$ BEGIN IF EXISTS (SELECT 1 FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM dlq_items i"
              + " WHERE i.tenant_id = j.tenant_id AND i.job_id = j.job_id)) THEN RAISE EXCEPTION"
              + " 'the store beside the Redis queue holds a job without a DLQ item'; END IF; END $$");
  }

  private static QueueChanges changes(Flowstore f) {
    return ((dev.flowstore.jdbc.internal.JdbcFlowstore) f).queueBackend().changes();
  }

  private static List<TenantId> tenants(Flowstore f) {
    return ((dev.flowstore.jdbc.internal.JdbcFlowstore) f).tenants();
  }

  @Test
  void everyKindOfJobChangeAfterTheCopyReachesTheSqlSecondaryAndComparesEqual() {
    everyKindOfJobChangeIsCarried(primary(), sqlite(tempDir()));
  }

  /**
   * The forward window: SQLite on its SQL queue serves, PostgreSQL + the Redis queue follows. The
   * jobs go into Redis, and the secondary store keeps of them what a store beside a Redis queue
   * keeps: the DLQ's jobs.
   */
  @Test
  void everyKindOfJobChangeReachesASecondaryOnTheRedisQueueAndComparesEqual() {
    everyKindOfJobChangeIsCarried(sqlite(tempDir()), primary());
  }

  private void everyKindOfJobChangeIsCarried(Flowstore source, Flowstore target) {
    TenantId acme = TenantId.of("acme");
    Queue q = source.queue(acme);
    UUID done = q.enqueue(job("alpha", 1)).value().jobId();
    UUID later = q.enqueue(job("alpha", 2).withPriority(-1)).value().jobId();
    UUID doomed = q.enqueue(job("beta", 3).withMaxAttempts(1)).value().jobId();
    UUID uniq = q.enqueue(job("beta", 4).withUniqueKey("u-4")).value().jobId();
    clock.advance(Duration.ofSeconds(1));

    mirroring(source, source).capture(source, true);
    assertThat(mirroring(source, source).state(source).on()).isTrue();
    copy(source, target);
    Mirroring.Link link = mirroring(source, target).link(source, target, 3);

    // after the copy: every kind of change, each carried on its own (a change the queue failed
    // to log would be missed: nothing else touches the job before the compare)
    Lease l1 = q.lease("alpha", 1, VIS).get(0);
    assertThat(l1.jobId()).isEqualTo(done);
    same(link, source, target);
    q.heartbeat(done, l1.token(), VIS.multipliedBy(2));
    same(link, source, target);
    q.ack(done, l1.token());
    same(link, source, target);
    Lease l2 = q.lease("alpha", 1, VIS).get(0);
    q.nack(later, l2.token(), "again", Duration.ofMinutes(5));
    same(link, source, target);
    Lease l3 = q.lease("beta", 1, VIS).get(0);
    assertThat(l3.jobId()).isEqualTo(doomed);
    q.nack(doomed, l3.token(), "boom", null); // to the DLQ, with its item in the store
    same(link, source, target);
    assertThat(target.queue(acme).deadLetters().list(null, null, 10))
        .extracting(DlqItem::jobId)
        .containsExactly(doomed);
    Lease l4 = q.lease("beta", 1, VIS).get(0);
    same(link, source, target);
    q.release(uniq, l4.token());
    same(link, source, target);
    UUID fresh = q.enqueue(job("gamma", 5).withTraceId("t-5")).value().jobId();
    same(link, source, target);
    assertThat(target.queue(acme).get(fresh).orElseThrow().job().traceId()).isEqualTo("t-5");
    TenantId globex = TenantId.of("globex");
    UUID newcomer = source.queue(globex).enqueue(job("alpha", 6)).value().jobId();
    same(link, source, target);
    assertThat(target.queue(globex).get(newcomer)).isPresent();
    // a lease that expires: the reaper puts the job back
    q.lease("gamma", 1, VIS);
    same(link, source, target);
    clock.advance(VIS.plusSeconds(1));
    assertThat(q.releaseExpired()).isEqualTo(1);
    same(link, source, target);
    assertThat(mirroring(source, target).state(source).pending()).isZero();

    // the DLQ item redriven and purged, a succeeded job taken by retention: gone there too
    source.queue(acme).deadLetters().redrive(doomed);
    same(link, source, target);
    Lease again =
        q.lease("beta", 2, VIS).stream()
            .filter(l -> l.jobId().equals(doomed))
            .findFirst()
            .orElseThrow();
    q.nack(doomed, again.token(), "boom again", null);
    same(link, source, target);
    source.queue(acme).deadLetters().purge(doomed);
    same(link, source, target);
    assertThat(target.queue(acme).get(doomed)).isEmpty();
    assertThat(target.queue(acme).deadLetters().list(null, null, 10)).isEmpty();
    clock.advance(Duration.ofDays(1));
    assertThat(q.purgeSucceeded(clock.instant(), 100)).isEqualTo(1);
    same(link, source, target);
    assertThat(target.queue(acme).get(done)).isEmpty();

    // the secondary serves the same jobs the primary would: the unique key is held
    assertThat(target.queue(acme).enqueue(job("beta", 9).withUniqueKey("u-4")).duplicate())
        .isTrue();
  }

  @Test
  void aLargeBatchOfJobsIsCarriedWholeInOneStep() {
    Flowstore source = primary();
    TenantId acme = TenantId.of("acme");
    Queue q = source.queue(acme);
    q.enqueue(job("alpha", 0));
    Flowstore target = windowInto(source, tempDir());
    List<NewJob> many = new ArrayList<>();
    for (int i = 1; i <= 250; i++) many.add(job("alpha", i));
    q.enqueueAll(many);
    for (Lease l : q.lease("alpha", 30, VIS)) q.ack(l.jobId(), l.token());
    Mirroring.Link link = mirroring(source, target).link(source, target, 1000);
    Mirroring.Step first = link.step();
    assertThat(first.entries()).isGreaterThanOrEqualTo(250);
    assertThat(drain(link)).isGreaterThanOrEqualTo(0);
    Comparison c = compare(source, target);
    assertThat(c.equal()).as("%s", c).isTrue();
    assertThat(changes(source).state(tenants(source)).pending()).isZero();
  }

  /**
   * The mirror's write into a Redis queue, which a failed batch repeats: replacing a job takes it
   * out of every index it was in (a replay leaves one entry, not two), whatever state it was in,
   * and deleting it frees its unique key.
   */
  @Test
  void replacingAJobInRedisMovesItBetweenIndexesAndARepeatChangesNothing() {
    Flowstore redis = primary();
    TenantId acme = TenantId.of("acme");
    Queue q = redis.queue(acme);
    UUID id = q.enqueue(job("alpha", 1).withUniqueKey("u-1")).value().jobId();
    dev.flowstore.spi.QueueContents contents =
        ((dev.flowstore.jdbc.internal.JdbcFlowstore) redis).queueBackend().contents();
    List<dev.flowstore.spi.QueueContents.StoredJob> queued = new ArrayList<>();
    contents.read(acme, 10, queued::addAll);
    assertThat(queued).hasSize(1);
    for (int i = 0; i < 2; i++) contents.replace(acme, queued, List.of());
    assertThat(q.stats()).singleElement().satisfies(st -> assertThat(st.ready()).isEqualTo(1));
    assertThat(q.lease("alpha", 1, VIS)).extracting(Lease::jobId).containsExactly(id);
    assertThat(q.stats()).singleElement().satisfies(st -> assertThat(st.leased()).isEqualTo(1));
    // back to the queued state it had (as a replayed older batch would write it)
    contents.replace(acme, queued, List.of());
    assertThat(q.stats())
        .singleElement()
        .satisfies(
            st -> {
              assertThat(st.ready()).isEqualTo(1);
              assertThat(st.leased()).isZero();
            });
    assertThat(q.lease("alpha", 1, VIS)).extracting(Lease::jobId).containsExactly(id);
    q.ack(id, q.get(id).orElseThrow().job().leaseToken());
    assertThat(q.stats()).singleElement().satisfies(st -> assertThat(st.succeeded()).isEqualTo(1));
    assertThat(contents.replace(acme, List.of(), List.of(id))).containsExactly(0, 1);
    assertThat(q.stats()).allSatisfy(st -> assertThat(st.depth() + st.succeeded()).isZero());
    assertThat(q.get(id)).isEmpty();
    assertThat(q.enqueue(job("alpha", 2).withUniqueKey("u-1")).duplicate()).isFalse();
  }

  @Test
  void aJobChangedBetweenTakeAndDoneStaysLogged() {
    Flowstore source = primary();
    TenantId acme = TenantId.of("acme");
    mirroring(source, source).capture(source, true);
    Queue q = source.queue(acme);
    UUID id = q.enqueue(job("alpha", 1)).value().jobId();
    QueueChanges log = changes(source);
    List<QueueChanges.Batch> taken = log.take(10, tenants(source));
    assertThat(taken).singleElement().satisfies(b -> assertThat(b.changes()).hasSize(1));
    assertThat(taken.get(0).changes().get(0).current().job().status().wire()).isEqualTo("queued");
    q.lease("alpha", 1, VIS); // changes the job after the take
    log.done(taken.get(0));
    List<QueueChanges.Batch> next = log.take(10, tenants(source));
    assertThat(next).singleElement().satisfies(b -> assertThat(b.changes()).hasSize(1));
    assertThat(next.get(0).changes().get(0).jobId()).isEqualTo(id);
    assertThat(next.get(0).changes().get(0).current().job().status().wire()).isEqualTo("leased");
    log.done(next.get(0));
    assertThat(log.state(tenants(source)).pending()).isZero();
  }

  @Test
  void withCaptureOffNothingIsLoggedAndTheMirrorRefuses() {
    Flowstore source = primary();
    TenantId acme = TenantId.of("acme");
    Queue q = source.queue(acme);
    q.enqueue(job("alpha", 1));
    QueueChanges log = changes(source);
    assertThat(log.state(tenants(source)).on()).isFalse();
    mirroring(source, source).capture(source, true);
    q.enqueue(job("alpha", 2));
    assertThat(log.state(tenants(source)).pending()).isEqualTo(1);
    mirroring(source, source).capture(source, false);
    assertThat(log.state(tenants(source)))
        .isEqualTo(new Mirroring.CaptureState(false, 0, java.util.Optional.empty()));
    q.lease("alpha", 2, VIS);
    q.enqueue(job("alpha", 3));
    String env = envs.get(envs.size() - 1);
    assertThat(RedisTestKeys.scan(DB, "flowstore:" + env + ":*#changes")).isEmpty();
    assertThat(RedisTestKeys.scan(DB, "flowstore:" + env + ":*#mirror")).isEmpty();
    assertThatThrownBy(() -> log.take(10, tenants(source)))
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION));
  }

  @Test
  void aSecondaryThatFailsMidWindowLosesNothing() {
    Flowstore source = primary();
    TenantId acme = TenantId.of("acme");
    Queue q = source.queue(acme);
    q.enqueue(job("alpha", 0));
    Path dir = tempDir();
    Flowstore target = windowInto(source, dir);
    for (int i = 1; i <= 20; i++) q.enqueue(job("alpha", i));
    Mirroring.Link link = mirroring(source, target).link(source, target, 5);
    assertThat(link.step().entries()).isEqualTo(5);
    // the secondary goes away: the batch fails, nothing is dropped from the primary's log
    target.close();
    assertThatThrownBy(link::step).isInstanceOf(RuntimeException.class);
    assertThat(mirroring(source, source).state(source).pending()).isEqualTo(15);
    for (int i = 21; i <= 25; i++) q.enqueue(job("alpha", i));
    // back (a new process on the same file): it catches up
    Flowstore back = sqlite(dir);
    Mirroring.Link again = mirroring(source, back).link(source, back, 5);
    assertThat(drain(again)).isEqualTo(20);
    Comparison c = compare(source, back);
    assertThat(c.equal()).as("%s", c).isTrue();
  }

  /**
   * A tenant whose first job came after {@code capture on} logs nothing until the mirror takes it
   * up; its jobs count as pending meanwhile, so {@code capture status} never says 0 while jobs wait
   * to be carried.
   */
  @Test
  void aTenantNewSinceCaptureOnCountsItsJobsAsPendingUntilTheMirrorCarriesThem() {
    Flowstore source = primary();
    source.queue(TenantId.of("acme")).enqueue(job("alpha", 0));
    Flowstore target = windowInto(source, tempDir());
    assertThat(mirroring(source, source).state(source).pending()).isZero();
    Queue late = source.queue(TenantId.of("globex"));
    late.enqueue(job("alpha", 1));
    late.enqueue(job("beta", 2).withRunAt(clock.instant().plus(Duration.ofMinutes(5))));
    Lease l = late.lease("alpha", 1, VIS).get(0);
    late.ack(l.jobId(), l.token());
    late.enqueue(job("alpha", 3));
    // the queue's part: its three jobs (the window's pending adds the store's own entries, here
    // the new tenant's registry row)
    assertThat(changes(source).state(tenants(source)).pending()).isEqualTo(3);
    assertThat(mirroring(source, source).state(source).pending()).isEqualTo(4);
    Mirroring.Link link = mirroring(source, target).link(source, target, 100);
    assertThat(drain(link)).isEqualTo(4);
    assertThat(mirroring(source, source).state(source).pending()).isZero();
    Comparison c = compare(source, target);
    assertThat(c.equal()).as("%s", c).isTrue();
  }

  /**
   * A tenant's flag lost behind the mirror's back (another process switched capture off and on,
   * Redis lost its data): the next batch takes the tenant up again and carries every job it holds.
   */
  @Test
  void aTenantWhoseFlagWasLostIsTakenUpAgainAndCarriedWhole() {
    Flowstore source = primary();
    TenantId acme = TenantId.of("acme");
    Queue q = source.queue(acme);
    q.enqueue(job("alpha", 0));
    Flowstore target = windowInto(source, tempDir());
    Mirroring.Link link = mirroring(source, target).link(source, target, 100);
    q.enqueue(job("alpha", 1));
    assertThat(drain(link)).isEqualTo(1);
    RedisTestKeys.deleteMatching(DB, "flowstore:" + envs.get(envs.size() - 1) + ":{acme}:#mirror");
    q.enqueue(job("alpha", 2)); // not logged: the flag is gone
    assertThat(changes(source).state(tenants(source)).pending()).isEqualTo(3);
    assertThat(drain(link)).isEqualTo(3);
    Comparison c = compare(source, target);
    assertThat(c.equal()).as("%s", c).isTrue();
  }

  @Test
  void redisIntoRedisIsRefusedWithWhatToDoInstead() {
    Flowstore source = primary();
    Flowstore target = primary();
    assertThatThrownBy(() -> mirroring(source, target).link(source, target, 10))
        .isInstanceOfSatisfying(
            FlowstoreException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
              assertThat(e.getMessage()).contains("not Redis into Redis");
            });
  }
}
