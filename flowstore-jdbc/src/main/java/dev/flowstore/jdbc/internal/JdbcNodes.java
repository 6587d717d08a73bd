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
import java.sql.Connection;
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

  JdbcNodes(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
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
          Instant now = scope.flowstore().now();
          Columns.update(
              c,
              sql,
              ps -> {
                ps.setString(1, tenant());
                ps.setString(2, nodeId);
                ps.setString(3, lower(type));
                ps.setString(4, name);
                Columns.setText(ps, 5, description);
                Columns.setText(ps, 6, endpoint);
                ps.setString(7, schemaJson);
                ps.setString(8, lower(status));
                dialect.setTime(ps, 9, now);
                dialect.setTime(ps, 10, now);
              });
          return find(c, nodeId)
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
    return scope.read(c -> find(c, nodeId));
  }

  private Optional<Node> find(Connection c, String nodeId) throws SQLException {
    return Columns.one(
        c,
        "SELECT " + COLUMNS + " FROM registry_nodes WHERE tenant_id = ? AND node_id = ?",
        ps -> {
          ps.setString(1, tenant());
          ps.setString(2, nodeId);
        },
        this::map);
  }

  @Override
  public List<Node> list(Node.Type type, String afterNodeId, int limit) {
    RecordValidation.limit(limit);
    if (afterNodeId != null) RecordValidation.name("after", afterNodeId);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM registry_nodes WHERE tenant_id = ?"
            + (type == null ? "" : " AND node_type = ?")
            + (afterNodeId == null ? "" : " AND node_id > ?")
            + " ORDER BY node_id LIMIT ?";
    return scope.read(
        c ->
            Columns.list(
                c,
                sql,
                ps -> {
                  int i = 1;
                  ps.setString(i++, tenant());
                  if (type != null) ps.setString(i++, lower(type));
                  if (afterNodeId != null) ps.setString(i++, afterNodeId);
                  ps.setInt(i, limit);
                },
                this::map));
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
