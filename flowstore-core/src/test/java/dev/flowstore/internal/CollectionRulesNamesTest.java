package dev.flowstore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written checks of names and ids match the patterns they stand for. */
class CollectionRulesNamesTest {
  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:@=+-]{0,127}$");

  // every character class of both patterns, their neighbours in ASCII, and a few beyond
  private static final String ALPHABET = "aAzZ09_.:@=+-/ \n~`{[\u00e9\u0130\u212a\u0000";

  private static List<String> samples() {
    List<String> out = new ArrayList<>();
    out.add("");
    for (char a : ALPHABET.toCharArray()) {
      out.add("" + a);
      for (char b : ALPHABET.toCharArray()) {
        out.add("" + a + b);
        for (char c : ALPHABET.toCharArray()) out.add("" + a + b + c);
      }
    }
    for (int n : new int[] {62, 63, 64, 127, 128, 129}) {
      out.add("a".repeat(n));
      out.add("a".repeat(n - 1) + "-");
      out.add("a".repeat(n - 1) + "\n");
    }
    out.add("tickets\n");
    out.add("TKT-123");
    return out;
  }

  @Test
  void namesAreThoseOfThePattern() {
    for (String s : samples())
      assertThat(CollectionRules.isName(s)).as("%s", s).isEqualTo(NAME.matcher(s).matches());
    assertThat(CollectionRules.isName(null)).isFalse();
  }

  @Test
  void idsAreThoseOfThePattern() {
    for (String s : samples())
      assertThat(CollectionRules.isId(s)).as("%s", s).isEqualTo(ID.matcher(s).matches());
    assertThat(CollectionRules.isId(null)).isFalse();
  }
}
