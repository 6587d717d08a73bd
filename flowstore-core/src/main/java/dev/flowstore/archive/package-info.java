/**
 * The JSONL event archive: one file per stream, {@code DIR/<stream>.jsonl}, one JSON object per
 * line:
 *
 * <pre>
 * {"ts":"2026-01-02T03:04:05.123456Z","stream":"order-42","event":"order.placed","event_id":"…","version":0,"payload":{…},"metadata":{…}}
 * </pre>
 *
 * <p>The field order is fixed, so an export, an import into an empty store and a second export
 * produce byte-identical files. See {@link dev.flowstore.archive.JsonlArchive}.
 */
package dev.flowstore.archive;
