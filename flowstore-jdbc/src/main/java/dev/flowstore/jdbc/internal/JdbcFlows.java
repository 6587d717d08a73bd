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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Flow definitions in SQL: append-only versions per (tenant, flow_id). */
final class JdbcFlows implements Flows {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String COLUMNS =
      "flow_id, version, name, description, yaml_content, param_schema, created_at";

  private final Scope scope;
  private final Dialect dialect;

  JdbcFlows(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
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
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, scope.tenant().value());
            ps.setString(2, flowId);
            ps.setInt(3, next);
            ps.setString(4, label);
            ps.setString(5, desc);
            ps.setString(6, yamlContent);
            ps.setString(7, Json.write(schema));
            dialect.setTime(ps, 8, flow.createdAt());
            ps.executeUpdate();
          } catch (SQLException e) {
            if (SqlErrors.isUniqueViolation(e)) {
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
    try (PreparedStatement ps =
        c.prepareStatement("SELECT max(version) FROM flows WHERE tenant_id = ? AND flow_id = ?")) {
      ps.setString(1, scope.tenant().value());
      ps.setString(2, flowId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Override
  public Optional<Flow> get(String flowId) {
    Ids.stream(flowId);
    return scope.read(
        c ->
            one(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM flows WHERE tenant_id = ? AND flow_id = ? ORDER BY version DESC LIMIT 1",
                flowId,
                null));
  }

  @Override
  public Optional<Flow> get(String flowId, int version) {
    Ids.stream(flowId);
    return scope.read(
        c ->
            one(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM flows WHERE tenant_id = ? AND flow_id = ? AND version = ?",
                flowId,
                version));
  }

  /** Reads a flow inside an open transaction (sessions use it to validate params). */
  Optional<Flow> get(Connection c, String flowId, Integer version) throws SQLException {
    return version == null
        ? one(
            c,
            "SELECT "
                + COLUMNS
                + " FROM flows WHERE tenant_id = ? AND flow_id = ? ORDER BY version DESC LIMIT 1",
            flowId,
            null)
        : one(
            c,
            "SELECT " + COLUMNS + " FROM flows WHERE tenant_id = ? AND flow_id = ? AND version = ?",
            flowId,
            version);
  }

  private Optional<Flow> one(Connection c, String sql, String flowId, Integer version)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, scope.tenant().value());
      ps.setString(2, flowId);
      if (version != null) ps.setInt(3, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public List<Flow> list(String afterFlowId, int limit) {
    EventValidation.limit(limit);
    String after = afterFlowId == null ? "" : Ids.stream(afterFlowId);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM flows f WHERE tenant_id = ? AND flow_id > ?"
            + " AND version = (SELECT max(version) FROM flows l WHERE l.tenant_id = f.tenant_id AND l.flow_id = f.flow_id)"
            + " ORDER BY flow_id LIMIT ?";
    return scope.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, scope.tenant().value());
            ps.setString(2, after);
            ps.setInt(3, limit);
            List<Flow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) out.add(map(rs));
            }
            return out;
          }
        });
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
