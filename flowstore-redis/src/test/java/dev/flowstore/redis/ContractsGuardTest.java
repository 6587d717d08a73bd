package dev.flowstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.testkit.FlowstoreTestBase;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * A contract added to flowstore-testkit must not pass Redis by unnoticed: this fails until each
 * Redis entry point runs it or declines it with a reason, naming the contract and the entry point.
 * The contracts come from scanning the testkit, not from a list kept here.
 */
class ContractsGuardTest {
  @Test
  void redisOnSqliteRunsOrDeclinesEveryContract() {
    assertThat(problems(RedisContractsTest.class, RedisContractsTest.NOT_RUN)).isEmpty();
  }

  @Test
  void redisOnPostgresRunsOrDeclinesEveryContract() {
    assertThat(problems(PostgresRedisContractsTest.class, PostgresRedisContractsTest.NOT_RUN))
        .isEmpty();
  }

  /**
   * A contract neither run as a {@code @Nested} class nor declined, and a declined class that is no
   * contract (so a scan that finds nothing fails here too) or is run all the same.
   */
  private static List<String> problems(Class<?> entryPoint, Map<Class<?>, String> notRun) {
    List<Class<?>> nested =
        ReflectionSupport.findNestedClasses(entryPoint, c -> c.isAnnotationPresent(Nested.class));
    List<Class<?>> contracts =
        ReflectionSupport.findAllClassesInPackage(
            FlowstoreTestBase.class.getPackageName(),
            c ->
                Modifier.isAbstract(c.getModifiers())
                    && FlowstoreTestBase.class.isAssignableFrom(c),
            name -> name.endsWith("Contract"));
    String name = entryPoint.getSimpleName();
    Stream<String> missing =
        contracts.stream()
            .filter(c -> !notRun.containsKey(c) && nested.stream().noneMatch(c::isAssignableFrom))
            .map(
                c ->
                    c.getSimpleName()
                        + " is not run by "
                        + name
                        + ": add a @Nested class extending it there, or say why not in its"
                        + " NOT_RUN");
    Stream<String> stale =
        notRun.keySet().stream()
            .filter(c -> !contracts.contains(c) || nested.stream().anyMatch(c::isAssignableFrom))
            .map(c -> name + ".NOT_RUN declines " + c.getSimpleName() + ": no contract, or run");
    return Stream.concat(missing, stale).toList();
  }
}
