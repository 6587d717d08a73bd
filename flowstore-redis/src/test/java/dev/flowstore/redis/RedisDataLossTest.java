package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.redis.internal.RedisQueueBackend;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.TestBackends;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A Redis that lost its data (restart without persistence, simulated by FLUSHDB of this class's own
 * database index) is noticed: the store turns not-ready with a log line, instead of carrying on as
 * if the queues were simply empty.
 */
class RedisDataLossTest extends FlowstoreTestBase {
  private static final int DB = 14;

  @Override
  protected FlowstoreConfig config() {
    return TestBackends.sqliteWithRedisQueue(DB);
  }

  @AfterAll
  void dropKeys() {
    RedisTestKeys.deleteAll(DB);
  }

  private static void redis(
      java.util.function.Consumer<StatefulRedisConnection<String, String>> f) {
    RedisClient client = RedisClient.create(TestBackends.redisDsn(DB));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      f.accept(c);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aWipedRedisTurnsTheStoreNotReadyWithALogLineUntilTheOperatorResetsTheMarker() {
    Queue q = fs.queue(newTenant());
    q.enqueue(NewJob.of("lost", "work", JsonNodeFactory.instance.objectNode()));
    fs.checkReady();
    Logger logger = (Logger) LoggerFactory.getLogger(RedisQueueBackend.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      redis(c -> c.sync().flushdb()); // this class's own database only
      assertThatThrownBy(fs::checkReady)
          .isInstanceOfSatisfying(
              FlowstoreException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
                assertThat(e.getMessage()).contains("lost its data");
              });
      assertThatThrownBy(fs::checkReady).isInstanceOf(FlowstoreException.class);
      assertThat(logs.list)
          .as("one error line, not one per probe")
          .filteredOn(e -> e.getFormattedMessage().contains("Redis lost flowstore's queue data"))
          .hasSize(1);
      // the operator re-publishes from the SQL state, then re-sets the marker the log line names
      String line = logs.list.get(0).getFormattedMessage();
      Matcher m = Pattern.compile("SET (\\S+) (\\S+)$").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      redis(c -> c.sync().set(m.group(1), m.group(2)));
      fs.checkReady();
      assertThat(q.stats()).as("the queue data is gone: recovery re-publishes it").isEmpty();
    } finally {
      logger.detachAppender(logs);
    }
  }
}
