package dev.flowstore.server.internal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code jobs}, {@code dlq}, {@code sessions}): run without
 * one, it is a usage error (exit 2) naming them.
 */
@Command(mixinStandardHelpOptions = true)
final class CommandGroup implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        "Missing required subcommand (" + String.join(", ", spec.subcommands().keySet()) + ")");
  }

  /** The group {@code name} with {@code subcommands} (annotated command objects). */
  static CommandLine of(String name, String description, Object... subcommands) {
    CommandLine group = new CommandLine(new CommandGroup());
    group.getCommandSpec().name(name).usageMessage().description(description);
    for (Object s : subcommands) group.addSubcommand(s);
    return group;
  }
}
