package io.github.loyaltyledger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CounterChangeTest {

  @ParameterizedTest
  @ValueSource(ints = {1, CounterChange.MAX_KEY_LENGTH})
  void aKeyAtEitherEndOfItsLengthIsAccepted(int length) {
    assertEquals(length, new CounterChange("k".repeat(length), 0, 1).key().length());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n"})
  void aBlankKeyIsRefusedNamingIt(String key) {
    String message = assertThrows(IllegalArgumentException.class, () -> new CounterChange(key, 0, 1)).getMessage();
    assertEquals("counter key must be 1 to 200 characters and not blank, was '" + key + "'", message);
  }

  @ParameterizedTest
  @ValueSource(ints = {CounterChange.MAX_KEY_LENGTH + 1, 1000})
  void aKeyOverTheLongestIsRefusedSayingHowLongItWas(int length) {
    String key = "k".repeat(length);
    String message = assertThrows(IllegalArgumentException.class, () -> new CounterChange(key, 0, 1)).getMessage();
    assertEquals("counter key must be 1 to 200 characters and not blank, was " + length + " characters: '"
        + key + "'", message);
  }
}
