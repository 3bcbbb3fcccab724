package io.github.loyaltyledger.tier;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.purchased;
import static io.github.loyaltyledger.Fixtures.returned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.BasketThreshold;
import io.github.loyaltyledger.earning.EveryNthVisit;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.LineKind;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.earning.UnitBonus;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Invariants of the tier engine over random purchase, return and review sequences. */
class TierPropertiesTest {

  /** The tier tests run fewer examples than the ledger's, since each one simulates years. */
  private static final int EXAMPLES = Math.max(10, Integer.getInteger("QT_EXAMPLES", 1000) / 20);
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /** One scripted step: on which day, what (0-1 purchase, 2 return, 3 review, 4 override), how much, which. */
  record Step(int day, int type, int amount, int which) {}

  static Gen<Step> steps(int days) {
    return integers().between(0, days).zip(integers().between(0, 4), integers().between(1, 1500),
        integers().between(0, 50), Step::new);
  }

  /**
   * A ladder chosen by number: window (calendar, rolling, anniversary), downgrade policy, grace, and
   * (periodic windows, choices 12 and up) next-period upgrades.
   */
  static TierLadder ladder(int choice) {
    QualificationWindow window = choice % 3 == 0 ? QualificationWindow.calendarYear()
        : choice % 3 == 1 ? QualificationWindow.rollingMonths(12) : QualificationWindow.anniversaryYear();
    return TierLadder.builder(window)
        .tier(Tier.of("member", "Member", Qualification.none()))
        .tier(Tier.of("silver", "Silver", Qualification.points(1000)))
        .tier(Tier.of("gold", "Gold", Qualification.points(3000)))
        .tier(Tier.of("platinum", "Platinum", Qualification.points(6000)))
        .term(window.isPeriodic() ? TierTerm.untilEndOfNextPeriod() : TierTerm.months(12))
        .downgrade((choice / 3) % 2 == 0 ? DowngradePolicy.RECOMPUTE : DowngradePolicy.ONE_STEP)
        .grace(choice / 6 % 2 == 0 ? Period.ZERO : Period.ofMonths(2))
        .upgrade(choice >= 12 && window.isPeriodic() ? UpgradePolicy.NEXT_PERIOD : UpgradePolicy.IMMEDIATE)
        .build();
  }

  /** The ladder with the tier of rank {@code lifetime} held for life (none for 0, the base tier). */
  static TierLadder withLifetime(TierLadder ladder, int lifetime) {
    return lifetime == 0 ? ladder : new TierLadder(ladder.tiers().update(lifetime, Tier::forLife), ladder.window(),
        ladder.upgrade(), ladder.term(), ladder.downgrade(), ladder.grace(), ladder.rolloverCap(), ladder.warningDays(),
        ladder.returnsRevokeUpgrades());
  }

  /** One member of a tiered program, on its own store and clock. */
  static final class World {
    final MemberId member = MemberId.of("m");
    final TestClock clock = TestClock.at(START.toString());
    final TierLadder ladder;
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final Loyalty loyalty;
    final java.util.List<Receipt> purchases = new ArrayList<>();
    final java.util.List<Receipt> open = new ArrayList<>();
    final java.util.List<Instant[]> overrides = new ArrayList<>();

    World(TierLadder ladder) {
      this.ladder = ladder;
      this.loyalty = Loyalty.builder().program(LoyaltyProgram.builder("p").tierLadder(ladder).build())
          .store(store).clock(clock).build();
      accepted(loyalty.enrol(Enrolment.of(member, aKey())));
    }

    void on(int day) {
      Instant at = START.plus(Duration.ofDays(day)).plus(Duration.ofHours(12));
      if (at.isAfter(clock.instant())) {
        clock.set(at);
      }
    }

    void buy(long qualifyingPoints) {
      Receipt r = purchased(loyalty, member, qualifyingPoints + 1, qualifyingPoints, 0);
      purchases.add(r);
      open.add(r);
      accepted(loyalty.evaluateTier(member, aKey()));
    }

    void returnOne(int which) {
      if (!open.isEmpty()) {
        returned(loyalty, open.remove(which % open.size()));
        accepted(loyalty.evaluateTier(member, aKey()));
      }
    }

    void override(int which, int days) {
      Instant until = clock.instant().plus(Duration.ofDays(days));
      accepted(loyalty.overrideTier(new TierOverride(member, ladder.tiers().get(which % ladder.tiers().size()).id(),
          "Goodwill", "ops", until, aKey())));
      overrides.add(new Instant[] {clock.instant(), until});
    }

