package dev.flowstore.spi;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Copying and comparing whole stores, for switching backends ({@code flowstore copy}, {@code
 * flowstore compare}; docs/switching.md). A backend module that can read and write every table of
 * its stores provides it ({@link ServiceLoader}); the server's CLI finds it with {@link #find}.
 */
public interface BackendSwitch {
  /**
   * @param resume continue the interrupted copy the target holds (without it, a target that is not
   *     empty is refused)
   * @param batchSize rows per target transaction
   */
  record CopyOptions(boolean resume, int batchSize) {
    public CopyOptions {
      if (batchSize < 1)
        throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "batch size: at least 1");
    }
  }

  /** After each committed batch: where the copy is, and how far. */
  record CopyProgress(String table, String tenant, long rowsDone, long rowsTotal) {}

  /**
   * @param rows rows copied by this run (not those an earlier, interrupted run copied)
   * @param total rows in the source's snapshot
   * @param alreadyComplete the target holds a finished copy from this source: nothing was done
   * @param warnings what the operator should know (e.g. tenants the login may not see)
   */
  record CopySummary(
      long rows,
      long total,
      int tables,
      int tenants,
      boolean alreadyComplete,
      Duration elapsed,
      List<String> warnings) {}

  /**
   * One differing row.
   *
   * @param key the row's key columns and values (canonical text)
   * @param problem {@code "only in a"}, {@code "only in b"} or {@code "values differ"}
   * @param columns the columns whose values differ, each with {@code [a, b]}
   */
  record Difference(Map<String, String> key, String problem, Map<String, List<String>> columns) {}

  /** One table of one tenant ({@code ""} for a table without tenants). */
  record TableComparison(
      String table,
      String tenant,
      long countA,
      long countB,
      String digestA,
      String digestB,
      List<Difference> differences) {
    public boolean equal() {
      return countA == countB && digestA.equals(digestB) && differences.isEmpty();
    }
  }

  /**
   * @param a what side a is ({@link Flowstore#describe()})
   * @param b what side b is
   * @param warnings what the operator should know (e.g. tenants a login may not see)
   */
  record Comparison(String a, String b, List<TableComparison> tables, List<String> warnings) {
    public boolean equal() {
      return tables.stream().allMatch(TableComparison::equal);
    }
  }

  /** Whether this can copy and compare between {@code a} and {@code b}. */
  boolean handles(Flowstore a, Flowstore b);

  /**
   * Copies everything {@code from} holds into {@code to}, in one snapshot of {@code from},
   * resumably.
   *
   * @throws FlowstoreException {@code CONFIGURATION} when both are the same database, the schemas
   *     differ, or the target is not empty (or holds another copy) and {@code resume} does not
   *     apply; {@code BACKEND_UNAVAILABLE} when a database fails (rerun with {@code resume})
   */
  CopySummary copy(
      Flowstore from,
      Flowstore to,
      CopyOptions options,
      Consumer<CopyProgress> progress,
      Clock clock);

  /**
   * Compares every table of every tenant either side has: counts, order-independent digests, and up
   * to {@code maxDifferences} differing rows per table and tenant.
   *
   * @throws FlowstoreException {@code CONFIGURATION} when the schemas differ; {@code
   *     BACKEND_UNAVAILABLE}
   */
  Comparison compare(Flowstore a, Flowstore b, int maxDifferences);

  /**
   * The switch that handles {@code a} and {@code b}.
   *
   * @throws FlowstoreException {@code CONFIGURATION} when none on the classpath does
   */
  static BackendSwitch find(Flowstore a, Flowstore b) {
    for (BackendSwitch s : ServiceLoader.load(BackendSwitch.class)) if (s.handles(a, b)) return s;
    throw new FlowstoreException(
        ErrorCode.CONFIGURATION,
        "nothing on the classpath copies between " + a.describe() + " and " + b.describe());
  }
}
