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
import java.util.Objects;
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

  /** A job hash as read by Lettuce (HGETALL). */
  static Job job(TenantId tenant, Map<String, String> hash) {
    String[] v = new String[Scripts.FIELDS.size()];
    for (int i = 0; i < v.length; i++) v[i] = hash.get(Scripts.FIELDS.get(i));
    return job(tenant, v);
  }

  /** A job in a script's reply: the values of {@link Scripts#FIELDS}, in that order. */
  static Job job(TenantId tenant, Object values) {
    List<?> list = (List<?>) values;
    String[] v = new String[Scripts.FIELDS.size()];
    for (int i = 0; i < v.length; i++) v[i] = (String) list.get(i);
    return job(tenant, v);
  }

  private static Job job(TenantId tenant, String[] v) {
    String event = orNull(v[2]);
    return new Job(
        UUID.fromString(v[0]),
        UUID.fromString(v[1]),
        event == null ? null : UUID.fromString(event),
        tenant,
        orNull(v[3]),
        v[4],
        v[5],
        Json.stored("stored payload", v[6]),
        Integer.parseInt(v[7]),
        instant(Long.parseLong(v[8])),
        Integer.parseInt(v[9]),
        Integer.parseInt(v[10]),
        orNull(v[11]),
        Job.Status.fromWire(v[12]),
        Long.parseLong(v[13]),
        instantOrNull(v[14]),
        orNull(v[15]),
        Long.parseLong(v[16]),
        instant(Long.parseLong(v[17])),
        instant(Long.parseLong(v[18])),
        instantOrNull(v[19]));
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

  /**
   * A job's attempt history: the list {@code #att:<id>}, then the newest attempt, which the job
   * hash holds (when it has {@code att_tail}): the open one while LEASED (attempt, token,
   * leased_at), else the last ended one: number last_attempt (set by a release or a redrive, which
   * change attempt) or else attempt, last_outcome, last_finished_at, and last_error as its error
   * when it failed or expired.
   */
  static List<JobAttempt> attempts(Map<String, String> hash, List<?> entries) {
    List<JobAttempt> out = new ArrayList<>(entries.size() + 1);
    for (Object e : entries) out.add(attempt((String) e));
    if (!"1".equals(hash.get("att_tail"))) return out;
    String token = hash.get("token");
    String leasedAt = hash.get("leased_at");
    if ("leased".equals(hash.get("status"))) {
      out.add(attempt(hash.get("attempt") + "|" + token + "|leased|" + leasedAt + "||"));
    } else {
      String outcome = orNull(hash.get("last_outcome"));
      if (outcome == null) return out;
      String error =
          outcome.equals("failed") || outcome.equals("expired")
              ? Objects.toString(hash.get("last_error"), "")
              : "";
      String number = orNull(hash.get("last_attempt"));
      out.add(
          attempt(
              (number == null ? hash.get("attempt") : number)
                  + "|"
                  + token
                  + "|"
                  + outcome
                  + "|"
                  + leasedAt
                  + "|"
                  + hash.get("last_finished_at")
                  + "|"
                  + error));
    }
    return out;
  }
}
