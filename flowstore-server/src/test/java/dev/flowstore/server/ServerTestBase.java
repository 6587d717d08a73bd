package dev.flowstore.server;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.testkit.TestBackends;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One real server on a free port over a fresh store per test class, in dev mode (loopback, no API
 * keys). Each backend's subclass only says how to get the store; tests keep apart by unique
 * tenants.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerTestBase {
  static final int MAX_PAYLOAD = 4096;

  Flowstore flowstore;
  FlowstoreServer server;
  Http http;

  /** A fresh, empty store's configuration with {@code extra} keys. */
  abstract FlowstoreConfig newConfig(Map<String, String> extra);

  @BeforeAll
  void start() {
    flowstore =
        Flowstore.open(
            newConfig(Map.of("FLOWSTORE_MAX_PAYLOAD_BYTES", Integer.toString(MAX_PAYLOAD))));
    server = FlowstoreServer.start(flowstore, "127.0.0.1", 0);
    http = new Http(server.uri());
  }

  @AfterAll
  void stop() {
    if (server != null) server.close();
    if (flowstore != null) {
      flowstore.close();
      TestBackends.drop(flowstore.config());
    }
  }

  static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  Http tenant(String tenant) {
    return http.with("X-Tenant-Id", tenant);
  }
}
