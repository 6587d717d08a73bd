package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AppendResult;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 3, feed gaps: 16 appenders commit after random delays (5% of their transactions roll
 * back) while readers poll the tenant feed ({@code readAll(after)}). The checker holds each reader
 * to: every committed event seen exactly once, in position order, positions dense, no rolled-back
 * event ever seen.
 */
final class S3FeedGaps implements Scenario {
  static final int APPENDERS = 16;
  private static final String[] CATEGORIES = {"order", "user"};
  private static final TenantId TENANT = TenantId.of("s3");

  @Override
  public int number() {
    return 3;
  }

  @Override
  public String name() {
    return "feed gaps";
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    int events = settings.pick(3_000, 50_000, 1_000_000);
    List<Figure> out = new ArrayList<>();
    FlowstoreConfig sqlite =
        ChaosStores.sqlite(Files.createTempDirectory(settings.workDir(), "s3-"));
    out.add(runOn("sqlite", sqlite, events));
    String schema = ChaosStores.schema("chaos_s3_");
    try {
      FlowstoreConfig pg =
          ChaosStores.postgres(settings.postgresDsn(), schema, Map.of("POSTGRES_POOL_MAX", "20"));
      out.add(runOn("postgres", pg, events));
    } finally {
      ChaosStores.dropSchema(settings.postgresDsn(), schema);
    }
    return out;
  }

  /** Thrown inside a transaction to roll it back. */
  private static final class Rollback extends RuntimeException {
    Rollback() {
      super("rollback", null, false, false);
    }
  }

  /** What one reader saw, in order: event ids and positions (compact: 1M events cost 24 MB). */
  static final class Seen {
    final String category;
    final int limit;
    long[] msb = new long[1024];
    long[] lsb = new long[1024];
    long[] pos = new long[1024];
    int n;

    Seen(String category, int limit) {
      this.category = category;
      this.limit = limit;
    }

    void add(RecordedEvent e) {
      if (n == pos.length) {
        msb = java.util.Arrays.copyOf(msb, n * 2);
        lsb = java.util.Arrays.copyOf(lsb, n * 2);
        pos = java.util.Arrays.copyOf(pos, n * 2);
      }
      msb[n] = e.eventId().getMostSignificantBits();
      lsb[n] = e.eventId().getLeastSignificantBits();
      pos[n++] = e.position();
    }
  }

