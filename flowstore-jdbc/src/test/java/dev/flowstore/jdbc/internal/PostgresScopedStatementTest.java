package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import dev.flowstore.jdbc.PostgresSettings;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A scoped statement (tenant scope + statement in one round trip, one implicit transaction) runs as
 * the application role with the tenant set, and leaves nothing behind on the pooled connection: the
 * DESIGN rule "role and tenant per transaction, SET LOCAL" for the one-round-trip path. One pooled
 * connection, so every call here is on the same physical connection.
 */
class PostgresScopedStatementTest extends FlowstoreTestBase {
  private static final String WHO =
      "SELECT current_user, coalesce(current_setting('app.current_tenant', true), '')";

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.postgres(Map.of("POSTGRES_POOL_MIN", "1", "POSTGRES_POOL_MAX", "1"));
  }

  private JdbcFlowstore jdbc() {
    return (JdbcFlowstore) fs;
  }

  private List<String> who(TenantId tenant, boolean write) {
    Sql sql = new Sql(jdbc().dialect(), WHO);
    Columns.Mapper<String> row = rs -> rs.getString(1) + "/" + rs.getString(2);
    return write ? jdbc().writeStatement(tenant, sql, row) : jdbc().readStatement(tenant, sql, row);
  }

  private String whoOutsideAnyTenant() {
    return jdbc()
        .system(
            c -> {
              try (Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery(WHO)) {
                rs.next();
                return rs.getString(1) + "/" + rs.getString(2);
              }
            });
  }

  @Test
  void runsAsTheAppRoleForItsTenantAndLeavesNothingOnTheConnection() {
    assertThat(jdbc().scopesStatements()).isTrue();
    String role = PostgresSettings.of(fs.config()).appRole();
    String owner = whoOutsideAnyTenant();
    assertThat(owner).doesNotStartWith(role + "/").endsWith("/");
    for (boolean write : new boolean[] {true, false}) {
      TenantId tenant = newTenant();
      assertThat(who(tenant, write)).containsExactly(role + "/" + tenant.value());
      assertThat(whoOutsideAnyTenant()).as("after the scoped statement").isEqualTo(owner);
    }
  }

  @Test
  void aFailingScopedStatementRollsBackAndLeavesNothingOnTheConnection() {
    String owner = whoOutsideAnyTenant();
    TenantId tenant = newTenant();
    assertThatThrownBy(
            () ->
                jdbc()
                    .writeStatement(
                        tenant,
                        new Sql(
                            jdbc().dialect(),
                            "INSERT INTO event_feed_heads (tenant_id, last_position) VALUES (?, 1), (?, 2)",
                            tenant.value(),
                            tenant.value()),
                        rs -> null))
        .isInstanceOf(FlowstoreException.class);
    assertThat(whoOutsideAnyTenant()).isEqualTo(owner);
    assertThat(
            jdbc()
                .readStatement(
                    tenant,
                    new Sql(
                        jdbc().dialect(),
                        "SELECT count(*) FROM event_feed_heads WHERE tenant_id = ?",
                        tenant.value()),
                    rs -> rs.getLong(1)))
        .containsExactly(0L);
  }
}
