package dev.flowstore;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * API keys for the HTTP server and its dashboard. A key belongs to one tenant and has a {@link
 * Scope}; only its SHA-256 hash is stored, so a key is shown once, when it is created.
 */
public interface ApiKeys {
  /** What a key may do. */
  enum Scope {
    /** Read and write its own tenant (the default, and every key made before scopes existed). */
    TENANT,
    /** Read its own tenant; every write is refused with {@code FORBIDDEN}. */
    READ,
    /** Read and write any tenant (it names one with {@code X-Tenant-Id}, else its own). */
    ADMIN;

    /** The stored and shown form: {@code read}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@link #wire()}.
     *
     * @throws FlowstoreException {@code INVALID_ARGUMENT} naming the accepted scopes
     */
    public static Scope fromWire(String value) {
      for (Scope s : values()) if (s.wire().equals(value)) return s;
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "key scope: '" + value + "' is not one of tenant, read, admin");
    }

    /** Whether a key of this scope may change data. */
    public boolean canWrite() {
      return this != READ;
    }
  }

  /** A created key: {@code secret} is the only copy of the key. */
  record Created(String keyId, TenantId tenant, String secret) {}

  /** A stored key, without its secret. */
  record Info(String keyId, TenantId tenant, String name, Instant createdAt, Scope scope) {}

  /** Who a presented key is: its id, its tenant and its scope. */
  record Principal(String keyId, TenantId tenant, Scope scope) {}

  /**
   * Creates a key for {@code tenant} with {@code scope}; the returned secret is never stored.
   *
   * @throws FlowstoreException {@code INVALID_ARGUMENT} for a name over 200 characters
   */
  Created create(TenantId tenant, String name, Scope scope);

  /** Creates a {@link Scope#TENANT} key (read and write its own tenant). */
  default Created create(TenantId tenant, String name) {
    return create(tenant, name, Scope.TENANT);
  }

  /** The key a presented secret matches, or empty if it matches none. */
  Optional<Principal> identify(String secret);

  /** The tenant a presented key belongs to, or empty if it matches no key. */
  default Optional<TenantId> authenticate(String secret) {
    return identify(secret).map(Principal::tenant);
  }

  /** Whether any key exists (the server then requires a key on every request). */
  boolean any();

  List<Info> list(TenantId tenant);

  /** Deletes a key; false if the tenant has no key with that id. */
  boolean revoke(TenantId tenant, String keyId);
}
