package dev.flowstore.examples.helpdesk;

import static dev.flowstore.examples.helpdesk.HelpdeskSchema.AGENTS;
import static dev.flowstore.examples.helpdesk.HelpdeskSchema.ATTACHMENTS;
import static dev.flowstore.examples.helpdesk.HelpdeskSchema.COMMENTS;
import static dev.flowstore.examples.helpdesk.HelpdeskSchema.EMAIL_RECORDS;
import static dev.flowstore.examples.helpdesk.HelpdeskSchema.SESSION_ARCHIVES;
import static dev.flowstore.examples.helpdesk.HelpdeskSchema.TICKETS;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Lease;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordedEvent;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.Transaction;
import dev.flowstore.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The helpdesk's persistence, on flowstore used as a library. Every change of a ticket or an agent
 * is one {@code flowstore.inTransaction(tenant, ...)} holding the record change and its audit
 * entry: both commit, or neither.
 */
public final class Helpdesk {
  /** The queue of the helpdesk's maintenance jobs. */
  public static final String MAINTENANCE_QUEUE = "helpdesk-maintenance";

  /** The retention job: deletes session archives and email records older than their max age. */
  public static final String RETENTION_JOB = "helpdesk.retention";

  private static final int PURGE_BATCH = 200;

  /** Which status may follow which; anything else is refused (UNPROCESSABLE). */
  private static final Map<String, Set<String>> TRANSITIONS =
      Map.of(
          "open", Set.of("in_progress", "pending", "resolved", "closed"),
          "in_progress", Set.of("open", "pending", "resolved"),
          "pending", Set.of("in_progress", "resolved"),
          "resolved", Set.of("open", "closed"),
          "closed", Set.of());

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long archives and email records are kept. */
  public record Retention(Duration sessionArchives, Duration emailRecords) {
    public static Retention days(int sessionArchives, int emailRecords) {
      return new Retention(Duration.ofDays(sessionArchives), Duration.ofDays(emailRecords));
    }
  }

  /** A new agent: the password is hashed (bcrypt) and never stored. */
  public record NewAgent(
      String agentId,
      String username,
      char[] password,
      String name,
      String role,
      int maxSessions,
      List<String> skills,
      String avatarUrl) {}

  /** One status of a ticket, read from its record history. */
  public record StatusChange(long version, String from, String to, String actor, Instant at) {}

  private final Flowstore flowstore;
  private final Clock clock;
  private final int bcryptCost;
  private final Retention retention;
  private final String dummyHash;

  /**
   * @param clock the time written into the data (last_login_at...) and used for retention cutoffs:
   *     pass the clock the store was opened with
   * @param bcryptCost bcrypt's log2 work factor (12 in production; tests may use 4)
   */
  public Helpdesk(Flowstore flowstore, Clock clock, int bcryptCost, Retention retention) {
    this.flowstore = flowstore;
    this.clock = clock;
    this.bcryptCost = bcryptCost;
    this.retention = retention;
    this.dummyHash = BCrypt.withDefaults().hashToString(bcryptCost, "not-a-password".toCharArray());
    HelpdeskSchema.declare(flowstore.collections());
  }

  // ---------------------------------------------------------------- agents

