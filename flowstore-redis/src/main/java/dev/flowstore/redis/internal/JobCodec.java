package dev.flowstore.redis.internal;

import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Maps the job hash and the attempt list to records; times are microseconds since the epoch. */
final class JobCodec {
  private JobCodec() {}

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private static Instant instantOrNull(String s) {
    return s == null || s.isEmpty() ? null : instant(Long.parseLong(s));
  }

  private static String orNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** A HGETALL reply (field, value, field, value...) as a map. */
  static Map<String, String> fields(Object reply) {
    List<?> flat = (List<?>) reply;
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2)
      m.put((String) flat.get(i), (String) flat.get(i + 1));
    return m;
  }

  static Job job(TenantId tenant, Object hgetall) {
    Map<String, String> f = fields(hgetall);
    String event = orNull(f.get("event_id"));
    return new Job(
        UUID.fromString(f.get("job_id")),
        UUID.fromString(f.get("message_id")),
        event == null ? null : UUID.fromString(event),
        tenant,
        orNull(f.get("trace_id")),
        f.get("queue"),
        f.get("job_type"),
        Json.parseObject("payload", f.get("payload")),
        Integer.parseInt(f.get("priority")),
        instant(Long.parseLong(f.get("run_at"))),
        Integer.parseInt(f.get("attempt")),
        Integer.parseInt(f.get("max_attempts")),
        orNull(f.get("unique_key")),
        Job.Status.fromWire(f.get("status")),
        Long.parseLong(f.get("token")),
        instantOrNull(f.get("lease_expires_at")),
        orNull(f.get("last_error")),
        Long.parseLong(f.get("seq")),
        instant(Long.parseLong(f.get("created_at"))),
        instant(Long.parseLong(f.get("updated_at"))),
        instantOrNull(f.get("finished_at")));
  }

  /** One "attempt|token|outcome|leased_at|finished_at|error" entry. */
  static JobAttempt attempt(String entry) {
    String[] p = entry.split("\\|", 6);
    return new JobAttempt(
        Integer.parseInt(p[0]),
        Long.parseLong(p[1]),
        JobAttempt.Outcome.valueOf(p[2].toUpperCase(Locale.ROOT)),
        orNull(p[5]),
        instant(Long.parseLong(p[3])),
        instantOrNull(p[4]));
  }

  static List<JobAttempt> attempts(List<String> entries) {
    List<JobAttempt> out = new ArrayList<>(entries.size());
    for (String e : entries) out.add(attempt(e));
    return out;
  }
}
