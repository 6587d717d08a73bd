package dev.flowstore.server.internal.cli;

import java.io.Console;
import java.util.Map;

/**
 * The terminal a command runs on, if any: whether it may ask a question (and the answer), and
 * whether its tables may use colour. Tests hand {@link CliContext} a scripted one.
 */
public interface Terminal {
  /** True when stdin and stdout are a terminal a person can answer on. */
  boolean interactive();

  /** Prints {@code question} and reads one line; null when there is no answer (end of input). */
  String ask(String question);

  /** No terminal: nothing is asked, nothing is coloured (pipes, scripts, tests). */
  Terminal NONE =
      new Terminal() {
        @Override
        public boolean interactive() {
          return false;
        }

        @Override
        public String ask(String question) {
          return null;
        }
      };

  /** The process's console, when it has one that is a terminal. */
  static Terminal system() {
    Console console = System.console();
    if (console == null || !isTerminal(console)) return NONE;
    return new Terminal() {
      @Override
      public boolean interactive() {
        return true;
      }

      @Override
      public String ask(String question) {
        return console.readLine("%s", question);
      }
    };
  }

  /**
   * Colour only on an interactive terminal, and never when {@code NO_COLOR} is set (no-color.org)
   * or {@code TERM=dumb}.
   */
  static boolean colour(Terminal terminal, Map<String, String> env) {
    String noColor = env.get("NO_COLOR");
    return terminal.interactive()
        && (noColor == null || noColor.isEmpty())
        && !"dumb".equals(env.get("TERM"));
  }

  /**
   * why reflection: {@code Console.isTerminal()} exists from Java 22 on (where {@code
   * System.console()} may answer a console for a pipe); the build targets 21, where a console is
   * always a terminal.
   */
  private static boolean isTerminal(Console console) {
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
