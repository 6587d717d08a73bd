package dev.flowstore.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Dependencies point inward: server -> jdbc -> core. Core knows no JDBC, HTTP, pool or migration
 * tool.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchitectureTest {
  private static final String[] CORE = {
    "dev.flowstore", "dev.flowstore.internal..", "dev.flowstore.spi..", "dev.flowstore.archive.."
  };
  private JavaClasses classes;

  @BeforeAll
  void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.flowstore");
  }

  // why: String.toLowerCase() follows the JVM's default locale; on a Turkish-locale JVM "FAILED"
  // becomes "faıled" (dotless i), which once went into stored event types and HTTP answers
  @Test
  void caseIsChangedOnlyWithAnExplicitLocale() {
    noClasses()
        .should()
        .callMethod(String.class, "toLowerCase")
        .orShould()
        .callMethod(String.class, "toUpperCase")
        .because("the default locale changes the result: use toLowerCase(Locale.ROOT)")
        .check(classes);
  }

  @Test
  void coreDependsOnNoOtherModuleOfOurs() {
    noClasses()
        .that()
        .resideInAnyPackage(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.flowstore.jdbc..", "dev.flowstore.server..", "dev.flowstore.testkit..")
        .check(classes);
  }

  @Test
  void coreUsesNoJdbcHttpPoolOrMigrationLibrary() {
    noClasses()
        .that()
        .resideInAnyPackage(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..",
            "javax.sql..",
            "io.javalin..",
            "org.eclipse.jetty..",
            "com.zaxxer..",
            "org.flywaydb..",
            "org.postgresql..",
            "org.sqlite..",
            "picocli..")
        .check(classes);
  }

  @Test
  void backendsDoNotDependOnTheServer() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.flowstore.jdbc..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.flowstore.server..", "io.javalin..", "picocli..")
        .check(classes);
  }

  @Test
  void theServerUsesBackendsOnlyThroughTheCoreApi() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.flowstore.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.flowstore.jdbc..")
        .check(classes);
  }
}
