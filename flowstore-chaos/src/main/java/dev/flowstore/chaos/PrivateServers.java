package dev.flowstore.chaos;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * PostgreSQL and Redis servers of a scenario's own, which it may crash and restart: the shared ones
 * (POSTGRES_DSN, REDIS_DSN) serve other tests meanwhile and must never be restarted.
 *
 * <p>PostgreSQL is a fresh cluster ({@code initdb}, trust auth, a free port) under {@code
 * settings.workDir()}, run with {@code pg_ctl} from {@code /usr/lib/postgresql/<newest>/bin}. As
 * root (this harness usually runs as root) the server refuses to start, so it then runs as the
 * {@code postgres} OS user via {@code runuser -u postgres --} and the directory is chowned to it.
 * Redis is {@code redis-server --appendonly yes --appendfsync always} (every acknowledged write is
 * on disk before the reply) on a free port in a directory of its own.
 *
 * <p>A missing binary is an {@link IllegalStateException} naming what to install: never a skip.
 */
public final class PrivateServers {
  private PrivateServers() {}

  /** A private PostgreSQL cluster; {@link #crash()} + {@link #start()} is an unclean restart. */
  public static final class Postgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private boolean running;

    private Postgres(Path bin, Path dir, int port, boolean asPostgresUser) {
      this.bin = bin;
      this.dir = dir;
      this.data = dir.resolve("data");
      this.port = port;
      this.asPostgresUser = asPostgresUser;
    }

    /** initdb in {@code workDir/name} and start it on a free port. */
    public static Postgres start(Path workDir, String name)
        throws IOException, InterruptedException {
      Path bin = postgresBin();
      boolean root = "root".equals(System.getProperty("user.name"));
      Path dir = workDir.resolve(name).toAbsolutePath();
      Files.createDirectories(dir);
      Postgres pg = new Postgres(bin, dir, freePort(), root);
      if (root) {
        // why: the scenario's work dir is usually under /tmp/flowstore-chaos-*, mode 700 by root;
        // the postgres user must be able to reach its own directory
        for (Path p = dir;
            p != null && p.startsWith(workDir.toAbsolutePath().getParent());
            p = p.getParent())
          run(List.of("chmod", "o+x", p.toString()), dir.resolve("setup.log"), 30);
        run(List.of("chown", "-R", "postgres:", dir.toString()), dir.resolve("setup.log"), 30);
      }
      pg.runPg(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              pg.data.toString(),
              "-U",
              "postgres",
              "--auth=trust",
              "--no-sync",
              "-E",
              "UTF8"),
          120);
      // what a scenario needs: enough connections for 3 servers' pools, no fsync shortcuts
      Files.writeString(
          pg.data.resolve("postgresql.auto.conf"),
          "listen_addresses = '127.0.0.1'\nport = "
              + pg.port
              + "\nmax_connections = 200\nunix_socket_directories = '"
              + pg.dir
              + "'\nshared_buffers = 64MB\nfsync = on\nsynchronous_commit = on\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
      if (root)
        run(List.of("chown", "-R", "postgres:", dir.toString()), dir.resolve("setup.log"), 30);
      Cleanup.register(pg);
      pg.start();
      return pg;
    }

    /** {@code postgresql://postgres@127.0.0.1:<port>/postgres} */
    public String dsn() {
      return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    public String jdbcUrl() {
      return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public int port() {
      return port;
    }

    public synchronized void start() throws IOException, InterruptedException {
      runPg(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              dir.resolve("postgres.log").toString(),
              "-w",
              "-t",
              "120",
              "start"),
          150);
      running = true;
      awaitPort(port, 60_000);
    }

    /** {@code pg_ctl stop -m immediate}: every backend dies at once, recovery replays the WAL. */
    public synchronized void crash() throws IOException, InterruptedException {
      runPg(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          120);
      running = false;
    }

    public synchronized void restart() throws IOException, InterruptedException {
      crash();
      start();
    }

    @Override
    public synchronized void close() {
      if (!running) return;
      try {
        runPg(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-m",
                "fast",
                "-w",
                "stop"),
            120);
        // why: a cluster is ~40 MB and every run makes several; its log (in dir) stays
        deleteTree(data);
      } catch (Exception e) {
        System.err.println("chaos: could not stop the private PostgreSQL in " + dir + ": " + e);
      }
      running = false;
    }

