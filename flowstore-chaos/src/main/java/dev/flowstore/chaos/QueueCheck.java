package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.chaos.QueueWorkload.AckRec;
import dev.flowstore.chaos.QueueWorkload.LeaseRec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The queue checker, in the spirit of Jepsen's total-queue and lease checks, over what {@link
 * QueueWorkload} recorded and each job as the server shows it after the run.
 *
 * <ul>
 *   <li><b>lost</b>: an acknowledged enqueue whose job did not succeed by the end (still queued or
 *       leased after the final drain, dead-lettered, or unknown to the server);
 *   <li><b>unexpected</b>: a leased job that was never enqueued (its logical number was never sent,
 *       or it is a second job for a number whose enqueue was acknowledged with another id: a
 *       duplicate enqueue);
 *   <li><b>duplicates</b>: a job delivered again after a lease the checker saw. Explained when the
 *       earlier lease could have expired: the later lease was answered at or after the earlier
 *       request's send time + visibility timeout (minus a margin). Unexplained otherwise, and also
 *       when the earlier lease had been acked successfully before the later lease was asked for;
 *   <li><b>two valid leases</b>: two successful acks of one job, or a successful ack of a token
 *       after a later token of the job had been handed out (fencing: it must fail with LEASE_LOST);
 *   <li><b>history</b>: the server's attempt list of each job: tokens distinct and increasing, one
 *       row per delivery (as many as {@code attempt}), exactly one {@code succeeded} row for a
 *       succeeded job (the token of the successful ack), and every re-delivery after an {@code
 *       expired} row leased no earlier than that lease's expiry (server clock: nothing was reaped
 *       early or twice).
 * </ul>
 */
final class QueueCheck {
  /** The checker's clock and the server's are the same machine's; this absorbs rounding. */
  static final long MARGIN_MS = 50;

  int attempted;
  int acknowledged;
  int indeterminate;
  int deliveries;
  int lost;
  int ackedThenLost;
  int unexpected;
  int duplicateEnqueues;
  int duplicates;
  int explained;
  int doubleAcks;
  int staleAcksAccepted;
  int staleAcksRefused;
  int historyProblems;
  int unknownAcks;
  final List<String> examples = new ArrayList<>();

  /**
   * Everything known about a job whose history broke a rule: the server's attempts, the leases and
   * acks seen.
   */
  final List<String> traces = new ArrayList<>();

  static String trace(String id, JsonNode job, List<LeaseRec> leases, List<AckRec> acks, long t0) {
    StringBuilder b = new StringBuilder("trace of job ").append(id).append(": server attempts [");
    for (JsonNode a : job.path("attempts"))
      b.append(a.path("lease_token").asLong())
          .append(' ')
          .append(a.path("outcome").asText())
          .append(' ')
          .append(a.path("leased_at").asText())
          .append("..")
          .append(a.path("finished_at").asText())
          .append("; ");
    b.append("], leases seen [");
    for (LeaseRec l : leases)
      b.append("token ")
          .append(l.token())
          .append(" worker ")
          .append(l.worker())
          .append(" asked +")
          .append((l.sent() - t0) / 1_000_000)
          .append(" ms answered +")
          .append((l.recv() - t0) / 1_000_000)
          .append(" ms; ");
    b.append("], acks [");
    for (AckRec a : acks)
      b.append("token ")
          .append(a.token())
          .append(' ')
          .append(a.outcome())
          .append(" sent +")
          .append((a.sent() - t0) / 1_000_000)
          .append(" ms answered +")
          .append((a.recv() - t0) / 1_000_000)
          .append(" ms; ");
    return b.append("] (run start ")
        .append(
            java.time.Instant.ofEpochMilli(
                System.currentTimeMillis() - (System.nanoTime() - t0) / 1_000_000))
        .append(")")
        .toString();
  }

