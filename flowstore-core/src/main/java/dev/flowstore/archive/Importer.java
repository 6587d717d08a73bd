package dev.flowstore.archive;

import dev.flowstore.AppendResult;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads archive files and appends their events. Two passes: the first parses every line of every
 * file, so a bad line stops the import before anything is written; the second appends in chunks of
 * at most {@link #CHUNK} events at the archived versions ({@code NO_STREAM} for version 0, else
 * exactly the version before), with the archived event ids and times, so importing the same archive
 * again is a no-op.
 */
final class Importer {
  static final int CHUNK = 500;

  private final EventStore events;
  private final Path dir;
  private final Consumer<Progress> progress;
  private int files;
  private long count;
  private long unchanged;

  Importer(EventStore events, Path dir, Consumer<Progress> progress) {
    this.events = events;
    this.dir = dir;
    this.progress = progress;
  }

  Progress run() {
    List<Path> archive = archiveFiles();
    for (Path file : archive) forEachLine(file, line -> {});
    for (Path file : archive) {
      List<ArchiveLine> chunk = new ArrayList<>(CHUNK);
      int[] firstLine = {0};
      forEachLine(
          file,
          (Numbered line) -> {
            if (chunk.isEmpty()) firstLine[0] = line.number();
            chunk.add(line.line());
            if (chunk.size() == CHUNK) {
              append(file, firstLine[0], chunk);
              chunk.clear();
            }
          });
      if (!chunk.isEmpty()) append(file, firstLine[0], chunk);
      files++;
      progress.accept(new Progress(files, count, unchanged, false));
    }
    Progress done = new Progress(files, count, unchanged, true);
    progress.accept(done);
    return done;
  }

  private record Numbered(int number, ArchiveLine line) {}

  private List<Path> archiveFiles() {
    if (!Files.isDirectory(dir))
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, dir + " is not a directory");
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(
              p -> p.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(p))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * Parses each non-blank line of {@code file}, checking that it belongs there and continues the
   * versions.
   */
  private void forEachLine(Path file, Consumer<Numbered> sink) {
    String name = file.getFileName().toString();
    String stream = name.substring(0, name.length() - ".jsonl".length());
    try {
      Ids.stream(stream);
    } catch (FlowstoreException e) {
      throw new FlowstoreException(
          e.code(), name + ": the file name is not a stream id: " + e.getMessage());
    }
    long next = 0;
    int number = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String text = r.readLine(); text != null; text = r.readLine()) {
        number++;
        if (text.isBlank()) continue;
        String where = name + ":" + number;
        ArchiveLine line = ArchiveLine.parse(where, text, next);
        if (!line.stream().equals(stream)) {
          throw new FlowstoreException(
              ErrorCode.INVALID_JSON,
              where
                  + ": stream '"
                  + line.stream()
                  + "' does not match the file name ("
                  + stream
                  + ".jsonl)");
        }
        if (next > 0 && line.version() != next) {
          throw new FlowstoreException(
              ErrorCode.INVALID_JSON,
              where + ": version " + line.version() + " does not follow " + (next - 1));
        }
        next = line.version() + 1;
        sink.accept(new Numbered(number, line));
      }
    } catch (CharacterCodingException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_JSON, name + ":" + (number + 1) + ": not UTF-8 text");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void append(Path file, int firstLine, List<ArchiveLine> chunk) {
    ArchiveLine first = chunk.get(0);
    ExpectedVersion expected =
        first.version() == 0
            ? ExpectedVersion.NO_STREAM
            : ExpectedVersion.exact(first.version() - 1);
    List<EventData> data = chunk.stream().map(ArchiveLine::toEventData).toList();
    AppendResult result;
    try {
      result = events.append(first.stream(), expected, data);
    } catch (FlowstoreException e) {
      String where =
          file.getFileName()
              + ":"
              + firstLine
              + " (versions "
              + first.version()
              + "-"
              + chunk.get(chunk.size() - 1).version()
              + ")";
      throw new FlowstoreException(e.code(), where + ": " + e.getMessage(), e);
    }
    count += chunk.size();
    if (result.replayed()) unchanged += chunk.size();
    progress.accept(new Progress(files, count, unchanged, false));
  }
}
