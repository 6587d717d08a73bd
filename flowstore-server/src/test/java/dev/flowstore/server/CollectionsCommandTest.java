package dev.flowstore.server;

import static dev.flowstore.server.FlowstoreCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordRetention;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.server.FlowstoreCliTest.Run;
import dev.flowstore.server.internal.cli.CliContext;
import dev.flowstore.server.internal.cli.ServeLifecycle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code flowstore collections apply FILE|list}, run in-process on a SQLite store. */
class CollectionsCommandTest {
  @TempDir Path tmp;

  private Map<String, String> env() {
    return Map.of("FLOWSTORE_DATA_DIR", tmp.resolve("data").toString());
  }

  private Path file(String name, String yaml) throws IOException {
    return Files.writeString(tmp.resolve(name), yaml);
  }

  @ParameterizedTest
  @ValueSource(strings = {"collections", "collections apply", "collections list"})
  void everySubcommandHasHelp(String command) {
    Run r = run(env(), (command + " --help").split(" "));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Usage: flowstore " + command);
  }

  @Test
  void withoutASubcommandItIsAUsageError() {
    assertThat(run(env(), "collections").code()).isEqualTo(2);
    assertThat(run(env(), "collections", "apply").code()).isEqualTo(2);
  }

  @Test
  void applyDeclaresParentsFirstIsIdempotentAndListShowsThem() throws IOException {
    // the child first in the file: apply orders parents first
    Path yaml =
        file(
            "collections.yaml",
            """
            collections:
              - name: comments
                parent: tickets
                indexed:
                  - { pointer: /author, type: string }
              - name: tickets
                schema:
                  type: object
                  required: [status]
                indexed:
                  - { pointer: /status, type: string }
                  - { pointer: /ref, type: string }
                unique: [/ref]
            """);
    Run first = run(env(), "collections", "apply", yaml.toString());
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out().lines())
        .containsExactly("tickets: version 1 (declared)", "comments: version 1 (declared)");
    Run again = run(env(), "collections", "apply", yaml.toString());
    assertThat(again.out().lines())
        .containsExactly("tickets: version 1 (unchanged)", "comments: version 1 (unchanged)");

    Run list = run(env(), "collections", "list");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out())
        .contains("tickets\tversion 1\tindexed: /status string, /ref string unique")
        .contains("comments\tversion 1\tparent tickets\tindexed: /author string");

    // the declaration is the store's: records use it
    try (Flowstore fs =
        Flowstore.open(
            new CliContext(env(), Clock.systemUTC(), ServeLifecycle::new).config(Map.of()))) {
      TenantId t = TenantId.of("acme");
      fs.records(t)
          .create(
              "tickets", NewRecord.of("T1", Json.parseObject("data", "{\"status\": \"open\"}")));
      assertThat(
              fs.records(t)
                  .count(RecordQuery.of("tickets").where(RecordFilter.eq("/status", "open"))))
          .isEqualTo(1);
    }

    // a changed file builds the new index over the stored record
    Path changed =
        file(
            "changed.yaml",
            """
            collections:
              - name: tickets
                indexed:
                  - { pointer: /status, type: string }
                  - { pointer: /ref, type: string }
                  - { pointer: /priority, type: number }
                unique: [/ref]
            """);
    Run applied = run(env(), "collections", "apply", changed.toString());
    assertThat(applied.out().lines()).containsExactly("tickets: version 2 (changed)");
  }

  @Test
  void aBadFileIsOneLineNamingTheEntryAndNothingIsApplied() throws IOException {
    Path bad =
        file(
            "bad.yaml",
            """
            collections:
              - name: good_one
              - name: Bad-Name
            """);
    Run r = run(env(), "collections", "apply", bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines())
        .singleElement()
        .asString()
        .contains("collection 2")
        .contains("Bad-Name");
    assertThat(run(env(), "collections", "list").out()).doesNotContain("good_one");

    Run notYaml = run(env(), "collections", "apply", file("x.yaml", "collections: 7").toString());
    assertThat(notYaml.code()).isEqualTo(1);
    assertThat(notYaml.err()).contains("expected 'collections:'");
    Run missing = run(env(), "collections", "apply", tmp.resolve("none.yaml").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("none.yaml");
  }

  @Test
  void aRetentionIsDeclaredFromYamlAndABadOneIsRefusedNamingIt() throws IOException {
    Path yaml =
        file(
            "retention.yaml",
            """
            collections:
              - name: chats
                indexed:
                  - { pointer: /closed_at, type: timestamp }
                retention: { action: delete, days: 30, basis: /closed_at }
            """);
    Run r = run(env(), "collections", "apply", yaml.toString());
    assertThat(r.code()).as(r.err()).isZero();
    try (Flowstore fs =
        Flowstore.open(
            new CliContext(env(), Clock.systemUTC(), ServeLifecycle::new).config(Map.of()))) {
      assertThat(fs.collections().get("chats").orElseThrow().spec().retention())
          .isEqualTo(RecordRetention.delete(30, "/closed_at"));
    }

    Path bad =
        file(
            "bad-retention.yaml",
            """
            collections:
              - name: logs
                retention: { action: shred, days: 30, basis: created_at }
            """);
    Run refused = run(env(), "collections", "apply", bad.toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err().lines())
        .singleElement()
        .asString()
        .contains("collection 1")
        .contains("retention.action: 'shred' is neither delete nor archive");
  }
}
