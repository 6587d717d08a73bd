package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.ErrorCode;
import dev.flowstore.EventStore;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.TestBackends;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A POST with an Idempotency-Key whose write ends OUTCOME_UNKNOWN (the commit may have happened):
 * the key must not be released, or the client's retry with the same key runs the write a second
 * time. Here the append really commits and then reports OUTCOME_UNKNOWN, as a connection lost
 * during COMMIT does; the retry must get the same answer replayed and the stream must hold one
 * event.
 */
class IdempotencyOutcomeUnknownTest {
  private Flowstore real;
  private FlowstoreServer server;
  private Http http;
  private final AtomicInteger appends = new AtomicInteger();

  @BeforeEach
  void start() {
    real = Flowstore.open(TestBackends.sqliteTemp());
    Flowstore wrapped =
        (Flowstore)
            Proxy.newProxyInstance(
                Flowstore.class.getClassLoader(),
                new Class<?>[] {Flowstore.class},
                (proxy, method, args) -> {
                  Object out = invoke(real, method, args);
                  return method.getName().equals("events")
                      ? committedButUnknown((EventStore) out)
                      : out;
                });
    server = FlowstoreServer.start(wrapped, "127.0.0.1", 0);
    http = new Http(server.uri());
  }

  private EventStore committedButUnknown(EventStore events) {
    return (EventStore)
        Proxy.newProxyInstance(
            EventStore.class.getClassLoader(),
            new Class<?>[] {EventStore.class},
            (proxy, method, args) -> {
              Object out = invoke(events, method, args);
              if (method.getName().equals("append")) {
                appends.incrementAndGet();
                throw new FlowstoreException(
                    ErrorCode.OUTCOME_UNKNOWN,
                    "the commit did not answer: the write may or may not be stored; read before retrying it");
              }
              return out;
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @AfterEach
  void stop() {
    server.close();
    real.close();
  }

  @Test
  void aRetryWithTheSameKeyGetsTheUnknownAnswerReplayedInsteadOfWritingAgain() {
    String body = "{\"expected_version\":\"any\",\"events\":[{\"type\":\"paid\",\"payload\":{}}]}";
    Http.Response first = http.post("/v1/streams/order-1/events", body, "Idempotency-Key", "k-1");
    assertThat(first.status()).isEqualTo(503);
    assertThat(first.json().at("/error/code").asText()).isEqualTo("OUTCOME_UNKNOWN");
    Http.Response retry = http.post("/v1/streams/order-1/events", body, "Idempotency-Key", "k-1");
    assertThat(retry.status()).isEqualTo(503);
    assertThat(retry.json().at("/error/code").asText()).isEqualTo("OUTCOME_UNKNOWN");
    assertThat(appends.get()).as("the append ran once").isEqualTo(1);
    assertThat(real.events(TenantId.DEFAULT).streamVersion("order-1")).isEqualTo(0);
  }
}
