package dev.flowstore;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * API keys for the HTTP server. A key belongs to one tenant; only its SHA-256 hash is stored, so a
 * key is shown once, when it is created.
 */
public interface ApiKeys {
  /** A created key: {@code secret} is the only copy of the key. */
  record Created(String keyId, TenantId tenant, String secret) {}

  /** A stored key, without its secret. */
  record Info(String keyId, TenantId tenant, String name, Instant createdAt) {}

  /** Creates a key for {@code tenant}; the returned secret is never stored. */
  Created create(TenantId tenant, String name);

  /** The tenant a presented key belongs to, or empty if it matches no key. */
  Optional<TenantId> authenticate(String secret);

  /** Whether any key exists (the server then requires a key on every request). */
  boolean any();

  List<Info> list(TenantId tenant);

  /** Deletes a key; false if the tenant has no key with that id. */
  boolean revoke(TenantId tenant, String keyId);
}