    /** Whether an override set at or before {@code at} may still be in force then. */
    boolean mayBeOverriddenAt(Instant at) {
      return overrides.stream().anyMatch(o -> !at.isBefore(o[0]) && at.isBefore(o[1]));
    }

    void review() {
      accepted(loyalty.reviewTier(member, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)));
    }

    int rankNow() {
      return ladder.rank(TierId.of(loyalty.tierOf(member, clock.instant()).get()));
    }

    TierId tierAt(Instant at) {
      return TierId.of(loyalty.tierOf(member, at).get());
    }
  }

  @Test
  void withinAWindowNonNegativeCreditsNeverLowerTheComputedTier() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, 11), lists().of(steps(360)).ofSizeBetween(1, 25))
        .checkAssert((choice, script) -> {
          World w = new World(ladder(choice));
          int before = 0;
          for (Step s : sorted(script)) {
            w.on(s.day());
            w.buy(s.amount() % 700);
            int now = w.rankNow();
            assertTrue(now >= before, "tier fell from rank " + before + " to " + now + " on day " + s.day());
            before = now;
          }
        });
  }

  @Test
  void theTierAfterAReviewEqualsThePureRecomputationFromTheMembersHistory() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, 23), integers().between(0, 3), lists().of(steps(1100)).ofSizeBetween(1, 40))
        .checkAssert((choice, lifetime, script) -> {
          World reviewed = new World(withLifetime(ladder(choice), lifetime));
          World neverReviewed = new World(withLifetime(ladder(choice), lifetime));
          for (Step s : sorted(script)) {
            for (World w : new World[] {reviewed, neverReviewed}) {
              w.on(s.day());
              if (s.type() <= 1) {
                w.buy(s.amount());
              } else if (s.type() == 2) {
                w.returnOne(s.which());
              } else if (s.type() == 4) {
                w.override(s.which(), s.amount() % 200 + 1);
              } else if (w == reviewed) {
                w.review();
              }
            }
          }
          reviewed.review();
          for (Instant t = START; !t.isAfter(reviewed.clock.instant()); t = t.plus(Duration.ofDays(10))) {
            assertEquals(neverReviewed.tierAt(t), reviewed.tierAt(t), "tier at " + t);
          }
        });
  }

  /**
   * The daily run, run at noon every day, records the same tier history as a review of every day by
   * hand (next-period upgrades and overrides ending at noon included), and visits the member only on
   * the days it writes to their ledger.
   */
  @Test
  void theDailyRunRecordsWhatAReviewOfEveryDayRecordsAndVisitsTheMemberOnlyWhenItWrites() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, 23), lists().of(steps(1100)).ofSizeBetween(1, 30))
        .checkAssert((choice, script) -> {
          World run = new World(ladder(choice));
          World reviewed = new World(ladder(choice));
          DailyRun daily = DailyRun.builder(run.loyalty).build();
          int day = 0;
          java.util.List<Step> steps = sorted(script);
          steps.add(new Step(1100 + 800, 3, 0, 0));
          for (Step s : steps) {
            for (; day <= s.day(); day++) {
              run.on(day);
              reviewed.on(day);
              int before = run.store.entries(run.member, 1, 10_000).size();
              boolean touched = !daily.runDue(run.clock.instant()).touched().isEmpty();
              boolean wrote = run.store.entries(run.member, 1, 10_000).size() > before;
              assertEquals(wrote, touched, "touched on day " + day + " writing " + (wrote ? "something" : "nothing"));
              reviewed.review();
            }
            for (World w : new World[] {run, reviewed}) {
              if (s.type() <= 1) {
                w.buy(s.amount());
              } else if (s.type() == 2) {
                w.returnOne(s.which());
              } else if (s.type() == 4) {
                w.override(s.which(), s.amount() % 200 + 1);
              }
            }
          }
          assertEquals(accepted(reviewed.loyalty.tierHistory(reviewed.member)),
              accepted(run.loyalty.tierHistory(run.member)));
        });
  }

  @Test
  void onceALifetimeTierIsReachedNoPurchasesReturnsOrReviewsPutTheMemberBelowItOutsideAnOverride() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, 23), integers().between(1, 3), lists().of(steps(1500)).ofSizeBetween(1, 40))
        .checkAssert((choice, lifetime, script) -> {
          World w = new World(withLifetime(ladder(choice), lifetime));
          boolean reached = false;
          for (Step s : sorted(script)) {
            w.on(s.day());
            if (s.type() <= 1) {
              w.buy(s.amount() * 3L);
            } else if (s.type() == 2) {
              w.returnOne(s.which());
            } else if (s.type() == 3) {
              w.review();
            } else {
              w.override(s.which(), s.amount() % 200 + 1);
            }
            TierProgress now = accepted(w.loyalty.tierProgress(w.member));
            if (!now.overridden()) {
              int rank = w.ladder.rank(now.tier());
              assertTrue(!reached || rank >= lifetime, "rank " + rank + " below the lifetime tier on day " + s.day());
              reached |= rank >= lifetime;
            }
          }
          w.on(1500 + 1500);
          w.review();
          reached = false;
          for (Instant t = START; !t.isAfter(w.clock.instant()); t = t.plus(Duration.ofDays(5))) {
            if (!w.mayBeOverriddenAt(t)) {
              int rank = w.ladder.rank(w.tierAt(t));
              assertTrue(!reached || rank >= lifetime, "rank " + rank + " below the lifetime tier at " + t);
              reached |= rank >= lifetime;
            }
          }
        });
  }

  /**
   * What progress says is needed to keep the tier agrees with what the review then decides, also in
   * the grace period: with nothing more bought, the review keeps the tier exactly when nothing is
   * needed (immediate upgrades, points thresholds, no lifetime tier).
   */
  @Test
  void theReviewKeepsTheTierExactlyWhenProgressSaysNothingMoreIsNeededToKeepIt() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, 11), lists().of(steps(1100)).ofSizeBetween(1, 30))
        .checkAssert((choice, script) -> {
          World w = new World(ladder(choice));
          for (Step s : sorted(script)) {
            w.on(s.day());
            if (s.type() <= 2) {
              w.buy(s.amount());
            } else {
              w.returnOne(s.which());
            }
            TierProgress now = accepted(w.loyalty.tierProgress(w.member));
            if (now.neededToKeep().isDefined() && now.until().isDefined()) {
              Instant review = w.ladder.reviewAt(now.until().get(), ZoneOffset.UTC);
              boolean nothingNeeded = now.neededToKeep().get().points() == 0;
              assertEquals(nothingNeeded, w.ladder.rank(w.tierAt(review)) >= w.ladder.rank(now.tier()),
                  now.neededToKeep().get().points() + " points needed to keep " + now.tier() + " on day " + s.day()
                      + ", and the review at " + review + " gives " + w.tierAt(review));
            }
          }
        });
  }

  @Test
  void aReturnBelowTheThresholdDoesNotDowngradeBeforeTheReview() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, 11), lists().of(integers().between(500, 3000)).ofSizeBetween(1, 8),
            lists().of(steps(700)).ofSizeBetween(1, 10))
        .checkAssert((choice, buys, returns) -> {
          World w = new World(ladder(choice));
          w.on(0);
          for (int qualifying : buys) {
            w.buy(qualifying);
          }
          TierProgress reached = accepted(w.loyalty.tierProgress(w.member));
          for (Step s : sorted(returns)) {
            w.on(s.day());
            if (reached.until().exists(u -> !w.clock.instant().isBefore(u))) {
              break;
            }
            w.returnOne(s.which());
            w.review();
            assertEquals(reached.tier(), TierId.of(w.loyalty.tierOf(w.member, w.clock.instant()).get()),
                "tier on day " + s.day() + " after returns");
          }
        });
  }

  /** Every upgrade is reached in one window, so a revocation takes back a lifetime tier with the rest. */
  @Test
  void whenTheLadderRevokesUpgradesOnReturnsTheTierFollowsTheActivityLeftInTheWindow() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, 11), integers().between(0, 3),
            lists().of(integers().between(500, 3000)).ofSizeBetween(1, 8), lists().of(steps(300)).ofSizeBetween(1, 10))
        .checkAssert((choice, lifetime, buys, returns) -> {
          TierLadder keeping = withLifetime(ladder(choice), lifetime);
          World w = new World(new TierLadder(keeping.tiers(), keeping.window(), keeping.upgrade(), keeping.term(),
              keeping.downgrade(), keeping.grace(), keeping.rolloverCap(), keeping.warningDays(), true));
          w.on(0);
          for (int qualifying : buys) {
            w.buy(qualifying);
          }
          for (Step s : sorted(returns)) {
            w.on(s.day());
            w.returnOne(s.which());
            long left = w.open.stream().mapToLong(r -> r.entries().head().points().value() - 1).sum();
            assertEquals(w.ladder.earnedBy(new QualifyingActivity(left, Money.zero(CurrencyUnit.EUR), w.open.size())).id(),
                TierId.of(w.loyalty.tierOf(w.member, w.clock.instant()).get()), "tier on day " + s.day());
          }
        });
  }

  /**
   * Today's shapes of purchase, each returned unit by unit in any order and grouping (free items, gift
   * cards, deposits and tax, a SKU on both kinds of line, a points payment, points expiring between
   * refunds): within the window, no refund raises the tier progress or takes it below zero, and the
   * last one leaves it as if the purchase had never been made.
   */
  @Test
  void aPurchaseOfAnyShapeReturnedInFullInAnyOrderLeavesTheTierProgressAsIfItWereNeverMade() {
    String[] skus = {"CUP", "BEANS", "CARD", "MUG"};
    LineKind[] kinds = {LineKind.GOODS, LineKind.GOODS, LineKind.GIFT_CARD, LineKind.DEPOSIT, LineKind.TAX};
    qt().withExamples(EXAMPLES * 4)
        .forAll(lists().of(integers().between(0, 100_000)).ofSizeBetween(1, 4), integers().between(0, 100_000),
            lists().of(integers().between(1, 3)).ofSizeBetween(1, 5), integers().between(0, 6))
        .checkAssert((lines, seed, parts, expiredAt) -> {
          TestClock clock = TestClock.at(START.plus(Duration.ofDays(40)).toString());
          Loyalty loyalty = Loyalty.builder().program(LoyaltyProgram.builder("p").earnRules(RuleBook.of(
                  BaseRate.of("base", "10"),
                  FirstPurchaseBonus.of("welcome", 50).with(RuleTerms.DEFAULT.asBonus().expiringAfter(Period.ofDays(2))),
                  EveryNthVisit.of("second", 2, 7).with(RuleTerms.DEFAULT.asBonus()),
                  UnitBonus.of("cups", "CUP", 3).with(RuleTerms.DEFAULT.asBonus()),
                  BasketThreshold.of("ten", Money.of(CurrencyUnit.EUR, 10), 40).with(RuleTerms.DEFAULT.asBonus())))
              .tierLadder(ladder(0)).build()).store(new InMemoryLedgerStore()).clock(clock).build();
          MemberId m = MemberId.of("m");
          accepted(loyalty.enrol(Enrolment.of(m, aKey())));
          QualifyingActivity never = accepted(loyalty.tierProgress(m)).activity();
          List<LineItem> items = List.ofAll(lines).map(n -> LineItem.of(skus[n % 4], 1 + n / 4 % 3,
              Money.ofMinor(CurrencyUnit.EUR, n / 3 % 3 == 0 ? 0 : n / 7 % 1500)).ofKind(kinds[n / 13 % 5]));
          long bill = items.map(l -> l.net().getAmountMinorLong()).sum().longValue();
          Purchase p = new Purchase(m, aKey(), clock.instant(), Channel.store("S-1"), CurrencyUnit.EUR, items,
              Money.ofMinor(CurrencyUnit.EUR, seed % 11 < 8 ? 0 : bill * (seed % 11 - 7) / 3));
          accepted(loyalty.earn(p));
          java.util.List<ReturnedLine> units = new ArrayList<>();
          for (LineItem line : p.lines()) {
            for (int u = 0; u < line.quantity(); u++) {
              units.add(new ReturnedLine(line.sku(), 1));
            }
          }
          java.util.Collections.shuffle(units, new java.util.Random(seed));
          QualifyingActivity last = accepted(loyalty.tierProgress(m)).activity();
          for (int from = 0, part = 0; from < units.size(); part++) {
            if (part == expiredAt) {
              clock.advance(Duration.ofDays(3));
              accepted(loyalty.expire(m, clock.instant(), aKey()));
            }
            int to = Math.min(units.size(), from + parts.get(part % parts.size()));
            java.util.List<ReturnedLine> returned = units.subList(from, to);
            accepted(loyalty.refund(Refund.ofLines(p.transaction(), aKey(), returned.get(0),
                returned.subList(1, returned.size()).toArray(new ReturnedLine[0]))));
            from = to;
            QualifyingActivity now = accepted(loyalty.tierProgress(m)).activity();
            String step = p.lines() + " returned as " + units + ", part " + part + ": " + last + " to " + now;
            assertTrue(now.points() <= last.points() && !now.spend().isGreaterThan(last.spend())
                && now.visits() <= last.visits(), "a refund raised the progress: " + step);
            assertTrue(now.points() >= 0 && !now.spend().isNegative() && now.visits() >= 0, "below zero: " + step);
            last = now;
          }
          assertEquals(never, last, p.lines() + " returned as " + units);
        });
  }

  private static java.util.List<Step> sorted(java.util.List<Step> script) {
    java.util.List<Step> copy = new ArrayList<>(script);
    copy.sort(Comparator.comparingInt(Step::day));
    return copy;
  }
}
