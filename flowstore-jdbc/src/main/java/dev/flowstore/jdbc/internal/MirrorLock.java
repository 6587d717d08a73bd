package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One mirror batch at a time into a secondary (docs/mirror.md, "One mirror per pair"). A batch
 * reads the primary in a snapshot and writes what it read: two mirrors whose batches overlapped
 * could write an older snapshot's row after a newer one and then find its entry already trimmed by
 * the other, leaving the row stale. So each batch, from its snapshot to its trim, holds a lock of
 * the secondary's: on PostgreSQL a session advisory lock of the schema (waited for up to 30 s, then
 * the batch fails and is retried), on SQLite an exclusive lock of the file {@code
 * flowstore.db-mirror.lock} beside the database; within one process also a plain lock per secondary
 * (a file lock is the process's, not the thread's). Two mirror processes on one pair — a rolling
 * restart that overlaps — then take turns, batch by batch.
 */
final class MirrorLock {
  private static final ConcurrentHashMap<String, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

  // why this key: apart from the migration lock's and the statistics keeper's (5217)
  private static final String LOCK = "SELECT pg_advisory_lock(5219, hashtext(current_schema()))";
  private static final String UNLOCK =
      "SELECT pg_advisory_unlock(5219, hashtext(current_schema()))";

  private MirrorLock() {}

  /** Runs {@code batch} holding the lock of {@code secondary}. */
  static <T> T around(JdbcFlowstore secondary, Supplier<T> batch) {
    ReentrantLock local = LOCAL.computeIfAbsent(secondary.describe(), k -> new ReentrantLock());
    local.lock();
    try {
      if (secondary.dialect() instanceof PostgresDialect)
        return secondary.system(
            c -> {
              try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '30s'");
                s.execute(LOCK);
              }
              try {
                return batch.get();
              } finally {
                try (Statement s = c.createStatement()) {
                  s.execute(UNLOCK);
                  s.execute("RESET lock_timeout");
                }
              }
            });
      Path file = secondary.config().dataDir().resolve("flowstore.db-mirror.lock");
      try (FileChannel ch =
              FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = ch.lock()) {
        return batch.get();
      } catch (IOException e) {
        throw new FlowstoreException(
            ErrorCode.BACKEND_UNAVAILABLE,
            "cannot lock " + file + " for the mirror's batch: " + e.getMessage());
      }
    } finally {
      local.unlock();
    }
  }
}
