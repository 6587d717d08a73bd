package dev.flowstore.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.chaos.S8Operations.Operation;
import dev.flowstore.chaos.S8Operations.Param;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Builds scenario 8's requests: for an operation, a valid-looking baseline from its path and query
 * parameters and request-body schema (ids the fuzz has seen created are reused, so requests reach
 * past "not found"), then one mutation of it.
 */
final class S8Mutations {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A request ready to send; {@code mutation} names what was done to the baseline. */
  record Request(
      String method, byte[] target, List<String[]> headers, byte[] body, String mutation) {
    String targetText() {
      return new String(target, StandardCharsets.UTF_8);
    }
  }

  static final String[] MUTATIONS = {
    "baseline", "drop-required", "wrong-type", "huge-string", "nul", "raw-nul", "invalid-utf8",
    "deep-nesting", "bad-json", "unknown-field", "content-type", "bad-tenant", "odd-path",
        "odd-query"
  };

  private static final String[] ODD_PATH = {
    "..",
    ".",
    "%00",
    "%2F",
    "%2e%2e",
    "a%20b",
    "a b",
    "\u00e9t\u00e9",
    "%C3%28",
    "%FF%FE",
    "-1",
    "0",
    "99999999999999999999",
    "%",
    "%ZZ",
    "{id}",
    "null",
    "'%20OR%201=1--",
    "%09",
    "a%00b",
    "%E2%80%AE"
  };
  private static final String[] ODD_QUERY = {
    "",
    "abc",
    "-1",
    "1e9",
    "99999999999999999999",
    "%00",
    "%FF",
    "[]",
    "1.5",
    "true",
    "%C3%28",
    "null"
  };
  private static final String[] BAD_TENANTS = {
    "",
    "UPPER",
    "-lead",
    "a".repeat(64),
    "ten ant",
    "t\u00e9",
    "../x",
    "default\u0000",
    "a,b",
    "x;y"
  };

  private final S8Operations spec;

  /** Ids seen in 2xx answers (and path values that worked), by field or parameter name. */
  final Map<String, List<String>> known = new ConcurrentHashMap<>();

  S8Mutations(S8Operations spec) {
    this.spec = spec;
  }

