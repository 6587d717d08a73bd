package dev.flowstore.chaos;

import dev.flowstore.testkit.ServerProcess;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code n} instances of {@code flowstore serve} sharing one configuration, each killable (SIGKILL)
 * and restartable. A restarted instance listens on a new port: clients ask {@link #uri} every time.
 */
final class Servers implements AutoCloseable {
  private final Path dir;
  private final Map<String, String> env;
  private final ServerProcess[] processes;
  private final URI[] uris;
  private final AtomicInteger kills = new AtomicInteger();

  Servers(Path dir, Map<String, String> env, int n) {
    this.dir = dir;
    this.env = env;
    this.processes = new ServerProcess[n];
    this.uris = new URI[n];
    Cleanup.register(this);
  }

  int size() {
    return processes.length;
  }

  void startAll() throws InterruptedException {
    // why: the first start runs the migrations; the others then start side by side
    start(0);
    List<Thread> others = new ArrayList<>();
    List<RuntimeException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int i = 1; i < processes.length; i++) {
      int k = i;
      others.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start(k);
                    } catch (RuntimeException e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread t : others) t.join();
    if (!failures.isEmpty()) throw failures.get(0);
  }

  void start(int i) {
    ServerProcess p = ServerProcess.start(dir.resolve("server-" + i), env);
    synchronized (this) {
      processes[i] = p;
      uris[i] = p.uri();
    }
  }

  /** SIGKILL instance {@code i} (no-op when it is down). */
  void kill(int i) {
    ServerProcess p;
    synchronized (this) {
      p = processes[i];
      uris[i] = null;
      processes[i] = null;
    }
    if (p != null) {
      p.kill();
      kills.incrementAndGet();
    }
  }

  /** Kill, then start again (blocks until the new process is ready). */
  void restart(int i) {
    kill(i);
    try {
      start(i);
    } catch (IllegalStateException e) {
      // why: on a very busy machine a start may miss ServerProcess's deadline; one more try
      System.err.println(
          "chaos: restarting instance "
              + i
              + " failed, trying again: "
              + e.getMessage().lines().findFirst().orElse(""));
      start(i);
    }
  }

  int kills() {
    return kills.get();
  }

  /** Instance {@code i}'s URI, or null while it is down. */
  synchronized URI uri(int i) {
    return uris[i];
  }

  /** {@code preferred}'s URI when it is up, else another live one, else null. */
  synchronized URI anyUp(int preferred) {
    int n = uris.length;
    if (uris[Math.floorMod(preferred, n)] != null) return uris[Math.floorMod(preferred, n)];
    int start = ThreadLocalRandom.current().nextInt(n);
    for (int k = 0; k < n; k++) if (uris[(start + k) % n] != null) return uris[(start + k) % n];
    return null;
  }

  /** The server logs, for a failure message. */
  String logs() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < processes.length; i++)
      b.append(dir.resolve("server-" + i).resolve("server.log")).append(' ');
    return b.toString().trim();
  }

  @Override
  public void close() {
    for (int i = 0; i < processes.length; i++) {
      ServerProcess p;
      synchronized (this) {
        p = processes[i];
        processes[i] = null;
        uris[i] = null;
      }
      if (p != null) p.stop();
    }
  }
}