  private Figure runOn(String variant, FlowstoreConfig config, int target) throws Exception {
    Map<UUID, Long> committed = new ConcurrentHashMap<>();
    Map<UUID, String> categoryOf = new ConcurrentHashMap<>();
    Set<UUID> rolledBack = ConcurrentHashMap.newKeySet();
    AtomicInteger budget = new AtomicInteger(target);
    AtomicLong transactions = new AtomicLong();
    AtomicLong rollbacks = new AtomicLong();
    AtomicLong grouped = new AtomicLong();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Seen> readers =
        List.of(
            new Seen(null, 1000), new Seen(null, 1000), new Seen(null, 13), new Seen("order", 500));
    long t0 = System.nanoTime();
    try (Flowstore fs = Flowstore.open(config)) {
      volatileDone = false;
      List<Thread> appenders = new ArrayList<>();
      for (int i = 0; i < APPENDERS; i++)
        appenders.add(
            Thread.ofPlatform()
                .name("s3-append-" + i)
                .start(
                    () -> {
                      try {
                        append(
                            fs,
                            budget,
                            committed,
                            categoryOf,
                            rolledBack,
                            transactions,
                            rollbacks,
                            grouped);
                      } catch (Throwable t) {
                        errors.add(t);
                      }
                    }));
      List<Thread> readerThreads = new ArrayList<>();
      for (Seen s : readers)
        readerThreads.add(
            Thread.ofPlatform()
                .name("s3-read")
                .start(
                    () -> {
                      try {
                        read(fs, s);
                      } catch (Throwable t) {
                        errors.add(t);
                      }
                    }));
      for (Thread t : appenders) t.join();
      volatileDone = true;
      for (Thread t : readerThreads) t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return check(
        variant,
        committed,
        categoryOf,
        rolledBack,
        readers,
        transactions.get(),
        rollbacks.get(),
        grouped.get(),
        errors,
        seconds);
  }

  private volatile boolean volatileDone;

  private void append(
      Flowstore fs,
      AtomicInteger budget,
      Map<UUID, Long> committed,
      Map<UUID, String> categoryOf,
      Set<UUID> rolledBack,
      AtomicLong transactions,
      AtomicLong rollbacks,
      AtomicLong grouped) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    while (true) {
      int n = 1 + rnd.nextInt(48);
      if (budget.getAndAdd(-n) <= 0) return;
      String category = CATEGORIES[rnd.nextInt(CATEGORIES.length)];
      String stream = category + "-" + rnd.nextInt(200);
      List<EventData> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("i", i);
        batch.add(new EventData(UUID.randomUUID(), "s3.appended", payload, null));
      }
      AppendResult r;
      if (rnd.nextInt(4) == 0) {
        // the group-commit path: an append in a transaction of its own, never rolled back
        r = fs.events(TENANT).append(stream, ExpectedVersion.ANY, batch);
        grouped.incrementAndGet();
      } else {
        boolean rollback = rnd.nextInt(100) < 5;
        long delayNanos = commitDelay(rnd);
        try {
          r =
              fs.inTransaction(
                  TENANT,
                  tx -> {
                    AppendResult a = tx.events().append(stream, ExpectedVersion.ANY, batch);
                    if (delayNanos > 0) LockSupport.parkNanos(delayNanos);
                    if (rollback) throw new Rollback();
                    return a;
                  });
        } catch (Rollback e) {
          rollbacks.incrementAndGet();
          for (EventData e2 : batch) rolledBack.add(e2.eventId());
          budget.addAndGet(n);
          continue;
        }
      }
      transactions.incrementAndGet();
      for (RecordedEvent e : r.events()) {
        committed.put(e.eventId(), e.position());
        categoryOf.put(e.eventId(), category);
      }
    }
  }

  /** Mostly none or well under a millisecond, sometimes a few: commits land out of start order. */
  private static long commitDelay(ThreadLocalRandom rnd) {
    int p = rnd.nextInt(100);
    if (p < 40) return 0;
    if (p < 97) return rnd.nextLong(300_000);
    return rnd.nextLong(5_000_000);
  }

  private void read(Flowstore fs, Seen s) {
    long after = 0;
    boolean drained = false;
    while (true) {
      boolean doneBefore = volatileDone;
      List<RecordedEvent> page = fs.events(TENANT).readAll(after, s.limit, s.category);
      for (RecordedEvent e : page) s.add(e);
      if (!page.isEmpty()) {
        after = page.get(page.size() - 1).position();
        continue;
      }
      // why: the last empty page must start after every appender finished, or a late commit
      // would be missed by the harness rather than by the feed
      if (doneBefore) {
        if (drained) return;
        drained = true;
      }
      LockSupport.parkNanos(500_000);
    }
  }

  Figure check(
      String variant,
      Map<UUID, Long> committed,
      Map<UUID, String> categoryOf,
      Set<UUID> rolledBack,
      List<Seen> readers,
      long transactions,
      long rollbacks,
      long grouped,
      List<Throwable> errors,
      double seconds) {
    long total = committed.size();
    // the store's own promise: committed positions are exactly 1..total
    BitSet positions = new BitSet();
    for (long p : committed.values()) if (p >= 1 && p <= total) positions.set((int) p);
    long positionGaps = total - positions.cardinality();
    long skipped = 0,
        twice = 0,
        outOfOrder = 0,
        gaps = 0,
        rolledBackSeen = 0,
        unknown = 0,
        moved = 0;
    for (Seen s : readers) {
      BitSet seen = new BitSet();
      long prev = 0;
      for (int i = 0; i < s.n; i++) {
        long p = s.pos[i];
        if (p <= prev) outOfOrder++;
        else if (s.category == null && p != prev + 1) gaps++;
        prev = Math.max(prev, p);
        UUID id = new UUID(s.msb[i], s.lsb[i]);
        Long expected = committed.get(id);
        if (expected == null) {
          if (rolledBack.contains(id)) rolledBackSeen++;
          else unknown++;
          continue;
        }
        if (expected != p) moved++;
        if (seen.get((int) p)) twice++;
        seen.set((int) p);
      }
      for (Map.Entry<UUID, Long> e : committed.entrySet()) {
        if (s.category != null && !s.category.equals(categoryOf.get(e.getKey()))) continue;
        if (!seen.get(e.getValue().intValue())) skipped++;
      }
    }
    boolean ok =
        errors.isEmpty()
            && skipped == 0
            && twice == 0
            && outOfOrder == 0
            && gaps == 0
            && rolledBackSeen == 0
            && unknown == 0
            && moved == 0
            && positionGaps == 0;
    String result =
        String.format(
            "skipped %d, seen twice %d, out of order %d, position gaps %d (readers) / %d (stored),"
                + " rolled-back seen %d, unknown seen %d, moved %d%s; %.0f events/s",
            skipped,
            twice,
            outOfOrder,
            gaps,
            positionGaps,
            rolledBackSeen,
            unknown,
            moved,
            errors.isEmpty()
                ? ""
                : ", harness errors "
                    + errors.size()
                    + " (first: "
                    + ChaosStores.describe(errors.get(0))
                    + ")",
            total / seconds);
    return new Figure(
        "3 " + name(),
        variant,
        String.format(
            "%d events in %d transactions (%d group-committed), %d appenders, %d readers (2 x limit 1000, limit 13, category)",
            total, transactions, grouped, APPENDERS, readers.size()),
        String.format(
            "%d rollbacks (%d events), random commit delays 0-5 ms", rollbacks, rolledBack.size()),
        result,
        ok);
  }
}
