package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.testkit.EventStoreContract;
import dev.flowstore.testkit.FlowstoreTestBase;
import dev.flowstore.testkit.QueueContract;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * A contract added to flowstore-testkit runs on no dialect until an entry point names it; this
 * fails until both do, naming the contract and where it goes. The contracts come from scanning the
 * testkit, not from a list kept here, so a new one cannot be forgotten.
 */
class ContractsGuardTest {
  @Test
  void theScanFindsTheTestkitsContracts() {
    assertThat(contracts()).contains(QueueContract.class, EventStoreContract.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(classes = {SqliteContractsTest.class, PostgresContractsTest.class})
  void everyDialectRunsEveryContract(Class<?> entryPoint) {
    List<Class<?>> nested =
        ReflectionSupport.findNestedClasses(entryPoint, c -> c.isAnnotationPresent(Nested.class));
    assertThat(contracts())
        .filteredOn(c -> nested.stream().noneMatch(c::isAssignableFrom))
        .extracting(
            c ->
                c.getSimpleName()
                    + " is not run by "
                    + entryPoint.getSimpleName()
                    + ": add a @Nested class extending it to JdbcContracts (every dialect) or to "
                    + entryPoint.getSimpleName())
        .isEmpty();
  }

  /** Every abstract {@code *Contract} suite of flowstore-testkit (its jar or classes folder). */
  private static List<Class<?>> contracts() {
    return ReflectionSupport.findAllClassesInPackage(
        FlowstoreTestBase.class.getPackageName(),
        c -> Modifier.isAbstract(c.getModifiers()) && FlowstoreTestBase.class.isAssignableFrom(c),
        name -> name.endsWith("Contract"));
  }
}
