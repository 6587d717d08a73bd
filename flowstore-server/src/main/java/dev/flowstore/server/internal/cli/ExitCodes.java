package dev.flowstore.server.internal.cli;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The one place that maps failures to exit codes and stderr lines. A flowstore error is one line,
 * no stack trace: {@code CONFIGURATION} exits 2 (like a usage error: fix the invocation), {@code
 * BACKEND_UNAVAILABLE} 3 (retry later), any other code 1. A check that finds a problem ({@code
 * audit verify} on a broken chain) also exits 1. Only a bug prints a stack trace.
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILED = 1;

  /** A check ran and found what it looks for broken ({@code audit verify}). */
  public static final int BROKEN = FAILED;

  public static final int USAGE = 2;
  public static final int UNAVAILABLE = 3;

  private ExitCodes() {}

  public static int of(ErrorCode code) {
    return switch (code) {
      case CONFIGURATION -> USAGE;
      case BACKEND_UNAVAILABLE -> UNAVAILABLE;
      default -> FAILED;
    };
  }

  /** Reports {@code e} on {@code err} and returns the exit code. */
  public static int report(Exception e, PrintWriter err) {
    if (e instanceof FlowstoreException f) {
      err.println("flowstore: " + oneLine(f.getMessage()));
      err.flush();
      return of(f.code());
    }
    if (e instanceof UncheckedIOException io) {
      err.println(
          "flowstore: "
              + oneLine(io.getMessage())
              + ": "
              + oneLine(String.valueOf(io.getCause().getMessage())));
      err.flush();
      return FAILED;
    }
    err.println("flowstore: internal error (a bug; please report it with this trace):");
    e.printStackTrace(err);
    err.flush();
    return FAILED;
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
  }
}
