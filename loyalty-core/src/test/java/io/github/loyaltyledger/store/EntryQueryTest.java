package io.github.loyaltyledger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.ledger.EntryKind;
import io.vavr.collection.HashSet;
import io.vavr.control.Option;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryQueryTest {

  private static final EntryQuery ANY = EntryQuery.newest(10);

  private static String refusal(Class<? extends RuntimeException> type, Executable call) {
    return assertThrows(type, call).getMessage();
  }

  @Nested
  class Limit {

    @ParameterizedTest
    @ValueSource(ints = {1, EntryQuery.MAX_LIMIT})
    void aLimitAtEitherEndOfItsRangeIsAccepted(int limit) {
      assertEquals(limit, EntryQuery.newest(limit).limit());
      assertEquals(limit, ANY.withLimit(limit).limit());
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, EntryQuery.MAX_LIMIT + 1, Integer.MAX_VALUE})
    void aLimitOutsideItsRangeIsRefusedNamingTheRangeAndTheValue(int limit) {
      String expected = "limit must be 1.." + EntryQuery.MAX_LIMIT + ", was " + limit;
      assertEquals(expected, refusal(IllegalArgumentException.class, () -> EntryQuery.newest(limit)));
      assertEquals(expected, refusal(IllegalArgumentException.class, () -> ANY.withLimit(limit)));
    }
  }

  @Nested
  class Nulls {

    @Test
    void aNullPartIsRefusedNamingIt() {
      assertEquals("kinds", refusal(NullPointerException.class,
          () -> new EntryQuery(null, Option.none(), Option.none(), Option.none(), 10)));
      assertEquals("from", refusal(NullPointerException.class,
          () -> new EntryQuery(HashSet.empty(), null, Option.none(), Option.none(), 10)));
      assertEquals("to", refusal(NullPointerException.class,
          () -> new EntryQuery(HashSet.empty(), Option.none(), null, Option.none(), 10)));
      assertEquals("beforeSequence", refusal(NullPointerException.class,
          () -> new EntryQuery(HashSet.empty(), Option.none(), Option.none(), null, 10)));
      assertEquals("kinds", refusal(NullPointerException.class, () -> ANY.withKinds(null)));
    }

    @Test
    void aNullInsideAPartIsRefusedNamingThePart() {
      assertEquals("kinds holds null", refusal(NullPointerException.class,
          () -> ANY.withKinds(HashSet.of(EntryKind.EARN, null))));
      assertEquals("from holds null", refusal(NullPointerException.class,
          () -> new EntryQuery(HashSet.empty(), Option.some(null), Option.none(), Option.none(), 10)));
      assertEquals("to holds null", refusal(NullPointerException.class,
          () -> new EntryQuery(HashSet.empty(), Option.none(), Option.some(null), Option.none(), 10)));
      assertEquals("beforeSequence holds null", refusal(NullPointerException.class,
          () -> new EntryQuery(HashSet.empty(), Option.none(), Option.none(), Option.some(null), 10)));
      assertThrows(NullPointerException.class, () -> ANY.between(null, Instant.EPOCH));
      assertThrows(NullPointerException.class, () -> ANY.between(Instant.EPOCH, null));
    }
  }

  @Nested
  class Matches {

    @Test
    void anEntryMatchesFromItsStartInclusiveToItsEndExclusiveAndOnlyOfTheKindsAsked() {
      Instant from = Instant.parse("2027-01-01T00:00:00Z");
      Instant to = Instant.parse("2027-02-01T00:00:00Z");
      EntryQuery january = ANY.between(from, to).withKinds(HashSet.of(EntryKind.EARN));
      assertEquals(true, january.matches(EntryKind.EARN, from));
      assertEquals(false, january.matches(EntryKind.EARN, from.minusNanos(1)));
      assertEquals(true, january.matches(EntryKind.EARN, to.minusNanos(1)));
      assertEquals(false, january.matches(EntryKind.EARN, to));
      assertEquals(false, january.matches(EntryKind.BONUS, from));
      assertEquals(true, ANY.matches(EntryKind.BONUS, from), "no kinds means every kind");
    }
  }
}
