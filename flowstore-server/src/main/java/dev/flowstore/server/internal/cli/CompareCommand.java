package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import dev.flowstore.spi.BackendSwitch;
import dev.flowstore.spi.BackendSwitch.Comparison;
import dev.flowstore.spi.BackendSwitch.Difference;
import dev.flowstore.spi.BackendSwitch.TableComparison;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowstore compare A B [--json]}: see docs/switching.md. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compares two SQL backends table by table and tenant by tenant: row counts and an order-independent digest of the rows (the same on SQLite and PostgreSQL), and on a difference the first differing keys and what differs.",
      "A side whose queue runs on Redis is named with --queue-a / --queue-b: its jobs and their attempts are then compared job by job from each side's queue (Redis or the SQL store's tables).",
      "Exit code 0 when they hold the same rows, 1 when they differ, 2 when they could not be compared."
    })
public final class CompareCommand implements Callable<Integer> {
  static final int DIFFERENT = 1;
  static final int COULD_NOT_COMPARE = 2;

  private final CliContext ctx;

  @Parameters(index = "0", paramLabel = "A", description = "One backend: " + BackendSpec.FORMS)
  String a;

  @Parameters(index = "1", paramLabel = "B", description = "The other backend.")
  String b;

  @Option(
      names = "--queue-a",
      paramLabel = "REDIS",
      description = "A's queue, when it runs on Redis: " + BackendSpec.QUEUE_FORMS + ".")
  String queueA;

  @Option(
      names = "--queue-b",
      paramLabel = "REDIS",
      description = "B's queue, when it runs on Redis.")
  String queueB;

  @Option(names = "--json", description = "Print the whole report as JSON on stdout.")
  boolean json;

  @Option(
      names = "--max-differences",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Name at most N differing rows per table and tenant (default: ${DEFAULT-VALUE}).")
  int maxDifferences;

  @Spec CommandSpec spec;

  public CompareCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Comparison report;
    try (Flowstore x =
            Flowstore.open(BackendSpec.config("A", a, "--queue-a", queueA, ctx.env(), true));
        Flowstore y =
            Flowstore.open(BackendSpec.config("B", b, "--queue-b", queueB, ctx.env(), true))) {
      report = BackendSwitch.find(x, y).compare(x, y, Math.max(maxDifferences, 0));
    } catch (FlowstoreException e) {
      ExitCodes.report(e, spec.commandLine().getErr());
      spec.commandLine().getErr().println("flowstore: could not compare");
      return COULD_NOT_COMPARE;
    }
    report.warnings().forEach(w -> spec.commandLine().getErr().println("flowstore: warning: " + w));
    if (json) out.println(Json.write(toJson(report)));
    else print(report, out);
    return report.equal() ? ExitCodes.OK : DIFFERENT;
  }

  private static void print(Comparison report, PrintWriter out) {
    out.println("a: " + report.a());
    out.println("b: " + report.b());
    long rows = 0;
    List<TableComparison> bad = report.tables().stream().filter(t -> !t.equal()).toList();
    for (TableComparison t : report.tables()) rows += t.countA();
    for (TableComparison t : bad) {
      out.println(
          "DIFFERENT "
              + t.table()
              + (t.tenant().isEmpty() ? "" : " tenant " + t.tenant())
              + ": a "
              + t.countA()
              + " rows (digest "
              + t.digestA()
              + "), b "
              + t.countB()
              + " rows (digest "
              + t.digestB()
              + ")");
      for (Difference d : t.differences()) {
        StringBuilder line =
            new StringBuilder("  ").append(d.key()).append(": ").append(d.problem());
        for (Map.Entry<String, List<String>> c : d.columns().entrySet())
          line.append("; ")
              .append(c.getKey())
              .append(" a=")
              .append(c.getValue().get(0))
              .append(" b=")
              .append(c.getValue().get(1));
        out.println(line);
      }
    }
    out.println(
        bad.isEmpty()
            ? "equal: " + report.tables().size() + " tables x tenants, " + rows + " rows"
            : "different: " + bad.size() + " of " + report.tables().size() + " tables x tenants");
  }

  private static ObjectNode toJson(Comparison report) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("equal", report.equal()).put("a", report.a()).put("b", report.b());
    report.warnings().forEach(root.withArray("warnings")::add);
    ArrayNode tables = root.putArray("tables");
    for (TableComparison t : report.tables()) {
      ObjectNode n =
          tables
              .addObject()
              .put("table", t.table())
              .put("tenant", t.tenant())
              .put("equal", t.equal())
              .put("count_a", t.countA())
              .put("count_b", t.countB())
              .put("digest_a", t.digestA())
              .put("digest_b", t.digestB());
      ArrayNode diffs = n.putArray("differences");
      for (Difference d : t.differences()) {
        ObjectNode dn = diffs.addObject();
        ObjectNode key = dn.putObject("key");
        d.key().forEach(key::put);
        dn.put("problem", d.problem());
        ObjectNode columns = dn.putObject("columns");
        d.columns().forEach((c, v) -> columns.putObject(c).put("a", v.get(0)).put("b", v.get(1)));
      }
    }
    return root;
  }
}
