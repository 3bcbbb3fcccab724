package io.github.loyaltyledger.insight;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WritersTest {

  @Nested
  class Json {

    @Test
    void controlCharactersBackslashesAndLineSeparatorsAreEscaped() {
      String text = "a\\b\"c\u0001\t\u2028\u2029é";
      assertEquals("{\"k\":\"a\\\\b\\\"c\\u0001\\t\\u2028\\u2029é\",\"n\":[1,true,null],\"e\":{}}",
          new JsonWriter().beginObject().field("k", text).name("n").beginArray().value(1).value(true).nullValue()
              .endArray().name("e").beginObject().endObject().endObject().toString());
    }
  }

  @Nested
  class Csv {

    @ParameterizedTest(name = "[{0}] is written [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "plain            | plain",
      "`a,b`            | `\"a,b\"`",
      "`say \"hi\"`     | `\"say \"\"hi\"\"\"`",
      "`=SUM(A1)`       | `'=SUM(A1)`",
      "`+1`             | `'+1`",
      "`@cmd`           | `'@cmd`",
      "`-2, said she`   | `\"'-2, said she\"`"})
    void fieldsAreQuotedWhenNeededAndFormulaeDefused(String field, String written) {
      assertEquals(written, CsvWriter.escape(field));
    }

    @Test
    void aFieldStartingWithATabOrACarriageReturnIsDefusedLikeAFormula() {
      assertEquals("'\t=1+2", CsvWriter.escape("\t=1+2"));
      assertEquals("\"'\r=1+2\"", CsvWriter.escape("\r=1+2"), "OWASP lists both as formula triggers");
    }

    @Test
    void numbersAreWrittenAsTheyAreAndRecordsEndWithCrLf() {
      assertEquals("-5,x\r\n", new CsvWriter().row(-5L, "x").toString());
    }
  }
}