  static QueueCheck check(QueueWorkload w, Map<String, JsonNode> finalJobs) {
    QueueCheck c = new QueueCheck();
    c.attempted = w.o.jobs();
    c.acknowledged = w.acknowledged.size();
    c.indeterminate = w.indeterminate.size();
    Map<String, List<LeaseRec>> leasesByJob = new HashMap<>();
    for (LeaseRec l : w.leases)
      leasesByJob.computeIfAbsent(l.jobId(), k -> new ArrayList<>()).add(l);
    Map<String, List<AckRec>> acksByJob = new HashMap<>();
    for (AckRec a : w.acks) {
      acksByJob.computeIfAbsent(a.jobId(), k -> new ArrayList<>()).add(a);
      if (a.outcome().equals("UNKNOWN")) c.unknownAcks++;
    }
    c.deliveries = w.leases.size();

    // unexpected: leased jobs that no acknowledged or attempted enqueue explains
    Map<Integer, Set<String>> jobsOfN = new HashMap<>();
    for (LeaseRec l : w.leases) {
      jobsOfN.computeIfAbsent(l.n(), k -> new HashSet<>()).add(l.jobId());
    }
    for (Map.Entry<Integer, Set<String>> e : jobsOfN.entrySet()) {
      int n = e.getKey();
      String ackId = w.acknowledged.get(n);
      if (n < 0 || n >= w.o.jobs()) {
        c.unexpected += e.getValue().size();
        c.example("unexpected: leased job(s) " + e.getValue() + " with n=" + n + " never enqueued");
        continue;
      }
      Set<String> others = new HashSet<>(e.getValue());
      if (ackId != null) others.remove(ackId);
      int extra = ackId != null ? others.size() : Math.max(0, others.size() - 1);
      if (extra > 0) {
        c.unexpected += extra;
        c.duplicateEnqueues += extra;
        List<String> created = new ArrayList<>();
        for (String id : e.getValue()) {
          JsonNode j = finalJobs.get(id);
          created.add(id + " created " + (j == null ? "?" : j.path("created_at").asText()));
        }
        c.example(
            "duplicate enqueue: n=" + n + " acknowledged as " + ackId + ", leased as " + created);
      }
    }

    // lost
    for (Map.Entry<Integer, String> e : w.acknowledged.entrySet()) {
      JsonNode job = finalJobs.get(e.getValue());
      String status =
          job == null || job.isMissingNode()
              ? "unknown to the server"
              : job.path("status").asText();
      if (!status.equals("succeeded")) {
        c.lost++;
        boolean ackedOk =
            acksByJob.getOrDefault(e.getValue(), List.of()).stream()
                .anyMatch(a -> a.outcome().equals("OK"));
        if (ackedOk) c.ackedThenLost++;
        c.example(
            "lost: n="
                + e.getKey()
                + " job "
                + e.getValue()
                + " "
                + status
                + (ackedOk ? " after a successful ack" : ""));
      }
    }

    // duplicates and fencing, from what the workers saw
    long marginNs = MARGIN_MS * 1_000_000L;
    for (Map.Entry<String, List<LeaseRec>> e : leasesByJob.entrySet()) {
      List<LeaseRec> ls = e.getValue();
      ls.sort(Comparator.comparingLong(LeaseRec::token));
      List<AckRec> as = acksByJob.getOrDefault(e.getKey(), List.of());
      for (int i = 1; i < ls.size(); i++) {
        LeaseRec prev = ls.get(i - 1), next = ls.get(i);
        if (prev.token() == next.token()) {
          c.historyProblems++;
          c.example("token " + next.token() + " of job " + e.getKey() + " handed out twice");
          continue;
        }
        c.duplicates++;
        boolean couldHaveExpired =
            next.recv() >= prev.sent() + prev.visibilityS() * 1_000_000_000L - marginNs;
        boolean ackedBefore =
            as.stream()
                .anyMatch(
                    a ->
                        a.token() == prev.token()
                            && a.outcome().equals("OK")
                            && a.recv() < next.sent());
        if (couldHaveExpired && !ackedBefore) c.explained++;
        else
          c.example(
              "unexplained re-delivery of job "
                  + e.getKey()
                  + ": token "
                  + next.token()
                  + " answered "
                  + (next.recv() - prev.sent()) / 1_000_000
                  + " ms after token "
                  + prev.token()
                  + " was asked for (visibility "
                  + prev.visibilityS()
                  + " s)"
                  + (ackedBefore ? ", after its successful ack" : ""));
      }
      List<AckRec> ok = as.stream().filter(a -> a.outcome().equals("OK")).toList();
      if (ok.size() > 1) {
        c.doubleAcks += ok.size() - 1;
        c.example("job " + e.getKey() + " acked successfully " + ok.size() + " times: " + ok);
      }
      for (AckRec a : as) {
        boolean laterLeaseBefore =
            ls.stream().anyMatch(l -> l.token() > a.token() && l.recv() < a.sent());
        if (!laterLeaseBefore) continue;
        if (a.outcome().equals("OK")) {
          c.staleAcksAccepted++;
          c.example(
              "stale ack accepted: job "
                  + e.getKey()
                  + " token "
                  + a.token()
                  + " after a later token was leased");
        } else if (a.outcome().equals("LEASE_LOST")) c.staleAcksRefused++;
      }
    }

    // the server's own history of each job
    for (Map.Entry<String, JsonNode> e : finalJobs.entrySet()) {
      JsonNode job = e.getValue();
      if (job.isMissingNode()) continue;
      int before = c.historyProblems;
      c.history(e.getKey(), job, acksByJob.getOrDefault(e.getKey(), List.of()), w.o.visibilityS());
      if (c.historyProblems > before && c.traces.size() < 2)
        c.traces.add(
            trace(
                e.getKey(),
                job,
                leasesByJob.getOrDefault(e.getKey(), List.of()),
                acksByJob.getOrDefault(e.getKey(), List.of()),
                w.startNanos));
    }
    return c;
  }

