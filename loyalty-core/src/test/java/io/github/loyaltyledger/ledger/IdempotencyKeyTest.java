package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {

  static String refusal(String value) {
    return assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.of(value)).getMessage();
  }

  @Nested
  class Length {

    @Test
    void aKeyOfOneCharacterOrOfExactly128IsAccepted() {
      assertEquals("T", IdempotencyKey.of("T").value());
      String longest = "k".repeat(128);
      assertEquals(longest, IdempotencyKey.of(longest).value());
      assertEquals(longest, IdempotencyKey.of(longest).toString());
    }

    @Test
    void aKeyOf129CharactersIsRefusedSayingHowLongItWas() {
      assertEquals("idempotency key must be 1 to 128 characters, was 129", refusal("k".repeat(129)));
    }

    @Test
    void anEmptyKeyIsRefusedSayingHowLongItWas() {
      assertEquals("idempotency key must be 1 to 128 characters, was 0", refusal(""));
    }

    @Test
    void charactersOutsideTheBasicPlaneCountAsTheTwoUtf16UnitsTheyTake() {
      // 64 emoji are 128 UTF-16 units, the most a store column keeps; one more unit is refused.
      String emoji = "\uD83C\uDF70".repeat(64);
      assertEquals(emoji, IdempotencyKey.of(emoji).value());
      assertEquals("idempotency key must be 1 to 128 characters, was 129", refusal(emoji + "k"));
    }
  }

  @Nested
  class Characters {

    @Test
    void aNullKeyIsAProgrammingErrorNamingTheArgument() {
      assertEquals("value", assertThrows(NullPointerException.class, () -> IdempotencyKey.of(null)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "   ", "\t", "\u2003"})
    void aBlankKeyIsRefusedAsBlank(String blank) {
      assertEquals("idempotency key must not be blank", refusal(blank));
    }

    @ParameterizedTest
    @ValueSource(strings = {" T-1", "T-1 ", "\tT-1", "T-1\u3000"})
    void surroundingWhiteSpaceIsRefusedQuotingTheKey(String key) {
      assertEquals("idempotency key must not have surrounding white space: '" + key + "'", refusal(key));
    }

    @Test
    void whiteSpaceInsideTheKeyIsKept() {
      assertEquals("till 4 / 1001", IdempotencyKey.of("till 4 / 1001").value());
    }

    @Test
    void aControlCharacterIsRefusedNamingItsCodeAndIndexRatherThanPrintingIt() {
      assertEquals("idempotency key must not have control characters, found U+0000 at index 3 of 'T-1?2'",
          refusal("T-1\u00002"));
      assertEquals("idempotency key must not have control characters, found U+001B at index 0 of '?[2J'",
          refusal("\u001B[2J"));
      assertEquals("idempotency key must not have control characters, found U+0085 at index 1 of 'T?x'",
          refusal("T\u0085x"));
      String message = refusal("T-1\n2");
      assertEquals("idempotency key must not have control characters, found U+000A at index 3 of 'T-1?2'", message);
      assertFalse(message.contains("\n"), "the message stays on one line");
    }

    @Test
    void anUnpairedSurrogateIsRefusedNamingItsIndex() {
      assertEquals("idempotency key must not have an unpaired UTF-16 surrogate, found one at index 1",
          refusal("T\uD83C-1"));
      assertEquals("idempotency key must not have an unpaired UTF-16 surrogate, found one at index 2",
          refusal("T-\uDF70"));
      assertEquals("idempotency key must not have an unpaired UTF-16 surrogate, found one at index 127",
          refusal("k".repeat(127) + "\uD83C"));
    }

    @Test
    void aSurrogatePairIsAccepted() {
      assertEquals("order-\uD83C\uDF70", IdempotencyKey.of("order-\uD83C\uDF70").value());
    }
  }

  @Test
  void keysAreEqualByTheirTextOnly() {
    assertEquals(IdempotencyKey.of("pos-1"), IdempotencyKey.of("pos-1"));
    assertEquals(IdempotencyKey.of("pos-1").hashCode(), IdempotencyKey.of("pos-1").hashCode());
    assertFalse(IdempotencyKey.of("pos-1").equals(IdempotencyKey.of("POS-1")), "keys are case-sensitive");
    assertTrue(IdempotencyKey.of("pos-1").equals(new IdempotencyKey("pos-1")));
  }
}
