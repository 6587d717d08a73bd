package dev.flowstore.chaos;

import dev.flowstore.Flowstore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 6, SQLite under SIGKILL: a child JVM ({@link S6SqliteWriter}) writes to a SQLite store
 * (group-committed appends, a transaction of an append and an enqueue, lease and ack, session
 * changes) and prints each write once it is acknowledged; the parent kills it with SIGKILL at a
 * random moment — one in ten while it is still opening the store (recovering the WAL of the last
 * kill) — then opens the file itself: {@code PRAGMA integrity_check} must say ok and every write
 * the child printed must be there. At the end every write acknowledged over all runs is checked
 * again.
 */
final class S6SqliteKills implements Scenario {
  @Override
  public int number() {
    return 6;
  }

  @Override
  public String name() {
    return "SQLite under SIGKILL";
  }

  /** Writes the children acknowledged. */
  private static final class Acked {
    final Set<String> events = new HashSet<>();
    final Set<String> jobs = new HashSet<>();
    final Set<String> acks = new HashSet<>();
    final Map<String, Long> sessions = new HashMap<>();

    void add(String line) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "E", "T" -> events.add(f[1]);
        case "J" -> jobs.add(f[1]);
        case "A" -> acks.add(f[1]);
        case "S" -> sessions.merge(f[1], Long.parseLong(f[2]), Math::max);
        default -> {}
      }
    }

    void addAll(Acked o) {
      events.addAll(o.events);
      jobs.addAll(o.jobs);
      acks.addAll(o.acks);
      o.sessions.forEach((k, v) -> sessions.merge(k, v, Math::max));
    }

    long size() {
      return events.size() + jobs.size() + acks.size() + sessions.size();
    }
  }

  @Override
  public List<Figure> run(ChaosSettings settings) throws Exception {
    int kills = settings.pick(20, 100, 1000);
    // why: a JVM start costs ~1 s on an idle 2-core machine and several on a loaded one; the run
    // stops at its time budget rather than overrunning ./chaos --quick (the figure says how many)
    long budgetNanos = settings.pick(30, 100, 7200) * 1_000_000_000L;
    Path work = Files.createTempDirectory(settings.workDir(), "s6-");
    Path data = work.resolve("data");
    Path jsa = work.resolve("s6-writer.jsa");
    Path childLog = work.resolve("writer.log");
    try (Flowstore fs = Flowstore.open(ChaosStores.sqlite(data))) {
      fs.checkReady(); // migrated once here; children start without Flyway
    }
    // a clean run first, so the JVM writes its class-data archive and later starts are cheaper
    Process warm = start(data, jsa, childLog, true);
    if (!warm.waitFor(120, TimeUnit.SECONDS)) warm.destroyForcibly();

    Acked all = new Acked();
    long integrityFailures = 0, lost = 0, startFailures = 0, duringStart = 0;
    List<String> examples = new ArrayList<>();
    long t0 = System.nanoTime();
    int done = 0;
    for (int i = 0; i < kills && System.nanoTime() - t0 < budgetNanos; i++, done++) {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      boolean early = rnd.nextInt(10) == 0;
      Process p = start(data, jsa, childLog, false);
      Acked run = new Acked();
      CountDownLatch opening = new CountDownLatch(1);
      CountDownLatch ready = new CountDownLatch(1);
      Thread reader = Thread.ofPlatform().start(() -> read(p, run, opening, ready));
      if (early && opening.await(90, TimeUnit.SECONDS)) {
        // why: waits for the child to exit, up to the kill moment: one that dies on its own is seen
        p.waitFor(rnd.nextInt(200), TimeUnit.MILLISECONDS);
        duringStart++;
      } else {
        if (!ready.await(90, TimeUnit.SECONDS)) {
          startFailures++;
          if (examples.size() < 5) examples.add("run " + i + " never wrote; see " + childLog);
        }
        p.waitFor(rnd.nextInt(500), TimeUnit.MILLISECONDS);
      }
      p.destroyForcibly(); // SIGKILL
      p.waitFor();
      reader.join();
      Check c = check(data, run);
      if (!c.integrity.equals("ok")) {
        integrityFailures++;
        if (examples.size() < 5)
          examples.add("kill " + i + ": integrity_check says " + c.integrity);
      }
      if (c.lost > 0) {
        lost += c.lost;
        if (examples.size() < 5) examples.add("kill " + i + ": " + c.detail);
      }
      all.addAll(run);
      if (startFailures > 3) break;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Check last = check(data, all);
    boolean ok =
        integrityFailures == 0
            && lost == 0
            && last.lost == 0
            && last.integrity.equals("ok")
            && startFailures == 0;
    if (last.lost > 0 && examples.size() < 5) examples.add("final check: " + last.detail);
    String result =
        String.format(
            "integrity_check ok after %d of %d kills; acknowledged writes lost %d (per kill) / %d (all at the end)%s%s",
            done - integrityFailures,
            done,
            lost,
            last.lost,
            startFailures == 0 ? "" : "; " + startFailures + " children never wrote",
            examples.isEmpty() ? "" : "; " + String.join("; ", examples));
    return List.of(
        new Figure(
            "6 " + name(),
            "sqlite (WAL, synchronous=FULL)",
            String.format(
                "%d acknowledged writes (%d events, %d jobs, %d acks, %d sessions), 5 writer threads",
                all.size(),
                all.events.size(),
                all.jobs.size(),
                all.acks.size(),
                all.sessions.size()),
            String.format(
                "%d SIGKILLs (%d while opening the store; %d planned, time budget %d s), %.1f s per kill",
                done,
                duringStart,
                kills,
                budgetNanos / 1_000_000_000L,
                seconds / Math.max(1, done)),
            result,
            ok));
  }

  private static Process start(Path data, Path jsa, Path log, boolean warmup) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx256m");
    cmd.add("-XX:+AutoCreateSharedArchive");
    cmd.add("-XX:SharedArchiveFile=" + jsa);
    cmd.add("-Xlog:cds=off,cds+dynamic=off");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(S6SqliteWriter.class.getName());
    cmd.add(data.toString());
    if (warmup) cmd.add("--warmup");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }

  private static void read(Process p, Acked run, CountDownLatch opening, CountDownLatch ready) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("OPENING")) opening.countDown();
        if (line.equals("OPENING") || line.equals("READY")) continue;
        run.add(line);
        ready.countDown(); // writing: from now on a kill lands among writes
      }
    } catch (IOException | RuntimeException e) {
      // killed mid-line: that line was never acknowledged
    }
  }

  private record Check(String integrity, long lost, String detail) {}

  private static Check check(Path data, Acked acked) throws SQLException {
    String url = "jdbc:sqlite:" + data.resolve("flowstore.db").toAbsolutePath();
    try (Connection c = DriverManager.getConnection(url)) {
      String integrity;
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
          while (rs.next()) rows.add(rs.getString(1));
        }
        integrity = String.join(" / ", rows);
      }
      long lostEvents =
          acked.events.size()
              - count(c, "SELECT event_id FROM events", "event_id", acked.events, null);
      long lostJobs =
          acked.jobs.size() - count(c, "SELECT job_id FROM jobs", "job_id", acked.jobs, null);
      long lostAcks =
          acked.acks.size()
              - count(c, "SELECT job_id FROM jobs", "job_id", acked.acks, "status = 'succeeded'");
      long lostSessions = 0;
      for (Map.Entry<String, Long> e : acked.sessions.entrySet()) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT version FROM sessions WHERE tenant_id = 's6' AND session_id = ?")) {
          ps.setString(1, e.getKey());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getLong(1) < e.getValue()) lostSessions++;
          }
        }
      }
      long lost = lostEvents + lostJobs + lostAcks + lostSessions;
      String detail =
          String.format(
              "lost events %d, jobs %d, acks %d, session versions %d",
              lostEvents, lostJobs, lostAcks, lostSessions);
      return new Check(integrity, lost, detail);
    }
  }

  /** How many of {@code ids} the query finds (it gets "WHERE tenant_id = 's6' AND column IN"). */
  private static long count(
      Connection c, String select, String column, Collection<String> ids, String and)
      throws SQLException {
    List<String> list = new ArrayList<>(ids);
    long found = 0;
    for (int from = 0; from < list.size(); from += 500) {
      List<String> chunk = list.subList(from, Math.min(list.size(), from + 500));
      String sql =
          select
              + " WHERE tenant_id = 's6' AND "
              + column
              + " IN ("
              + String.join(",", java.util.Collections.nCopies(chunk.size(), "?"))
              + ")"
              + (and == null ? "" : " AND " + and);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) found++;
        }
      }
    }
    return found;
  }
}