  private void history(String id, JsonNode job, List<AckRec> acks, int visibilityS) {
    JsonNode attempts = job.path("attempts");
    int rows = attempts.size();
    if (rows != job.path("attempt").asInt()) {
      historyProblems++;
      example(
          "job "
              + id
              + ": attempt "
              + job.path("attempt").asInt()
              + " but "
              + rows
              + " attempt rows");
    }
    long prevToken = 0;
    int succeeded = 0;
    long succeededToken = -1;
    Instant prevLeasedAt = null;
    String prevOutcome = null;
    for (JsonNode a : attempts) {
      long token = a.path("lease_token").asLong();
      String outcome = a.path("outcome").asText();
      Instant leasedAt = Instant.parse(a.path("leased_at").asText());
      if (token <= prevToken) {
        historyProblems++;
        example(
            "job " + id + ": attempt tokens not increasing (" + prevToken + " then " + token + ")");
      }
      if ("expired".equals(prevOutcome)
          && leasedAt.isBefore(prevLeasedAt.plusSeconds(visibilityS).minusMillis(MARGIN_MS))) {
        historyProblems++;
        example(
            "job "
                + id
                + ": token "
                + token
                + " leased at "
                + leasedAt
                + ", before token "
                + prevToken
                + " (leased "
                + prevLeasedAt
                + ") expired");
      }
      if (outcome.equals("succeeded")) {
        succeeded++;
        succeededToken = token;
      }
      prevToken = token;
      prevLeasedAt = leasedAt;
      prevOutcome = outcome;
    }
    boolean isSucceeded = job.path("status").asText().equals("succeeded");
    if (succeeded != (isSucceeded ? 1 : 0)) {
      historyProblems++;
      example(
          "job "
              + id
              + ": status "
              + job.path("status").asText()
              + " with "
              + succeeded
              + " succeeded attempts");
    }
    for (AckRec a : acks)
      if (a.outcome().equals("OK") && a.token() != succeededToken) {
        historyProblems++;
        example(
            "job "
                + id
                + ": ack of token "
                + a.token()
                + " answered OK, but the succeeded attempt is "
                + succeededToken);
      }
  }

  private void example(String s) {
    if (examples.size() < 5) examples.add(s);
  }

  boolean ok() {
    return lost == 0
        && unexpected == 0
        && duplicates == explained
        && doubleAcks == 0
        && staleAcksAccepted == 0
        && historyProblems == 0;
  }

  String summary() {
    StringBuilder b = new StringBuilder();
    b.append("lost ").append(lost);
    if (ackedThenLost > 0) b.append(" (").append(ackedThenLost).append(" after a successful ack)");
    b.append(", unexpected ").append(unexpected);
    if (duplicateEnqueues > 0)
      b.append(" (").append(duplicateEnqueues).append(" duplicate enqueues)");
    b.append(", deliveries ").append(deliveries);
    b.append(", duplicates ")
        .append(duplicates)
        .append(" (")
        .append(explained)
        .append(" explained by expiry)");
    b.append(", double acks ").append(doubleAcks);
    b.append(", stale acks accepted ")
        .append(staleAcksAccepted)
        .append(" / refused ")
        .append(staleAcksRefused);
    b.append(", history problems ").append(historyProblems);
    b.append(", enqueues acknowledged ")
        .append(acknowledged)
        .append(" / indeterminate ")
        .append(indeterminate);
    if (unknownAcks > 0) b.append(", acks without answer ").append(unknownAcks);
    if (!examples.isEmpty()) b.append("; e.g. ").append(String.join("; ", examples));
    if (!traces.isEmpty()) b.append("; ").append(String.join("; ", traces));
    return b.toString();
  }
}
