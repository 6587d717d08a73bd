package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.chaos.S8Operations.Operation;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Scenario 8's "nothing half-written" checker, over HTTP after the fuzz: per tenant, the whole feed
 * (every event well-formed, positions 1..n without a gap, each stream's versions 0..k in order),
 * every list operation of openapi.yaml (200 and JSON), each session's version against its event
 * stream, and {@code GET /v1/audit/verify}.
 */
final class S8Consistency {
  private S8Consistency() {}

  record Report(List<String> problems, String summary) {}

  /** Sessions whose stream holds events appended through the events API (not by the session). */
  static final java.util.concurrent.atomic.AtomicLong foreignSessionStreams =
      new java.util.concurrent.atomic.AtomicLong();

  static boolean ready(URI base) {
    try (S8RawHttp http = new S8RawHttp(base)) {
      return http.send("GET", "/health/ready".getBytes(StandardCharsets.UTF_8), List.of(), null)
              .status()
          == 200;
    }
  }

  static Report check(URI base, S8Operations spec, List<String> tenants) {
    List<String> problems = new ArrayList<>();
    long events = 0, lists = 0, sessions = 0;
    boolean auditOk = true;
    try (S8RawHttp http = new S8RawHttp(base)) {
      for (String tenant : tenants) {
        events += feed(http, tenant, problems);
        for (Operation op : spec.operations) {
          if (!op.method().equals("GET")
              || !op.path().startsWith("/v1/")
              || op.path().contains("{")) continue;
          if (op.params().stream().anyMatch(p -> p.required() && !p.in().equals("header")))
            continue;
          lists++;
          JsonNode n = get(http, tenant, op.path(), problems, false);
          if (n == null) continue;
          if (op.path().equals("/v1/audit/verify") && !n.path("ok").asBoolean(false)) {
            auditOk = false;
            problems.add(tenant + ": audit verify says " + n);
          }
        }
        sessions += sessions(http, tenant, problems);
      }
    }
    String summary =
        String.format(
            "after the fuzz: feed %d events%s, %d list answers, %d sessions against their streams"
                + " (%d of those streams also hold events appended through POST /v1/streams), audit verify %s; problems %d%s",
            events,
            problems.stream().anyMatch(p -> p.contains("feed"))
                ? " (**not dense or malformed**)"
                : " dense and well-formed",
            lists,
            sessions,
            foreignSessionStreams.getAndSet(0),
            auditOk ? "ok" : "**FAILED**",
            problems.size(),
            problems.isEmpty()
                ? ""
                : " ("
                    + String.join(" / ", problems.subList(0, Math.min(5, problems.size())))
                    + ")");
    return new Report(problems, summary);
  }

  private static JsonNode get(S8RawHttp http, String tenant, String target, List<String> problems) {
    return get(http, tenant, target, problems, true);
  }

  /**
   * GETs {@code target} as {@code tenant}; a problem unless it answers 200 with JSON — or, when not
   * {@code strict}, a 4xx with an error code (a list that needs a filter the spec calls optional).
   */
  private static JsonNode get(
      S8RawHttp http, String tenant, String target, List<String> problems, boolean strict) {
    S8RawHttp.Response r =
        http.send(
            "GET",
            target.getBytes(StandardCharsets.UTF_8),
            List.<String[]>of(new String[] {"X-Tenant-Id", tenant}),
            null);
    if (!strict && r.status() >= 400 && r.status() < 500 && r.text().contains("\"code\""))
      return null;
    if (r.status() != 200) {
      problems.add(
          tenant
              + ": GET "
              + target
              + " answered "
              + r.status()
              + " "
              + S8HttpFuzz.excerpt(r.body(), 120));
      return null;
    }
    try {
      return S8Mutations.JSON.readTree(r.body());
    } catch (IOException e) {
      problems.add(
          tenant + ": GET " + target + " is not JSON: " + S8HttpFuzz.excerpt(r.body(), 120));
      return null;
    }
  }

  private static long feed(S8RawHttp http, String tenant, List<String> problems) {
    long after = 0, expected = 1, count = 0;
    Map<String, Long> nextVersion = new HashMap<>();
    while (true) {
      JsonNode page = get(http, tenant, "/v1/events?limit=1000&after=" + after, problems);
      if (page == null) return count;
      JsonNode list = page.path("events");
      if (list.isEmpty()) return count;
      for (JsonNode e : list) {
        count++;
        String bad = malformed(e);
        if (bad != null && problems.size() < 50)
          problems.add(tenant + ": feed event " + e + ": " + bad);
        long pos = e.path("position").asLong();
        if (pos != expected && problems.size() < 50)
          problems.add(tenant + ": feed position " + pos + " where " + expected + " was next");
        expected = pos + 1;
        String stream = e.path("stream").asText();
        long v = e.path("version").asLong();
        long want = nextVersion.getOrDefault(stream, 0L);
        if (v != want && problems.size() < 50)
          problems.add(
              tenant
                  + ": feed stream "
                  + stream
                  + " at version "
                  + v
                  + " where "
                  + want
                  + " was next");
        nextVersion.put(stream, v + 1);
      }
      after = list.get(list.size() - 1).path("position").asLong();
    }
  }

  private static String malformed(JsonNode e) {
    try {
      UUID.fromString(e.path("event_id").asText());
      Instant.parse(e.path("created_at").asText());
    } catch (RuntimeException x) {
      return "bad event_id or created_at";
    }
    if (!e.path("stream").isTextual() || e.path("stream").asText().isEmpty()) return "no stream";
    if (!e.path("type").isTextual() || e.path("type").asText().isEmpty()) return "no type";
    if (!e.path("version").isIntegralNumber() || e.path("version").asLong() < 0)
      return "bad version";
    if (!e.path("position").isIntegralNumber() || e.path("position").asLong() < 1)
      return "bad position";
    if (!e.path("payload").isObject() || !e.path("metadata").isObject())
      return "payload or metadata not an object";
    if (e.toString().contains("\\u0000")) return "a NUL was stored";
    return null;
  }

  private static long sessions(S8RawHttp http, String tenant, List<String> problems) {
    JsonNode page = get(http, tenant, "/v1/sessions?limit=100", problems);
    if (page == null) return 0;
    long checked = 0;
    for (JsonNode s : page.path("sessions")) {
      if (checked >= 50) break;
      checked++;
      String id = s.path("session_id").asText();
      long version = s.path("version").asLong(-1);
      JsonNode history = get(http, tenant, "/v1/sessions/" + id + "/events?limit=1000", problems);
      if (history == null) continue;
      JsonNode events = history.path("events");
      if (events.size() >= 1000) continue;
      long own = 0, last = -1;
      boolean foreign = false;
      for (JsonNode e : events) {
        if (e.path("type").asText().startsWith("session.")) own++;
        else foreign = true;
        last = e.path("version").asLong();
      }
      // why: POST /v1/streams/{stream}/events accepts a session's stream too; such events are the
      // fuzz's own writes, not a half-written session change, and are reported apart
      if (foreign) foreignSessionStreams.incrementAndGet();
      if (own != version + 1 || (!foreign && last != version))
        problems.add(
            tenant
                + ": session "
                + id
                + " is at version "
                + version
                + " but its stream holds "
                + own
                + " session events (last version "
                + last
                + ")");
    }
    return checked;
  }

  /** How many ERROR lines the server logged (unexpected exceptions), with the first one. */
  static String logErrors(Path log) {
    try {
      List<String> errors =
          Files.readAllLines(log, StandardCharsets.UTF_8).stream()
              .filter(l -> l.contains(" ERROR ") || l.contains("\"level\":\"ERROR\""))
              .toList();
      return "server log ERROR lines "
          + errors.size()
          + (errors.isEmpty()
              ? ""
              : " (first: "
                  + S8HttpFuzz.excerpt(errors.get(0).getBytes(StandardCharsets.UTF_8), 200)
                  + ")");
    } catch (IOException e) {
      return "server log unreadable: " + e.getMessage();
    }
  }
}
