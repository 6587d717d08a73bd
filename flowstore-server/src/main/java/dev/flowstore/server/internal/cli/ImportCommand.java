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

/** {@code flowstore import}. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Appends the events of every *.jsonl file in a directory to one tenant, with their archived ids, versions and times.",
      "Importing the same archive again changes nothing; a bad line stops the import before anything is written."
    })
public final class ImportCommand implements Callable<Integer> {
  private final CliContext ctx;

  @Mixin ArchiveOptions options;

  @Spec CommandSpec spec;

  public ImportCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    TenantId tenant = options.tenant();
    FlowstoreConfig config = ctx.config(Map.of());
    Path dir = options.dir(config);
    try (Flowstore flowstore = Flowstore.open(config)) {
      ProgressPrinter printer =
          new ProgressPrinter("import", spec.commandLine().getErr(), ctx.clock());
      Progress done = JsonlArchive.importFrom(flowstore.events(tenant), dir, printer);
      spec.commandLine()
          .getOut()
          .println(
              "imported "
                  + done.events()
                  + " events from "
                  + done.files()
                  + " files in "
                  + dir
                  + " into tenant "
                  + tenant
                  + " ("
                  + done.unchanged()
                  + " were already stored)");
    }
    return ExitCodes.OK;
  }
}