  /** Creates an agent; ALREADY_EXISTS when the username (unique per tenant) or id is taken. */
  public StoredRecord createAgent(TenantId tenant, String actor, NewAgent a) {
    if (a.password() == null || a.password().length < 8)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "password: at least 8 characters");
    if (new String(a.password()).getBytes(StandardCharsets.UTF_8).length > 72)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "password: at most 72 bytes");
    ObjectNode data = JSON.createObjectNode();
    data.put("username", a.username());
    data.put("password_hash", BCrypt.withDefaults().hashToString(bcryptCost, a.password()));
    data.put("name", a.name());
    data.put("role", a.role());
    data.put("status", "offline");
    data.putNull("status_note");
    data.put("status_updated_at", now());
    data.put("max_sessions", a.maxSessions());
    data.put("avatar_url", a.avatarUrl());
    ArrayNode skills = data.putArray("skills");
    (a.skills() == null ? List.<String>of() : a.skills()).forEach(skills::add);
    data.putNull("last_active_at");
    data.putNull("last_login_at");
    String id = a.agentId() != null ? a.agentId() : "agent-" + UUID.randomUUID();
    return createAudited(
        tenant,
        actor,
        AGENTS,
        NewRecord.of(id, data),
        "agent.created",
        "agent",
        r -> r.id(),
        r -> publicView(r.data()));
  }

  /**
   * Checks a username and password. The agent is found through its unique username (an indexed
   * query; with FLOWSTORE_CACHE=redis the store serves it). On success last_login_at is set and the
   * login is audited; a failure is audited too, and says nothing of which part was wrong.
   */
  public Optional<StoredRecord> login(TenantId tenant, String username, char[] password) {
    Optional<StoredRecord> agent = findAgentByUsername(tenant, username);
    String hash = agent.map(r -> r.data().path("password_hash").asText()).orElse(dummyHash);
    boolean ok = BCrypt.verifyer().verify(password, hash).verified && agent.isPresent();
    if (!ok) {
      flowstore.inTransaction(
          tenant,
          tx -> {
            ObjectNode after = JSON.createObjectNode().put("username", username);
            audit(
                tx,
                "anonymous",
                "agent.login_failed",
                "agent",
                agent.map(StoredRecord::id).orElse("username:" + username),
                null,
                after);
            return null;
          });
      return Optional.empty();
    }
    String agentId = agent.get().id();
    String actor = "agent:" + agentId;
    // the hash is checked outside any transaction (bcrypt is slow on purpose); the write reads the
    // current version in its transaction and retries when another login or status change won
    for (int attempt = 1; ; attempt++) {
      try {
        return Optional.of(
            flowstore.inTransaction(
                tenant,
                tx -> {
                  Records records = records(tx, actor);
                  StoredRecord cur =
                      records.get(AGENTS, agentId).orElseThrow(() -> notFound(agentId));
                  String at = now();
                  ObjectNode patch =
                      JSON.createObjectNode().put("last_login_at", at).put("last_active_at", at);
                  StoredRecord r = records.patch(AGENTS, agentId, cur.version(), patch);
                  audit(tx, actor, "agent.login", "agent", agentId, null, patch);
                  return r;
                }));
      } catch (FlowstoreException e) {
        if (e.code() != ErrorCode.VERSION_CONFLICT || attempt == 5) throw e;
      }
    }
  }

  public Optional<StoredRecord> findAgentByUsername(TenantId tenant, String username) {
    List<StoredRecord> found =
        flowstore
            .records(tenant)
            .query(RecordQuery.of(AGENTS).where(RecordFilter.eq("/username", username)).limit(1))
            .records();
    return found.stream().findFirst();
  }

  /** Sets an agent's status with a note; VERSION_CONFLICT when {@code expectedVersion} is stale. */
  public StoredRecord setAgentStatus(
      TenantId tenant,
      String actor,
      String agentId,
      long expectedVersion,
      String status,
      String note) {
    ObjectNode patch = JSON.createObjectNode().put("status", status).put("status_note", note);
    patch.put("status_updated_at", now());
    return changeAgent(tenant, actor, agentId, expectedVersion, patch, "agent.status_changed");
  }

  /** Updates an agent's profile fields (name, role, max_sessions, avatar_url, skills). */
  public StoredRecord updateAgentProfile(
      TenantId tenant, String actor, String agentId, long expectedVersion, ObjectNode changes) {
    ObjectNode patch = changes.deepCopy();
    patch.remove(List.of("username", "password_hash"));
    return changeAgent(tenant, actor, agentId, expectedVersion, patch, "agent.updated");
  }

  private StoredRecord changeAgent(
      TenantId tenant,
      String actor,
      String agentId,
      long expectedVersion,
      ObjectNode patch,
      String action) {
    return flowstore.inTransaction(
        tenant,
        tx -> {
          Records records = records(tx, actor);
          StoredRecord before = records.get(AGENTS, agentId).orElseThrow(() -> notFound(agentId));
          StoredRecord r = records.patch(AGENTS, agentId, expectedVersion, patch);
          audit(
              tx,
              actor,
              action,
              "agent",
              agentId,
              fieldsOf(before.data(), patch),
              publicView(patch));
          return r;
        });
  }

  /**
   * The admin list of agents: optional role, status and username prefix, ordered by username, one
   * page of {@code limit} after {@code cursor} (null for the first page). Hashes are left out.
   */
  public RecordPage listAgents(
      TenantId tenant,
      String role,
      String status,
      String usernamePrefix,
      int limit,
      String cursor) {
    RecordQuery q = RecordQuery.of(AGENTS).sortBy("/username", false).limit(limit).after(cursor);
    if (role != null) q = q.where(RecordFilter.eq("/role", role));
    if (status != null) q = q.where(RecordFilter.eq("/status", status));
    if (usernamePrefix != null) q = q.where(RecordFilter.prefix("/username", usernamePrefix));
    RecordPage page = flowstore.records(tenant).query(q);
    return new RecordPage(
        page.records().stream()
            .map(
                r ->
                    new StoredRecord(
                        r.collection(),
                        r.id(),
                        publicView(r.data()),
                        r.version(),
                        r.parentId(),
                        r.archivedAt(),
                        r.createdAt(),
                        r.updatedAt()))
            .toList(),
        page.nextCursor());
  }

  // ---------------------------------------------------------------- tickets

  public StoredRecord openTicket(
      TenantId tenant,
      String actor,
      String ticketId,
      String title,
      String description,
      int priority,
      String createdBy) {
    ObjectNode data = JSON.createObjectNode();
    data.put("title", title);
    data.put("description", description);
    data.put("status", "open");
    data.put("priority", priority);
    data.put("created_by", createdBy);
    data.putNull("assignee");
    return createAudited(
        tenant,
        actor,
        TICKETS,
        NewRecord.of(ticketId, data),
        "ticket.created",
        "ticket",
        r -> r.id(),
        r -> data);
  }

  /**
   * Moves a ticket to {@code status}: UNPROCESSABLE when the transition is not allowed,
   * VERSION_CONFLICT when {@code expectedVersion} is stale (nothing written either way).
   */
  public StoredRecord changeStatus(
      TenantId tenant, String actor, String ticketId, long expectedVersion, String status) {
    return flowstore.inTransaction(
        tenant, tx -> changeStatusIn(tx, actor, ticketId, expectedVersion, status));
  }

  private StoredRecord changeStatusIn(
      Transaction tx, String actor, String ticketId, long expectedVersion, String status) {
    Records records = records(tx, actor);
    StoredRecord t = records.get(TICKETS, ticketId).orElseThrow(() -> notFound(ticketId));
    String from = t.data().path("status").asText();
    if (!TRANSITIONS.getOrDefault(from, Set.of()).contains(status))
      throw new FlowstoreException(
          ErrorCode.UNPROCESSABLE,
          "ticket " + ticketId + ": status " + from + " cannot become " + status);
    ObjectNode patch = JSON.createObjectNode().put("status", status);
    StoredRecord r = records.patch(TICKETS, ticketId, expectedVersion, patch);
    audit(
        tx,
        actor,
        "ticket.status_changed",
        "ticket",
        ticketId,
        JSON.createObjectNode().put("status", from),
        patch);
    return r;
  }

  /** Assigns a ticket to an agent of the tenant (NOT_FOUND when there is no such agent). */
  public StoredRecord assign(
      TenantId tenant, String actor, String ticketId, long expectedVersion, String agentId) {
    return flowstore.inTransaction(
        tenant,
        tx -> {
          Records records = records(tx, actor);
          records.get(AGENTS, agentId).orElseThrow(() -> notFound(agentId));
          StoredRecord t = records.get(TICKETS, ticketId).orElseThrow(() -> notFound(ticketId));
          ObjectNode patch = JSON.createObjectNode().put("assignee", agentId);
          StoredRecord r = records.patch(TICKETS, ticketId, expectedVersion, patch);
          audit(tx, actor, "ticket.assigned", "ticket", ticketId, fieldsOf(t.data(), patch), patch);
          return r;
        });
  }

  public StoredRecord addComment(
      TenantId tenant, String actor, String ticketId, String author, String body) {
    return flowstore.inTransaction(
        tenant, tx -> addCommentIn(tx, actor, ticketId, author, body, false));
  }

  private StoredRecord addCommentIn(
      Transaction tx, String actor, String ticketId, String author, String body, boolean internal) {
    ObjectNode data =
        JSON.createObjectNode().put("author", author).put("body", body).put("internal", internal);
    return createAuditedIn(
        tx,
        actor,
        COMMENTS,
        NewRecord.of("cmt-" + UUID.randomUUID(), data).withParent(ticketId),
        "ticket.commented",
        "ticket",
        c -> ticketId,
        c -> data.deepCopy().put("comment_id", c.id()));
  }

  /**
   * Resolves a ticket with a closing comment: the comment, the status change and both audit entries
   * are one transaction. A stale version (or a refused transition) leaves no comment.
   */
  public StoredRecord resolveWithComment(
      TenantId tenant,
      String actor,
      String ticketId,
      long expectedVersion,
      String author,
      String body) {
    return flowstore.inTransaction(
        tenant,
        tx -> {
          addCommentIn(tx, actor, ticketId, author, body, false);
          return changeStatusIn(tx, actor, ticketId, expectedVersion, "resolved");
        });
  }

  /** Records an attachment's metadata (the file itself lives in object storage). */
  public StoredRecord addAttachment(
      TenantId tenant,
      String actor,
      String ticketId,
      String filename,
      String contentType,
      long sizeBytes,
      String storageUrl) {
    ObjectNode data = JSON.createObjectNode();
    data.put("filename", filename);
    data.put("content_type", contentType);
    data.put("size_bytes", sizeBytes);
    data.put("storage_url", storageUrl);
    data.put("uploaded_by", actor);
    return createAudited(
        tenant,
        actor,
        ATTACHMENTS,
        NewRecord.of("att-" + UUID.randomUUID(), data).withParent(ticketId),
        "ticket.attachment_added",
        "ticket",
        a -> ticketId,
        a -> data.deepCopy().put("attachment_id", a.id()));
  }

  public List<StoredRecord> comments(TenantId tenant, String ticketId) {
    return flowstore
        .records(tenant)
        .query(RecordQuery.of(COMMENTS).childrenOf(ticketId).limit(1000))
        .records();
  }

  public List<StoredRecord> attachments(TenantId tenant, String ticketId) {
    return flowstore
        .records(tenant)
        .query(RecordQuery.of(ATTACHMENTS).childrenOf(ticketId).limit(1000))
        .records();
  }

  /**
   * A ticket's status history, oldest first, read from its record history (the events of stream
   * {@code tickets-<id>}): no status table is kept by hand.
   */
  public List<StatusChange> statusHistory(TenantId tenant, String ticketId) {
    List<StatusChange> changes = new ArrayList<>();
    long from = 0;
    while (true) {
      List<RecordedEvent> events = flowstore.records(tenant).history(TICKETS, ticketId, from, 500);
      for (RecordedEvent e : events) {
        JsonNode status = e.payload().path("indexed").path("/status");
        if (status.isMissingNode()) continue;
        changes.add(
            new StatusChange(
                e.version(),
                status.path("before").isTextual() ? status.path("before").asText() : null,
                status.path("after").isTextual() ? status.path("after").asText() : null,
                e.metadata() == null ? null : e.metadata().path("actor").asText(null),
                e.createdAt()));
      }
      if (events.size() < 500) return changes;
      from = events.get(events.size() - 1).version() + 1;
    }
  }

  /**
   * The admin search of tickets: optional statuses, assignee and minimum priority, highest priority
   * first, one page after {@code cursor}. Every filter and the sort are indexed fields.
   */
  public RecordPage searchTickets(
      TenantId tenant,
      List<String> statuses,
      String assignee,
      Integer minPriority,
      int limit,
      String cursor) {
    RecordQuery q = RecordQuery.of(TICKETS).sortBy("/priority", true).limit(limit).after(cursor);
    if (statuses != null && !statuses.isEmpty())
      q = q.where(RecordFilter.in("/status", statuses.toArray()));
    if (assignee != null) q = q.where(RecordFilter.eq("/assignee", assignee));
    if (minPriority != null) q = q.where(RecordFilter.gte("/priority", minPriority));
    return flowstore.records(tenant).query(q);
  }

  // ------------------------------------------------- session archives, emails

  /** Closing a chat session archives its transcript. */
  public StoredRecord archiveChatSession(
      TenantId tenant,
      String actor,
      String sessionId,
      String agentId,
      String customer,
      String ticketId,
      ArrayNode messages) {
    ObjectNode data = JSON.createObjectNode();
    data.put("session_id", sessionId);
    data.put("agent_id", agentId);
    data.put("customer", customer);
    data.put("ticket_id", ticketId);
    data.set("messages", messages);
    return createAudited(
        tenant,
        actor,
        SESSION_ARCHIVES,
        NewRecord.of("chat-" + sessionId, data),
        "chat_session.archived",
        "chat_session",
        r -> sessionId,
        r -> JSON.createObjectNode().put("archive_id", r.id()));
  }

  /** Records an email the helpdesk sent (or failed to send). */
  public StoredRecord recordEmail(
      TenantId tenant,
      String actor,
      String to,
      String subject,
      String ticketId,
      boolean sent,
      String error) {
    ObjectNode data = JSON.createObjectNode();
    data.put("to", to);
    data.put("subject", subject);
    data.put("ticket_id", ticketId);
    data.put("status", sent ? "sent" : "failed");
    data.put("error", error);
    return createAudited(
        tenant,
        actor,
        EMAIL_RECORDS,
        NewRecord.of("mail-" + UUID.randomUUID(), data),
        "email.recorded",
        "email",
        r -> r.id(),
        r -> data);
  }

  // ---------------------------------------------------------------- retention

  /**
   * Asks for a retention run: one job on {@link #MAINTENANCE_QUEUE}. Its unique key keeps at most
   * one waiting run per tenant, so a scheduler may call this as often as it likes.
   */
  public UUID requestRetention(TenantId tenant) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put(SESSION_ARCHIVES, retention.sessionArchives().toSeconds());
    payload.put(EMAIL_RECORDS, retention.emailRecords().toSeconds());
    return flowstore
        .queue(tenant)
        .enqueue(NewJob.of(MAINTENANCE_QUEUE, RETENTION_JOB, payload).withUniqueKey(RETENTION_JOB))
        .value()
        .jobId();
  }

  /**
   * Asks for a retention run every {@code period} (the first one now) until the returned handle is
   * closed. Each tick only enqueues; a worker started by {@link #startMaintenanceWorker} runs it.
   */
  public AutoCloseable scheduleRetention(TenantId tenant, Duration period) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("helpdesk-retention-" + tenant.value()).factory());
    timer.scheduleAtFixedRate(
        () -> {
          try {
            requestRetention(tenant);
          } catch (RuntimeException e) {
            // the store is unavailable for now: the next tick asks again
          }
        },
        0,
        period.toMillis(),
        TimeUnit.MILLISECONDS);
    // closing lets a tick in flight finish: interrupting it mid-statement would break its
    // connection
    return () -> {
      timer.shutdown();
      if (!timer.awaitTermination(30, TimeUnit.SECONDS)) timer.shutdownNow();
    };
  }

  /** Starts the worker that runs the tenant's maintenance jobs; close it to stop. */
  public Worker startMaintenanceWorker(TenantId tenant) {
    return flowstore
        .queue(tenant)
        .worker(MAINTENANCE_QUEUE, lease -> handleMaintenance(tenant, lease))
        .pollInterval(Duration.ofMillis(200))
        .start();
  }

  private void handleMaintenance(TenantId tenant, Lease lease) {
    if (!RETENTION_JOB.equals(lease.job().jobType()))
      throw new IllegalArgumentException("unknown job type " + lease.job().jobType());
    ObjectNode p = lease.job().payload();
    for (String collection : List.of(SESSION_ARCHIVES, EMAIL_RECORDS)) {
      long maxAgeSeconds = p.path(collection).asLong(0);
      if (maxAgeSeconds <= 0) continue;
      purgeOlderThan(tenant, collection, clock.instant().minusSeconds(maxAgeSeconds));
    }
  }

  /**
   * Deletes a collection's records created before {@code cutoff}: a query ordered by created_at (an
   * index scan), oldest first, in batches, each batch one transaction with one audit entry. Returns
   * how many were deleted.
   */
  public int purgeOlderThan(TenantId tenant, String collection, Instant cutoff) {
    int total = 0;
    while (true) {
      List<StoredRecord> old =
          flowstore
              .records(tenant)
              .query(
                  RecordQuery.of(collection)
                      .sortBy(RecordQuery.CREATED_AT, false)
                      .includeArchived(true)
                      .limit(PURGE_BATCH))
              .records()
              .stream()
              .filter(r -> r.createdAt().isBefore(cutoff))
              .toList();
      if (old.isEmpty()) return total;
      flowstore.inTransaction(
          tenant,
          tx -> {
            Records records = records(tx, "system:retention");
            for (StoredRecord r : old) records.delete(collection, r.id(), r.version());
            ObjectNode after = JSON.createObjectNode();
            after.put("collection", collection);
            after.put("deleted", old.size());
            after.put("created_before", cutoff.toString());
            audit(
                tx, "system:retention", "retention.purged", "collection", collection, null, after);
            return null;
          });
      total += old.size();
      if (old.size() < PURGE_BATCH) return total;
    }
  }

  // ---------------------------------------------------------------- helpers

  /** An agent's data without its password hash: what lists, audit entries and callers see. */
  public static ObjectNode publicView(ObjectNode agentData) {
    ObjectNode copy = agentData.deepCopy();
    copy.remove("password_hash");
    return copy;
  }

  /** Creates a record and its audit entry in one transaction of the tenant's. */
  private StoredRecord createAudited(
      TenantId tenant,
      String actor,
      String collection,
      NewRecord record,
      String action,
      String resourceType,
      Function<StoredRecord, String> resourceId,
      Function<StoredRecord, ObjectNode> after) {
    return flowstore.inTransaction(
        tenant,
        tx ->
            createAuditedIn(
                tx, actor, collection, record, action, resourceType, resourceId, after));
  }

  private static StoredRecord createAuditedIn(
      Transaction tx,
      String actor,
      String collection,
      NewRecord record,
      String action,
      String resourceType,
      Function<StoredRecord, String> resourceId,
      Function<StoredRecord, ObjectNode> after) {
    StoredRecord r = records(tx, actor).create(collection, record);
    audit(tx, actor, action, resourceType, resourceId.apply(r), null, after.apply(r));
    return r;
  }

  private static Records records(Transaction tx, String actor) {
    return tx.records().attributedTo(actor, null);
  }

  private static void audit(
      Transaction tx,
      String actor,
      String action,
      String type,
      String id,
      ObjectNode before,
      ObjectNode after) {
    tx.audit().append(new NewAuditEntry(actor, action, type, id, null, before, after));
  }

  /** The fields of {@code data} that {@code patch} changes, as they were. */
  private static ObjectNode fieldsOf(ObjectNode data, ObjectNode patch) {
    ObjectNode before = JSON.createObjectNode();
    patch.fieldNames().forEachRemaining(f -> before.set(f, data.get(f)));
    return publicView(before);
  }

  private static FlowstoreException notFound(String id) {
    return new FlowstoreException(ErrorCode.NOT_FOUND, id + " not found");
  }

  private String now() {
    return clock.instant().toString();
  }
}
