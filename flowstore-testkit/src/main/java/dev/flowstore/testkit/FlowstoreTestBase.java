package dev.flowstore.testkit;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Opens one store per test class (from {@link #config()}) and closes it after; tests separate their
 * data by using a fresh tenant each ({@link #newTenant()}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FlowstoreTestBase {
  protected Flowstore fs;

  /** The store's clock: it moves only when a test moves it. */
  protected final SettableClock clock = new SettableClock();

  /**
   * The backend under test, e.g. {@code TestBackends.sqliteTemp()} or {@code
   * TestBackends.postgres()}.
   */
  protected abstract FlowstoreConfig config();

  @BeforeAll
  void openStore() {
    fs = Flowstore.open(config(), clock);
  }

  @AfterAll
  void closeStore() {
    if (fs != null) {
      fs.close();
      TestBackends.drop(fs.config());
    }
  }

  protected static TenantId newTenant() {
    return TenantId.of("t" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
  }
}
