package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A text table for a terminal: a header row, columns as wide as their widest cell up to {@link
 * #MAX_WIDTH} (longer cells are cut with "..."), two spaces between columns, control characters
 * shown as spaces, "-" for an empty cell. With colour, the header is bold and the cells of the
 * status column are coloured by value; without it (not a terminal, {@code NO_COLOR}) the output is
 * plain text.
 */
final class Table {
  static final int MAX_WIDTH = 60;
  static final int FIELD_WIDTH = 240;
  private static final String BOLD = "\u001b[1m";
  private static final String RED = "\u001b[31m";
  private static final String GREEN = "\u001b[32m";
  private static final String YELLOW = "\u001b[33m";
  private static final String RESET = "\u001b[0m";

  private final List<String> headers;
  private final List<String[]> rows = new ArrayList<>();
  private int statusColumn = -1;

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  /** Colours the cells of column {@code header} by status (failed red, succeeded green...). */
  Table status(String header) {
    statusColumn = headers.indexOf(header);
    return this;
  }

  Table row(Object... cells) {
    if (cells.length != headers.size())
      throw new IllegalArgumentException(cells.length + " cells for " + headers);
    String[] row = new String[cells.length];
    for (int i = 0; i < cells.length; i++) row[i] = cell(cells[i]);
    rows.add(row);
    return this;
  }

  /**
   * A row of {@code node}'s {@code fields}, one a column: times ({@code *_at}) to the second, the
   * rest as text.
   */
  Table rowOf(JsonNode node, String... fields) {
    return row((Object[]) values(node, fields));
  }

  /**
   * Label-value lines of {@code node}'s {@code fields}, named as in the JSON (see {@link #rowOf}).
   */
  static List<String[]> fieldsOf(JsonNode node, String... fields) {
    String[] values = values(node, fields);
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) out.add(new String[] {fields[i], values[i]});
    return out;
  }

  private static String[] values(JsonNode node, String... fields) {
    String[] values = new String[fields.length];
    for (int i = 0; i < fields.length; i++)
      values[i] = fields[i].endsWith("_at") ? time(node, fields[i]) : text(node, fields[i]);
    return values;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out, boolean colour) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) width[i] = headers.get(i).length();
    for (String[] row : rows)
      for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
    line(out, headers.toArray(String[]::new), width, colour ? BOLD : null, -1);
    for (String[] row : rows) line(out, row, width, null, colour ? statusColumn : -1);
  }

  /** Label-value lines ({@code label: value}), labels aligned; rows with a null value skipped. */
  static void fields(PrintWriter out, List<String[]> fields) {
    int width = 0;
    for (String[] f : fields) if (f[1] != null) width = Math.max(width, f[0].length() + 1);
    for (String[] f : fields)
      if (f[1] != null) out.println(pad(f[0] + ":", width) + "  " + cell(f[1], FIELD_WIDTH));
  }

  private static void line(PrintWriter out, String[] cells, int[] width, String style, int status) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      boolean last = i == cells.length - 1;
      String text = last ? cells[i] : pad(cells[i], width[i]);
      String colour = style != null ? style : i == status ? colourOf(cells[i]) : null;
      b.append(colour == null ? text : colour + text + RESET);
      if (!last) b.append("  ");
    }
    out.println(b.toString().stripTrailing());
  }

  private static String colourOf(String status) {
    return switch (status.toLowerCase(Locale.ROOT)) {
      case "failed", "dlq_pending", "dlq_recorded", "expired", "cancelled" -> RED;
      case "succeeded", "completed", "resumed" -> GREEN;
      case "leased", "running", "paused", "pending_pause" -> YELLOW;
      default -> null;
    };
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  static String cell(Object value) {
    return cell(value, MAX_WIDTH);
  }

  static String cell(Object value, int max) {
    if (value == null) return "-";
    String s = value.toString();
    if (s.isEmpty()) return "-";
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    String clean = b.toString();
    return clean.length() <= max ? clean : clean.substring(0, max - 3) + "...";
  }

  /** A text field of a JSON answer, or null when absent or JSON null; objects as compact JSON. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    if (v.isMissingNode() || v.isNull()) return null;
    return v.isValueNode() ? v.asText() : v.toString();
  }

  /** An ISO-8601 time field, to the second, in UTC ({@code 2026-12-06T23:48:29Z}); or null. */
  static String time(JsonNode node, String field) {
    String t = text(node, field);
    if (t == null) return null;
    try {
      return Instant.parse(t).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return t;
    }
  }
}
