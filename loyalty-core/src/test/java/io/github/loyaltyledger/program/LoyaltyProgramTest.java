package io.github.loyaltyledger.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vavr.control.Option;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoyaltyProgramTest {

  static LoyaltyProgram.Builder aProgram() {
    return LoyaltyProgram.builder("bean-club");
  }

  @Nested
  class ExpiryNotices {

    @ParameterizedTest(name = "{0} days ahead")
    @ValueSource(ints = {0, 1, 366})
    void noticesFromNoneUpToAYearAndADayAheadAreAccepted(int days) {
      assertEquals(days, aProgram().expiryNoticeDays(days).build().expiryNoticeDays());
    }

    @ParameterizedTest(name = "{0} days ahead")
    @ValueSource(ints = {-1, 367})
    void noticesOutsideNoneToAYearAndADayAheadAreRefusedNamingTheValue(int days) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> aProgram().expiryNoticeDays(days).build());
      assertEquals("expiry notice days must be 0..366, was " + days, e.getMessage());
    }
  }

  /**
   * {@code Option.some(null)} passes a null check of the option; the program is refused when built,
   * naming the option, rather than failing later in the daily run.
   */
  @Nested
  class OptionsHoldingNull {

    @Test
    void anInactivityExpiryOfSomeNullIsRefusedNamingIt() {
      assertEquals("inactivityExpiry holds null", assertThrows(NullPointerException.class,
          () -> aProgram().inactivityExpiry(Option.some(null)).build()).getMessage());
    }

    @Test
    void aBirthdayRuleOfSomeNullIsRefusedNamingIt() {
      assertEquals("birthdayRule holds null", assertThrows(NullPointerException.class,
          () -> aProgram().birthdayRule(Option.some(null)).build()).getMessage());
    }

    @Test
    void anAnniversaryRuleOfSomeNullIsRefusedNamingIt() {
      assertEquals("anniversaryRule holds null", assertThrows(NullPointerException.class,
          () -> aProgram().anniversaryRule(Option.some(null)).build()).getMessage());
    }

    @Test
    void aTierLadderOfSomeNullGivenToTheBuilderIsRefusedNamingIt() {
      assertEquals("tierLadder holds null", assertThrows(NullPointerException.class,
          () -> aProgram().tierLadder(Option.some(null)).build()).getMessage());
    }

    @Test
    void aTierLadderOfSomeNullIsRefusedNamingIt() {
      LoyaltyProgram valid = aProgram().build();
      assertEquals("tierLadder holds null", assertThrows(NullPointerException.class,
          () -> new LoyaltyProgram(valid.id(), valid.version(), valid.currency(), valid.zone(),
              valid.negativeBalancePolicy(), Option.some(null), valid.lotExpiry(), valid.inactivityExpiry(),
              valid.birthdayRule(), valid.anniversaryRule(), valid.expiryNoticeDays(), valid.earnRules(),
              valid.rewards())).getMessage());
    }
  }
}
