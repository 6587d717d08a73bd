package dev.flowstore.server;

import dev.flowstore.ApiKeys;
import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Maintenance;
import dev.flowstore.TenantId;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A Flowstore whose behaviour a test sets, for failures a real backend cannot be made to show on
 * cue. A dynamic proxy, so the Flowstore interface can grow without breaking it: methods the server
 * does not use throw.
 */
final class StubFlowstore {
  Runnable readiness = () -> {};
  Function<TenantId, EventStore> events =
      t -> {
        throw new UnsupportedOperationException("no event store in this stub");
      };
  final List<ApiKeys.Info> keys = new CopyOnWriteArrayList<>();

  Flowstore flowstore() {
    return (Flowstore)
        Proxy.newProxyInstance(
            Flowstore.class.getClassLoader(),
            new Class<?>[] {Flowstore.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "events" -> events.apply((TenantId) args[0]);
                  case "apiKeys" -> apiKeys();
                  case "maintenance" -> maintenance();
                  case "checkReady" -> {
                    readiness.run();
                    yield null;
                  }
                  case "describe" -> "stub";
                  case "metrics", "gauges", "histograms" -> List.of();
                  case "config" -> FlowstoreConfig.fromMap(Map.of());
                  case "close", "migrate" -> null;
                  case "toString" -> "StubFlowstore";
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default ->
                      throw new UnsupportedOperationException(method.getName() + " is not stubbed");
                });
  }

  /** Never frozen. */
  static Maintenance maintenance() {
    return new Maintenance() {
      @Override
      public State state() {
        return State.OFF;
      }

      @Override
      public State enable(String reason) {
        throw new UnsupportedOperationException("the stub is never frozen");
      }

      @Override
      public State disable() {
        return State.OFF;
      }
    };
  }

  ApiKeys apiKeys() {
    return new ApiKeys() {
      @Override
      public Created create(TenantId tenant, String name, Scope scope) {
        keys.add(new Info("k" + keys.size(), tenant, name, Instant.EPOCH, scope));
        return new Created("k" + (keys.size() - 1), tenant, "secret-" + tenant);
      }

      @Override
      public Optional<Principal> identify(String secret) {
        return keys.stream()
            .filter(k -> secret.equals("secret-" + k.tenant()))
            .map(k -> new Principal(k.keyId(), k.tenant(), k.scope()))
            .findFirst();
      }

      @Override
      public boolean any() {
        return !keys.isEmpty();
      }

      @Override
      public List<Info> list(TenantId tenant) {
        return keys.stream().filter(k -> k.tenant().equals(tenant)).toList();
      }

      @Override
      public boolean revoke(TenantId tenant, String keyId) {
        return keys.removeIf(k -> k.tenant().equals(tenant) && k.keyId().equals(keyId));
      }
    };
  }
}
