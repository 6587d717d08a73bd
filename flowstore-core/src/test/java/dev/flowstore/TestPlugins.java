package dev.flowstore;

import dev.flowstore.spi.CacheHost;
import dev.flowstore.spi.CacheProvider;
import dev.flowstore.spi.ConfigSection;
import dev.flowstore.spi.QueueBackend;
import dev.flowstore.spi.QueueHost;
import dev.flowstore.spi.QueueProvider;
import dev.flowstore.spi.SessionCache;
import dev.flowstore.spi.StorageProvider;
import java.time.Clock;
import java.util.Set;

/**
 * Plug-ins of core's tests, registered in src/test/resources/META-INF/services: core ships no
 * backend, so these are the only names its configuration accepts. None of them opens anything.
 */
public final class TestPlugins {
  private TestPlugins() {}

  /** A store backend that opens nothing. */
  abstract static class Store implements StorageProvider {
    private final String name;

    Store(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Flowstore open(FlowstoreConfig config, Clock clock) {
      throw new UnsupportedOperationException("a test plug-in");
    }
  }

  /** A store backend named {@code memory}. */
  public static final class Memory extends Store {
    public Memory() {
      super("memory");
    }
  }

  /** A second store backend, {@code disk}, whose queue a {@code memory} store cannot use. */
  public static final class Disk extends Store {
    public Disk() {
      super("disk");
    }
  }

  /** A queue backend named {@code broker}. */
  public static final class Broker implements QueueProvider {
    @Override
    public String name() {
      return "broker";
    }

    @Override
    public QueueBackend open(QueueHost host) {
      throw new UnsupportedOperationException("a test plug-in");
    }
  }

  /** A cache named {@code memo}. */
  public static final class Memo implements CacheProvider {
    @Override
    public String name() {
      return "memo";
    }

    @Override
    public SessionCache open(CacheHost host) {
      throw new UnsupportedOperationException("a test plug-in");
    }
  }

  /**
   * The settings of the {@code broker} plug-in: keys core has never heard of.
   *
   * @param url {@code BROKER_URL}, required when the broker is selected
   * @param limit {@code BROKER_LIMIT}, 1..100 (default 10)
   */
  public record BrokerSettings(String url, int limit) {}

  /** The section that declares and parses {@link BrokerSettings}. */
  public static final class BrokerSection implements ConfigSection {
    @Override
    public Set<String> keys() {
      return Set.of("BROKER_URL", "BROKER_LIMIT");
    }

    @Override
    public BrokerSettings parse(FlowstoreConfig.Values in) {
      String url = in.text("BROKER_URL", null);
      String selectedBy = in.selectedBy("broker");
      if (url == null && selectedBy != null) {
        throw ConfigSection.invalid("BROKER_URL", "required when " + selectedBy + "=broker");
      }
      return new BrokerSettings(url, in.integer("BROKER_LIMIT", 10, 1, 100));
    }
  }
}
