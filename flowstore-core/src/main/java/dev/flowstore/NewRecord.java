package dev.flowstore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What to create a record with.
 *
 * @param id null for a generated UUID, else 1-128 chars of letters, digits and {@code _ . : @ = +
 *     -}, starting with a letter or digit
 * @param data the record's JSON object
 * @param parentId the parent record's id, required when the collection declares a parent
 */
public record NewRecord(String id, ObjectNode data, String parentId) {
  public static NewRecord of(String id, ObjectNode data) {
    return new NewRecord(id, data, null);
  }

  public NewRecord withParent(String parentId) {
    return new NewRecord(id, data, parentId);
  }
}
