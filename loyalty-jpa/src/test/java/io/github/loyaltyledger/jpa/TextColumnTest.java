package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quicktheories.core.Gen;

class TextColumnTest {

  /** Strings made of the characters that matter to the format, plain ones and a few beyond ASCII. */
  static Gen<String> awkwardStrings() {
    String alphabet = "aZ09.-_*%+;=, ~/:é€\u0000\uD83D\uDE00";
    return lists().of(integers().between(0, alphabet.length() - 1)).ofSizeBetween(0, 12).map(picks -> {
      StringBuilder text = new StringBuilder();
      for (int i : picks) {
        char c = alphabet.charAt(i);
        // keep surrogate pairs whole
        if (Character.isHighSurrogate(c) && i + 1 < alphabet.length()) {
          text.append(c).append(alphabet.charAt(i + 1));
        } else if (!Character.isLowSurrogate(c)) {
          text.append(c);
        }
      }
      return text.toString();
    });
  }

  @Nested
  class AList {

    @Test
    void readsBackExactlyWhatWasWritten() {
      qt().withExamples(QtExamples.scaled(500, 10)).forAll(lists().of(awkwardStrings()).ofSizeBetween(0, 6))
          .checkAssert(values -> assertEquals(values, TextColumn.toList(TextColumn.ofList(values))));
    }

    @Test
    void readsEachElementAsTheUrlDecoderDoes() {
      qt().withExamples(QtExamples.scaled(500, 10)).forAll(lists().of(strings().allPossible().ofLengthBetween(0, 8)).ofSizeBetween(0, 4))
          .checkAssert(raw -> {
            // any text without the terminator is a stored element, encoded or not
            List<String> stored = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (String r : raw) {
              String element = r.replace(";", "").replace("%", "%25");
              stored.add(URLDecoder.decode(element, StandardCharsets.UTF_8));
              text.append(element).append(';');
            }
            assertEquals(stored, TextColumn.toList(text.toString()));
          });
    }

    @Test
    void writesEachElementAsTheUrlEncoderDoes() {
      Gen<String> anyText = strings().allPossible().ofLengthBetween(0, 8);
      qt().withExamples(QtExamples.scaled(500, 10)).forAll(lists().of(awkwardStrings().mix(anyText)).ofSizeBetween(0, 4))
          .checkAssert(values -> {
            StringBuilder encoded = new StringBuilder();
            for (String v : values) {
              encoded.append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append(';');
            }
            assertEquals(encoded.toString(), TextColumn.ofList(values));
          });
    }

    @ParameterizedTest(name = "{0} reads as {1} (elements split by ^)")
    @CsvSource(delimiter = '|', value = {
        "BC-00001%3A17;40;     | BC-00001:17^40",
        "a+b;c%2Bd;             | a b^c+d",
        "caf%C3%A9;%E2%82%AC5;  | café^€5",
        "%3B%3D%2C;;            | ;=,^",
        "qualifying.points;120; | qualifying.points^120"})
    void readsTheTextThatEarlierVersionsWrote(String text, String expected) {
      List<String> values = new ArrayList<>();
      for (String v : expected.split("\\^", -1)) {
        values.add(v);
      }
      assertEquals(values, TextColumn.toList(text.strip()));
      assertEquals(text.strip(), TextColumn.ofList(values));
    }

    @Test
    void writesInstantsAndOtherAsciiTextAsTheUrlEncoderDoes() {
      Gen<String> ascii = lists().of(integers().between(0, 0x7f)).ofSizeBetween(0, 10).map(codes -> {
        StringBuilder text = new StringBuilder();
        codes.forEach(c -> text.append((char) c.intValue()));
        return text.toString();
      });
      Gen<String> instants = integers().allPositive().zip(integers().between(0, 999_999_999),
          (seconds, nanos) -> TextColumn.ofInstant(java.time.Instant.ofEpochSecond(-seconds, nanos)));
      qt().withExamples(QtExamples.scaled(500, 10)).forAll(ascii.mix(instants)).checkAssert(value -> {
        assertEquals(URLEncoder.encode(value, StandardCharsets.UTF_8) + ";", TextColumn.ofList(List.of(value)));
        assertEquals(List.of(value), TextColumn.toList(TextColumn.ofList(List.of(value))));
      });
    }

    @ParameterizedTest(name = "{0} reads as the URL decoder reads it, or is refused as it refuses it")
    @CsvSource(delimiter = '|', value = {"1767225600%3A0", "%3a%3A", "%7E%7e+", "%41%42%43", "%00", "%7F",
        "caf%C3%A9", "%E2%82%AC", "%80", "%+5", "%-5", "%G1", "%4", "ab%", "%%41", "a%2", "x%3A%FF"})
    void readsEscapesAsTheUrlDecoderDoes(String element) {
      String expected;
      try {
        expected = URLDecoder.decode(element, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException refused) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> TextColumn.toList(element + ";"));
        return;
      }
      assertEquals(List.of(expected), TextColumn.toList(element + ";"));
    }
  }

  @Nested
  class AMap {

    @Test
    void readsBackExactlyWhatWasWritten() {
      qt().withExamples(QtExamples.scaled(300, 10)).forAll(lists().of(awkwardStrings()).ofSizeBetween(0, 8)).checkAssert(flat -> {
        Map<String, String> values = new TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
          values.put(flat.get(i), flat.get(i + 1));
        }
        assertEquals(values, TextColumn.toMap(TextColumn.ofMap(values)));
      });
    }
  }
}