  void learn(String name, String value) {
    if (value == null || value.isEmpty() || value.length() > 200) return;
    List<String> l = known.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>());
    if (l.size() < 200 && !l.contains(value)) l.add(value);
  }

  /** Learns every "*_id" string (and tokens) of a 2xx answer. */
  void learnFrom(JsonNode node, int depth) {
    if (node == null || depth > 6) return;
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String k = f.getKey();
        if ((k.endsWith("_id") || k.endsWith("_token") || k.equals("stream") || k.equals("queue"))
            && (f.getValue().isTextual() || f.getValue().isIntegralNumber()))
          learn(k, f.getValue().asText());
        else learnFrom(f.getValue(), depth + 1);
      }
    } else if (node.isArray()) {
      for (JsonNode x : node) learnFrom(x, depth + 1);
    }
  }

  private String knownOr(String name, Random rnd, String fallback) {
    List<String> l = known.get(name);
    if (l == null || l.isEmpty() || rnd.nextInt(5) == 0) return fallback;
    return l.get(rnd.nextInt(l.size()));
  }

  /**
   * The baseline request of {@code op} for {@code tenant}, with path values in {@code pathValues}.
   */
  Request baseline(Operation op, String tenant, Random rnd, Map<String, String> pathValues) {
    String path = op.path();
    for (Param p : op.in("path")) {
      String fallback =
          spec.type(p.schema()) != null && spec.type(p.schema()).equals("integer")
              ? spec.example(p.schema(), rnd, 0).asText()
              : spec.string(p.schema(), rnd);
      String v = knownOr(p.name(), rnd, fallback);
      pathValues.put(p.name(), v);
      path = path.replace("{" + p.name() + "}", encode(v));
    }
    StringBuilder query = new StringBuilder();
    for (Param p : op.in("query")) {
      if (!p.required() && rnd.nextBoolean()) continue;
      String v = knownOr(p.name(), rnd, spec.example(p.schema(), rnd, 0).asText());
      query.append(query.isEmpty() ? '?' : '&').append(p.name()).append('=').append(encode(v));
    }
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"X-Tenant-Id", tenant});
    if (rnd.nextInt(4) == 0)
      headers.add(new String[] {"X-Trace-Id", "fuzz-" + rnd.nextInt(1_000_000)});
    byte[] body = null;
    if (op.bodySchema() != null && (op.bodyRequired() || rnd.nextInt(4) != 0)) {
      JsonNode b = spec.example(op.bodySchema(), rnd, 0);
      if (b instanceof ObjectNode o) reuseKnown(o, rnd);
      body = bytes(b);
      headers.add(new String[] {"Content-Type", "application/json"});
    }
    return new Request(
        op.method(), (path + query).getBytes(StandardCharsets.UTF_8), headers, body, "baseline");
  }

  private void reuseKnown(ObjectNode o, Random rnd) {
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      List<String> l = known.get(f.getKey());
      if (l == null || l.isEmpty() || rnd.nextInt(4) == 0) continue;
      String v = l.get(rnd.nextInt(l.size()));
      if (f.getValue().isIntegralNumber() && v.matches("-?\\d{1,18}"))
        f.setValue(S8Operations.F.numberNode(Long.parseLong(v)));
      else if (f.getValue().isTextual()) f.setValue(S8Operations.F.textNode(v));
    }
  }

  /** The baseline with one mutation, chosen at random among those that apply. */
  Request mutate(Operation op, String tenant, Random rnd) {
    Request base = baseline(op, tenant, rnd, new java.util.HashMap<>());
    String m = MUTATIONS[rnd.nextInt(MUTATIONS.length)];
    JsonNode body = base.body() == null ? null : parse(base.body());
    List<String[]> headers = new ArrayList<>(base.headers());
    byte[] target = base.target();
    byte[] bytes = base.body();
    switch (m) {
      case "drop-required", "wrong-type", "huge-string", "nul", "unknown-field", "deep-nesting" -> {
        if (!(body instanceof ObjectNode o)) return base;
        mutateObject(m, o, op, rnd);
        bytes = bytes(o);
      }
      case "raw-nul" -> {
        if (bytes == null) return base;
        bytes = splice(bytes, rnd, new byte[] {'"', 'a', 0, 'b', '"'});
      }
      case "invalid-utf8" -> {
        if (!(body instanceof ObjectNode o) || o.isEmpty()) {
          target = concat(target, "?x=%C3%28".getBytes(StandardCharsets.ISO_8859_1));
          break;
        }
        String marker = "@@BAD@@";
        o.put(o.fieldNames().next(), marker);
        bytes =
            replace(
                bytes(o),
                marker,
                new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0x80});
      }
      case "bad-json" -> {
        String[] bad = {
          "",
          "null",
          "[]",
          "42",
          "\"str\"",
          "{'a':1}",
          "{\"a\":}",
          "{\"a\":1,}",
          "{",
          "}{",
          "{\"a\":1}{\"b\":2}",
          "{\"events\":[",
          "\ufeff{}",
          "{\"a\":NaN}",
          "{\"a\":1e999999}"
        };
        String choice = bad[rnd.nextInt(bad.length)];
        bytes =
            rnd.nextInt(3) == 0 && base.body() != null && base.body().length > 2
                ? java.util.Arrays.copyOf(base.body(), base.body().length / 2)
                : choice.getBytes(StandardCharsets.UTF_8);
        if (headers.stream().noneMatch(h -> h[0].equals("Content-Type")))
          headers.add(new String[] {"Content-Type", "application/json"});
      }
      case "content-type" -> {
        headers.removeIf(h -> h[0].equals("Content-Type"));
        String[] types = {
          "text/plain",
          "application/xml",
          "multipart/form-data; boundary=x",
          "application/json; charset=utf-16",
          "application/x-www-form-urlencoded",
          "*/*",
          "garbage"
        };
        if (rnd.nextInt(4) != 0)
          headers.add(new String[] {"Content-Type", types[rnd.nextInt(types.length)]});
        if (bytes == null) bytes = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
      }
      case "bad-tenant" -> {
        headers.removeIf(h -> h[0].equals("X-Tenant-Id"));
        if (rnd.nextInt(5) == 0)
          headers.add(new String[] {"Authorization", "Bearer fuzz-" + rnd.nextInt(1000)});
        else
          headers.add(new String[] {"X-Tenant-Id", BAD_TENANTS[rnd.nextInt(BAD_TENANTS.length)]});
      }
      case "odd-path" -> {
        List<Param> ps = op.in("path");
        if (ps.isEmpty()) {
          target =
              concat(
                  target, ODD_PATH[rnd.nextInt(ODD_PATH.length)].getBytes(StandardCharsets.UTF_8));
          break;
        }
        Param p = ps.get(rnd.nextInt(ps.size()));
        String odd =
            rnd.nextInt(8) == 0 ? "x".repeat(5000) : ODD_PATH[rnd.nextInt(ODD_PATH.length)];
        String path = op.path();
        Map<String, String> values = new java.util.HashMap<>();
        Request again = baseline(op, tenant, rnd, values);
        for (Param q : ps)
          path = path.replace("{" + q.name() + "}", q == p ? odd : encode(values.get(q.name())));
        target = path.getBytes(StandardCharsets.UTF_8);
        headers = new ArrayList<>(again.headers());
        bytes = again.body();
      }
      case "odd-query" -> {
        List<Param> ps = op.in("query");
        String name =
            ps.isEmpty() || rnd.nextInt(5) == 0
                ? "zz_unknown"
                : ps.get(rnd.nextInt(ps.size())).name();
        String sep = base.targetText().contains("?") ? "&" : "?";
        target =
            concat(
                target,
                (sep + name + "=" + ODD_QUERY[rnd.nextInt(ODD_QUERY.length)])
                    .getBytes(StandardCharsets.UTF_8));
      }
      default -> {
        return base;
      }
    }
    return new Request(base.method(), target, headers, bytes, m);
  }

  private void mutateObject(String m, ObjectNode root, Operation op, Random rnd) {
    ObjectNode o = pickObject(root, rnd);
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    String field = names.isEmpty() ? "zz" : names.get(rnd.nextInt(names.size()));
    switch (m) {
      case "drop-required" -> {
        List<String> req = spec.required(op.bodySchema());
        if (!req.isEmpty() && o == root) root.remove(req.get(rnd.nextInt(req.size())));
        else o.remove(field);
      }
      case "wrong-type" -> {
        JsonNode[] wrong = {
          S8Operations.F.textNode("not-a-" + field),
          S8Operations.F.numberNode(-7),
          S8Operations.F.numberNode(1e300),
          S8Operations.F.booleanNode(true),
          S8Operations.F.nullNode(),
          S8Operations.F.arrayNode().add(1),
          S8Operations.F.objectNode().put("x", 1),
          S8Operations.F.numberNode(Long.MAX_VALUE),
          S8Operations.F.textNode("")
        };
        o.set(field, wrong[rnd.nextInt(wrong.length)]);
      }
      case "huge-string" -> {
        int n =
            rnd.nextInt(20) == 0 ? 1_100_000 + rnd.nextInt(1_500_000) : 300 + rnd.nextInt(100_000);
        o.put(field, "h".repeat(n));
      }
      case "nul" -> o.put(field, "a\u0000b");
      case "unknown-field" -> o.put("zz_unknown_" + rnd.nextInt(10), 1);
      case "deep-nesting" -> {
        int depth = 1000 + rnd.nextInt(9000);
        StringBuilder s = new StringBuilder();
        boolean arrays = rnd.nextBoolean();
        for (int i = 0; i < depth; i++) s.append(arrays ? "[" : "{\"a\":");
        s.append("1");
        for (int i = 0; i < depth; i++) s.append(arrays ? "]" : "}");
        o.put(field, "@@DEEP@@");
        deep.set(s.toString());
      }
      default -> {}
    }
  }

  // why: a nesting deeper than Jackson's own limit cannot be built as a tree; it is spliced in
  private final ThreadLocal<String> deep = new ThreadLocal<>();

  private byte[] bytes(JsonNode n) {
    try {
      byte[] b = JSON.writeValueAsBytes(n);
      String d = deep.get();
      if (d != null) {
        deep.remove();
        return replace(b, "\"@@DEEP@@\"", d.getBytes(StandardCharsets.UTF_8));
      }
      return b;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A random object inside {@code root} (or root itself). */
  private static ObjectNode pickObject(ObjectNode root, Random rnd) {
    List<ObjectNode> all = new ArrayList<>();
    collect(root, all, 0);
    return all.get(rnd.nextInt(all.size()));
  }

  private static void collect(JsonNode n, List<ObjectNode> out, int depth) {
    if (depth > 5) return;
    if (n instanceof ObjectNode o) out.add(o);
    for (JsonNode c : n) collect(c, out, depth + 1);
  }

  private static JsonNode parse(byte[] b) {
    try {
      return JSON.readTree(b);
    } catch (Exception e) {
      return null;
    }
  }

  static String encode(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] splice(byte[] body, Random rnd, byte[] insert) {
    // after a ':' when there is one, so the NUL lands inside a JSON string value
    int at = -1;
    for (int i = 0; i < body.length; i++)
      if (body[i] == ':' && (at < 0 || rnd.nextBoolean())) at = i + 1;
    if (at < 0) at = body.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(body, 0, at);
    out.writeBytes(insert);
    // skip the value that was there, up to the next ',' or '}'
    int end = at;
    int depth = 0;
    boolean inString = false;
    for (; end < body.length; end++) {
      byte c = body[end];
      if (inString) {
        if (c == '\\') end++;
        else if (c == '"') inString = false;
      } else if (c == '"') inString = true;
      else if (c == '{' || c == '[') depth++;
      else if ((c == '}' || c == ']') && depth-- == 0) break;
      else if (c == ',' && depth == 0) break;
    }
    out.write(body, end, body.length - end);
    return out.toByteArray();
  }

  private static byte[] replace(byte[] body, String marker, byte[] with) {
    String s = new String(body, StandardCharsets.ISO_8859_1);
    int i = s.indexOf(marker);
    if (i < 0) return body;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(body, 0, i);
    out.writeBytes(with);
    out.write(body, i + marker.length(), body.length - i - marker.length());
    return out.toByteArray();
  }
}
