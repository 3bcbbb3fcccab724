package io.github.loyaltyledger.tier;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.purchased;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.time.Instant;
import java.time.ZoneId;
import java.util.stream.Stream;
import org.joda.money.Money;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thresholds x windows x edge instants: a member makes one purchase early in a window and a second
 * at an edge instant (the last second of the window, or the first of the next, in the member's zone);
 * together they reach the threshold only if both fall in one window.
 */
class TierQualificationTableTest {

  /** window, zone, enrolled at, first purchase, edge purchase, whether both count in one window. */
  static Stream<Arguments> edges() {
    return Stream.of(
        edge("calendar", "UTC", "2026-06-01T10:00:00Z", "2026-12-31T23:59:59Z", true),
        edge("calendar", "UTC", "2026-06-01T10:00:00Z", "2027-01-01T00:00:00Z", false),
        edge("calendar", "Pacific/Auckland", "2026-06-01T10:00:00Z", "2026-12-31T10:59:59Z", true),
        edge("calendar", "Pacific/Auckland", "2026-06-01T10:00:00Z", "2026-12-31T11:00:00Z", false),
        edge("calendar", "America/New_York", "2026-06-01T10:00:00Z", "2027-01-01T04:59:59Z", true),
        edge("calendar", "America/New_York", "2026-06-01T10:00:00Z", "2027-01-01T05:00:00Z", false),
        edge("rolling:12", "UTC", "2026-03-01T10:00:00Z", "2027-02-28T23:59:59Z", true),
        edge("rolling:12", "UTC", "2026-03-01T10:00:00Z", "2027-03-01T00:00:00Z", false),
        edge("rolling:12", "UTC", "2027-03-01T10:00:00Z", "2028-02-29T23:59:59Z", true),
        edge("rolling:12", "UTC", "2027-03-01T10:00:00Z", "2028-03-01T00:00:00Z", false),
        edge("anniversary", "UTC", "2024-03-01T10:00:00Z", "2025-02-27T23:59:59Z", true),
        edge("anniversary", "UTC", "2024-03-01T10:00:00Z", "2025-02-28T00:00:00Z", false),
        edge("cycle:04-01", "Europe/London", "2025-06-01T10:00:00Z", "2026-03-31T22:59:59Z", true),
        edge("cycle:04-01", "Europe/London", "2025-06-01T10:00:00Z", "2026-03-31T23:00:00Z", false));
  }

  private static Arguments edge(String window, String zone, String first, String edge, boolean together) {
    return Arguments.of(window, zone, first, edge, together);
  }

  /** Thresholds that the two purchases (300 points, 30.00 and one visit each) reach together only. */
  static Stream<Qualification> thresholds() {
    Money fifty = Money.parse("EUR 50.00");
    return Stream.of(Qualification.points(500), Qualification.spend(fifty), Qualification.visits(2),
        Qualification.points(600).andVisits(2), Qualification.spend(Money.parse("EUR 60.00")).orVisits(2));
  }

  static Stream<Arguments> cases() {
    return edges().flatMap(e -> thresholds().map(q -> {
      Object[] row = e.get();
      return Arguments.of(row[0], row[1], row[2], row[3], row[4], q);
    }));
  }

  @ParameterizedTest(name = "{0} window in {1}: purchases at {2} and {3} qualify for {5}: {4}")
  @MethodSource("cases")
  void aPurchaseAtTheEdgeCountsInTheWindowItFallsInLocally(
      String windowName, String zone, String first, String edge, boolean together, Qualification gold) {
    QualificationWindow w = QualificationWindowTest.window(windowName);
    TierLadder ladder = TierLadder.builder(w)
        .tier(Tier.of("member", "Member", Qualification.none()))
        .tier(new Tier(TierId.of("gold"), "Gold", gold, TierBenefits.standard(), false))
        .term(w.isPeriodic() ? TierTerm.untilEndOfNextPeriod() : TierTerm.months(12))
        .build();
    TestClock clock = TestClock.at(first);
    Loyalty loyalty = Loyalty.builder().program(LoyaltyProgram.builder("p").tierLadder(ladder).build())
        .store(new InMemoryLedgerStore()).clock(clock).build();
    MemberId m = MemberId.of("m");
    accepted(loyalty.enrol(Enrolment.of(m, aKey()).withZone(ZoneId.of(zone))
        .enrolledAt(windowName.equals("anniversary") ? Instant.parse("2024-02-29T09:00:00Z") : clock.instant())));

    purchased(loyalty, m, 300, 300, 30_00);
    accepted(loyalty.evaluateTier(m, aKey()));
    clock.set(Instant.parse(edge));
    purchased(loyalty, m, 300, 300, 30_00);
    accepted(loyalty.evaluateTier(m, aKey()));

    assertEquals(together ? "gold" : "member", loyalty.tierOf(m, clock.instant()).get());
  }
}
