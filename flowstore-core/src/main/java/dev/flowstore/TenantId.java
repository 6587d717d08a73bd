package dev.flowstore;

import java.util.regex.Pattern;

/**
 * A tenant. Every read and write in flowstore is scoped to exactly one tenant.
 *
 * @param value matches {@code ^[a-z0-9][a-z0-9_-]{0,62}$}
 */
public record TenantId(String value) {
  private static final Pattern VALID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");

  /** The tenant used in embedded dev mode when a request names none. */
  public static final TenantId DEFAULT = new TenantId("default");

  public TenantId {
    if (value == null || !VALID.matcher(value).matches()) {
      throw new FlowstoreException(
          ErrorCode.INVALID_TENANT,
          "invalid tenant id "
              + Ids.quote(value)
              + ": use 1-63 chars of a-z, 0-9, '_' or '-', starting with a letter or digit");
    }
  }

  public static TenantId of(String value) {
    return new TenantId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
