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
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.event.LoyaltyEventListener;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Option;
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
      this(ladder, e -> { });
    }

    World(TierLadder ladder, LoyaltyEventListener listener) {
      this.ladder = ladder;
      this.loyalty = Loyalty.builder().program(LoyaltyProgram.builder("p").tierLadder(ladder).build())
          .store(store).clock(clock).listener(listener).build();
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

  /**
   * A model of the documented rules on a ladder of points thresholds 1000, 3000 and 6000 over the
   * calendar year (or 12 rolling months with a 12-month term), written from the README and ADR 0007
   * rather than from the engine: immediate upgrades hold until the end of the next year (or 12 months
   * from their day), next-period upgrades start with the year after the one that earned them, a
   * review at the status's end plus the grace moves to the best of what the window that ended with
   * the status and (after a grace) the window current at the review earn, limited by the downgrade
   * policy, and rollover carries the points above the threshold reached, capped.
   */
  static final class Model {
    final long[] thresholds = {0, 1000, 3000, 6000};
    final boolean nextPeriod;
    final boolean oneStep;
    final Period grace;
    final long cap;
    boolean rolling;
    final java.util.List<Instant> at = new ArrayList<>();
    final java.util.List<Long> points = new ArrayList<>();
    final java.util.List<TierChange> changes = new ArrayList<>();
    int rank;
    Instant until;
    Instant periodChecked = START;

    Model(boolean nextPeriod, boolean oneStep, Period grace, long cap) {
      this.nextPeriod = nextPeriod;
      this.oneStep = oneStep;
      this.grace = grace;
      this.cap = cap;
    }

    static Instant yearStart(Instant t) {
      return LocalDate.ofInstant(t, ZoneOffset.UTC).withDayOfYear(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    static Instant years(Instant yearStart, int n) {
      return LocalDate.ofInstant(yearStart, ZoneOffset.UTC).plusYears(n).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    long carryInto(Instant yearStart) {
      if (cap == 0 || !yearStart.isAfter(START)) {
        return 0;
      }
      Instant previous = years(yearStart, -1);
      long total = sum(previous, yearStart) + carryInto(previous);
      long threshold = thresholds[earned(total)];
      return Math.max(0, Math.min(cap, total - threshold));
    }

    long sum(Instant from, Instant toExclusive) {
      long total = 0;
      for (int i = 0; i < at.size(); i++) {
        if (!at.get(i).isBefore(from) && at.get(i).isBefore(toExclusive)) {
          total += points.get(i);
        }
      }
      return total;
    }

    /** The activity of the year in force at {@code t}, up to and including {@code t}. */
    long activityAt(Instant t) {
      if (rolling) {
        LocalDate today = LocalDate.ofInstant(t, ZoneOffset.UTC);
        long total = 0;
        for (int i = 0; i < at.size(); i++) {
          if (!at.get(i).isAfter(t) && LocalDate.ofInstant(at.get(i), ZoneOffset.UTC).plusMonths(12).isAfter(today)) {
            total += points.get(i);
          }
        }
        return total;
      }
      Instant start = yearStart(t);
      return sum(start, t.plusNanos(1)) + carryInto(start);
    }

    int earned(long activity) {
      int r = 0;
      while (r + 1 < thresholds.length && activity >= thresholds[r + 1]) {
        r++;
      }
      return r;
    }

    Instant termFrom(Instant earnedAt) {
      if (rolling) {
        return LocalDate.ofInstant(earnedAt, ZoneOffset.UTC).plusMonths(12).plusDays(1).atStartOfDay(ZoneOffset.UTC)
            .toInstant();
      }
      return years(yearStart(earnedAt), 2);
    }

    void change(int to, TierChangeReason reason, Instant when, Instant newUntil) {
      changes.add(new TierChange(TierId.of(NAMES[rank]), TierId.of(NAMES[to]), reason, when,
          to == 0 ? Option.none() : Option.some(newUntil), Option.none()));
      rank = to;
      until = to == 0 ? null : newUntil;
    }

    /** Makes every review due at or before {@code t}. */
    void advance(Instant t) {
      while (true) {
        Instant review = until == null ? null : LocalDate.ofInstant(until, ZoneOffset.UTC).plus(grace)
            .atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant periodEnd = nextPeriod && rank < 3 ? years(yearStart(periodChecked), 1) : null;
        Instant due = review == null ? periodEnd
            : periodEnd == null || !periodEnd.isBefore(review) ? review : periodEnd;
        if (due == null || due.isAfter(t)) {
          return;
        }
        if (due.equals(review)) {
          Instant ended = until.minusNanos(1);
          int byEnded = earned(activityAt(ended));
          int byCurrent = due.equals(until) ? byEnded : earned(activityAt(due));
          int best = Math.max(byEnded, byCurrent);
          int next = best >= rank ? best : oneStep ? Math.max(best, rank - 1) : best;
          Instant earnedAt = next == best && byCurrent > byEnded ? due : ended;
          Instant newUntil = termFrom(earnedAt);
          change(next, TierChangeReason.REVIEW, due, newUntil.isAfter(due) ? newUntil : termFrom(due));
        } else {
          int best = earned(activityAt(due.minusNanos(1)));
          if (best > rank) {
            change(best, TierChangeReason.REVIEW, due, termFrom(due.minusNanos(1)));
          }
        }
        periodChecked = due;
      }
    }

    Model copy() {
      Model c = new Model(nextPeriod, oneStep, grace, cap);
      c.at.addAll(at);
      c.points.addAll(points);
      c.changes.addAll(changes);
      c.rank = rank;
      c.rolling = rolling;
      c.until = until;
      c.periodChecked = periodChecked;
      return c;
    }

    Instant reviewOf(Instant end) {
      return LocalDate.ofInstant(end, ZoneOffset.UTC).plus(grace).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    void credit(Instant t, long qualifying) {
      advance(t);
      at.add(t);
      points.add(qualifying);
      int best = earned(activityAt(t));
      if (!nextPeriod && best > rank) {
        change(best, TierChangeReason.QUALIFIED, t, termFrom(t));
      }
      periodChecked = t;
    }
  }

  static final String[] NAMES = {"member", "silver", "gold", "platinum"};

  /**
   * The engine records the history the documented rules give, change by change, over random
   * purchases, returns and reviews (each window, upgrade and downgrade policy, grace, rollover);
   * publishes one upgrade or downgrade event for each change that moves the member, in order, and one
   * warning for each downgrade coming within the warning days; and its progress shows the model's
   * term, and nothing needed to keep the tier exactly when the review would keep it.
   */
  @Test
  void theRecordedHistoryAndEventsAreThoseOfAModelOfTheDocumentedRules() {
    qt().withExamples(EXAMPLES * 2)
        .forAll(integers().between(0, 23), lists().of(steps(1100)).ofSizeBetween(1, 40))
        .checkAssert((choice, script) -> {
          boolean rolling = choice >= 16;
          boolean nextPeriod = choice % 2 == 1 && !rolling;
          boolean oneStep = choice / 2 % 2 == 1;
          Period grace = choice / 4 % 2 == 1 ? Period.ofMonths(2) : Period.ZERO;
          long cap = choice / 8 % 2 == 1 && !rolling ? 800 : 0;
          TierLadder.Builder b = TierLadder.builder(rolling ? QualificationWindow.rollingMonths(12)
                  : QualificationWindow.calendarYear())
              .tier(Tier.of("member", "Member", Qualification.none()))
              .tier(Tier.of("silver", "Silver", Qualification.points(1000)))
              .tier(Tier.of("gold", "Gold", Qualification.points(3000)))
              .tier(Tier.of("platinum", "Platinum", Qualification.points(6000)))
              .term(rolling ? TierTerm.months(12) : TierTerm.untilEndOfNextPeriod())
              .downgrade(oneStep ? DowngradePolicy.ONE_STEP : DowngradePolicy.RECOMPUTE)
              .grace(grace)
              .upgrade(nextPeriod ? UpgradePolicy.NEXT_PERIOD : UpgradePolicy.IMMEDIATE)
              .warnDaysBefore(30);
          if (cap > 0) {
            b.rolloverCappedAt(cap);
          }
          java.util.List<LoyaltyEvent> events = new ArrayList<>();
          World w = new World(b.build(), events::add);
          Model m = new Model(nextPeriod, oneStep, grace, cap);
          m.rolling = rolling;
          java.util.Map<Receipt, Long> bought = new java.util.HashMap<>();
          java.util.Set<Instant> warned = new java.util.HashSet<>();
          java.util.List<String> warnings = new ArrayList<>();
          for (Step s : sorted(script)) {
            w.on(s.day());
            Instant now = w.clock.instant();
            if (s.type() <= 1) {
              w.buy(s.amount());
              bought.put(w.purchases.get(w.purchases.size() - 1), (long) s.amount());
              m.credit(now, s.amount());
            } else if (s.type() == 2) {
              if (!w.open.isEmpty()) {
                Receipt r = w.open.get(s.which() % w.open.size());
                w.returnOne(s.which());
                m.credit(now, -bought.get(r));
              }
            } else {
              w.review();
              LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
              m.advance(today.atStartOfDay(ZoneOffset.UTC).toInstant());
              if (m.until != null) {
                Instant review = m.reviewOf(m.until);
                Model after = m.copy();
                after.advance(review);
                if (review.isAfter(now) && !today.isBefore(LocalDate.ofInstant(review, ZoneOffset.UTC).minusDays(30))
                    && after.rank < m.rank && warned.add(review)) {
                  warnings.add(NAMES[m.rank] + ">" + NAMES[after.rank] + "@" + review);
                }
              }
            }
            m.advance(now);
            assertEquals(TierId.of(NAMES[m.rank]), w.tierAt(now), "tier on day " + s.day() + " of " + script);
            TierProgress progress = accepted(w.loyalty.tierProgress(w.member));
            assertEquals(Option.of(m.until), progress.until(), "until on day " + s.day() + " of " + script);
            if (m.until != null && progress.neededToKeep().isDefined()) {
              Instant review = m.reviewOf(m.until);
              Model after = m.copy();
              after.advance(review);
              // judged when the status's review is the next change (no next-period upgrade comes first)
              if (after.changes.stream().skip(m.changes.size()).allMatch(c -> c.at().equals(review))) {
                assertEquals(after.rank >= m.rank, progress.neededToKeep().get().points() == 0,
                    progress.neededToKeep().get().points() + " needed to keep " + progress.tier() + " on day " + s.day()
                        + " of " + script);
              }
            }
          }
          w.on(1100 + 1500);
          w.review();
          m.advance(LocalDate.ofInstant(w.clock.instant(), ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant());
          assertEquals(List.ofAll(m.changes), accepted(w.loyalty.tierHistory(w.member)), "history of " + script);
          List<String> moves = List.ofAll(m.changes).filter(TierChange::movesTier)
              .map(c -> (w.ladder.rank(c.to()) > w.ladder.rank(c.from())
                  ? "up " : "down ") + c.from() + ">" + c.to() + "@" + c.at());
          List<String> published = List.ofAll(events).flatMap(e -> e instanceof LoyaltyEvent.TierUpgraded u
              ? List.of("up " + u.change().from() + ">" + u.change().to() + "@" + u.change().at())
              : e instanceof LoyaltyEvent.TierDowngraded d
              ? List.of("down " + d.change().from() + ">" + d.change().to() + "@" + d.change().at())
              : List.empty());
          assertEquals(moves, published, "events of " + script);
          assertEquals(List.ofAll(warnings), List.ofAll(events).flatMap(e -> e instanceof LoyaltyEvent.TierWillDowngrade d
              ? List.of(d.warning().tier() + ">" + d.warning().to() + "@" + d.warning().reviewAt()) : List.empty()),
              "warnings of " + script);
        });
  }

  private static java.util.List<Step> sorted(java.util.List<Step> script) {
    java.util.List<Step> copy = new ArrayList<>(script);
    copy.sort(Comparator.comparingInt(Step::day));
    return copy;
  }
}
