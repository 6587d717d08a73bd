package dev.flowstore.testkit;

import dev.flowstore.FlowstoreConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server as a user starts it: {@code ./flowstore serve} from the repository root (the
 * launcher's classpath, a real port), in a working directory of its own, as a child process that
 * tests and the fault-injection harness can stop (SIGTERM) or kill (SIGKILL).
 *
 * <p>The launcher is run with {@code FLOWSTORE_NO_BUILD=1}: it must find the jar that the build
 * just packaged, never start a Maven build of its own from inside a test. The port is chosen by the
 * server ({@code --port 0}) and read from its "listening on" log line, so parallel servers never
 * race for a port.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  private final Process process;
  private final URI uri;
  private final Path log;
  private final Thread reaper;

  private ServerProcess(Process process, URI uri, Path log, Thread reaper) {
    this.process = process;
    this.uri = uri;
    this.log = log;
    this.reaper = reaper;
  }

  /**
   * The repository root: the nearest directory at or above the working directory with ./flowstore.
   */
  public static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
      if (Files.isExecutable(p.resolve("flowstore")) && Files.isRegularFile(p.resolve("pom.xml")))
        return p;
    throw new IllegalStateException(
        "no ./flowstore launcher at or above " + Path.of("").toAbsolutePath());
  }

  /**
   * Starts {@code ./flowstore serve --port 0 ARGS} in {@code workDir} with {@code env} added to
   * this process's environment, and waits (up to 90 s) until it answers {@code GET /health/ready}.
   * Its stdout and stderr go to {@code workDir/server.log} (appended: restarts share one log).
   *
   * <p>Configuration keys inherited from this process's environment ({@link FlowstoreConfig#KEYS},
   * {@code FLOWSTORE_CONFIG}) are dropped first: the server runs the deployment {@code env}
   * describes, whatever the shell that started the tests exported.
   */
  public static ServerProcess start(Path workDir, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(repoRoot().resolve("flowstore").toString());
    command.add("serve");
    command.add("--port");
    command.add("0");
    command.addAll(List.of(args));
    return launch(command, workDir, env);
  }

  /**
   * Like {@link #start}, but runs the packaged jar with {@code java} directly, on the launcher's
   * classpath ({@code flowstore-server/target/classpath.txt}) as {@code edit} changes it: a
   * deployment with a dependency missing, for tests of how the server fails then. {@code
   * FLOWSTORE_JAVA_OPTS} applies as with the launcher.
   */
  public static ServerProcess startWithClasspath(
      Path workDir,
      Map<String, String> env,
      java.util.function.UnaryOperator<List<String>> edit,
      String... args) {
    Path target = repoRoot().resolve("flowstore-server").resolve("target");
    try (var jars = Files.list(target)) {
      Path jar =
          jars.filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith("flowstore-server-")
                        && n.endsWith(".jar")
                        && !n.contains("-sources")
                        && !n.contains("-tests");
                  })
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no server jar in " + target));
      List<String> classpath = new ArrayList<>();
      classpath.add(jar.toString());
      classpath.addAll(
          edit.apply(
              List.of(
                  Files.readString(target.resolve("classpath.txt"), StandardCharsets.UTF_8)
                      .strip()
                      .split(java.io.File.pathSeparator))));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("--enable-native-access=ALL-UNNAMED");
      // as the launcher does
      String opts = env.getOrDefault("FLOWSTORE_JAVA_OPTS", System.getenv("FLOWSTORE_JAVA_OPTS"));
      if (opts != null && !opts.isBlank()) command.addAll(List.of(opts.trim().split("\\s+")));
      command.add("-cp");
      command.add(String.join(java.io.File.pathSeparator, classpath));
      command.add("dev.flowstore.server.FlowstoreCli");
      command.add("serve");
      command.add("--port");
      command.add("0");
      command.addAll(List.of(args));
      return launch(command, workDir, env);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a command run to its end printed (stdout and stderr together) and its exit code. */
  public record Run(int code, String output) {}

  /**
   * Runs {@code ./flowstore ARGS} (a command that ends: {@code maintenance on}, {@code copy}, ...)
   * in {@code workDir} with {@code env}, as {@link #start} would, and waits up to 120 s for it.
   */
  public static Run run(Path workDir, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(repoRoot().resolve("flowstore").toString());
    command.addAll(List.of(args));
    try {
      Process process = processBuilder(command, workDir, env).start();
      CompletableFuture<String> output =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new String(
                      process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("flowstore " + String.join(" ", args) + " ran over 120 s");
      }
      return new Run(process.exitValue(), output.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code command} in {@code workDir} with {@code env} only as the deployment's configuration. */
  private static ProcessBuilder processBuilder(
      List<String> command, Path workDir, Map<String, String> env) throws IOException {
    Files.createDirectories(workDir);
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.redirectErrorStream(true);
    // why the keys of this JVM's classpath: the tests that start a server have its modules on it
    Set<String> keys = FlowstoreConfig.keys();
    pb.environment().keySet().removeIf(keys::contains);
    pb.environment().remove("FLOWSTORE_CONFIG");
    pb.environment().put("FLOWSTORE_NO_BUILD", "1");
    pb.environment().putAll(env);
    return pb;
  }

  private static ServerProcess launch(List<String> command, Path workDir, Map<String, String> env) {
    try {
      Path log = workDir.resolve("server.log");
      Process process = processBuilder(command, workDir, env).start();
      // why: a test JVM that exits without closing the server (a crash, a timeout) must not leave
      // it running, holding its port and database
      Thread reaper = new Thread(process::destroyForcibly, "server-reaper-" + process.pid());
      Runtime.getRuntime().addShutdownHook(reaper);
      CompletableFuture<URI> listening = new CompletableFuture<>();
      Thread pump = new Thread(() -> pump(process, log, listening), "server-log-" + process.pid());
      pump.setDaemon(true);
      pump.start();
      URI uri;
      try {
        uri = listening.get(90, TimeUnit.SECONDS);
      } catch (Exception e) {
        boolean exited = !process.isAlive();
        process.destroyForcibly();
        throw new IllegalStateException(
            (exited
                    ? "flowstore serve exited with " + process.exitValue() + " before listening"
                    : "flowstore serve did not start listening within 90 s")
                + "; its log:\n"
                + tail(log),
            e);
      }
      ServerProcess server = new ServerProcess(process, uri, log, reaper);
      server.awaitReady(Duration.ofSeconds(30));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void pump(Process process, Path log, CompletableFuture<URI> listening) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
      for (String line; (line = in.readLine()) != null; ) {
        out.write(line);
        out.write('\n');
        out.flush();
        Matcher m = LISTENING.matcher(line);
        if (!listening.isDone() && m.find()) listening.complete(URI.create(m.group(1)));
      }
    } catch (IOException e) {
      listening.completeExceptionally(e);
    } finally {
      listening.completeExceptionally(new IllegalStateException("the server exited"));
    }
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(uri.resolve("/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) return;
      } catch (IOException e) {
        // not yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (!process.isAlive()) break;
      sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException("flowstore serve never became ready; its log:\n" + tail(log));
  }

  /** The server's base URI, e.g. {@code http://127.0.0.1:41234}. */
  public URI uri() {
    return uri;
  }

  /** The pid of the server's JVM (the launcher execs java, so it is the launcher's pid). */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The file holding the server's stdout and stderr. */
  public Path log() {
    return log;
  }

  /** SIGKILL, and waits until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM (a graceful stop), and waits up to 30 s before killing it. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
      else waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  private void waitFor() {
    try {
      process.waitFor();
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      // the JVM is shutting down already: the hook runs and finds the process gone
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) stop();
  }

  /** The last 60 lines of a log file, for failure messages. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
