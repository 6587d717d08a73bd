package dev.flowstore.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Which failed script calls may have run (OUTCOME_UNKNOWN) and which surely did not. A script whose
 * answer was lost (Redis killed after running it, chaos scenario 1) was reported
 * BACKEND_UNAVAILABLE, and an Idempotency-Key retry then enqueued the batch a second time.
 */
class RedisScriptFailureTest {
  @Test
  void aScriptSentWithoutAnAnswerMayHaveRun() {
    assertThat(RedisCalls.maybeRan(new RedisException("Connection disconnected"))).isTrue();
    assertThat(RedisCalls.maybeRan(new RedisException("Connection closed"))).isTrue();
    assertThat(RedisCalls.maybeRan(new RedisCommandTimeoutException("Command timed out"))).isTrue();
    assertThat(
            RedisCalls.maybeRan(
                new CompletionException(new RedisException("Connection disconnected"))))
        .isTrue();
    // Redis killed with the script in flight (MirrorRedisCrashTest saw it on an ack): Lettuce
    // completes the command with the socket's own exception
    assertThat(RedisCalls.maybeRan(new java.net.SocketException("Connection reset"))).isTrue();
    assertThat(
            RedisCalls.maybeRan(
                new CompletionException(new java.io.IOException("Connection reset by peer"))))
        .isTrue();
  }

  @Test
  void aScriptRejectedBeforeSendingOrRefusedByRedisDidNotRun() {
    assertThat(
            RedisCalls.maybeRan(
                new RedisException("Currently not connected. Commands are rejected.")))
        .isFalse();
    assertThat(RedisCalls.maybeRan(new RedisConnectionException("connection refused"))).isFalse();
    assertThat(RedisCalls.maybeRan(new RedisCommandExecutionException("BUSY script"))).isFalse();
  }
}
