package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Node;
import dev.flowstore.NodeDefinition;
import dev.flowstore.Nodes;
import dev.flowstore.internal.JsonSchemas;
import dev.flowstore.internal.RecordValidation;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The node registry in SQL: register is one upsert on (tenant, node id), so concurrent registers
 * never fail.
 */
final class JdbcNodes implements Nodes {
  private static final String COLUMNS =
      "node_id, node_type, name, description, endpoint, param_schema, status, created_at, updated_at";

  private final Scope scope;
  private final Dialect dialect;
  private final Table<Node> rows;

  JdbcNodes(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new Table<>(dialect, scope.tenant().value(), "registry_nodes", COLUMNS, this::map);
  }

  @Override
  public Node register(NodeDefinition def) {
    RecordValidation.required("node", def);
    String nodeId = RecordValidation.name("node_id", def.nodeId());
    Node.Type type = RecordValidation.required("node_type", def.type());
    String name = RecordValidation.text("name", def.name(), 200, true);
    String description = RecordValidation.text("description", def.description(), 4000, false);
    String endpoint = endpoint(type, def.endpoint());
    ObjectNode schema =
        def.paramSchema() == null ? JsonNodeFactory.instance.objectNode() : def.paramSchema();
    String schemaJson =
        RecordValidation.json(
            "param_schema", schema, scope.flowstore().config().maxPayloadBytes(), true);
    JsonSchemas.checkSchema("param_schema", schema);
    Node.Status status = def.status() == null ? Node.Status.ACTIVE : def.status();
    String sql =
        "INSERT INTO registry_nodes (tenant_id, "
            + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, "
            + dialect.jsonParam()
            + ", ?, ?, ?)"
            + " ON CONFLICT (tenant_id, node_id) DO UPDATE SET node_type = excluded.node_type, name = excluded.name, description = excluded.description,"
            + " endpoint = excluded.endpoint, param_schema = excluded.param_schema, status = excluded.status, updated_at = excluded.updated_at";
    return scope.write(
        c -> {
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          Instant now = scope.flowstore().now();
          Columns.update(
              c,
              rows.sql(
                  sql,
                  rows.tenant(),
                  nodeId,
                  lower(type),
                  name,
                  description,
                  endpoint,
                  schemaJson,
                  lower(status),
                  now,
                  now));
          return rows.one(c, byId(nodeId))
              .orElseThrow(
                  () ->
                      new FlowstoreException(
                          ErrorCode.INTERNAL, "node vanished after registering it"));
        });
  }

  /**
   * Webhooks need an absolute http(s) URL with a host; builtins run in-process, so an endpoint is a
   * mistake.
   */
  private static String endpoint(Node.Type type, String endpoint) {
    if (type == Node.Type.BUILTIN) {
      if (endpoint != null)
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT,
            "endpoint: a builtin node has no endpoint (use node_type webhook)");
      return null;
    }
    RecordValidation.text("endpoint", endpoint, 2000, true);
    try {
      URI uri = new URI(endpoint);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && !uri.getHost().isEmpty()) return endpoint;
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        "endpoint: a webhook needs an absolute http or https URL with a host, got '"
            + endpoint
            + "'");
  }

  @Override
  public Optional<Node> get(String nodeId) {
    RecordValidation.name("node_id", nodeId);
    return scope.read(c -> rows.one(c, byId(nodeId)));
  }

  private Sql byId(String nodeId) {
    return rows.select().append(" AND node_id = ?", nodeId);
  }

  @Override
  public List<Node> list(Node.Type type, String afterNodeId, int limit) {
    RecordValidation.limit(limit);
    if (afterNodeId != null) RecordValidation.name("after", afterNodeId);
    Sql sql = rows.select();
    if (type != null) sql.append(" AND node_type = ?", lower(type));
    if (afterNodeId != null) sql.append(" AND node_id > ?", afterNodeId);
    sql.append(" ORDER BY node_id LIMIT ?", limit);
    return scope.read(c -> rows.list(c, sql));
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private Node map(ResultSet rs) throws SQLException {
    return new Node(
        rs.getString("node_id"),
        Node.Type.valueOf(rs.getString("node_type").toUpperCase(Locale.ROOT)),
        rs.getString("name"),
        rs.getString("description"),
        rs.getString("endpoint"),
        Columns.getJson(rs, "param_schema"),
        Node.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
        dialect.getTime(rs, "created_at"),
        dialect.getTime(rs, "updated_at"));
  }
}
