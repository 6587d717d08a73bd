package dev.flowstore.server.internal.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The server's log settings. {@code FLOWSTORE_LOG_FORMAT}: {@code text} (the default, one
 * human-readable line per event) or {@code json} (one JSON object per line, see {@link
 * JsonLogEncoder}); logback.xml reads the variable itself, and {@link #apply} turns a misspelt
 * value into a start-up error instead of a silent fallback. {@code FLOWSTORE_LOG_REQUESTS}: {@code
 * true} logs one line per HTTP request (logger {@code dev.flowstore.access}, INFO), {@code false}
 * (the default) none.
 */
public final class LogFormat {
  public static final String KEY = "FLOWSTORE_LOG_FORMAT";
  public static final String REQUESTS = "FLOWSTORE_LOG_REQUESTS";

  /** The logger of the request lines. */
  public static final String ACCESS_LOGGER = "dev.flowstore.access";

  private LogFormat() {}

  /**
   * Checks both settings and turns request lines on when asked.
   *
   * @throws FlowstoreException CONFIGURATION when a value is not one of those listed above
   */
  public static void apply(Map<String, String> env) {
    String format = env.getOrDefault(KEY, "");
    if (!format.isEmpty() && !format.equals("text") && !format.equals("json"))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION, KEY + ": must be text or json, got '" + format + "'");
    String requests = env.getOrDefault(REQUESTS, "");
    if (!requests.isEmpty() && !requests.equals("true") && !requests.equals("false"))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION, REQUESTS + ": must be true or false, got '" + requests + "'");
    ((Logger) LoggerFactory.getLogger(ACCESS_LOGGER))
        .setLevel(requests.equals("true") ? Level.INFO : Level.OFF);
  }
}
