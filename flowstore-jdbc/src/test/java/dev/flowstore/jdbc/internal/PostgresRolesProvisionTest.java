package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.jdbc.PostgresDsn;
import dev.flowstore.testkit.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Servers that start together on one database provision the app role at the same time; every one of
 * them must start. PostgreSQL refuses concurrent GRANTs on the same tables ("tuple concurrently
 * updated"), which made one of chaos scenario 2's three instances exit at start.
 */
class PostgresRolesProvisionTest {
  @Test
  void serversProvisioningAtOnceAllSucceed() throws Exception {
    PostgresDsn dsn = PostgresDsn.parse(TestBackends.postgresDsn());
    String run = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    String schema = "prov_" + run.toLowerCase(Locale.ROOT);
    String role = "prov_app_" + run.toLowerCase(Locale.ROOT);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(dsn.jdbcUrl());
    ds.setUser(dsn.user());
    if (dsn.password() != null) ds.setPassword(dsn.password());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
      for (int i = 0; i < 40; i++) s.execute("CREATE TABLE " + schema + ".t" + i + " (id int)");
      // the tables provisioning withholds privileges on must exist, as after the migrations
      for (String t : PostgresRoles.WITHHELD.keySet())
        s.execute("CREATE TABLE " + schema + "." + t + " (id int)");
    }
    try {
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      for (int round = 0; round < 5; round++) {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> servers = new ArrayList<>();
        for (int i = 0; i < 6; i++)
          servers.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          go.await();
                          PostgresRoles.provision(ds, schema, role);
                        } catch (Throwable t) {
                          failures.add(t);
                        }
                      }));
        go.countDown();
        for (Thread t : servers) t.join();
      }
      assertThat(failures).isEmpty();
    } finally {
      try (Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.user(), dsn.password());
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
        s.execute("REVOKE " + role + " FROM CURRENT_USER");
        s.execute("DROP ROLE IF EXISTS " + role);
      } catch (SQLException ignored) {
        // best effort
      }
    }
  }
}
