package dev.flowstore.examples.helpdesk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Collections;
import dev.flowstore.IndexedField;
import java.util.List;

/**
 * The helpdesk's data model, declared in code: the tables of the helpdesk team's plan (tickets,
 * comments, attachments, agents, chat session archives, email send records) as flowstore
 * collections. The status history is not a table: it is read from each ticket's record history.
 */
public final class HelpdeskSchema {
  public static final String TICKETS = "tickets";
  public static final String COMMENTS = "comments";
  public static final String ATTACHMENTS = "attachments";
  public static final String AGENTS = "agents";
  public static final String SESSION_ARCHIVES = "session_archives";
  public static final String EMAIL_RECORDS = "email_records";

  public static final List<String> TICKET_STATUSES =
      List.of("open", "in_progress", "pending", "resolved", "closed");
  public static final List<String> AGENT_ROLES = List.of("agent", "supervisor", "admin");
  public static final List<String> AGENT_STATUSES = List.of("online", "away", "busy", "offline");

  private static final ObjectMapper JSON = new ObjectMapper();

  private HelpdeskSchema() {}

  /** Declares every collection (idempotent: an unchanged declaration keeps its version). */
  public static void declare(Collections collections) {
    collections.declare(
        CollectionSpec.of(TICKETS)
            .withSchema(
                schema(
                    """
                    {"type": "object",
                     "required": ["title", "status", "priority", "created_by"],
                     "properties": {
                       "title": {"type": "string", "minLength": 1, "maxLength": 200},
                       "description": {"type": "string", "maxLength": 20000},
                       "status": {"enum": ["open", "in_progress", "pending", "resolved", "closed"]},
                       "priority": {"type": "integer", "minimum": 1, "maximum": 5},
                       "created_by": {"type": "string", "minLength": 1},
                       "assignee": {"type": ["string", "null"]}
                     }}
                    """))
            .withIndexed(
                IndexedField.string("/status"),
                IndexedField.number("/priority"),
                IndexedField.string("/assignee"),
                IndexedField.string("/created_by")));
    collections.declare(
        CollectionSpec.of(COMMENTS)
            .withParent(TICKETS)
            .withSchema(
                schema(
                    """
                    {"type": "object", "required": ["author", "body"],
                     "properties": {
                       "author": {"type": "string", "minLength": 1},
                       "body": {"type": "string", "minLength": 1, "maxLength": 20000},
                       "internal": {"type": "boolean"}
                     }}
                    """))
            .withIndexed(IndexedField.string("/author")));
    collections.declare(
        CollectionSpec.of(ATTACHMENTS)
            .withParent(TICKETS)
            .withSchema(
                schema(
                    """
                    {"type": "object", "required": ["filename", "content_type", "size_bytes", "storage_url"],
                     "properties": {
                       "filename": {"type": "string", "minLength": 1, "maxLength": 255},
                       "content_type": {"type": "string"},
                       "size_bytes": {"type": "integer", "minimum": 0},
                       "storage_url": {"type": "string"},
                       "uploaded_by": {"type": "string"}
                     }}
                    """)));
    collections.declare(
        CollectionSpec.of(AGENTS)
            .withSchema(
                schema(
                    """
                    {"type": "object",
                     "required": ["username", "password_hash", "name", "role", "status", "max_sessions"],
                     "properties": {
                       "username": {"type": "string", "pattern": "^[a-z0-9_.-]{3,64}$"},
                       "password_hash": {"type": "string", "pattern": "^\\\\$2[aby]\\\\$"},
                       "name": {"type": "string", "minLength": 1},
                       "role": {"enum": ["agent", "supervisor", "admin"]},
                       "status": {"enum": ["online", "away", "busy", "offline"]},
                       "status_note": {"type": ["string", "null"]},
                       "status_updated_at": {"type": ["string", "null"]},
                       "max_sessions": {"type": "integer", "minimum": 0, "maximum": 100},
                       "avatar_url": {"type": ["string", "null"]},
                       "skills": {"type": "array", "items": {"type": "string"}},
                       "last_active_at": {"type": ["string", "null"]},
                       "last_login_at": {"type": ["string", "null"]}
                     }}
                    """))
            .withIndexed(
                IndexedField.string("/username"),
                IndexedField.string("/role"),
                IndexedField.string("/status"),
                IndexedField.timestamp("/last_login_at"))
            .withUnique("/username"));
    collections.declare(
        CollectionSpec.of(SESSION_ARCHIVES)
            .withSchema(
                schema(
                    """
                    {"type": "object", "required": ["session_id", "messages"],
                     "properties": {
                       "session_id": {"type": "string"},
                       "agent_id": {"type": ["string", "null"]},
                       "customer": {"type": ["string", "null"]},
                       "ticket_id": {"type": ["string", "null"]},
                       "messages": {"type": "array"}
                     }}
                    """))
            .withIndexed(IndexedField.string("/agent_id"), IndexedField.string("/ticket_id")));
    collections.declare(
        CollectionSpec.of(EMAIL_RECORDS)
            .withSchema(
                schema(
                    """
                    {"type": "object", "required": ["to", "subject", "status"],
                     "properties": {
                       "to": {"type": "string"},
                       "subject": {"type": "string"},
                       "ticket_id": {"type": ["string", "null"]},
                       "status": {"enum": ["sent", "failed"]},
                       "error": {"type": ["string", "null"]}
                     }}
                    """))
            .withIndexed(IndexedField.string("/ticket_id"), IndexedField.string("/status")));
  }

  private static ObjectNode schema(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("bad schema literal", e);
    }
  }
}
