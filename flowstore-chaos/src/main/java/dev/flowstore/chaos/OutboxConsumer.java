package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The consumer of scenario 4, a process of its own so that the harness can SIGKILL it: it leases
 * jobs over HTTP from the server named in a file (rewritten when the server restarts) and applies
 * each job's side effect the way docs/messaging.md tells applications to, in one transaction of the
 * library on the same database: {@code processed().markProcessed(event_id, consumer)} and, only if
 * that is new, an event {@code effect.applied} in stream {@code effect-<n>}. Then it acks.
 *
 * <p>With probability {@code haltBetween} it halts (exit 99) right after the effect committed and
 * before the ack: the worst moment for a consumer to die. It prints one line per delivery, "applied
 * n" or "seen n", for the figures.
 *
 * <pre>
 * java -cp ... dev.flowstore.chaos.OutboxConsumer URI_FILE QUEUE VISIBILITY_S HALT_BETWEEN
 * </pre>
 *
 * The store is configured by the environment (FLOWSTORE_STORE_BACKEND, POSTGRES_DSN...).
 */
public final class OutboxConsumer {
  static final String CONSUMER = "chaos-consumer";
  static final int HALT_EXIT = 99;

  private OutboxConsumer() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("logback.configurationFile", "flowstore-chaos-logback.xml");
    Path uriFile = Path.of(args[0]);
    String queue = args[1];
    int visibility = Integer.parseInt(args[2]);
    double haltBetween = Double.parseDouble(args[3]);
    Http http = new Http();
    ObjectNode leaseBody =
        Http.JSON.createObjectNode().put("max", 10).put("visibility_timeout_s", visibility);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromEnvironment())) {
      System.out.println("ready");
      while (true) {
        URI uri;
        try {
          uri = URI.create(Files.readString(uriFile).trim());
        } catch (IOException | IllegalArgumentException e) {
          QueueWorkload.pause(100);
          continue;
        }
        Http.Resp r;
        try {
          r = http.post(uri, "/v1/queues/" + queue + "/leases", leaseBody, null);
        } catch (IOException e) {
          QueueWorkload.pause(100);
          continue;
        }
        if (!r.ok() || r.body().path("leases").isEmpty()) {
          QueueWorkload.pause(100);
          continue;
        }
        // why: a page's jobs are handled side by side, as flowstore's Worker does
        List<java.util.concurrent.Future<?>> inFlight = new java.util.ArrayList<>();
        for (JsonNode l : r.body().path("leases"))
          inFlight.add(pool.submit(() -> handle(fs, http, uriFile, l, haltBetween)));
        for (java.util.concurrent.Future<?> f : inFlight) f.get();
      }
    }
  }

  private static void handle(
      Flowstore fs, Http http, Path uriFile, JsonNode l, double haltBetween) {
    int n = l.path("payload").path("n").asInt(-1);
    UUID eventId = UUID.fromString(l.path("event_id").asText());
    boolean applied;
    try {
      applied =
          fs.inTransaction(
              TenantId.DEFAULT,
              tx -> {
                if (!tx.processed().markProcessed(eventId, CONSUMER)) return false;
                ObjectNode effect =
                    Http.JSON
                        .createObjectNode()
                        .put("n", n)
                        .put("job_id", l.path("job_id").asText())
                        .put("lease_token", l.path("lease_token").asLong());
                tx.events()
                    .append(
                        "effect-" + n,
                        ExpectedVersion.ANY,
                        List.of(EventData.of("effect.applied", effect)));
                return true;
              });
    } catch (RuntimeException e) {
      return; // the lease expires and the job comes back
    }
    System.out.println((applied ? "applied " : "seen ") + n);
    if (ThreadLocalRandom.current().nextDouble() < haltBetween) {
      System.out.flush();
      Runtime.getRuntime().halt(HALT_EXIT);
    }
    ack(http, uriFile, l);
  }

  private static void ack(Http http, Path uriFile, JsonNode l) {
    ObjectNode body =
        Http.JSON.createObjectNode().put("lease_token", l.path("lease_token").asLong());
    String key = "ack-" + l.path("job_id").asText() + "-" + l.path("lease_token").asLong();
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        URI uri = URI.create(Files.readString(uriFile).trim());
        Http.Resp r = http.post(uri, "/v1/jobs/" + l.path("job_id").asText() + "/ack", body, key);
        // OUTCOME_UNKNOWN is replayed under the key: the lease expires and de-duplication absorbs
        if (r.ok() || !r.transientFailure() || r.code().equals("OUTCOME_UNKNOWN")) return;
      } catch (IOException | IllegalArgumentException e) {
        // the server is restarting
      }
      QueueWorkload.pause(100 + ThreadLocalRandom.current().nextInt(100));
    }
  }
}
