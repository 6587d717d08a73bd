package dev.flowstore.server.internal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lowers this process's CPU priority, so that a background command ({@code mirror run}) takes only
 * the CPU the servers on the same machine leave (docs/mirror.md "Where it runs").
 *
 * <p>Two levels, because Linux schedules by group first: (1) every thread of this process gets the
 * nice value (Linux's nice is per thread; a thread started later inherits its creator's), which
 * ranks it against the processes of its own scheduling group (a shell session under autogroup, a
 * container, a systemd unit's cgroup); (2) when this process leads its own session (started by
 * {@code setsid}, or as a systemd service), that session's autogroup gets the nice value too, which
 * ranks the whole process against the other groups. The autogroup of a session this process does
 * not lead is left alone: it holds the shell and whatever else it started (a server, perhaps).
 */
final class CpuPriority {
  private CpuPriority() {}

  /**
   * Sets {@code nice} (1..19) on every thread and, when this process leads its session, on its
   * autogroup; best effort.
   *
   * @return what was done, for a status line, or why not
   */
  static String lower(int nice) {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks))
      return "not lowered: this system has no /proc/self/task (set the priority with nice or the"
          + " service manager)";
    List<String> cmd = new ArrayList<>(List.of("renice", "-n", Integer.toString(nice), "-p"));
    try (var ids = Files.list(tasks)) {
      ids.forEach(p -> cmd.add(p.getFileName().toString()));
    } catch (IOException e) {
      return "not lowered: " + e.getMessage();
    }
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "not lowered: renice did not finish";
      }
      if (p.exitValue() != 0) return "not lowered: renice failed: " + out;
    } catch (IOException e) {
      return "not lowered: renice not found (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "not lowered: interrupted";
    }
    return "nice " + nice + " for its threads" + autogroup(nice);
  }

  private static String autogroup(int nice) {
    Path group = Path.of("/proc/self/autogroup");
    if (!Files.exists(group) || !leadsSession()) return "";
    try {
      Files.writeString(group, Integer.toString(nice));
      return " and its session's scheduling group";
    } catch (IOException e) {
      return " (its session's scheduling group not: " + e.getMessage() + ")";
    }
  }

  /** Whether this process leads its session (field 6 of /proc/self/stat is its own pid). */
  private static boolean leadsSession() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after the command: state ppid pgrp session ...
      return Long.parseLong(f[3]) == ProcessHandle.current().pid();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
