package dev.flowstore.server.internal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flowstore version}. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Prints flowstore's version.")
public final class VersionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(Version.line());
    return ExitCodes.OK;
  }
}
