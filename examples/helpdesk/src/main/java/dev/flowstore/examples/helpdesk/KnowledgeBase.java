package dev.flowstore.examples.helpdesk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Collections;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The knowledge base of planning document 001 — documents, their chunks and evaluation reports — as
 * three collections, on flowstore used as a library (as {@link Helpdesk} is):
 *
 * <ul>
 *   <li>{@value #DOCUMENTS}: title, source, status (indexed; the source and title too);
 *   <li>{@value #CHUNKS}: children of a document ({@code parent: documents}), ordered by an indexed
 *       {@code /seq}, their {@code /text} searchable by words ({@code full_text});
 *   <li>{@value #REPORTS}: an evaluation of a document or of a run, its {@code /score} indexed, so
 *       reports are listed by score range through the index.
 * </ul>
 *
 * <p>A document and its chunks are written in one transaction: a failed chunk leaves neither. Every
 * change is attributed to the caller's actor in its record event.
 */
public final class KnowledgeBase {
  public static final String DOCUMENTS = "documents";
  public static final String CHUNKS = "document_chunks";
  public static final String REPORTS = "evaluation_reports";

  public static final List<String> DOCUMENT_STATUSES = List.of("draft", "indexed", "retired");

  /** The most chunks one document may have (each is one record written in its transaction). */
  public static final int MAX_CHUNKS = 2000;

  /** A page of chunks read at a time (the records query's maximum is 1000). */
  private static final int PAGE = 500;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Flowstore flowstore;
  private final Clock clock;

  /** A document to add: its id (yours), what it is and where it came from, and its chunks. */
  public record NewDocument(String id, String title, String source, List<Chunk> chunks) {
    public NewDocument {
      chunks = List.copyOf(chunks);
    }
  }

  /** A piece of a document's text and its place in the document (0, 1, 2...). */
  public record Chunk(int seq, String text) {}

  /** An evaluation to record: of a document, of a run, or of a document within a run. */
  public record NewEvaluation(String documentId, String runId, double score, ObjectNode metrics) {}

  public KnowledgeBase(Flowstore flowstore, Clock clock) {
    this.flowstore = flowstore;
    this.clock = clock;
    declare(flowstore.collections());
  }

  /** Declares the three collections (idempotent: an unchanged declaration keeps its version). */
  public static void declare(Collections collections) {
    collections.declare(
        CollectionSpec.of(DOCUMENTS)
            .withSchema(
                schema(
                    """
                    {"type": "object", "required": ["title", "source", "status", "chunk_count"],
                     "properties": {
                       "title": {"type": "string", "minLength": 1, "maxLength": 500},
                       "source": {"type": "string", "minLength": 1, "maxLength": 500},
                       "status": {"enum": ["draft", "indexed", "retired"]},
                       "chunk_count": {"type": "integer", "minimum": 0}
                     }}
                    """))
            .withIndexed(
                IndexedField.string("/status"),
                IndexedField.string("/source"),
                IndexedField.string("/title")));
    collections.declare(
        CollectionSpec.of(CHUNKS)
            .withParent(DOCUMENTS)
            .withSchema(
                schema(
                    """
                    {"type": "object", "required": ["seq", "text"],
                     "properties": {
                       "seq": {"type": "integer", "minimum": 0},
                       "text": {"type": "string", "minLength": 1, "maxLength": 20000}
                     }}
                    """))
            .withIndexed(IndexedField.number("/seq"))
            .withFullText("/text"));
    collections.declare(
        CollectionSpec.of(REPORTS)
            .withSchema(
                schema(
                    """
                    {"type": "object", "required": ["score", "evaluated_at"],
                     "anyOf": [{"required": ["document_id"]}, {"required": ["run_id"]}],
                     "properties": {
                       "document_id": {"type": "string"},
                       "run_id": {"type": "string"},
                       "score": {"type": "number", "minimum": 0, "maximum": 1},
                       "metrics": {"type": "object"},
                       "evaluated_at": {"type": "string"}
                     }}
                    """))
            .withIndexed(
                IndexedField.number("/score"),
                IndexedField.string("/document_id"),
                IndexedField.string("/run_id"),
                IndexedField.timestamp("/evaluated_at")));
  }

  /**
   * Adds a document and its chunks in one transaction, the document {@code indexed} with its chunk
   * count. A chunk's id is {@code <document id>:<seq>}, so a seq given twice is {@code
   * ALREADY_EXISTS} and nothing is written.
   *
   * @throws FlowstoreException ALREADY_EXISTS (the document exists, or a seq twice),
   *     INVALID_ARGUMENT (a title, source or text the schemas refuse, too many chunks)
   */
  public StoredRecord addDocument(TenantId tenant, String actor, NewDocument doc) {
    if (doc.chunks().size() > MAX_CHUNKS)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "a document has at most " + MAX_CHUNKS + " chunks, got " + doc.chunks().size());
    return flowstore.inTransaction(
        tenant,
        tx -> {
          Records records = tx.records().attributedTo(actor, null);
          ObjectNode data =
              JSON.createObjectNode()
                  .put("title", doc.title())
                  .put("source", doc.source())
                  .put("status", "indexed")
                  .put("chunk_count", doc.chunks().size());
          StoredRecord created = records.create(DOCUMENTS, NewRecord.of(doc.id(), data));
          for (Chunk c : doc.chunks()) {
            ObjectNode chunk = JSON.createObjectNode().put("seq", c.seq()).put("text", c.text());
            records.create(CHUNKS, new NewRecord(chunkId(doc.id(), c.seq()), chunk, doc.id()));
          }
          return created;
        });
  }

  /** The chunk record id of a document's seq. */
  public static String chunkId(String documentId, int seq) {
    return documentId + ":" + seq;
  }

  /** The document (through the record cache when the store has one). */
  public Optional<StoredRecord> document(TenantId tenant, String documentId) {
    return flowstore.records(tenant).get(DOCUMENTS, documentId);
  }

  /**
   * Every chunk of a document in {@code /seq} order: a children query sorted on the indexed seq,
   * read in keyset pages.
   *
   * @throws FlowstoreException NOT_FOUND when there is no such document
   */
  public List<StoredRecord> chunks(TenantId tenant, String documentId) {
    Records records = flowstore.records(tenant);
    if (records.get(DOCUMENTS, documentId).isEmpty())
      throw new FlowstoreException(ErrorCode.NOT_FOUND, "document '" + documentId + "' not found");
    List<StoredRecord> all = new ArrayList<>();
    RecordQuery q = RecordQuery.of(CHUNKS).childrenOf(documentId).sortBy("/seq", false).limit(PAGE);
    for (RecordPage page = records.query(q); ; page = records.query(q.after(page.nextCursor()))) {
      all.addAll(page.records());
      if (page.nextCursor() == null) return all;
    }
  }

  /**
   * Chunks whose text holds every word of {@code words}, best match first (full-text search over
   * {@code /text}); within one document when {@code documentId} is given.
   */
  public List<StoredRecord> search(TenantId tenant, String words, String documentId, int limit) {
    RecordQuery q = RecordQuery.of(CHUNKS).search(words).limit(limit);
    if (documentId != null) q = q.childrenOf(documentId);
    return flowstore.records(tenant).query(q).records();
  }

  /**
   * Records an evaluation report, stamped with the clock's time. A report of a document needs the
   * document: both are read and written in one transaction.
   *
   * @throws FlowstoreException NOT_FOUND (no such document), INVALID_ARGUMENT (a score outside
   *     0..1, neither a document nor a run)
   */
  public StoredRecord recordEvaluation(TenantId tenant, String actor, NewEvaluation e) {
    if (!Double.isFinite(e.score()))
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "score must be a number from 0 to 1, got " + e.score());
    return flowstore.inTransaction(
        tenant,
        tx -> {
          Records records = tx.records().attributedTo(actor, null);
          if (e.documentId() != null && records.get(DOCUMENTS, e.documentId()).isEmpty())
            throw new FlowstoreException(
                ErrorCode.NOT_FOUND, "document '" + e.documentId() + "' not found");
          ObjectNode data = JSON.createObjectNode();
          if (e.documentId() != null) data.put("document_id", e.documentId());
          if (e.runId() != null) data.put("run_id", e.runId());
          data.put("score", e.score());
          data.set("metrics", e.metrics() == null ? JSON.createObjectNode() : e.metrics());
          data.put("evaluated_at", clock.instant().toString());
          return records.create(REPORTS, NewRecord.of(null, data));
        });
  }

  /**
   * Reports with {@code min <= score <= max}, best first (ties by id): a range of the index on
   * {@code /score}; of one document and/or one run when those are not null.
   */
  public List<StoredRecord> reportsByScore(
      TenantId tenant, double min, double max, String documentId, String runId, int limit) {
    RecordQuery q =
        RecordQuery.of(REPORTS)
            .where(RecordFilter.gte("/score", min))
            .where(RecordFilter.lte("/score", max))
            .sortBy("/score", true)
            .limit(limit);
    if (documentId != null) q = q.where(RecordFilter.eq("/document_id", documentId));
    if (runId != null) q = q.where(RecordFilter.eq("/run_id", runId));
    return flowstore.records(tenant).query(q).records();
  }

  private static ObjectNode schema(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("bad schema literal", e);
    }
  }
}
