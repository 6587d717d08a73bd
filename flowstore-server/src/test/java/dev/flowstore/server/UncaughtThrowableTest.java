package dev.flowstore.server;

import static dev.flowstore.server.HttpApiContract.assertBad;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flowstore.server.internal.http.ErrorResponses;
import dev.flowstore.server.internal.http.TraceIds;
import io.javalin.Javalin;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Throwables that are not Exceptions (a NoClassDefFoundError from a broken classpath, an
 * AssertionError) get the same answer as any bug: 500 INTERNAL with the JSON error body and trace
 * id, and the throwable in the log under that trace id, whether a handler or a filter threw it.
 */
class UncaughtThrowableTest {
  final ListAppender<ILoggingEvent> log = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(ErrorResponses.class);

  @BeforeEach
  void captureLog() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    logger.detachAppender(log);
  }

  @Test
  void anErrorInAHandlerOfTheServerIsA500WithTheErrorBodyAndALogLine() {
    StubFlowstore stub = new StubFlowstore();
    stub.events =
        t -> {
          throw new NoClassDefFoundError("com/fasterxml/jackson/dataformat/yaml/YAMLMapper");
        };
    try (FlowstoreServer server = FlowstoreServer.start(stub.flowstore(), "127.0.0.1", 0)) {
      Http.Response r = new Http(server.uri()).get("/v1/events", "X-Trace-Id", "err-1");
      assertBad(r, 500, "INTERNAL");
      assertThat(r.text()).contains("err-1").doesNotContain("YAMLMapper");
      assertLogged("err-1", NoClassDefFoundError.class);
    }
  }

  @Test
  void errorsInBeforeFiltersHandlersAndAfterFiltersAllGetTheErrorBody() {
    AtomicBoolean handlerRan = new AtomicBoolean();
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.host = "127.0.0.1";
              config.jetty.port = 0;
              config.routes.before(TraceIds::of);
              config.routes.before(
                  "/before",
                  ctx -> {
                    throw new AssertionError("before filter");
                  });
              config.routes.get("/before", ctx -> handlerRan.set(true));
              config.routes.get(
                  "/handler",
                  ctx -> {
                    throw new StackOverflowError("handler");
                  });
              config.routes.get("/after", ctx -> ctx.result("fine"));
              // why: Javalin writes a result stream after every handler and filter ran, outside
              // the wrapper; its own Error handler is the backstop there
              config.routes.get(
                  "/result",
                  ctx ->
                      ctx.result(
                          new java.io.InputStream() {
                            @Override
                            public int read() {
                              throw new NoClassDefFoundError("late");
                            }
                          }));
              config.routes.after(
                  "/after",
                  ctx -> {
                    throw new LinkageError("after filter");
                  });
              ErrorResponses.register(config);
            });
    app.start();
    try {
      Http http = new Http(URI.create("http://127.0.0.1:" + app.port()));
      assertBad(http.get("/before", "X-Trace-Id", "before-1"), 500, "INTERNAL");
      assertThat(handlerRan).as("a failed before filter skips the handler").isFalse();
      assertLogged("before-1", AssertionError.class);
      assertBad(http.get("/handler", "X-Trace-Id", "handler-1"), 500, "INTERNAL");
      assertLogged("handler-1", StackOverflowError.class);
      assertBad(http.get("/after", "X-Trace-Id", "after-1"), 500, "INTERNAL");
      assertLogged("after-1", LinkageError.class);
      assertBad(http.get("/result", "X-Trace-Id", "result-1"), 500, "INTERNAL");
      assertLogged("result-1", NoClassDefFoundError.class);
    } finally {
      app.stop();
    }
  }

  private void assertLogged(String trace, Class<? extends Throwable> type) {
    assertThat(log.list)
        .as("an ERROR line with trace %s and the %s", trace, type.getSimpleName())
        .anySatisfy(
            e -> {
              assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
              assertThat(e.getFormattedMessage()).contains(trace);
              assertThat(e.getThrowableProxy().getClassName()).isEqualTo(type.getName());
            });
  }
}
