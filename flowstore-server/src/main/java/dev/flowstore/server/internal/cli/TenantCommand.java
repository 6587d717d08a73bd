package dev.flowstore.server.internal.cli;

import dev.flowstore.ApiKeys;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flowstore tenant create|keys|revoke}: API keys, the only way a tenant exists for the
 * server.
 */
@Command(
    name = "tenant",
    mixinStandardHelpOptions = true,
    description = "Manages tenants' API keys.")
public final class TenantCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing required subcommand (create, keys or revoke)");
  }

  static <T> T withKeys(CliContext ctx, Function<ApiKeys, T> work) {
    try (Flowstore flowstore = Flowstore.open(ctx.config(Map.of()))) {
      return work.apply(flowstore.apiKeys());
    }
  }

  /** {@code flowstore tenant create NAME}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Creates an API key for tenant NAME and prints it on stdout, once: only its hash is stored.",
        "Once any key exists, the server requires a key on every /v1 request."
      })
  public static final class Create implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(
        paramLabel = "NAME",
        description = "The tenant id: 1-63 chars of a-z, 0-9, '_' or '-'.")
    String name;

    @Option(
        names = "--label",
        paramLabel = "LABEL",
        defaultValue = "cli",
        description = "A name for the key, shown by 'tenant keys' (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(
        names = "--scope",
        paramLabel = "SCOPE",
        defaultValue = "tenant",
        description =
            "What the key may do: tenant (read and write this tenant), read (read only: writes"
                + " answer 403 FORBIDDEN) or admin (read and write any tenant, chosen with"
                + " X-Tenant-Id or in the dashboard) (default: ${DEFAULT-VALUE}).")
    String scope;

    @Spec CommandSpec spec;

    public Create(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      TenantId tenant = TenantId.of(name);
      ApiKeys.Scope keyScope = ApiKeys.Scope.fromWire(scope);
      ApiKeys.Created key = withKeys(ctx, keys -> keys.create(tenant, label, keyScope));
      spec.commandLine().getOut().println(key.secret());
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "created API key "
              + key.keyId()
              + " for tenant "
              + tenant
              + " (scope "
              + keyScope.wire()
              + ").");
      err.println(
          "The key above is shown once and is not stored (only its hash is): keep it now. Use it as 'Authorization: Bearer <key>'.");
      return ExitCodes.OK;
    }
  }

  /** {@code flowstore tenant keys NAME}. */
  @Command(
      name = "keys",
      mixinStandardHelpOptions = true,
      description =
          "Lists tenant NAME's API keys (ids, labels and creation times; never the keys).")
  public static final class Keys implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(paramLabel = "NAME", description = "The tenant id.")
    String name;

    @Spec CommandSpec spec;

    public Keys(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      TenantId tenant = TenantId.of(name);
      var keys = withKeys(ctx, k -> k.list(tenant));
      PrintWriter out = spec.commandLine().getOut();
      keys.forEach(
          k ->
              out.println(
                  k.keyId() + "\t" + k.name() + "\t" + k.createdAt() + "\t" + k.scope().wire()));
      return ExitCodes.OK;
    }
  }

  /** {@code flowstore tenant revoke NAME KEY_ID}. */
  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Deletes one of tenant NAME's API keys.")
  public static final class Revoke implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "The tenant id.")
    String name;

    @Parameters(
        index = "1",
        paramLabel = "KEY_ID",
        description = "The key's id, as 'tenant keys' lists it.")
    String keyId;

    @Spec CommandSpec spec;

    public Revoke(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      TenantId tenant = TenantId.of(name);
      if (!withKeys(ctx, keys -> keys.revoke(tenant, keyId))) {
        throw new FlowstoreException(
            ErrorCode.NOT_FOUND, "tenant " + tenant + " has no API key " + keyId);
      }
      spec.commandLine().getOut().println("revoked API key " + keyId + " of tenant " + tenant);
      return ExitCodes.OK;
    }
  }
}
