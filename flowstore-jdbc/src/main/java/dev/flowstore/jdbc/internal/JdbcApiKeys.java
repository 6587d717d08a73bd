package dev.flowstore.jdbc.internal;

import dev.flowstore.ApiKeys;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * API keys in the {@code api_keys} table; only SHA-256 hashes of the secrets are stored. Every call
 * runs as the store's own login outside any tenant ({@link JdbcFlowstore#system}): on PostgreSQL
 * that is the table's owner, and the application role that tenant transactions run as holds no
 * privilege on the table (see {@link PostgresRoles#WITHHELD}).
 */
final class JdbcApiKeys implements ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JdbcFlowstore fs;

  JdbcApiKeys(JdbcFlowstore fs) {
    this.fs = fs;
  }

  @Override
  public Created create(TenantId tenant, String name, Scope scope) {
    String label = name == null || name.isBlank() ? "default" : name.strip();
    if (label.length() > 200)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "key name: at most 200 characters");
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String keyId = HexFormat.of().formatHex(id);
    String key =
        "fsk_" + keyId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    fs.system(
        c ->
            Columns.update(
                c,
                new Sql(
                    fs.dialect(),
                    "INSERT INTO api_keys (key_id, key_hash, tenant_id, name, created_at, scope) VALUES (?, ?, ?, ?, ?, ?)",
                    keyId,
                    hash(key),
                    tenant.value(),
                    label,
                    fs.now(),
                    scope.wire())));
    return new Created(keyId, tenant, key);
  }

  @Override
  public Optional<Principal> identify(String secret) {
    if (secret == null || secret.length() > 200) return Optional.empty();
    return fs.system(
        c ->
            Columns.one(
                c,
                new Sql(
                    fs.dialect(),
                    "SELECT key_id, tenant_id, scope FROM api_keys WHERE key_hash = ?",
                    hash(secret)),
                rs ->
                    new Principal(
                        rs.getString(1),
                        TenantId.of(rs.getString(2)),
                        Scope.fromWire(rs.getString(3)))));
  }

  @Override
  public boolean any() {
    return fs.system(
        c ->
            Columns.one(c, new Sql(fs.dialect(), "SELECT 1 FROM api_keys LIMIT 1"), rs -> true)
                .isPresent());
  }

  @Override
  public List<Info> list(TenantId tenant) {
    return fs.system(
        c ->
            Columns.list(
                c,
                new Sql(
                    fs.dialect(),
                    "SELECT key_id, name, created_at, scope FROM api_keys WHERE tenant_id = ? ORDER BY created_at, key_id",
                    tenant.value()),
                rs ->
                    new Info(
                        rs.getString("key_id"),
                        tenant,
                        rs.getString("name"),
                        fs.dialect().getTime(rs, "created_at"),
                        Scope.fromWire(rs.getString("scope")))));
  }

  @Override
  public boolean revoke(TenantId tenant, String keyId) {
    return fs.system(
        c ->
            Columns.update(
                    c,
                    new Sql(
                        fs.dialect(),
                        "DELETE FROM api_keys WHERE tenant_id = ? AND key_id = ?",
                        tenant.value(),
                        keyId))
                > 0);
  }

  private static String hash(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
