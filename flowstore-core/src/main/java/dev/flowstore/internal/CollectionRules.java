package dev.flowstore.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.ErrorCode;
import dev.flowstore.FieldType;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordRetention;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of collection declarations and record ids, checked before any backend touches storage,
 * and a declaration's stored JSON form (one form for every backend and the HTTP API).
 */
public final class CollectionRules {
  /** At most this many indexed fields per collection. */
  public static final int MAX_INDEXED = 32;

  // why loops and not the patterns ^[a-z][a-z0-9_]{0,62}$ and
  // ^[A-Za-z0-9][A-Za-z0-9_.:@=+-]{0,127}$:
  // every get by id checks both, and a regex match was a few percent of one on SQLite
  private static final Pattern POINTER = Pattern.compile("^(/([^~/]|~[01])+)+$");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private CollectionRules() {}

  /** Whether {@code s} matches {@code ^[a-z][a-z0-9_]{0,62}$}. */
  static boolean isName(String s) {
    if (s == null || s.isEmpty() || s.length() > 63) return false;
    char first = s.charAt(0);
    if (first < 'a' || first > 'z') return false;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
  }

  /** Whether {@code s} matches {@code ^[A-Za-z0-9][A-Za-z0-9_.:@=+-]{0,127}$}. */
  static boolean isId(String s) {
    if (s == null || s.isEmpty() || s.length() > 128) return false;
    if (!isAlnum(s.charAt(0))) return false;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAlnum(c) && "_.:@=+-".indexOf(c) < 0) return false;
    }
    return true;
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** Checks a collection name: {@code ^[a-z][a-z0-9_]{0,62}$}. */
  public static String name(String what, String name) {
    if (!isName(name))
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          what
              + ": invalid collection name "
              + shown(name)
              + ": use 1-63 chars of lower-case letters, digits and '_', starting with a letter");
    return name;
  }

  /**
   * Checks a record id: 1-128 chars of letters, digits and {@code _ . : @ = + -}, starting with a
   * letter or digit (so {@code <collection>-<id>} is a stream id).
   */
  public static String id(String what, String id) {
    if (!isId(id))
      throw new FlowstoreException(
          ErrorCode.INVALID_ID,
          what
              + ": invalid record id "
              + shown(id)
              + ": use 1-128 chars of letters, digits, '_', '.', ':', '@', '=', '+' or '-', starting with a letter or digit");
    return id;
  }

  /** Checks a record's address: its collection's name and its id. */
  public static void address(String collection, String id) {
    name("collection", collection);
    id("id", id);
  }

  /**
   * Checks a lookup by unique value ({@code Records.getByUnique}): the collection's name, the
   * field's pointer and a value; the value as JSON, converted as {@code RecordFilter.eq} does.
   */
  public static JsonNode uniqueLookup(String collection, String pointer, Object value) {
    name("collection", collection);
    pointer("pointer", pointer);
    if (value == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, pointer + ": a unique value to look up may not be null");
    JsonNode v = RecordFilter.eq(pointer, value).values().get(0);
    if (v == null || v.isNull())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, pointer + ": a unique value to look up may not be null");
    return v;
  }

  /** NOT_FOUND for a record of a collection. */
  public static FlowstoreException recordNotFound(String collection, String id) {
    return new FlowstoreException(
        ErrorCode.NOT_FOUND,
        "record " + shown(id) + " of collection '" + collection + "' not found");
  }

  /** Checks a JSON pointer to a field: {@code /a/b}, at most 200 chars. */
  public static String pointer(String what, String pointer) {
    if (pointer == null || pointer.length() > 200 || !POINTER.matcher(pointer).matches())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          what
              + ": invalid field "
              + shown(pointer)
              + ": use a JSON pointer to a field such as '/status' or '/customer/id'");
    return pointer;
  }

  /** Checks a whole declaration (not whether its parent exists: that is the store's). */
  public static CollectionSpec check(CollectionSpec spec) {
    if (spec == null) throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "spec is required");
    name("name", spec.name());
    if (spec.schema() != null) {
      Json.rejectNul("schema", spec.schema());
      JsonSchemas.checkSchema("schema", spec.schema());
    }
    if (spec.indexed().size() > MAX_INDEXED)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "indexed: at most " + MAX_INDEXED + " fields, got " + spec.indexed().size());
    Set<String> indexed = new HashSet<>();
    for (IndexedField f : spec.indexed()) {
      if (f == null || f.type() == null)
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "indexed: each field needs a pointer and a type");
      if (!indexed.add(pointer("indexed", f.pointer())))
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "indexed: " + f.pointer() + " is listed twice");
    }
    Set<String> unique = new HashSet<>();
    for (String u : spec.unique()) {
      pointer("unique", u);
      if (!indexed.contains(u))
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT,
            "unique: " + u + " must also be an indexed field (its type comes from there)");
      if (!unique.add(u))
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "unique: " + u + " is listed twice");
    }
    if (spec.fullText().size() > MAX_INDEXED)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "full_text: at most " + MAX_INDEXED + " fields, got " + spec.fullText().size());
    Set<String> text = new HashSet<>();
    for (String f : spec.fullText())
      if (!text.add(pointer("full_text", f)))
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "full_text: " + f + " is listed twice");
    if (spec.parent() != null) name("parent", spec.parent());
    if (spec.retention() != null) retention(spec);
    return spec;
  }

  /**
   * Checks a retention: an action, {@code days} >= 1, and a basis that is {@code created_at},
   * {@code updated_at} or an indexed field of type timestamp.
   */
  private static void retention(CollectionSpec spec) {
    RecordRetention r = spec.retention();
    if (r.action() == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "retention.action is required: delete or archive");
    if (r.days() < 1)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "retention.days must be >= 1, got " + r.days());
    if (r.basis() == null)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "retention.basis is required: created_at, updated_at or an indexed timestamp field");
    if (!r.onField()) return;
    pointer("retention.basis", r.basis());
    for (IndexedField f : spec.indexed())
      if (f.pointer().equals(r.basis())) {
        if (f.type() != FieldType.TIMESTAMP)
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT,
              "retention.basis: "
                  + r.basis()
                  + " is indexed as "
                  + f.type().name().toLowerCase(Locale.ROOT)
                  + ", it must be a timestamp");
        return;
      }
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        "retention.basis: "
            + r.basis()
            + " must be created_at, updated_at or an indexed field of type timestamp");
  }

  /** The declaration as stored JSON. */
  public static ObjectNode toJson(CollectionSpec spec) {
    ObjectNode out = JSON.objectNode();
    out.put("name", spec.name());
    if (spec.schema() != null) out.set("schema", spec.schema());
    out.set("indexed", fields(spec.indexed()));
    ArrayNode unique = out.putArray("unique");
    spec.unique().forEach(unique::add);
    if (spec.parent() != null) out.put("parent", spec.parent());
    // why only when declared: a declaration without it keeps the JSON it had before full text
    if (!spec.fullText().isEmpty()) {
      ArrayNode text = out.putArray("full_text");
      spec.fullText().forEach(text::add);
    }
    if (spec.retention() != null) out.set("retention", retentionJson(spec.retention()));
    return out;
  }

  /** A retention as JSON: {@code {"action": "delete", "days": 30, "basis": "created_at"}}. */
  public static ObjectNode retentionJson(RecordRetention r) {
    ObjectNode out = JSON.objectNode();
    out.put("action", r.action().name().toLowerCase(Locale.ROOT));
    out.put("days", r.days());
    out.put("basis", r.basis());
    return out;
  }

  /** A retention from its JSON form ({@link #retentionJson}), each member checked. */
  public static RecordRetention retentionFromJson(JsonNode node) {
    if (!node.isObject())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "retention must be an object: {\"action\": \"delete\"|\"archive\", \"days\": N, \"basis\": ...}");
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("action", "days", "basis").contains(f))
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT,
            "retention: unknown member '" + f + "': a retention has action, days, basis");
    }
    String action = text(node.path("action"), "retention.action");
    RecordRetention.Action a;
    try {
      a = RecordRetention.Action.valueOf(action.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "retention.action: " + shown(action) + " is neither delete nor archive");
    }
    JsonNode days = node.path("days");
    if (!days.isIntegralNumber() || !days.canConvertToInt())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "retention.days must be a whole number of days, >= 1");
    return new RecordRetention(a, days.intValue(), text(node.path("basis"), "retention.basis"));
  }

  /** Indexed fields as JSON: {@code [{"pointer": "/status", "type": "string"}]}. */
  public static ArrayNode fields(List<IndexedField> fields) {
    ArrayNode out = JSON.arrayNode();
    for (IndexedField f : fields)
      out.addObject()
          .put("pointer", f.pointer())
          .put("type", f.type().name().toLowerCase(Locale.ROOT));
    return out;
  }

  /**
   * A declaration from its JSON form (stored, or sent over HTTP: then every value is checked).
   *
   * @throws FlowstoreException INVALID_ARGUMENT naming the bad member
   */
  public static CollectionSpec fromJson(JsonNode node) {
    if (node == null || !node.isObject())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "a collection must be a JSON object");
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("name", "schema", "indexed", "unique", "parent", "full_text", "retention")
          .contains(f))
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT,
            "unknown member '"
                + f
                + "': a collection has name, schema, indexed, unique, parent, full_text, retention");
    }
    JsonNode schema = node.path("schema");
    if (!schema.isMissingNode() && !schema.isNull() && !schema.isObject())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "schema must be a JSON object");
    List<String> unique = new ArrayList<>();
    for (JsonNode u : array(node, "unique")) unique.add(text(u, "unique"));
    List<String> fullText = new ArrayList<>();
    for (JsonNode t : array(node, "full_text")) fullText.add(text(t, "full_text"));
    return new CollectionSpec(
        text(node.path("name"), "name"),
        schema.isObject() ? (ObjectNode) schema : null,
        fieldsFromJson(array(node, "indexed"), "indexed"),
        unique,
        optionalText(node.path("parent"), "parent"),
        fullText,
        node.path("retention").isMissingNode() || node.path("retention").isNull()
            ? null
            : retentionFromJson(node.path("retention")));
  }

  /** Indexed fields from their JSON form ({@link #fields}). */
  public static List<IndexedField> fieldsFromJson(JsonNode array, String what) {
    List<IndexedField> out = new ArrayList<>();
    for (JsonNode f : array) {
      if (!f.isObject())
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, what + ": each field is {\"pointer\": ..., \"type\": ...}");
      out.add(new IndexedField(text(f.path("pointer"), what + ".pointer"), type(f.path("type"))));
    }
    return out;
  }

  private static FieldType type(JsonNode node) {
    try {
      return FieldType.valueOf(text(node, "type").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "type: " + shown(node.asText()) + " is none of string, number, boolean, timestamp");
    }
  }

  private static JsonNode array(JsonNode node, String member) {
    JsonNode a = node.path(member);
    if (a.isMissingNode() || a.isNull()) return JSON.arrayNode();
    if (!a.isArray())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, member + " must be an array");
    return a;
  }

  private static String optionalText(JsonNode node, String what) {
    return node.isMissingNode() || node.isNull() ? null : text(node, what);
  }

  private static String text(JsonNode node, String what) {
    if (!node.isTextual())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, what + " must be a string");
    return node.textValue();
  }

  private static String shown(String value) {
    if (value == null) return "null";
    return "'"
        + (value.length() > 80 ? value.substring(0, 80) + "..." : value)
            .replace("\u0000", "\\u0000")
        + "'";
  }
}
