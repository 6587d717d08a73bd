package dev.flowstore.server.internal.cli;

import dev.flowstore.AuditLog;
import dev.flowstore.Flowstore;
import dev.flowstore.TenantId;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flowstore audit verify}: checks a tenant's hash-chained audit log. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Inspects tenants' audit logs.")
public final class AuditCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand (verify)");
  }

  /** {@code flowstore audit verify [--tenant T]}: exit 0 when intact, 1 when broken. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Recomputes the hash chain of a tenant's audit log and reports the first entry that was edited, deleted or inserted behind flowstore's back.",
        "Exit code 0 when the chain is intact, 1 when it is broken (the problem is printed on stderr)."
      })
  public static final class Verify implements Callable<Integer> {
    private final CliContext ctx;

    @Option(
        names = "--tenant",
        paramLabel = "TENANT",
        defaultValue = "default",
        description = "The tenant whose audit log is checked (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Spec CommandSpec spec;

    public Verify(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      TenantId t = TenantId.of(tenant);
      AuditLog.Verification v;
      try (Flowstore flowstore = Flowstore.open(ctx.config(Map.of()))) {
        v = flowstore.audit(t).verify();
      }
      if (v.ok()) {
        spec.commandLine()
            .getOut()
            .println(
                "audit log of tenant " + t + " is intact: " + v.checked() + " entries checked");
        return ExitCodes.OK;
      }
      spec.commandLine()
          .getErr()
          .println(
              "flowstore: audit log of tenant "
                  + t
                  + " is broken at entry "
                  + v.firstBadSeq()
                  + ": "
                  + v.problem()
                  + " ("
                  + v.checked()
                  + " entries checked)");
      return ExitCodes.BROKEN;
    }
  }
}
