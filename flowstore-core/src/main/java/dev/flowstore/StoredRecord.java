package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.internal.Json;
import java.time.Instant;
import java.util.Objects;

/**
 * A record of a collection, as stored. Equal when every component is ({@code data} by value).
 *
 * <p>why a class and not a Java record: a store hands the data over as the JSON text it read,
 * parsed on the first call of {@link #data()} ({@link #lazy}), and {@link #dataJson()} passes that
 * text on unparsed (an HTTP response, a cache); a page of 50 records spent as long parsing its JSON
 * as reading it.
 */
public final class StoredRecord {
  private final String collection;
  private final String id;
  private final long version;
  private final String parentId;
  private final Instant archivedAt;
  private final Instant createdAt;
  private final Instant updatedAt;
  private volatile ObjectNode data;
  private String json; // the data as read, until parsed

  /**
   * @param id the caller's id ({@code TKT-2025-0001}) or a generated UUID
   * @param version the version of the record's event stream ({@link Records#streamOf}): +1 with
   *     every change
   * @param parentId the id of its parent record in the collection's parent collection, or null
   * @param archivedAt when it was archived, or null: archived records keep their data and history
   *     and are left out of queries unless asked for
   */
  public StoredRecord(
      String collection,
      String id,
      ObjectNode data,
      long version,
      String parentId,
      Instant archivedAt,
      Instant createdAt,
      Instant updatedAt) {
    this(collection, id, version, parentId, archivedAt, createdAt, updatedAt);
    this.data = data;
  }

  private StoredRecord(
      String collection,
      String id,
      long version,
      String parentId,
      Instant archivedAt,
      Instant createdAt,
      Instant updatedAt) {
    this.collection = collection;
    this.id = id;
    this.version = version;
    this.parentId = parentId;
    this.archivedAt = archivedAt;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  /**
   * For stores: a record whose data is {@code dataJson}, a JSON object as the store wrote it (not
   * checked again), parsed on the first call of {@link #data()}.
   */
  public static StoredRecord lazy(
      String collection,
      String id,
      String dataJson,
      long version,
      String parentId,
      Instant archivedAt,
      Instant createdAt,
      Instant updatedAt) {
    StoredRecord r =
        new StoredRecord(collection, id, version, parentId, archivedAt, createdAt, updatedAt);
    r.json = Objects.requireNonNull(dataJson, "dataJson");
    return r;
  }

  public String collection() {
    return collection;
  }

  public String id() {
    return id;
  }

  /** The record's data (the same object at every call). */
  public ObjectNode data() {
    ObjectNode d = data;
    if (d != null) return d;
    synchronized (this) {
      if (data == null) {
        data = Json.stored("stored record " + id, json);
        json = null;
      }
      return data;
    }
  }

  /**
   * The data as JSON text: as the store read it while {@link #data()} has not been called (no
   * parsing, no writing), else written from {@link #data()} (so a change made to that object is in
   * it).
   */
  public String dataJson() {
    if (data == null) {
      synchronized (this) {
        if (data == null) return json;
      }
    }
    return Json.write(data);
  }

  public long version() {
    return version;
  }

  public String parentId() {
    return parentId;
  }

  public Instant archivedAt() {
    return archivedAt;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public boolean archived() {
    return archivedAt != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredRecord r
        && version == r.version
        && Objects.equals(collection, r.collection)
        && Objects.equals(id, r.id)
        && Objects.equals(parentId, r.parentId)
        && Objects.equals(archivedAt, r.archivedAt)
        && Objects.equals(createdAt, r.createdAt)
        && Objects.equals(updatedAt, r.updatedAt)
        && Objects.equals(data(), r.data());
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        collection, id, data(), version, parentId, archivedAt, createdAt, updatedAt);
  }

  @Override
  public String toString() {
    return "StoredRecord[collection="
        + collection
        + ", id="
        + id
        + ", data="
        + data()
        + ", version="
        + version
        + ", parentId="
        + parentId
        + ", archivedAt="
        + archivedAt
        + ", createdAt="
        + createdAt
        + ", updatedAt="
        + updatedAt
        + "]";
  }
}
