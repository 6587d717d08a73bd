package dev.flowstore.chaos;

import java.util.List;

/**
 * One fault-injection scenario of {@code ./chaos}: it drives real servers and databases, injects
 * its faults, checks the outcome with a checker of its own and reports figures. A scenario never
 * throws for a failed check: it returns a {@link Figure} whose {@code ok} is false and whose result
 * says what broke (an exception means the harness itself could not run it).
 */
public interface Scenario {
  /** Its number in docs/reliability.md (1..8). */
  int number();

  /** A short name, e.g. "queue under crashes". */
  String name();

  /** Runs it; one figure per variant (e.g. per backend). */
  List<Figure> run(ChaosSettings settings) throws Exception;
}
