package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The declaration of a collection of JSON records, the same for every tenant ({@link
 * Collections#declare}).
 *
 * @param name {@code ^[a-z][a-z0-9_]{0,62}$}; a record's event stream is {@code <name>-<id>}, so
 *     the name is also its stream category
 * @param schema a JSON Schema (2020-12 unless it names its own {@code $schema}) every record's data
 *     must satisfy from the next write on; null accepts any JSON object
 * @param indexed the fields queries may filter and sort on (at most 32)
 * @param unique pointers of indexed fields whose non-null values are unique per tenant (an agent's
 *     username); each must also be in {@code indexed}
 * @param parent the collection whose records are the parents of this one's (comments of a ticket),
 *     or null: a record then names its parent's id and must find it
 * @param fullText pointers of string fields whose words {@link RecordQuery#search} finds (at most
 *     32); other values at those pointers are not searched (docs/records.md "Full-text search")
 * @param retention what happens to records some days after their creation, last change or a
 *     timestamp field ({@link RecordRetention}), or null: kept until deleted
 */
public record CollectionSpec(
    String name,
    ObjectNode schema,
    List<IndexedField> indexed,
    List<String> unique,
    String parent,
    List<String> fullText,
    RecordRetention retention) {
  public CollectionSpec {
    indexed = indexed == null ? List.of() : List.copyOf(indexed);
    unique = unique == null ? List.of() : List.copyOf(unique);
    fullText = fullText == null ? List.of() : List.copyOf(fullText);
  }

  /** A declaration without full-text fields and without retention. */
  public CollectionSpec(
      String name,
      ObjectNode schema,
      List<IndexedField> indexed,
      List<String> unique,
      String parent) {
    this(name, schema, indexed, unique, parent, List.of(), null);
  }

  /** A declaration without retention. */
  public CollectionSpec(
      String name,
      ObjectNode schema,
      List<IndexedField> indexed,
      List<String> unique,
      String parent,
      List<String> fullText) {
    this(name, schema, indexed, unique, parent, fullText, null);
  }

  /** A collection with no schema, no index, no parent: add them with the {@code with*} methods. */
  public static CollectionSpec of(String name) {
    return new CollectionSpec(name, null, List.of(), List.of(), null, List.of(), null);
  }

  public CollectionSpec withSchema(ObjectNode schema) {
    return new CollectionSpec(name, schema, indexed, unique, parent, fullText, retention);
  }

  public CollectionSpec withIndexed(IndexedField... fields) {
    return new CollectionSpec(name, schema, List.of(fields), unique, parent, fullText, retention);
  }

  public CollectionSpec withUnique(String... pointers) {
    return new CollectionSpec(
        name, schema, indexed, List.of(pointers), parent, fullText, retention);
  }

  public CollectionSpec withParent(String parent) {
    return new CollectionSpec(name, schema, indexed, unique, parent, fullText, retention);
  }

  /** Declares the string fields a full-text search looks in (pointers such as {@code /title}). */
  public CollectionSpec withFullText(String... pointers) {
    return new CollectionSpec(name, schema, indexed, unique, parent, List.of(pointers), retention);
  }

  /** With a retention ({@link RecordRetention}), or none (null). */
  public CollectionSpec withRetention(RecordRetention retention) {
    return new CollectionSpec(name, schema, indexed, unique, parent, fullText, retention);
  }
}
