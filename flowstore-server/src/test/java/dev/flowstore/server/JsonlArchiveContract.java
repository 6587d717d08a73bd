package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.RecordedEvent;
import dev.flowstore.TenantId;
import dev.flowstore.archive.JsonlArchive;
import dev.flowstore.archive.Progress;
import dev.flowstore.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSONL archive on a real backend: exact round trips, idempotent re-imports, all-or-nothing
 * errors.
 */
abstract class JsonlArchiveContract {
  static final TenantId TENANT = TenantId.of("archive");

  @TempDir Path tmp;

  abstract FlowstoreConfig newConfig(Map<String, String> extra);

  static ObjectNode json(String text) {
    return Json.parseObject("test", text);
  }

  /** Interleaved appends to several streams, including one longer than an import chunk. */
  static void populate(EventStore events) {
    events.append(
        "order-1",
        ExpectedVersion.NO_STREAM,
        List.of(
            EventData.of(
                "order.placed", json("{\"total\":12.50,\"items\":[1,2,{\"sku\":\"ü-é\"}]}"))));
    events.append(
        "invoice-9",
        ExpectedVersion.ANY,
        List.of(
            new EventData(
                null,
                "invoice.sent",
                json("{}"),
                json("{\"trace_id\":\"t-1\",\"source\":\"billing\",\"z\":1,\"a\":2}"))));
    events.append(
        "order-1",
        ExpectedVersion.exact(0),
        List.of(
            EventData.of(
                "order.paid",
                json("{\"big\":123456789012345678901234567890,\"tiny\":1e-30,\"neg\":-0.0}"))));
    List<EventData> many = new ArrayList<>();
    for (int i = 0; i < 1203; i++)
      many.add(
          EventData.of(
              "tick", json("{\"i\":" + i + ",\"s\":\"line\\nbreak \\\"quoted\\\" \\\\ \\t\"}")));
    for (int from = 0; from < many.size(); from += 1000) {
      events.append(
          "clock:main",
          ExpectedVersion.ANY,
          many.subList(from, Math.min(many.size(), from + 1000)));
    }
    events.append(
        "order-1", ExpectedVersion.exact(1), List.of(EventData.of("order.shipped", json("{}"))));
  }

