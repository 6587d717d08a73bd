package dev.flowstore.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The benchmark: each row measures flowstore and its baseline in this run, on this machine, and
 * prints the ratio. See docs/benchmarks.md.
 *
 * <pre>
 * ./bench [--quick | --full] [--rows 1,2,4] [--no-sqlite] [--no-postgres] [--out FILE]
 * </pre>
 */
public final class Bench {
  static final Set<Integer> ALL_ROWS = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);

  private Bench() {}

  public static void main(String[] args) throws Exception {
    // why: flowstore-server's jar ships a logback.xml too; name ours so logback neither picks
    // theirs nor prints its "found twice" status dump
    System.setProperty("logback.configurationFile", "flowstore-bench-logback.xml");
    System.exit(run(args, System.out));
  }

  /** Runs the benchmark; returns the exit code (0 = every selected row printed). */
  static int run(String[] args, java.io.PrintStream stdout) throws Exception {
    Settings settings = Settings.full();
    Set<Integer> rows = new LinkedHashSet<>(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13));
    boolean postgres = true;
    boolean sqlite = true;
    Path outFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> settings = Settings.quick();
        case "--full" -> settings = Settings.full();
        case "--smoke" -> settings = Settings.smoke();
        case "--no-sqlite" -> sqlite = false;
        case "--no-postgres" -> postgres = false;
        case "--rows" -> {
          rows.clear();
          for (String r : args[++i].split(",")) rows.add(Integer.parseInt(r.trim()));
          for (int r : rows)
            if (!ALL_ROWS.contains(r))
              throw new IllegalArgumentException("--rows: no row " + r + "; rows are " + ALL_ROWS);
        }
        case "--out" -> outFile = Path.of(args[++i]);
        case "-h", "--help" -> {
          stdout.println(
              "usage: ./bench [--quick | --full] [--rows 1,2,...,13] [--no-sqlite]"
                  + " [--no-postgres] [--out FILE]");
          return 0;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Env env = new Env(System.getenv());
    String machine = machineLine(env, postgres, rows);
    System.err.println("bench: " + settings.name() + " run, rows " + rows);
    System.err.println("bench: " + machine);
    List<Row> table = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Consumer<Row> out =
        r -> {
          table.add(r);
          System.err.printf(
              "bench: [%s] %s | %s | %s | %s%n",
              r.id(), r.scenario(), r.flowstore(), r.baseline(), r.ratio());
        };
    long start = System.nanoTime();
    for (int row : rows) {
      long t0 = System.nanoTime();
      try {
        switch (row) {
          case 1 -> new AppendRows(env, settings).row1(postgres, sqlite, out);
          case 2 -> new AppendRows(env, settings).row2(postgres, sqlite, out);
          case 3 -> new ReadRows(env, settings).row3(out);
          case 4 -> {
            QueueRows queue = new QueueRows(env, settings);
            if (postgres) queue.row4(out);
            if (sqlite) queue.row4Sqlite(out);
          }
          case 5 -> new QueueRows(env, settings).row5(out);
          case 6 -> new HttpRows(env, settings).row6(out);
          case 7 -> new OutboxRows(env, settings).row7(out);
          case 8 -> {
            if (postgres) new GrowthRows(env, settings).row8(out);
            else System.err.println("bench: row 8 skipped (--no-postgres; it is PostgreSQL only)");
          }
          case 9 -> {
            startupRow(settings, out);
            new ServerLoadRows(settings).row9(out);
          }
          case 10 -> new RecordRows(env, settings).row10(postgres, sqlite, out);
          case 11 -> {
            if (postgres && sqlite) new CopyRows(env, settings).row11(out);
            else
              System.err.println("bench: row 11 skipped (it copies between SQLite and PostgreSQL)");
          }
          case 12 -> new MirrorRows(env, settings).row12(postgres, sqlite, out);
          case 13 -> {
            if (postgres) new TenantRows(env, settings).row13(out);
            else System.err.println("bench: row 13 skipped (--no-postgres; it is PostgreSQL only)");
          }
          default -> throw new IllegalStateException("row " + row);
        }
      } catch (Exception | Error e) {
        failures.add("row " + row + ": " + e);
        System.err.println("bench: row " + row + " failed");
        e.printStackTrace();
        String why = e.toString().lines().findFirst().orElse("?");
        if (why.length() > 160) why = why.substring(0, 160) + "...";
        out.accept(Row.notAvailable(Integer.toString(row), "row " + row, "failed", why));
      }
      System.err.printf("bench: row %d took %.0f s%n", row, (System.nanoTime() - t0) / 1e9);
    }
    String md = markdown(table);
    stdout.println();
    stdout.println(machine);
    stdout.printf(
        Locale.ROOT,
        "%s run, %.0f s; ratio > 1 means flowstore is faster (throughput: flowstore/baseline;"
            + " latency: baseline/flowstore)%n%n",
        settings.name(),
        (System.nanoTime() - start) / 1e9);
    stdout.print(md);
    if (outFile != null) Files.writeString(outFile, machine + "\n\n" + md);
    for (String f : failures) System.err.println("bench: FAILED " + f);
    return failures.isEmpty() ? 0 : 1;
  }

  static String markdown(List<Row> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"#", "scenario", "flowstore", "baseline", "ratio"});
    for (Row r : rows)
      cells.add(new String[] {r.id(), r.scenario(), r.flowstore(), r.baseline(), r.ratio()});
    int[] w = new int[5];
    for (String[] c : cells) for (int i = 0; i < 5; i++) w[i] = Math.max(w[i], c[i].length());
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < cells.size(); k++) {
      String[] c = cells.get(k);
      sb.append('|');
      for (int i = 0; i < 5; i++) sb.append(' ').append(pad(c[i], w[i], i >= 2)).append(" |");
      sb.append('\n');
      if (k == 0) {
        sb.append('|');
        for (int i = 0; i < 5; i++)
          sb.append(i >= 2 ? " " + "-".repeat(w[i] - 1) + ": |" : " " + "-".repeat(w[i]) + " |");
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(width - s.length());
    return right ? fill + s : s + fill;
  }

  static String machineLine(Env env, boolean postgres, Set<Integer> rows) {
    long memMb =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize()
            >> 20;
    String pg = postgres ? env.postgresVersion() : "-";
    String redis = rows.contains(5) || (postgres && rows.contains(10)) ? env.redisVersion() : "-";
    return String.format(
        Locale.ROOT,
        "machine: %d cpus, %,d MiB RAM, %s; JDK %s (%s); PostgreSQL %s; Redis %s; load %s",
        Runtime.getRuntime().availableProcessors(),
        memMb,
        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        pg,
        redis,
        loadAverage());
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
    } catch (Exception e) {
      return "?";
    }
  }

  /** Row 9: start-up time and peak RSS of the embedded server vs a bare Javalin, child JVMs. */
  static void startupRow(Settings s, Consumer<Row> out) throws Exception {
    double[] fsMs = new double[s.startupRuns()];
    double[] baseMs = new double[s.startupRuns()];
    double[] fsRss = new double[s.startupRuns()];
    double[] baseRss = new double[s.startupRuns()];
    for (int i = 0; i < s.startupRuns(); i++) {
      long[] f = probe("flowstore");
      long[] b = probe("javalin");
      fsMs[i] = f[0];
      fsRss[i] = f[1] / 1024.0;
      baseMs[i] = b[0];
      baseRss[i] = b[1] / 1024.0;
    }
    double f = Measure.median(fsMs);
    double b = Measure.median(baseMs);
    out.accept(
        new Row(
            "9",
            "start-up to first HTTP answer (new JVM; SQLite, migrations): server vs bare Javalin",
            Row.ms(f),
            Row.ms(b),
            Row.ratio(b / f)));
    double fr = Measure.median(fsRss);
    double br = Measure.median(baseRss);
    out.accept(
        new Row(
            "9",
            "peak RSS after start-up: server vs bare Javalin",
            String.format(Locale.ROOT, "%.0f MiB", fr),
            String.format(Locale.ROOT, "%.0f MiB", br),
            Row.ratio(br / fr)));
  }

  /** {ready ms, peak RSS kB} of a child JVM running {@link StartupProbe}. */
  static long[] probe(String mode) throws Exception {
    Process p = startProbe(mode);
    String result = null;
    StringBuilder all = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        all.append(line).append('\n');
        if (line.startsWith("status=")) result = line;
      }
    }
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
    if (result == null || !result.startsWith("status=200"))
      throw new IllegalStateException("start-up probe " + mode + " failed:\n" + all);
    long ready = Long.parseLong(result.replaceAll(".*ready_ms=([0-9]+).*", "$1"));
    long rss = Long.parseLong(result.replaceAll(".*rss_kb=([0-9]+).*", "$1"));
    return new long[] {ready, rss};
  }

  /** A child JVM (this one's java and class path) running {@link StartupProbe} in {@code mode}. */
  static Process startProbe(String mode, String... jvmOptions) throws java.io.IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Dlogback.configurationFile=flowstore-bench-logback.xml");
    cmd.addAll(Arrays.asList(jvmOptions));
    cmd.addAll(
        List.of("-cp", System.getProperty("java.class.path"), StartupProbe.class.getName(), mode));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }
}
