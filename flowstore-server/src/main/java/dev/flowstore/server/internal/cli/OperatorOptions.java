package dev.flowstore.server.internal.cli;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every operator command shares: where the data is read ({@code --url} or the
 * configured backend), the tenant, and {@code --json}.
 */
final class OperatorOptions {
  static final String SOURCES =
      "Reads a running server with --url (or FLOWSTORE_URL; key: --api-key or FLOWSTORE_API_KEY),"
          + " otherwise opens the configured backend directly (FLOWSTORE_STORE_BACKEND, ...).";
  static final String EXIT_CODES =
      "Exit codes: 0 done; 1 a flowstore error (e.g. NOT_FOUND: the message says what to do"
          + " next); 2 a usage or configuration error; 3 the server or backend is unavailable.";

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "A running flowstore server, e.g. http://127.0.0.1:8080 (default: FLOWSTORE_URL)."
              + " Without it the command opens the configured backend directly.")
  String url;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description =
          "The tenant's API key for --url (default: FLOWSTORE_API_KEY; prefer the variable:"
              + " a command line is visible to other users of the machine).")
  String apiKey;

  @Option(
      names = "--tenant",
      paramLabel = "TENANT",
      description = "The tenant (default: the API key's tenant over HTTP, otherwise 'default').")
  String tenant;

  @Option(
      names = "--json",
      description = "Print JSON, in the HTTP API's shape, instead of a table.")
  boolean json;

  /** The server's URL when one is given (option over environment; empty means none). */
  String url(CliContext ctx) {
    return nonEmpty(url != null ? url : ctx.env().get("FLOWSTORE_URL"));
  }

  /** The tenant as the messages name it: {@code tenant acme}, or {@code the API key's tenant}. */
  String tenantName(CliContext ctx) {
    if (tenant != null) return "tenant " + tenant;
    return url(ctx) != null && apiKey(ctx) != null
        ? "the API key's tenant"
        : "tenant " + TenantId.DEFAULT.value();
  }

  boolean hasApiKey(CliContext ctx) {
    return apiKey(ctx) != null;
  }

  /** Opens the source: a server for a URL, else the configured backend. */
  OperatorSource open(CliContext ctx) {
    TenantId explicit = tenant == null ? null : TenantId.of(tenant);
    String u = url(ctx);
    if (u != null)
      return new HttpSource(
          HttpSource.parseUrl(u), apiKey(ctx), explicit == null ? null : explicit.value());
    if (nonEmpty(apiKey) != null)
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "--api-key: only used with --url (or FLOWSTORE_URL); give the server's URL too");
    // why: a look at the data must not change the schema under a running server (a newer CLI
    // would migrate it); 'flowstore migrate' does that on purpose
    FlowstoreConfig config = ctx.config(Map.of("FLOWSTORE_MIGRATE_ON_START", "false"));
    requireSqliteDatabase(config);
    return new DirectSource(config, explicit == null ? TenantId.DEFAULT : explicit);
  }

  /**
   * why: opening SQLite creates an empty database, so a command run in the wrong directory would
   * show empty queues (and leave a stray database) instead of saying it found none. The file name
   * is SqliteProvider's.
   */
  private static void requireSqliteDatabase(FlowstoreConfig config) {
    if (!"sqlite".equals(config.storeBackend())) return;
    Path db = config.dataDir().resolve("flowstore.db").toAbsolutePath();
    if (!Files.isRegularFile(db))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "FLOWSTORE_DATA_DIR: no flowstore database at "
              + db
              + "; run the command where the server keeps its data, set FLOWSTORE_DATA_DIR,"
              + " or read a running server with --url");
  }

  private String apiKey(CliContext ctx) {
    return nonEmpty(apiKey != null ? apiKey : ctx.env().get("FLOWSTORE_API_KEY"));
  }

  private static String nonEmpty(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
