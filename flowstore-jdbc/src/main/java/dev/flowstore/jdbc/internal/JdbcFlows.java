package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flow;
import dev.flowstore.Flows;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.Json;
import dev.flowstore.internal.JsonSchemas;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Flow definitions in SQL: append-only versions per (tenant, flow_id). */
final class JdbcFlows implements Flows {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String COLUMNS =
      "flow_id, version, name, description, yaml_content, param_schema, created_at";

  private final Scope scope;
  private final Dialect dialect;
  private final Table<Flow> rows;

  JdbcFlows(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new Table<>(dialect, scope.tenant().value(), "flows", COLUMNS, this::map);
  }

  @Override
  public Flow register(
      String flowId, String name, String description, String yamlContent, ObjectNode paramSchema) {
    Ids.stream(flowId);
    String label = name == null || name.isBlank() ? flowId : name.strip();
    if (label.length() > 200)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "name: at most 200 characters");
    String desc = description == null ? "" : description;
    if (yamlContent == null || yamlContent.isBlank())
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "yaml_content is required");
    if (yamlContent.getBytes(StandardCharsets.UTF_8).length
        > scope.flowstore().config().maxPayloadBytes()) {
      throw new FlowstoreException(
          ErrorCode.PAYLOAD_TOO_LARGE, "yaml_content is larger than FLOWSTORE_MAX_PAYLOAD_BYTES");
    }
    if (yamlContent.indexOf('\u0000') >= 0 || desc.indexOf('\u0000') >= 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "yaml_content and description may not contain \\u0000");
    checkYaml(yamlContent);
    ObjectNode schema = paramSchema == null ? JsonNodeFactory.instance.objectNode() : paramSchema;
    Json.rejectNul("param_schema", schema);
    JsonSchemas.checkSchema("param_schema", schema);
    return scope.write(
        c -> {
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          int next = latestVersion(c, flowId) + 1;
          Flow flow =
              new Flow(
                  flowId,
                  next,
                  label,
                  desc,
                  yamlContent,
                  schema.deepCopy(),
                  scope.flowstore().now());
          String sql =
              "INSERT INTO flows (tenant_id, flow_id, version, name, description, yaml_content, param_schema, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                  + dialect.jsonParam()
                  + ", ?)";
          Sql insert =
              rows.sql(
                  sql,
                  rows.tenant(),
                  flowId,
                  next,
                  label,
                  desc,
                  yamlContent,
                  Json.write(schema),
                  flow.createdAt());
          try {
            Columns.update(c, insert);
          } catch (SQLException e) {
            if (SqlErrors.isUniqueViolation(dialect, e)) {
              throw new FlowstoreException(
                  ErrorCode.VERSION_CONFLICT,
                  "flow '"
                      + flowId
                      + "' got version "
                      + next
                      + " from a concurrent registration; retry");
            }
            throw e;
          }
          return flow;
        });
  }

  private static void checkYaml(String yaml) {
    try {
      if (!YAML.readTree(yaml).isObject())
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT, "yaml_content must be a YAML mapping");
    } catch (java.io.IOException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "yaml_content is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private int latestVersion(Connection c, String flowId) throws SQLException {
    Sql max =
        rows.sql(
            "SELECT max(version) FROM flows WHERE tenant_id = ? AND flow_id = ?",
            rows.tenant(),
            flowId);
    // why: max() of no rows is one NULL row, read as 0
    return Columns.one(c, max, rs -> rs.getInt(1)).orElseThrow();
  }

  @Override
  public Optional<Flow> get(String flowId) {
    Ids.stream(flowId);
    return scope.read(c -> get(c, flowId, null));
  }

  @Override
  public Optional<Flow> get(String flowId, int version) {
    Ids.stream(flowId);
    return scope.read(c -> get(c, flowId, version));
  }

  /** Reads a flow inside an open transaction (sessions use it to validate params). */
  Optional<Flow> get(Connection c, String flowId, Integer version) throws SQLException {
    Sql sql = rows.select().append(" AND flow_id = ?", flowId);
    if (version == null) sql.append(" ORDER BY version DESC LIMIT 1");
    else sql.append(" AND version = ?", version);
    return rows.one(c, sql);
  }

  @Override
  public List<Flow> list(String afterFlowId, int limit) {
    EventValidation.limit(limit);
    String after = afterFlowId == null ? "" : Ids.stream(afterFlowId);
    Sql sql =
        rows.sql(
            "SELECT "
                + COLUMNS
                + " FROM flows f WHERE tenant_id = ? AND flow_id > ?"
                + " AND version = (SELECT max(version) FROM flows l WHERE l.tenant_id = f.tenant_id AND l.flow_id = f.flow_id)"
                + " ORDER BY flow_id LIMIT ?",
            rows.tenant(),
            after,
            limit);
    return scope.read(c -> rows.list(c, sql));
  }

  private Flow map(ResultSet rs) throws SQLException {
    return new Flow(
        rs.getString("flow_id"),
        rs.getInt("version"),
        rs.getString("name"),
        rs.getString("description"),
        rs.getString("yaml_content"),
        Json.stored("stored param_schema", rs.getString("param_schema")),
        dialect.getTime(rs, "created_at"));
  }
}
