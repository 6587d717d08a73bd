package dev.flowstore.examples.helpdesk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.RecordQuery;
import dev.flowstore.RecordedEvent;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.examples.helpdesk.KnowledgeBase.Chunk;
import dev.flowstore.examples.helpdesk.KnowledgeBase.NewDocument;
import dev.flowstore.examples.helpdesk.KnowledgeBase.NewEvaluation;
import dev.flowstore.testkit.SettableClock;
import dev.flowstore.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The knowledge base (documents, chunks, evaluation reports) end to end on one store; each backend
 * subclasses it with its configuration (SQLite, PostgreSQL, PostgreSQL with the Redis cache).
 */
abstract class KnowledgeBaseContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TenantId ACME = TenantId.of("acme");
  private static final TenantId GLOBEX = TenantId.of("globex");

  /** A fresh, isolated store's configuration. */
  protected abstract FlowstoreConfig config();

  private final SettableClock clock = new SettableClock();
  private FlowstoreConfig config;
  private Flowstore fs;
  private KnowledgeBase kb;

  @BeforeEach
  void open() {
    config = config();
    fs = Flowstore.open(config, clock);
    kb = new KnowledgeBase(fs, clock);
  }

  @AfterEach
  void close() {
    if (fs != null) fs.close();
    TestBackends.drop(config);
  }

  private static List<Chunk> chunks(String... texts) {
    List<Chunk> list = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) list.add(new Chunk(i, texts[i]));
    return list;
  }

  private static List<Integer> seqs(List<StoredRecord> chunks) {
    return chunks.stream().map(r -> r.data().get("seq").asInt()).toList();
  }

  private static void assertCode(Runnable call, ErrorCode code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            FlowstoreException.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  @Test
  void aDocumentIsAddedWithItsChunksInOneTransactionAndReadInSeqOrder() {
    // more chunks than one page of the children query, given out of order
    List<Chunk> given = new ArrayList<>();
    for (int i = 0; i < 520; i++) given.add(new Chunk(i, "part " + i + " of the refund policy"));
    Collections.shuffle(given, new Random(7));
    StoredRecord doc =
        kb.addDocument(
            ACME,
            "service:ingest",
            new NewDocument("DOC-1", "Refund policy", "s3://kb/refunds.pdf", given));
    assertThat(doc.version()).isZero();
    assertThat(doc.data().get("status").asText()).isEqualTo("indexed");
    assertThat(doc.data().get("chunk_count").asInt()).isEqualTo(520);
    assertThat(kb.document(ACME, "DOC-1")).contains(doc);
    assertThat(kb.document(ACME, "DOC-1")).contains(doc); // a second read (a cache hit with Redis)

    List<StoredRecord> read = kb.chunks(ACME, "DOC-1");
    assertThat(seqs(read)).hasSize(520).isSorted().startsWith(0, 1, 2).endsWith(519);
    assertThat(read.get(3).id()).isEqualTo("DOC-1:3");
    assertThat(read.get(3).parentId()).isEqualTo("DOC-1");
    assertThat(read.get(3).data().get("text").asText()).isEqualTo("part 3 of the refund policy");

    // every record of it names its actor
    RecordedEvent created = fs.records(ACME).history(KnowledgeBase.CHUNKS, "DOC-1:3", 0, 1).get(0);
    assertThat(created.metadata().get("actor").asText()).isEqualTo("service:ingest");

    // a parent with children cannot be deleted; another document's chunks are apart
    assertCode(
        () -> fs.records(ACME).delete(KnowledgeBase.DOCUMENTS, "DOC-1", 0),
        ErrorCode.UNPROCESSABLE);
    kb.addDocument(ACME, "service:ingest", new NewDocument("DOC-2", "Other", "web", chunks("x")));
    assertThat(seqs(kb.chunks(ACME, "DOC-2"))).containsExactly(0);
    assertCode(() -> kb.chunks(ACME, "DOC-9"), ErrorCode.NOT_FOUND);
  }

  @Test
  void aFailedChunkLeavesNeitherTheDocumentNorAnyChunk() {
    List<Chunk> twice = List.of(new Chunk(0, "a"), new Chunk(1, "b"), new Chunk(1, "c"));
    assertCode(
        () -> kb.addDocument(ACME, "u", new NewDocument("DOC-1", "T", "s", twice)),
        ErrorCode.ALREADY_EXISTS);
    List<Chunk> empty = List.of(new Chunk(0, "a"), new Chunk(1, ""));
    assertCode(
        () -> kb.addDocument(ACME, "u", new NewDocument("DOC-1", "T", "s", empty)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> kb.addDocument(ACME, "u", new NewDocument("DOC-1", "", "s", chunks("a"))),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(kb.document(ACME, "DOC-1")).isEmpty();
    assertThat(fs.records(ACME).count(RecordQuery.of(KnowledgeBase.CHUNKS))).isZero();
    assertThat(fs.records(ACME).count(RecordQuery.of(KnowledgeBase.DOCUMENTS))).isZero();
    // the same document, right this time
    kb.addDocument(ACME, "u", new NewDocument("DOC-1", "T", "s", chunks("a", "b")));
    assertCode(
        () -> kb.addDocument(ACME, "u", new NewDocument("DOC-1", "T", "s", chunks("a"))),
        ErrorCode.ALREADY_EXISTS);
    assertThat(seqs(kb.chunks(ACME, "DOC-1"))).containsExactly(0, 1);
  }

  @Test
  void chunksAreFoundByTheirWordsInTheirTenantAndDocument() {
    kb.addDocument(
        ACME,
        "u",
        new NewDocument(
            "DOC-1",
            "Printers",
            "wiki",
            chunks("Paper jam in the printer tray", "Toner replacement steps", "Printer drivers")));
    kb.addDocument(
        ACME,
        "u",
        new NewDocument("DOC-2", "Refunds", "wiki", chunks("A refund for a broken printer")));
    kb.addDocument(
        GLOBEX, "u", new NewDocument("DOC-1", "Theirs", "wiki", chunks("printer jam at globex")));

    assertThat(kb.search(ACME, "printer jam", null, 10))
        .extracting(StoredRecord::id)
        .containsExactly("DOC-1:0");
    assertThat(kb.search(ACME, "PRINTER", null, 10))
        .extracting(StoredRecord::id)
        .containsExactlyInAnyOrder("DOC-1:0", "DOC-1:2", "DOC-2:0");
    assertThat(kb.search(ACME, "printer", "DOC-2", 10))
        .extracting(StoredRecord::id)
        .containsExactly("DOC-2:0");
    assertThat(kb.search(ACME, "globex", null, 10)).isEmpty();
    assertThat(kb.search(GLOBEX, "jam", null, 10))
        .extracting(r -> r.data().get("text").asText())
        .containsExactly("printer jam at globex");
    // the titles are not full-text fields of the chunks
    assertThat(kb.search(ACME, "refunds", null, 10)).isEmpty();
    assertCode(() -> kb.search(ACME, "*", null, 10), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void evaluationsAreRecordedAndListedByScoreRange() {
    kb.addDocument(ACME, "u", new NewDocument("DOC-1", "T", "s", chunks("a")));
    kb.addDocument(ACME, "u", new NewDocument("DOC-2", "T", "s", chunks("b")));
    double[] scores = {0.91, 0.42, 0.77, 0.5, 0.66};
    for (int i = 0; i < scores.length; i++) {
      clock.advance(Duration.ofMinutes(1));
      kb.recordEvaluation(
          ACME,
          "agent:evaluator",
          new NewEvaluation(
              i % 2 == 0 ? "DOC-1" : "DOC-2",
              "run-" + (i % 3),
              scores[i],
              JSON.createObjectNode().put("recall", scores[i])));
    }
    Instant before = clock.instant();
    StoredRecord runOnly =
        kb.recordEvaluation(ACME, "agent:evaluator", new NewEvaluation(null, "run-9", 0.6, null));
    assertThat(runOnly.data().has("document_id")).isFalse();
    assertThat(Instant.parse(runOnly.data().get("evaluated_at").asText()))
        .isAfter(before)
        .isBefore(clock.instant());

    List<Double> mid =
        kb.reportsByScore(ACME, 0.5, 0.8, null, null, 10).stream()
            .map(r -> r.data().get("score").asDouble())
            .toList();
    assertThat(mid).containsExactly(0.77, 0.66, 0.6, 0.5);
    assertThat(kb.reportsByScore(ACME, 0, 1, "DOC-1", null, 10))
        .extracting(r -> r.data().get("score").asDouble())
        .containsExactly(0.91, 0.77, 0.66);
    assertThat(kb.reportsByScore(ACME, 0, 1, null, "run-0", 10))
        .extracting(r -> r.data().get("score").asDouble())
        .containsExactly(0.91, 0.5);
    assertThat(kb.reportsByScore(ACME, 0.95, 1, null, null, 10)).isEmpty();
    assertThat(kb.reportsByScore(GLOBEX, 0, 1, null, null, 10)).isEmpty();

    // refused before anything is written
    assertCode(
        () -> kb.recordEvaluation(ACME, "a", new NewEvaluation("DOC-9", null, 0.5, null)),
        ErrorCode.NOT_FOUND);
    assertCode(
        () -> kb.recordEvaluation(ACME, "a", new NewEvaluation("DOC-1", null, 1.5, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> kb.recordEvaluation(ACME, "a", new NewEvaluation(null, null, 0.5, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> kb.recordEvaluation(ACME, "a", new NewEvaluation("DOC-1", null, Double.NaN, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(fs.records(ACME).count(RecordQuery.of(KnowledgeBase.REPORTS))).isEqualTo(6);
  }
}
