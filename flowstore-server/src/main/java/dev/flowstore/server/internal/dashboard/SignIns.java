package dev.flowstore.server.internal.dashboard;

import dev.flowstore.ApiKeys;
import dev.flowstore.TenantId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's signed-in browsers, in memory: a random session token (the cookie's value) maps
 * to the key that signed in, the tenant shown and a CSRF token. Sessions end after {@link #IDLE}
 * without a request, on sign-out, and when the server restarts (sign in again).
 */
final class SignIns {
  static final Duration IDLE = Duration.ofHours(8);
  private static final int MAX = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One browser's session.
   *
   * @param keyId the key that signed in, or null for a dev-mode session
   * @param keyTenant the key's own tenant (null in dev mode)
   */
  record SignIn(
      String keyId,
      TenantId keyTenant,
      ApiKeys.Scope scope,
      String csrf,
      TenantId tenant,
      Instant expires) {
    Viewer viewer() {
      return new Viewer(tenant, scope, keyId, csrf);
    }
  }

  private final Map<String, SignIn> byToken = new ConcurrentHashMap<>();
  private final Clock clock;

  SignIns(Clock clock) {
    this.clock = clock;
  }

  /** Starts a session; returns its token (the cookie value). */
  String start(String keyId, TenantId keyTenant, ApiKeys.Scope scope, TenantId tenant) {
    Instant now = clock.instant();
    if (byToken.size() >= MAX) byToken.values().removeIf(s -> s.expires().isBefore(now));
    String token = random();
    byToken.put(token, new SignIn(keyId, keyTenant, scope, random(), tenant, now.plus(IDLE)));
    return token;
  }

  /** The live session of a token (its idle time restarts), or empty. */
  Optional<SignIn> find(String token) {
    if (token == null) return Optional.empty();
    Instant now = clock.instant();
    SignIn s =
        byToken.computeIfPresent(
            token,
            (t, old) ->
                old.expires().isBefore(now)
                    ? null
                    : new SignIn(
                        old.keyId(),
                        old.keyTenant(),
                        old.scope(),
                        old.csrf(),
                        old.tenant(),
                        now.plus(IDLE)));
    return Optional.ofNullable(s);
  }

  /** Shows another tenant in a session (the caller checked the scope allows it). */
  void choose(String token, TenantId tenant) {
    byToken.computeIfPresent(
        token,
        (t, s) -> new SignIn(s.keyId(), s.keyTenant(), s.scope(), s.csrf(), tenant, s.expires()));
  }

  void end(String token) {
    if (token != null) byToken.remove(token);
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
