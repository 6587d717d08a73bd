package dev.flowstore.chaos;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fault-injection harness: runs each scenario against real servers and databases and prints one
 * table of figures (scenario, variant, size, faults injected, result). See docs/reliability.md.
 *
 * <pre>
 * ./chaos [--quick | --full] [--scenarios 1,3] [--out FILE]
 * </pre>
 *
 * Exit code: 0 every check held, 1 a check failed, 2 the harness could not run a scenario.
 */
public final class Chaos {
  private Chaos() {}

  /** Every scenario, by number. */
  static TreeMap<Integer, Scenario> scenarios() {
    TreeMap<Integer, Scenario> all = new TreeMap<>();
    for (Scenario s : Scenarios.ALL) all.put(s.number(), s);
    return all;
  }

  public static void main(String[] args) throws Exception {
    // why: flowstore-server's jar ships a logback.xml too; name ours so logback picks this one
    System.setProperty("logback.configurationFile", "flowstore-chaos-logback.xml");
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) throws Exception {
    ChaosSettings.Mode mode = ChaosSettings.Mode.FULL;
    Set<Integer> selected = new LinkedHashSet<>(scenarios().keySet());
    Path outFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> mode = ChaosSettings.Mode.QUICK;
        case "--full" -> mode = ChaosSettings.Mode.FULL;
        case "--ci" -> mode = ChaosSettings.Mode.CI;
        case "--scenarios" -> {
          selected.clear();
          for (String s : args[++i].split(",")) {
            int n = Integer.parseInt(s.trim());
            if (!scenarios().containsKey(n))
              throw new IllegalArgumentException(
                  "--scenarios: no scenario " + n + "; there are " + scenarios().keySet());
            selected.add(n);
          }
        }
        case "--out" -> outFile = Path.of(args[++i]);
        case "-h", "--help" -> {
          out.println("usage: ./chaos [--quick | --full] [--scenarios 1,3] [--out FILE]");
          scenarios().values().forEach(s -> out.println("  " + s.number() + "  " + s.name()));
          return 0;
        }
        default ->
            throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
      }
    }
    Path work = Files.createTempDirectory("flowstore-chaos-");
    ChaosSettings settings = ChaosSettings.fromEnv(mode, work);
    List<Figure> figures = new ArrayList<>();
    int exit = 0;
    for (int n : selected) {
      Scenario s = scenarios().get(n);
      long t0 = System.nanoTime();
      System.err.printf("chaos: scenario %d (%s), %s%n", n, s.name(), mode);
      try {
        List<Figure> f = s.run(settings);
        figures.addAll(f);
        // why: a long run shows each scenario's figures as soon as it has them
        System.err.print(table(f));
        for (Figure fig : f) if (!fig.ok()) exit = Math.max(exit, 1);
      } catch (Exception e) {
        e.printStackTrace();
        figures.add(new Figure(n + " " + s.name(), "-", "-", "-", "could not run: " + e, false));
        exit = 2;
      }
      System.err.printf("chaos: scenario %d took %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
    }
    String table = table(figures);
    out.print(table);
    if (outFile != null) Files.writeString(outFile, table, StandardCharsets.UTF_8);
    return exit;
  }

  /** The figures as a Markdown table. */
  static String table(List<Figure> figures) {
    StringBuilder b = new StringBuilder();
    b.append("| scenario | variant | size | faults injected | result | ok |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (Figure f : figures)
      b.append("| ")
          .append(String.join(" | ", f.scenario(), f.variant(), f.size(), f.faults(), f.result()))
          .append(" | ")
          .append(f.ok() ? "yes" : "**NO**")
          .append(" |\n");
    return b.toString();
  }
}
