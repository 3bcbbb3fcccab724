package io.github.loyaltyledger.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class MemberIdTest {

  /** The documented form, as a regular expression: the model the validation must agree with. */
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");

  /** Characters near and inside the allowed ranges, and a few far outside them. */
  private static final String ALPHABET = "AZaz09._:@-/`{[^ \t\u00e9\u0100\u4e2d@?>=,+*)(";

  private static Gen<String> texts() {
    Gen<Character> chars = integers().between(0, ALPHABET.length() - 1).map(ALPHABET::charAt);
    Gen<Character> lettersMostly = integers().between(0, 9).zip(chars, integers().between(0, 25),
        (pick, odd, letter) -> pick < 8 ? (char) ('a' + letter) : odd);
    return lists().of(lettersMostly).ofSizeBetween(0, 70).map(list -> {
      StringBuilder text = new StringBuilder();
      list.forEach(text::append);
      return text.toString();
    });
  }

  @Test
  void anIdIsAcceptedExactlyWhenItMatchesTheDocumentedForm() {
    qt().withExamples(5_000).forAll(texts()).checkAssert(text -> {
      boolean matches = FORM.matcher(text).matches();
      boolean accepted;
      try {
        accepted = MemberId.of(text).value().equals(text);
      } catch (IllegalArgumentException refused) {
        accepted = false;
      }
      assertEquals(matches, accepted, () -> "'" + text + "'");
    });
  }

  @Test
  void theBoundsAreOneAndSixtyFourCharacters() {
    assertEquals("a", MemberId.of("a").value());
    assertEquals(64, MemberId.of("x".repeat(64)).value().length());
    assertThrows(IllegalArgumentException.class, () -> MemberId.of(""));
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> MemberId.of("x".repeat(65)));
    assertEquals("member id must be 1 to 64 letters, digits or '-_.:@', was '" + "x".repeat(65) + "'", tooLong.getMessage());
  }
}
