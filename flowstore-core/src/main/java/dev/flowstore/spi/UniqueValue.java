package dev.flowstore.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A value of a unique field of a record, as written or as it was before a write: what a record
 * cache keyed by unique value must drop ({@link SessionCache#invalidateRecord}).
 */
public record UniqueValue(String pointer, JsonNode value) {}
