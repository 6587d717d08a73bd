package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.NewSession;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.TenantId;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The child JVM of scenario 6: writes to a SQLite store as fast as it can until it is killed, and
 * prints every write on stdout (flushed) only once flowstore has returned it: what it printed was
 * acknowledged. Lines:
 *
 * <pre>
 * OPENING              about to open the store (recovering the WAL the last kill left)
 * READY
 * E event_id           an appended event (group-committed append, supplied id)
 * T event_id           an event appended in an explicit transaction with a job enqueue
 * J job_id             an enqueued job (same transaction as the T line before it)
 * A job_id             a job leased and acked (SUCCEEDED)
 * S session_id version a session change to that version
 * </pre>
 *
 * Usage: {@code S6SqliteWriter DATA_DIR [--warmup]} (warmup: one write of each kind, then exit)
 */
public final class S6SqliteWriter {
  static final TenantId TENANT = TenantId.of("s6");
  static final String QUEUE = "s6-jobs";

  private S6SqliteWriter() {}

  private static final PrintStream OUT =
      new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

  private static synchronized void ack(String line) {
    OUT.println(line);
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("logback.configurationFile", "flowstore-chaos-logback.xml");
    FlowstoreConfig config =
        FlowstoreConfig.fromMap(
            Map.of(
                "FLOWSTORE_STORE_BACKEND",
                "sqlite",
                "FLOWSTORE_DATA_DIR",
                Path.of(args[0]).toString(),
                "FLOWSTORE_MIGRATE_ON_START",
                "false"));
    ack("OPENING");
    Flowstore fs = Flowstore.open(config);
    ack("READY");
    if (args.length > 1 && args[1].equals("--warmup")) {
      // one of each write, then a clean exit: the JVM writes its class-data archive at exit
      append(fs);
      appendWithJob(fs);
      leaseAndAck(fs);
      changeSession(fs);
      fs.close();
      System.exit(0);
    }
    Thread[] threads = {
      Thread.ofPlatform().start(() -> loop(() -> append(fs))),
      Thread.ofPlatform().start(() -> loop(() -> append(fs))),
      Thread.ofPlatform().start(() -> loop(() -> appendWithJob(fs))),
      Thread.ofPlatform().start(() -> loop(() -> leaseAndAck(fs))),
      Thread.ofPlatform().start(() -> loop(() -> changeSession(fs)))
    };
    for (Thread t : threads) t.join();
  }

  private static void loop(Runnable r) {
    while (true) {
      try {
        r.run();
      } catch (RuntimeException e) {
        System.err.println("s6 writer: " + e);
      }
    }
  }

  private static void append(Flowstore fs) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    UUID id = UUID.randomUUID();
    fs.events(TENANT)
        .append(
            "s6-" + rnd.nextInt(20),
            ExpectedVersion.ANY,
            List.of(
                new EventData(
                    id,
                    "s6.written",
                    JsonNodeFactory.instance.objectNode().put("pad", "x".repeat(rnd.nextInt(2000))),
                    null)));
    ack("E " + id);
  }

  private static void appendWithJob(Flowstore fs) {
    UUID id = UUID.randomUUID();
    Job job =
        fs.inTransaction(
            TENANT,
            tx -> {
              tx.events()
                  .append(
                      "s6tx-" + ThreadLocalRandom.current().nextInt(20),
                      ExpectedVersion.ANY,
                      List.of(new EventData(id, "s6.with_job", null, null)));
              return tx.queue()
                  .enqueue(
                      NewJob.of(
                          QUEUE,
                          "s6",
                          JsonNodeFactory.instance.objectNode().put("event", id.toString())))
                  .value();
            });
    ack("T " + id);
    ack("J " + job.jobId());
  }

  private static void leaseAndAck(Flowstore fs) {
    List<Lease> leases = fs.queue(TENANT).lease(QUEUE, 4, Duration.ofSeconds(30));
    if (leases.isEmpty()) {
      Thread.onSpinWait();
      return;
    }
    for (Lease l : leases) {
      fs.queue(TENANT).ack(l.jobId(), l.token());
      ack("A " + l.jobId());
    }
  }

  private static void changeSession(Flowstore fs) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    // a few long-lived sessions, found by id from their stream; a new one now and then
    UUID id = new UUID(0x5600_0000_0000_4000L, 0x8000_0000_0000_0000L | rnd.nextInt(8));
    Session s = fs.sessions(TENANT).get(id).orElse(null);
    if (s == null) {
      s = fs.sessions(TENANT).create(NewSession.builder().sessionId(id).build());
      ack("S " + id + " " + s.version());
    }
    Session changed =
        fs.sessions(TENANT)
            .change(
                id,
                s.version(),
                SessionChange.to("state-" + rnd.nextInt(5))
                    .withState(JsonNodeFactory.instance.objectNode().put("n", s.version() + 1)));
    ack("S " + id + " " + changed.version());
  }
}
