package dev.flowstore.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.jdbc.internal.JdbcFlowstore;
import dev.flowstore.jdbc.internal.Migrations;
import dev.flowstore.jdbc.internal.SqliteDialect;
import dev.flowstore.jdbc.internal.SqliteStatementCache;
import dev.flowstore.spi.StorageProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * SQLite, the embedded default: one file ({@code FLOWSTORE_DATA_DIR/flowstore.db}) in WAL mode with
 * synchronous=FULL; one writer connection (BEGIN IMMEDIATE) and a small pool of readers.
 */
public final class SqliteProvider implements StorageProvider {
  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public Flowstore open(FlowstoreConfig config, Clock clock) {
    Path dir = config.dataDir();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "FLOWSTORE_DATA_DIR: cannot create " + dir.toAbsolutePath() + ": " + e.getMessage());
    }
    Path file = dir.resolve("flowstore.db").toAbsolutePath().normalize();
    // why the real path in the description: copy marks and the mirror recognise a backend by it,
    // so sqlite:./data, sqlite:data and a symlinked path must name one database alike
    Path named;
    try {
      named = dir.toRealPath().resolve("flowstore.db");
    } catch (IOException e) {
      named = file;
    }
    HikariDataSource writer = pool("flowstore-sqlite-writer", file, 1, false);
    HikariDataSource reader = null;
    SqliteDialect dialect = new SqliteDialect();
    try {
      if (config.migrateOnStart()) Migrations.migrate(dialect, writer);
      reader = pool("flowstore-sqlite-reader", file, 4, true);
      HikariDataSource r = reader;
      JdbcFlowstore fs =
          new JdbcFlowstore(
              config,
              dialect,
              writer,
              reader,
              clock,
              () -> Migrations.migrate(dialect, writer),
              () -> {
                r.close();
                writer.close();
              },
              "sqlite " + named);
      fs.checkReady();
      if (config.migrateOnStart()) fs.ensureRecordIndexes();
      return fs;
    } catch (RuntimeException e) {
      if (reader != null) reader.close();
      writer.close();
      throw e;
    }
  }

  private static HikariDataSource pool(String name, Path file, int size, boolean readOnly) {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setBusyTimeout(10_000);
    sqlite.enforceForeignKeys(true);
    // why: flowstore never asks for generated keys, and with them on the driver matches every
    // statement's text against a pattern and, after each INSERT, prepares and runs another
    // statement (SELECT last_insert_rowid())
    sqlite.setGetGeneratedKeys(false);
    // why: readers stay read-write connections (HikariCP resets the read-only flag, which
    // sqlite-jdbc refuses);
    // they only ever run SELECTs, in deferred transactions that never take the write lock
    if (!readOnly) {
      sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
      sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      // why: take the write lock at BEGIN, so two writers queue instead of failing with SQLITE_BUSY
      // mid-transaction
      sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    }
    SQLiteDataSource ds = new SQLiteDataSource(sqlite);
    ds.setUrl("jdbc:sqlite:" + file);
    HikariConfig hc = new HikariConfig();
    hc.setPoolName(name);
    // why: sqlite-jdbc compiles SQL at every prepareStatement; each connection keeps its own
    hc.setDataSource(SqliteStatementCache.wrap(ds));
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(30_000);
    try {
      return new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new FlowstoreException(
          ErrorCode.BACKEND_UNAVAILABLE,
          "cannot open SQLite database " + file + ": " + e.getMessage(),
          e);
    }
  }
}
