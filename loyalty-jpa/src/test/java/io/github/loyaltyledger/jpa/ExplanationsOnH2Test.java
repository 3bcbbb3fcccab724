package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.BasketThreshold;
import io.github.loyaltyledger.earning.CapPeriod;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EarnContext;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.EarnRule;
import io.github.loyaltyledger.earning.Evaluation;
import io.github.loyaltyledger.earning.EventAward;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.EntryQuery;
import io.vavr.collection.List;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Why did I get these points?" answered from entries read back from an H2 file, across versions, refunds and erasure. */
class ExplanationsOnH2Test {

  private final MemberId ada = member("ada");
  private final MemberId bob = member("bob");

  /** A plugin whose texts hold every character the details' encoding escapes. */
  static EarnRule oddTexts() {
    return new EarnRule() {
      @Override
      public String id() {
        return "odd.texts_1";
      }

      @Override
      public String description() {
        return "50% off; café ☕\nnext line";
      }

      @Override
      public RuleTerms terms() {
        return RuleTerms.DEFAULT.asBonus().vestingAfter(Duration.ofDays(3)).expiringAfter(Period.ofMonths(2));
      }

      @Override
      public Evaluation evaluate(EarnContext context) {
        return context.purchase().isDefined() ? Evaluation.award(7, "a;b%3B %25 ☕")
            : Evaluation.notMet("what; %", "an event ☕", "a purchase;");
      }
    };
  }

  @Test
  void theBreakdownReadBackFromTheDatabaseEqualsTheQuoteAcrossVersionsRefundsAndErasure(@TempDir Path dir) {
    TestClock clock = TestClock.at("2026-03-01T12:00:00Z");
    LoyaltyProgram v1 = LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(
        BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100).cappedPerTransaction(40)),
        BasketThreshold.of("fifty", Fixtures.eur("50.00"), 100).with(RuleTerms.DEFAULT.asBonus().budget(150)),
        oddTexts(), EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40).with(RuleTerms.DEFAULT.asBonus()
            .limitedTo(1, CapPeriod.DAY)))).build();
    Purchase first = Fixtures.aPurchaseOf(ada, "62.40", key("pos-1"));
    CustomEvent referral = CustomEvent.referral(ada, bob, key("ref-1"), clock.instant(), Channel.app());
    EarnQuote quotedPurchase;
    EarnQuote quotedEvent;
    EarnQuote quotedLater;
    try (JpaLedgerStore store = TestDatabase.h2File(dir.resolve("ledger")).open()) {
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, v1);
      accepted(loyalty.enrol(Enrolment.of(ada, key("enrol-ada"))));
      accepted(loyalty.enrol(Enrolment.of(bob, key("enrol-bob"))));
      quotedPurchase = accepted(loyalty.quote(first));
      accepted(loyalty.earn(first));
      quotedEvent = accepted(loyalty.quote(referral));
      accepted(loyalty.earn(referral));
      Loyalty v2 = Fixtures.aLoyalty(store, clock, v1.toBuilder().earnRules(RuleBook.of(BaseRate.of("base", "2"))).build());
      Purchase later = Fixtures.aPurchaseOf(ada, "10.00", key("pos-2"));
      quotedLater = accepted(v2.quote(later));
      accepted(v2.earn(later));
      accepted(v2.refund(Refund.ofAmount(key("pos-1"), key("ret-1"), Fixtures.eur("30.00"))));
      accepted(v2.erase(ada, key("erase-ada")));
    }
    try (JpaLedgerStore store = TestDatabase.h2File(dir.resolve("ledger")).open()) {
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, v1);
      List<Entry> history = accepted(loyalty.history(ada, EntryQuery.newest(100))).entries();
      for (EarnQuote quoted : List.of(quotedPurchase, quotedEvent, quotedLater)) {
        IdempotencyKey k = quoted.transaction();
        assertEquals(quoted, EarnQuote.fromEntries(history.filter(e -> e.idempotencyKey().equals(k))).get(), k.value());
      }
      assertEquals(1, quotedPurchase.programVersion());
      assertEquals(2, quotedLater.programVersion());
      org.junit.jupiter.api.Assertions.assertTrue(accepted(loyalty.verify(ada)).isIntact());
    }
  }
}