    private void runPg(List<String> command, int timeoutS)
        throws IOException, InterruptedException {
      List<String> c = new ArrayList<>();
      if (asPostgresUser) c.addAll(List.of("runuser", "-u", "postgres", "--"));
      c.addAll(command);
      run(c, dir.resolve("pg_ctl.log"), timeoutS);
    }
  }

  /** A private redis-server with AOF {@code appendfsync always}; {@link #crash()} is SIGKILL. */
  public static final class Redis implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final String binary;
    private Process process;

    private Redis(String binary, Path dir, int port) {
      this.binary = binary;
      this.dir = dir;
      this.port = port;
    }

    public static Redis start(Path workDir, String name) throws IOException, InterruptedException {
      String binary = redisBinary();
      Path dir = workDir.resolve(name).toAbsolutePath();
      Files.createDirectories(dir);
      Redis r = Cleanup.register(new Redis(binary, dir, freePort()));
      r.start();
      return r;
    }

    /** {@code redis://127.0.0.1:<port>/0} */
    public String dsn() {
      return "redis://127.0.0.1:" + port + "/0";
    }

    public synchronized void start() throws IOException, InterruptedException {
      ProcessBuilder pb =
          new ProcessBuilder(
                  binary,
                  "--port",
                  String.valueOf(port),
                  "--bind",
                  "127.0.0.1",
                  "--dir",
                  dir.toString(),
                  "--appendonly",
                  "yes",
                  "--appendfsync",
                  "always",
                  "--save",
                  "",
                  "--protected-mode",
                  "no")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()));
      process = pb.start();
      awaitPort(port, 30_000);
      // why: the port answers before the AOF is loaded; Redis replies -LOADING until then
      awaitRedisLoaded(port, 60_000);
    }

    /** SIGKILL: what was fsynced to the AOF survives, nothing else. */
    public synchronized void crash() throws InterruptedException {
      if (process == null) return;
      process.destroyForcibly();
      process.waitFor();
      process = null;
    }

    public synchronized void restart() throws IOException, InterruptedException {
      crash();
      start();
    }

    @Override
    public synchronized void close() {
      if (process == null) return;
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      process = null;
    }
  }

  /** The bin directory of the newest PostgreSQL under /usr/lib/postgresql, or a clear failure. */
  static Path postgresBin() {
    Path root = Path.of("/usr/lib/postgresql");
    try (Stream<Path> versions = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
      return versions
          .map(p -> p.resolve("bin"))
          .filter(
              b ->
                  Files.isExecutable(b.resolve("initdb"))
                      && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing((Path b) -> versionOf(b.getParent().getFileName().toString())))
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "chaos needs a PostgreSQL server of its own (initdb and pg_ctl under /usr/lib/postgresql/<version>/bin)"
                          + " to crash and restart; install it: apt-get install postgresql"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int versionOf(String s) {
    try {
      return Integer.parseInt(s.replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static String redisBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(":")) {
      Path p = Path.of(dir, "redis-server");
      if (Files.isExecutable(p)) return p.toString();
    }
    for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server"))
      if (Files.isExecutable(Path.of(p))) return p;
    throw new IllegalStateException(
        "chaos needs a redis-server of its own to crash and restart (not on the PATH); install it: apt-get install redis-server");
  }

  /** A port nothing listens on now (bound and released; the servers bind it right after). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static void awaitPort(int port, long timeoutMs) {
    await("something listening on 127.0.0.1:" + port)
        .atMost(Duration.ofMillis(timeoutMs))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> connects(port));
  }

  private static boolean connects(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Until Redis answers PING with PONG (not LOADING: the AOF has been replayed). */
  private static void awaitRedisLoaded(int port, long timeoutMs) {
    await("redis on port " + port + " loaded")
        .atMost(Duration.ofMillis(timeoutMs))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> ping(port).startsWith("+PONG"));
  }

  private static String ping(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(2000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[64];
      int n = s.getInputStream().read(buf);
      return n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII).trim() : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  /** Runs a command to completion, its output appended to {@code log}; fails on a non-zero exit. */
  static void run(List<String> command, Path log, int timeoutS)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command) + " did not finish in " + timeoutS + " s (log " + log + ")");
    }
    if (p.exitValue() != 0)
      throw new IllegalStateException(
          String.join(" ", command) + " exited " + p.exitValue() + "; " + log + ":\n" + tail(log));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }
}
