package dev.flowstore.server.internal.cli;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options export and import share. */
final class ArchiveOptions {
  @Option(
      names = "--events",
      paramLabel = "DIR",
      description =
          "The archive directory, one <stream>.jsonl per stream (default: FLOWSTORE_DATA_DIR/events).")
  Path dir;

  @Option(
      names = "--tenant",
      paramLabel = "TENANT",
      defaultValue = "default",
      description = "The tenant whose events are archived (default: ${DEFAULT-VALUE}).")
  String tenant;

  Path dir(FlowstoreConfig config) {
    return dir != null ? dir : config.dataDir().resolve("events");
  }

  TenantId tenant() {
    return TenantId.of(tenant);
  }
}
