package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Maintenance;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The write freeze, as this server sees it: the database's maintenance flag ({@link
 * Flowstore#maintenance()}), re-read at most every {@link #RECHECK}, so a switch made by any server
 * or the CLI holds here within that time. While it is on, every write under {@code /v1} (POST, PUT,
 * PATCH, DELETE) is answered 503 {@code MAINTENANCE} with {@code Retry-After}, before it touches
 * the store (and before an Idempotency-Key is stored); reads, health, metrics and {@code /admin} go
 * on. When the flag cannot be read (the database is down) the last state read stays in force.
 */
public final class MaintenanceGate {
  static final Duration RECHECK = Duration.ofSeconds(1);

  /** What {@code Retry-After} says: a freeze lasts minutes, polling faster helps nobody. */
  static final int RETRY_AFTER_SECONDS = 30;

  private static final Set<HandlerType> WRITES =
      Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

  private final Flowstore flowstore;
  private final Clock clock;
  private volatile Maintenance.State state = Maintenance.State.OFF;
  private volatile Instant nextCheck = Instant.EPOCH;

  public MaintenanceGate(Flowstore flowstore, Clock clock) {
    this.flowstore = flowstore;
    this.clock = clock;
  }

  /** The flag, read again if the last read is older than {@link #RECHECK}. */
  public Maintenance.State state() {
    Instant now = clock.instant();
    if (!now.isBefore(nextCheck)) {
      synchronized (this) {
        if (!now.isBefore(nextCheck)) {
          try {
            state = flowstore.maintenance().state();
          } catch (FlowstoreException e) {
            // why: an unreachable database fails the request on its own; the gate keeps what it
            // knew
          }
          nextCheck = now.plus(RECHECK);
        }
      }
    }
    return state;
  }

  /** After this server changed the flag: no need to wait for the next read. */
  void changed(Maintenance.State now) {
    state = now;
    nextCheck = clock.instant().plus(RECHECK);
  }

  /** The before-handler of {@code /v1/*}: refuses a write while the flag is on. */
  public void check(Context ctx) {
    if (!WRITES.contains(ctx.method())) return;
    Maintenance.State s = state();
    if (!s.on()) return;
    ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    throw new FlowstoreException(
        ErrorCode.MAINTENANCE,
        "writes are frozen for maintenance since "
            + s.since().map(Instant::toString).orElse("now")
            + " ("
            + s.reason()
            + "); reads keep working: retry the write after the Retry-After seconds");
  }

  /** The flag as JSON: {@code {"enabled", "reason", "since"}} (reason and since only while on). */
  static ObjectNode json(Maintenance.State s) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("enabled", s.on());
    if (s.on()) {
      n.put("reason", s.reason());
      n.put("since", s.since().orElseThrow().toString());
    }
    return n;
  }
}