  static Map<String, byte[]> files(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
    }
    return out;
  }

  @Test
  void exportImportExportIsByteIdenticalAndReimportChangesNothing() throws IOException {
    try (Flowstore source = Flowstore.open(newConfig(Map.of()));
        Flowstore target = Flowstore.open(newConfig(Map.of()))) {
      populate(source.events(TENANT));
      source
          .events(TenantId.of("other"))
          .append(
              "order-1", ExpectedVersion.ANY, List.of(EventData.of("not.exported", json("{}"))));
      List<Progress> reports = new ArrayList<>();
      Progress exported =
          JsonlArchive.exportTo(source.events(TENANT), tmp.resolve("a"), reports::add);
      assertThat(exported).isEqualTo(new Progress(3, 1207, 0, true));
      assertThat(reports).last().isEqualTo(exported);
      assertThat(files(tmp.resolve("a")).keySet())
          .containsExactly("clock:main.jsonl", "invoice-9.jsonl", "order-1.jsonl");
      List<String> order = Files.readAllLines(tmp.resolve("a/order-1.jsonl"));
      assertThat(order).hasSize(3);
      assertThat(order.get(0))
          .startsWith("{\"ts\":\"")
          .contains("\"stream\":\"order-1\",\"event\":\"order.placed\",\"event_id\":\"")
          .contains("\"version\":0,\"payload\":{");

      Progress imported = JsonlArchive.importFrom(target.events(TENANT), tmp.resolve("a"), p -> {});
      assertThat(imported).isEqualTo(new Progress(3, 1207, 0, true));
      JsonlArchive.exportTo(target.events(TENANT), tmp.resolve("b"), p -> {});
      assertThat(files(tmp.resolve("b"))).containsExactlyEntriesOf(files(tmp.resolve("a")));

      RecordedEvent original =
          source.events(TENANT).readStream("order-1", 0, 10, Direction.FORWARD).get(1);
      RecordedEvent copy =
          target.events(TENANT).readStream("order-1", 0, 10, Direction.FORWARD).get(1);
      assertThat(copy.eventId()).isEqualTo(original.eventId());
      assertThat(copy.createdAt()).isEqualTo(original.createdAt());
      assertThat(copy.payload()).isEqualTo(original.payload());

      Progress again = JsonlArchive.importFrom(target.events(TENANT), tmp.resolve("a"), p -> {});
      assertThat(again).isEqualTo(new Progress(3, 1207, 1207, true));
      assertThat(target.events(TENANT).readAll(0, 1000, null)).hasSize(1000);
      assertThat(target.events(TENANT).readAll(1000, 1000, null)).hasSize(207);
    }
  }

  @Test
  void moreStreamsThanOpenFilesStillExportInVersionOrder() throws IOException {
    try (Flowstore source = Flowstore.open(newConfig(Map.of()));
        Flowstore target = Flowstore.open(newConfig(Map.of()))) {
      EventStore events = source.events(TENANT);
      // why: round-robin appends interleave 70 streams in the feed, more than the exporter keeps
      // open
      for (int round = 0; round < 3; round++) {
        for (int s = 0; s < 70; s++) {
          events.append(
              "s-" + s, ExpectedVersion.ANY, List.of(EventData.of("r" + round, json("{}"))));
        }
      }
      JsonlArchive.exportTo(events, tmp.resolve("many"), p -> {});
      assertThat(files(tmp.resolve("many"))).hasSize(70);
      List<String> lines = Files.readAllLines(tmp.resolve("many/s-42.jsonl"));
      assertThat(lines).hasSize(3);
      for (int v = 0; v < 3; v++)
        assertThat(lines.get(v)).contains("\"event\":\"r" + v + "\"", "\"version\":" + v + ",");
      JsonlArchive.importFrom(target.events(TENANT), tmp.resolve("many"), p -> {});
      JsonlArchive.exportTo(target.events(TENANT), tmp.resolve("many2"), p -> {});
      assertThat(files(tmp.resolve("many2"))).containsExactlyEntriesOf(files(tmp.resolve("many")));
    }
  }

  @Test
  void aBadLineStopsTheImportBeforeAnythingIsWritten() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(
        dir.resolve("a-1.jsonl"),
        "{\"ts\":\"2026-01-01T00:00:00Z\",\"stream\":\"a-1\",\"event\":\"x\",\"version\":0,\"payload\":{}}\n");
    Files.writeString(
        dir.resolve("b-1.jsonl"),
        "{\"ts\":\"2026-01-01T00:00:00Z\",\"stream\":\"b-1\",\"event\":\"x\",\"version\":0,\"payload\":{}}\n{\"ts\":\"2026-01-01T00:00:01Z\",\"stream\":\"b-1\",\"event\":\"x\",\"version\":1,\"payload\":{\"oops\":}\n");
    try (Flowstore store = Flowstore.open(newConfig(Map.of()))) {
      assertThatThrownBy(() -> JsonlArchive.importFrom(store.events(TENANT), dir, p -> {}))
          .isInstanceOfSatisfying(
              FlowstoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON))
          .hasMessageStartingWith("b-1.jsonl:2: ");
      assertThat(store.events(TENANT).readAll(0, 10, null)).isEmpty();
    }
  }

  @Test
  void malformedArchivesNameFileAndLine() throws IOException {
    String ok =
        "{\"ts\":\"2026-01-01T00:00:00Z\",\"stream\":\"s-1\",\"event\":\"x\",\"version\":0,\"payload\":{}}";
    assertImportFails(
        "s-1.jsonl",
        ok + "\n" + ok.replace("\"version\":0", "\"version\":2"),
        "s-1.jsonl:2: version 2 does not follow 0");
    assertImportFails(
        "s-1.jsonl", ok.replace("s-1\"", "s-2\""), "s-1.jsonl:1: stream 's-2' does not match");
    assertImportFails(
        "s-1.jsonl",
        ok.replace("\"payload\"", "\"paylod\""),
        "s-1.jsonl:1: unknown field 'paylod'");
    assertImportFails(
        "s-1.jsonl", ok.replace("2026-01-01T00:00:00Z", "yesterday"), "s-1.jsonl:1: ts must be");
    assertImportFails(
        "s-1.jsonl",
        ok.replace("\"payload\":{}", "\"payload\":{},\"event_id\":\"nope\""),
        "s-1.jsonl:1: event_id must be a UUID");
    assertImportFails("s-1.jsonl", "\n\n[1]", "s-1.jsonl:3: expected a JSON object");
    assertImportFails(
        "s-1.jsonl", ok.replace("{}", "{\"k\":\"\\u0000\"}"), "s-1.jsonl:1: contains \\u0000");
  }

  private void assertImportFails(String name, String content, String message) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "bad");
    Files.writeString(dir.resolve(name), content);
    try (Flowstore store = Flowstore.open(newConfig(Map.of()))) {
      assertThatThrownBy(() -> JsonlArchive.importFrom(store.events(TENANT), dir, p -> {}))
          .isInstanceOfSatisfying(
              FlowstoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON))
          .hasMessageContaining(message);
      assertThat(store.events(TENANT).readAll(0, 10, null)).isEmpty();
    }
  }

  @Test
  void importsTheSeedFormatIdempotently() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("seed"));
    Files.writeString(
        dir.resolve("run-1.jsonl"),
        "{\"ts\": 1767225600.123456, \"stream\": \"run-1\", \"event\": \"run.started\", \"payload\": {\"a\": 1}}\n"
            + "{\"ts\": 1767225601.5, \"stream\": \"run-1\", \"event\": \"run.finished\", \"payload\": {}}\n",
        StandardCharsets.UTF_8);
    try (Flowstore store = Flowstore.open(newConfig(Map.of()))) {
      JsonlArchive.importFrom(store.events(TENANT), dir, p -> {});
      List<RecordedEvent> events =
          store.events(TENANT).readStream("run-1", 0, 10, Direction.FORWARD);
      assertThat(events)
          .extracting(RecordedEvent::type)
          .containsExactly("run.started", "run.finished");
      assertThat(events.get(0).createdAt()).hasToString("2026-01-01T00:00:00.123456Z");
      assertThat(JsonlArchive.importFrom(store.events(TENANT), dir, p -> {}).unchanged())
          .isEqualTo(2);
      assertThat(store.events(TENANT).streamVersion("run-1")).isEqualTo(1);
    }
  }

  @Test
  void exportRefusesADirectoryThatAlreadyHoldsAnArchive() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(dir.resolve("old-1.jsonl"), "");
    try (Flowstore store = Flowstore.open(newConfig(Map.of()))) {
      assertThatThrownBy(() -> JsonlArchive.exportTo(store.events(TENANT), dir, p -> {}))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
          .hasMessageContaining("empty directory");
    }
  }

  @Test
  void importingOverDifferentEventsIsAConflictNamingTheFile() throws IOException {
    try (Flowstore source = Flowstore.open(newConfig(Map.of()));
        Flowstore target = Flowstore.open(newConfig(Map.of()))) {
      source
          .events(TENANT)
          .append("s-1", ExpectedVersion.NO_STREAM, List.of(EventData.of("a", json("{}"))));
      target
          .events(TENANT)
          .append("s-1", ExpectedVersion.NO_STREAM, List.of(EventData.of("different", json("{}"))));
      JsonlArchive.exportTo(source.events(TENANT), tmp.resolve("x"), p -> {});
      assertThatThrownBy(
              () -> JsonlArchive.importFrom(target.events(TENANT), tmp.resolve("x"), p -> {}))
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.VERSION_CONFLICT))
          .hasMessageStartingWith("s-1.jsonl:1 ");
    }
  }
}
