package dev.flowstore.server.internal.cli;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.archive.JsonlArchive;
import dev.flowstore.archive.Progress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flowstore export}. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Writes one tenant's events to JSONL files, one per stream, into an empty directory.")
public final class ExportCommand implements Callable<Integer> {
  private final CliContext ctx;

  @Mixin ArchiveOptions options;

  @Spec CommandSpec spec;

  public ExportCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    TenantId tenant = options.tenant();
    FlowstoreConfig config = ctx.config(Map.of());
    Path dir = options.dir(config);
    try (Flowstore flowstore = Flowstore.open(config)) {
      ProgressPrinter printer =
          new ProgressPrinter("export", spec.commandLine().getErr(), ctx.clock());
      Progress done = JsonlArchive.exportTo(flowstore.events(tenant), dir, printer);
      spec.commandLine()
          .getOut()
          .println(
              "exported "
                  + done.events()
                  + " events of tenant "
                  + tenant
                  + " to "
                  + done.files()
                  + " files in "
                  + dir);
    }
    return ExitCodes.OK;
  }
}
