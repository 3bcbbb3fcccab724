package io.github.loyaltyledger.examples.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.EarnRule;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ServiceLoader;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The plugin as an application meets it: run by Failsafe after {@code package}, with the built jar
 * (not the classes folder) on the class path, as an application's runtime dependency. The rule is
 * found through {@link ServiceLoader} from the jar's {@code META-INF/services} file and earns
 * through the facade.
 */
class ReusableCupBonusDiscoveryIT {

  static final Instant AT = Instant.parse("2026-03-03T08:15:00Z");
  static final ClassLoader LOADER = ReusableCupBonusDiscoveryIT.class.getClassLoader();

  static Loyalty facade(RuleBook rules) {
    return Loyalty.builder().program(LoyaltyProgram.builder("bean-club").earnRules(rules).build())
        .store(new InMemoryLedgerStore()).clock(Clock.fixed(AT.plusSeconds(60), ZoneOffset.UTC)).build();
  }

  static Purchase twoLattesInOneOwnCup(MemberId member) {
    return Purchase.of(member, IdempotencyKey.of("pos-1"), AT, Channel.store("S-1"),
        LineItem.of("LATTE", 2, Money.parse("EUR 3.50")).inCategories("drink"),
        LineItem.of(ReusableCupBonus.CUP_SKU, 1, Money.parse("EUR 0.00")));
  }

  @Nested
  class Discovering {

    @Test
    void theServiceLoaderFindsTheRuleInTheBuiltJar() throws URISyntaxException {
      List<ServiceLoader.Provider<EarnRule>> found = List.ofAll(ServiceLoader.load(EarnRule.class, LOADER).stream()
          .filter(p -> p.type() == ReusableCupBonus.class));
      assertEquals(1, found.size());
      Path origin = Path.of(found.head().type().getProtectionDomain().getCodeSource().getLocation().toURI());
      assertTrue(origin.getFileName().toString().matches("loyalty-examples-plugin-.*\\.jar"),
          "loaded from the built jar, was " + origin);
    }

    @Test
    void aDiscoveredRuleEarnsItsBonusBesideTheRulesRegisteredInCode() {
      MemberId ada = MemberId.of("ada");
      Loyalty loyalty = facade(RuleBook.builder().rule(BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100)))
          .discover(LOADER).build());
      loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-ada")));

      EarnQuote quote = loyalty.quote(twoLattesInOneOwnCup(ada)).get();
      Receipt receipt = loyalty.earn(twoLattesInOneOwnCup(ada)).get();

      assertEquals("1 drink(s) in your own cup at 10 points", quote.outcome("own-cup").get().explanation());
      assertEquals(17, quote.total().value());
      assertEquals(17, receipt.balance().available().value());
    }
  }

  @Nested
  class RegisteringInCode {

    @Test
    void theSameRuleRegisteredInCodeAndDiscoveredIsRefusedAsADuplicateId() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RuleBook.builder().rule(new ReusableCupBonus()).discover(LOADER).build());
      assertTrue(e.getMessage().contains("'own-cup' is used by more than one rule"), e.getMessage());
    }

    @Test
    void aRuleRegisteredInCodeUnderItsOwnIdEarnsWithoutDiscovery() {
      MemberId ada = MemberId.of("ada");
      Loyalty loyalty = facade(RuleBook.of(ReusableCupBonus.of("cup-25", ReusableCupBonus.CUP_SKU, "drink", 25)));
      loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-ada")));

      assertEquals(25, loyalty.earn(twoLattesInOneOwnCup(ada)).get().balance().available().value());
    }
  }
}
