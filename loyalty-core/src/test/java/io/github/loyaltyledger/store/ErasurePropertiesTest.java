package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * After {@code erase}, nothing the store holds mentions the member's personal data, every ledger
 * still verifies, and aggregates over the past are unchanged.
 */
class ErasurePropertiesTest {

  static final int EXAMPLES = Math.max(20, Integer.getInteger("QT_EXAMPLES", 1000) / 20);
  static final RedemptionRate RATE = RedemptionRate.of(Fixtures.eur("1.00"), 100);

  /** Personal data made of a seed: name, contact, CRM id and a birthday unlike the enrolment day (1 March). */
  record Person(int seed, int month, int day) {
    String name() {
      return "Pii Name " + seed;
    }

    String contact() {
      return "pii" + seed + "@mail.example";
    }

    String crmId() {
      return "CRM-PII-" + seed;
    }

    MonthDay birthday() {
      return MonthDay.of(month, day);
    }
  }

  static Gen<Person> people() {
    return integers().between(100_000, 999_999).zip(integers().between(4, 9), integers().between(1, 28), Person::new);
  }

  @Test
  void afterErasureNoPersonalDatumRemainsTheLedgerVerifiesAndPastAggregatesAreUnchanged() {
    qt().withExamples(EXAMPLES)
        .forAll(people(), lists().of(integers().between(-150, 300)).ofSizeBetween(0, 8))
        .checkAssert((person, activity) -> {
          TestClock clock = TestClock.at(Fixtures.START);
          InMemoryLedgerStore store = new InMemoryLedgerStore();
          Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
          MemberId target = MemberId.of("m-target");
          MemberId other = MemberId.of("m-other");
          accepted(loyalty.enrol(Enrolment.of(target, aKey()).withBirthday(person.birthday())));
          accepted(loyalty.enrol(Enrolment.of(other, aKey()).withBirthday(MonthDay.of(12, 31))));
          accepted(loyalty.saveProfile(MemberProfile.of(target, Consent.ALL).withName(person.name())
              .withContact(person.contact()).withExternalRef("crm", person.crmId())));
          accepted(loyalty.saveProfile(MemberProfile.of(other, Consent.NONE).withName("Someone Else")));
          for (int amount : activity) {
            clock.advance(Duration.ofHours(1));
            for (MemberId m : java.util.List.of(target, other)) {
              if (amount > 0) {
                accepted(loyalty.credit(Credit.of(m, points(amount), "Purchase", aKey())
                    .expiringAt(clock.instant().plus(Duration.ofDays(amount)))));
              } else if (amount < 0 && !Fixtures.balanceOf(loyalty, m).available().isLessThan(points(-amount))) {
                accepted(loyalty.debit(Debit.of(m, points(-amount), "Reward", aKey())));
              }
            }
          }
          Instant before = clock.instant();
          Liability then = accepted(loyalty.liability(before, ZoneOffset.UTC, RATE));
          var breakage = loyalty.breakage(before, ZoneOffset.UTC);
          long targetTotal = Fixtures.balanceOf(loyalty, target).total().value();
          clock.advance(Duration.ofMinutes(1));

          accepted(loyalty.erase(target, aKey()));

          String everything = store.contents().toString();
          for (String datum : java.util.List.of(person.name(), person.contact(), person.crmId(),
              person.birthday().toString())) {
            assertFalse(everything.contains(datum), () -> "found " + datum);
          }
          assertTrue(everything.contains("Someone Else"), "the other member's profile is kept");
          assertTrue(accepted(loyalty.verify(target)).isIntact());
          assertTrue(accepted(loyalty.verify(other)).isIntact());
          assertEquals(then, accepted(loyalty.liability(before, ZoneOffset.UTC, RATE)));
          assertEquals(breakage, loyalty.breakage(before, ZoneOffset.UTC));
          assertEquals(then.outstanding().value() - targetTotal,
              accepted(loyalty.liability(clock.instant(), ZoneOffset.UTC, RATE)).outstanding().value());
          assertEquals(MemberStatus.CLOSED, accepted(loyalty.member(target)).status());
        });
  }
}
