package dev.flowstore.redis;

import static org.awaitility.Awaitility.await;

import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.core.ExecutableProvider;

/**
 * A redis-server of a test's own (the binary shipped in the embedded-redis jar) on a free port, so
 * a test can kill it (SIGKILL) and start it again without touching the shared test Redis.
 */
final class RedisProcess implements AutoCloseable {
  private final File binary;
  private final int port = TestBackends.freePort();
  private final Path dir;
  private final boolean aofAlways;
  private Process process;

  /**
   * @param aofAlways {@code appendonly yes, appendfsync always}; else no persistence at all
   */
  RedisProcess(boolean aofAlways) {
    this.aofAlways = aofAlways;
    try {
      this.binary = ExecutableProvider.newJarResourceProvider().get();
      this.dir = Files.createTempDirectory("flowstore-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String dsn() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  RedisProcess start() {
    List<String> cmd = new ArrayList<>(List.of(binary.getAbsolutePath(), "--port", "" + port));
    cmd.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--dir", dir.toString()));
    if (aofAlways) cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    else cmd.addAll(List.of("--appendonly", "no"));
    try {
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis.log").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(this::pong);
    return this;
  }

  private boolean pong() {
    RedisClient c = RedisClient.create(dsn());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return "PONG".equals(conn.sync().ping());
    } finally {
      c.shutdown();
    }
  }

  /** kill -9: no shutdown save, no final fsync. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) kill();
  }
}
