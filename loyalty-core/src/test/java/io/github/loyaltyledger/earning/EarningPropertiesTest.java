package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.eur;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierBenefits;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Invariants of the earning pipeline over random purchases, on a program that uses every kind of
 * rule, gross and net bases, a stackable group chosen by grants, exclusivity, caps, limits and
 * budgets (some for ever), expiry and vesting; the purchases hold gift cards, tax, tips and free
 * items beside the goods, and are paid with points in part or in whole.
 */
class EarningPropertiesTest {

  static final int EXAMPLES = Math.max(20, Integer.getInteger("QT_EXAMPLES", 1000) / 20);
  static final int MEMBERS = 3;
  static final long WEEKLY_CAP = 300;
  static final long BUDGET = 400;
  static final long BEANS_BUDGET = 150;
  static final long CAKE_EVER_CAP = 60;
  static final long GROSS_EVER_LIMIT = 2;
  static final long GROSS_TWENTY_MONTHLY_LIMIT = 3;
  /** The SKUs, each sold as the kind of line at the same index: a card is sold as goods (a greeting card) or a gift card. */
  static final String[] SKUS = {"BEANS", "MUG", "CAKE", "CARD", "TAX", "TIP", "CARD"};
  static final LineKind[] KINDS = {LineKind.GOODS, LineKind.GOODS, LineKind.GOODS, LineKind.GIFT_CARD, LineKind.TAX,
      LineKind.TIP, LineKind.GOODS};
  static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  /** A generated line: which SKU, how many, the unit price in cents (zero for a free item), the discount in percent. */
  record LineSpec(int sku, int quantity, int cents, int discountPercent) {
    LineItem toLine() {
      LineItem l = LineItem.of(SKUS[sku], quantity, Money.ofMinor(CurrencyUnit.EUR, cents))
          .discounted(Money.ofMinor(CurrencyUnit.EUR, (long) cents * quantity * discountPercent / 100));
      l = sku == 2 ? l.inCategories("cake") : l;
      return l.ofKind(KINDS[sku]);
    }
  }

  /**
   * A generated purchase: who, the lines, the share of the whole bill (the net of every line, those
   * that never earn included) paid with points in percent, up to all of it, and the hour it happens.
   */
  record Buy(int member, java.util.List<LineSpec> lines, int paidPercent, int hour) {
    Purchase toPurchase(IdempotencyKey key) {
      List<LineItem> items = List.ofAll(lines).map(LineSpec::toLine);
      Purchase p = new Purchase(MemberId.of("m" + member), key, T0.plus(Duration.ofHours(hour)), Channel.store("S-1"),
          CurrencyUnit.EUR, items, Money.zero(CurrencyUnit.EUR));
      long bill = items.map(l -> l.net().getAmountMinorLong()).sum().longValue();
      return p.withPaidWithPoints(Money.ofMinor(CurrencyUnit.EUR, bill * paidPercent / 100));
    }
  }

  static Gen<Buy> buys() {
    // Now and then a free item; gift cards, tax and tips among the goods; mostly nothing paid with
    // points, else a part of the bill or all of it.
    Gen<LineSpec> line = integers().between(0, SKUS.length - 1).zip(integers().between(1, 3),
        integers().between(-400, 4000).map(c -> Math.max(0, c)), integers().between(0, 30), LineSpec::new);
    return integers().between(0, MEMBERS - 1).zip(lists().of(line).ofSizeBetween(1, 4),
        integers().between(0, 14).map(i -> i < 8 ? 0 : i >= 12 ? 100 : (i - 7) * 20), integers().between(0, 24 * 20),
        Buy::new);
  }

  static LoyaltyProgram program() {
    Multiplier cake = Multiplier.onCategories("cake-triple", "3", "1", "cake");
    // Some points expire (those of purchases early in the script before the world's clock), some vest.
    // The promo group keeps the largest grant: a double on beans with a small budget, a triple on
    // cake (gross) capped per member for ever, a gross-base rate limited to two awards ever, a bonus per mug.
    return LoyaltyProgram.builder("props").zone(ZoneOffset.UTC).earnRules(RuleBook.of(
        BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100).cappedPerMember(WEEKLY_CAP, CapPeriod.WEEK)),
        Multiplier.onSkus("beans-double", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus().inGroup("promo")
            .budget(BEANS_BUDGET)),
        new Multiplier(cake.id(), cake.description(), cake.skus(), cake.categories(), cake.factor(), cake.baseRate(),
            AmountBase.GROSS, RuleTerms.DEFAULT.asBonus().inGroup("promo").cappedPerMember(CAKE_EVER_CAP, CapPeriod.EVER)),
        BaseRate.of("gross", "0.5").on(AmountBase.GROSS).with(RuleTerms.DEFAULT.asBonus().inGroup("promo")
            .limitedTo(GROSS_EVER_LIMIT, CapPeriod.EVER)),
        UnitBonus.of("mug-units", "MUG", 4).with(RuleTerms.DEFAULT.asBonus().inGroup("promo").cappedPerTransaction(10)),
        BasketThreshold.of("thirty", eur("30.00"), 50).with(RuleTerms.DEFAULT.asBonus().budget(BUDGET)),
        new BasketThreshold("gross-twenty", "25 bonus points when the gross basket is 20", eur("20.00"), 25,
            AmountBase.GROSS, RuleTerms.DEFAULT.asBonus().limitedTo(GROSS_TWENTY_MONTHLY_LIMIT, CapPeriod.MONTH)),
        FirstPurchaseBonus.of("welcome", 20).with(RuleTerms.DEFAULT.asBonus().expiringAfter(Period.ofDays(15))),
        EveryNthVisit.of("third", 3, 15).with(RuleTerms.DEFAULT.asBonus().priority(1).exclusive()
            .vestingAfter(Duration.ofDays(5))),
        BaseRate.of("tuesday", "0.5").with(RuleTerms.DEFAULT.asBonus().cappedPerTransaction(10)
            .during(Schedule.always().on(DayOfWeek.TUESDAY)).expiringAfter(Period.ofDays(20))))).build();
  }

  /**
   * The program with a ladder whose upper tiers multiply the base rates: Silver (x1.5) from 40
   * qualifying points and Gold (x2.35) from 150, in a rolling year.
   */
  static LoyaltyProgram tiered() {
    return program().toBuilder().tierLadder(TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("member", "Member", Qualification.none()))
        .tier(Tier.of("silver", "Silver", Qualification.points(40))
            .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.5"))))
        .tier(Tier.of("gold", "Gold", Qualification.points(150))
            .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("2.35"))))
        .build()).build();
  }

  /**
   * A world of the {@link #tiered()} program in which, from before the first generated purchase,
   * member 1 is Silver and member 2 Gold (member 0 stays in the base tier): each was credited the
   * qualifying points and evaluated then. Purchases evaluate tiers at the world's clock, after
   * every generated purchase, so these are the tiers the purchases earn in.
   */
  static World tieredWorld() {
    World w = new World(tiered());
    Instant now = w.clock.instant();
    w.clock.set(T0.minus(Duration.ofDays(1)));
    Fixtures.purchased(w.loyalty, MemberId.of("m1"), 40, 40, 0);
    Fixtures.purchased(w.loyalty, MemberId.of("m2"), 150, 150, 0);
    for (int i = 1; i < MEMBERS; i++) {
      accepted(w.loyalty.evaluateTier(MemberId.of("m" + i), w.key()));
    }
    w.clock.set(now);
    return w;
  }

  /** A facade on a fresh store with the members enrolled; the clock is after every generated purchase. */
  static final class World {
    final TestClock clock = TestClock.at("2026-04-01T00:00:00Z");
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final Loyalty loyalty;
    int keys;

    World() {
      this(program());
    }

    World(LoyaltyProgram program) {
      loyalty = Fixtures.aLoyalty(store, clock, program);
      for (int i = 0; i < MEMBERS; i++) {
        accepted(loyalty.enrol(Enrolment.of(MemberId.of("m" + i), IdempotencyKey.of("enrol-" + i))));
      }
    }

    IdempotencyKey key() {
      return IdempotencyKey.of("pos-" + keys++);
    }

    List<Entry> ledger(MemberId m) {
      return store.entries(m, 1, 1000);
    }
  }

  @Test
  void aQuoteEqualsWhatIsPostedForTheSameInputAndStateAndWhatExplainSaysLaterWithTiersOrWithout() {
    qt().withExamples(EXAMPLES).forAll(lists().of(buys()).ofSizeBetween(1, 15), booleans().all()).checkAssert((script, tiers) -> {
      World w = tiers ? tieredWorld() : new World();
      java.util.Map<IdempotencyKey, EarnQuote> quotes = new java.util.LinkedHashMap<>();
      for (Buy b : script) {
        Purchase p = b.toPurchase(w.key());
        EarnQuote quote = accepted(w.loyalty.quote(p));
        Receipt posted = accepted(w.loyalty.earn(p));
        assertEquals(quote, EarnQuote.fromEntries(posted.entries()).get());
        assertEquals(quote, accepted(w.loyalty.explain(p.transaction())));
        // Member 1 earns in Silver and member 2 in Gold in the tiered world: the base rate says so.
        String tier = !tiers || b.member() == 0 ? "" : b.member() == 1 ? " x 1.5 (tier silver)" : " x 2.35 (tier gold)";
        assertEquals(tier, quote.outcome("base").get().explanation().replaceFirst("^.*\\(net\\)", ""));
        quotes.put(p.transaction(), quote);
      }
      // Later purchases (and the caps, limits and budgets they use) do not change an explanation.
      quotes.forEach((key, quote) -> assertEquals(quote, accepted(w.loyalty.explain(key)), key.toString()));
    });
  }

  /**
   * A generated request of the targeting script: a purchase (kind 0) or a survey, referral or review
   * (kinds 1 to 3) by a member, naming another member for a referral, at an hour after {@link #T0},
   * through a channel (store, web, app), of some mugs at a price; sent once more under its key if
   * {@code resend}, and for a purchase followed by the return of one mug if {@code refund}.
   */
  record Request(int kind, int member, int other, int hour, int channel, int mugs, int cents, boolean resend,
      boolean refund) {}

  static Gen<Request> requests() {
    Gen<Integer> hours = integers().between(0, 24 * 20);
    return integers().between(0, 3).zip(integers().between(0, MEMBERS - 1), integers().between(1, MEMBERS - 1),
        hours, (kind, member, other, hour) -> new int[] {kind, member, other, hour})
        .zip(integers().between(0, 2), integers().between(1, 3), integers().between(0, 3000),
            (a, channel, mugs, cents) -> new Request(a[0], a[1], a[2], a[3], channel, mugs, cents, false, false))
        .zip(booleans().all(), booleans().all(), (r, resend, refund) -> new Request(r.kind(), r.member(), r.other(),
            r.hour(), r.channel(), r.mugs(), r.cents(), resend, refund));
  }

  /**
   * Rules that look past the purchase: targeted to a channel, a tier and a segment, a campaign in the
   * member's own evening, and custom events with a weekly limit, a referral paid once per friend and
   * a review capped per month under a budget.
   */
  static LoyaltyProgram targeted() {
    return LoyaltyProgram.builder("targeted").zone(java.time.ZoneId.of("Europe/Paris")).earnRules(RuleBook.of(
        BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100)),
        BaseRate.of("web", "0.5").with(RuleTerms.DEFAULT.asBonus().onChannels(Channel.Type.WEB)),
        BaseRate.of("silver", "0.2").with(RuleTerms.DEFAULT.asBonus().forTiers("silver")),
        UnitBonus.of("vip-mugs", "MUG", 3).with(RuleTerms.DEFAULT.asBonus().forSegments("vip")),
        BaseRate.of("evening", "1").with(RuleTerms.DEFAULT.asBonus().during(Schedule.always()
            .between(java.time.LocalTime.of(18, 0), java.time.LocalTime.MIDNIGHT).in(Schedule.Zone.MEMBER))),
        FirstPurchaseBonus.of("welcome", 7),
        EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 10).with(RuleTerms.DEFAULT.asBonus()
            .limitedTo(1, CapPeriod.WEEK)),
        EventAward.of("referral", CustomEvent.REFERRAL_CONVERTED, 25).with(RuleTerms.DEFAULT.asBonus()
            .oncePerCounterparty()),
        EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 5).with(RuleTerms.DEFAULT.asBonus()
            .cappedPerMember(12, CapPeriod.MONTH).budget(25)))).build();
  }

  @Test
  void explainEqualsTheQuoteForTargetedRulesAndCustomEventsAndNeitherAResendNorAReturnChangesIt() {
    java.time.ZoneId[] zones = {ZoneOffset.UTC, java.time.ZoneId.of("America/New_York"), java.time.ZoneId.of("Asia/Tokyo")};
    Channel[] channels = {Channel.store("S-1"), Channel.web(), Channel.app()};
    qt().withExamples(EXAMPLES).forAll(lists().of(requests()).ofSizeBetween(1, 15)).checkAssert(script -> {
      TestClock clock = TestClock.at("2026-04-01T00:00:00Z");
      Loyalty loyalty = Loyalty.builder().program(targeted()).store(new InMemoryLedgerStore()).clock(clock)
          .memberTiers((m, at) -> m.equals(MemberId.of("m1")) ? Option.some("silver") : Option.none())
          .segmentResolver((m, at) -> m.equals(MemberId.of("m2")) ? io.vavr.collection.HashSet.of("vip")
              : io.vavr.collection.HashSet.of("a;b", "50%"))
          .build();
      for (int i = 0; i < MEMBERS; i++) {
        accepted(loyalty.enrol(Enrolment.of(MemberId.of("m" + i), IdempotencyKey.of("enrol-" + i)).withZone(zones[i])));
      }
      java.util.Map<IdempotencyKey, EarnQuote> quotes = new java.util.LinkedHashMap<>();
      int n = 0;
      for (Request r : script) {
        IdempotencyKey key = IdempotencyKey.of("req-" + n++);
        MemberId member = MemberId.of("m" + r.member());
        Instant at = T0.plus(Duration.ofHours(r.hour()));
        Channel channel = channels[r.channel()];
        Purchase purchase = Purchase.of(member, key, at, channel,
            LineItem.of("MUG", r.mugs(), Money.ofMinor(CurrencyUnit.EUR, r.cents())));
        CustomEvent event = r.kind() == 1 ? CustomEvent.of(member, key, CustomEvent.SURVEY_COMPLETED, at, channel)
            : r.kind() == 2 ? CustomEvent.referral(member, MemberId.of("m" + (r.member() + r.other()) % MEMBERS), key, at, channel)
            : CustomEvent.of(member, key, CustomEvent.REVIEW_WRITTEN, at, channel);
        EarnQuote quote = accepted(r.kind() == 0 ? loyalty.quote(purchase) : loyalty.quote(event));
        Receipt posted = accepted(r.kind() == 0 ? loyalty.earn(purchase) : loyalty.earn(event));
        assertEquals(quote, accepted(loyalty.explain(key)));
        assertEquals(quote, EarnQuote.fromEntries(posted.entries()).get());
        if (r.resend()) {
          assertEquals(posted, accepted(r.kind() == 0 ? loyalty.earn(purchase) : loyalty.earn(event)));
        }
        if (r.refund() && r.kind() == 0) {
          accepted(loyalty.refund(Refund.ofLines(key, IdempotencyKey.of("ret-" + key.value()), new ReturnedLine("MUG", 1))));
        }
        assertEquals(quote, accepted(loyalty.explain(key)));
        quotes.put(key, quote);
      }
      // Later requests (the limits, caps, budget and pairs they use) do not change an explanation.
      quotes.forEach((key, quote) -> assertEquals(quote, accepted(loyalty.explain(key)), key.toString()));
    });
  }

  @Test
  void theBreakdownAddsUpToThePostedPointsEntryByEntry() {
    qt().withExamples(EXAMPLES).forAll(lists().of(buys()).ofSizeBetween(1, 15)).checkAssert(script -> {
      World w = new World();
      for (Buy b : script) {
        Receipt posted = accepted(w.loyalty.earn(b.toPurchase(w.key())));
        EarnQuote breakdown = EarnQuote.fromEntries(posted.entries()).get();
        assertEquals(posted.netPoints(), breakdown.total());
        for (Entry e : posted.entries()) {
          assertEquals(e.points(), e.ruleIds().map(id -> breakdown.outcome(id).get().granted()).foldLeft(Points.ZERO, Points::plus));
        }
      }
    });
  }

  @Test
  void capsAndBudgetsAreNeverExceededByPurchasesFromTwoThreads() {
    qt().withExamples(EXAMPLES).forAll(lists().of(buys()).ofSizeBetween(2, 24)).checkAssert(script -> {
      World w = new World();
      java.util.List<Purchase> purchases = new java.util.ArrayList<>();
      for (Buy b : script) {
        purchases.add(b.toPurchase(w.key()));
      }
      ConcurrentMap<String, Long> perMemberWeek = new ConcurrentHashMap<>();
      ConcurrentMap<String, Long> budget = new ConcurrentHashMap<>();
      ConcurrentMap<String, Long> perMemberEver = new ConcurrentHashMap<>();
      ConcurrentMap<String, Long> awards = new ConcurrentHashMap<>();
      Runnable[] halves = new Runnable[2];
      for (int t = 0; t < 2; t++) {
        int half = t;
        halves[t] = () -> {
          for (int i = half; i < purchases.size(); i += 2) {
            Purchase p = purchases.get(i);
            Either<LoyaltyError, Receipt> r = w.loyalty.earn(p);
            while (r.isLeft() && r.getLeft() instanceof LoyaltyError.ConcurrentModification) {
              r = w.loyalty.earn(p);
            }
            EarnQuote q = EarnQuote.fromEntries(accepted(r).entries()).get();
            String week = CapPeriod.WEEK.key(LocalDate.ofInstant(p.occurredAt(), ZoneOffset.UTC));
            perMemberWeek.merge(p.member() + "@" + week, q.outcome("base").get().granted().value(), Long::sum);
            budget.merge("thirty", q.outcome("thirty").get().granted().value(), Long::sum);
            budget.merge("beans-double", q.outcome("beans-double").get().granted().value(), Long::sum);
            perMemberEver.merge(p.member() + ":cake-triple", q.outcome("cake-triple").get().granted().value(), Long::sum);
            long mugs = q.outcome("mug-units").get().granted().value();
            assertTrue(mugs <= 10, "mug-units granted " + mugs + " on one purchase");
            if (q.outcome("gross").get().granted().isPositive()) {
              awards.merge(p.member() + ":gross", 1L, Long::sum);
            }
            if (q.outcome("gross-twenty").get().granted().isPositive()) {
              awards.merge(p.member() + ":gross-twenty@" + CapPeriod.MONTH.key(LocalDate.ofInstant(p.occurredAt(),
                  ZoneOffset.UTC)), 1L, Long::sum);
            }
          }
        };
      }
      inTwoThreads(halves);
      perMemberWeek.forEach((memberWeek, points) -> assertTrue(points <= WEEKLY_CAP, memberWeek + " got " + points));
      assertTrue(budget.getOrDefault("thirty", 0L) <= BUDGET);
      assertEquals((long) budget.getOrDefault("thirty", 0L), w.store.counter("earn:props:budget:thirty"));
      assertTrue(budget.getOrDefault("beans-double", 0L) <= BEANS_BUDGET);
      assertEquals((long) budget.getOrDefault("beans-double", 0L), w.store.counter("earn:props:budget:beans-double"));
      perMemberEver.forEach((rule, points) -> assertTrue(points <= CAKE_EVER_CAP, rule + " got " + points));
      awards.forEach((rule, count) -> assertTrue(count <= (rule.endsWith(":gross") ? GROSS_EVER_LIMIT
          : GROSS_TWENTY_MONTHLY_LIMIT), rule + " awarded " + count + " times"));
    });
  }

  @Test
  void aFullRefundInPartsRestoresTheBalanceAndTheQualifyingCreditExactly() {
    qt().withExamples(EXAMPLES).forAll(buys(), lists().of(integers().between(1, 100)).ofSizeBetween(1, 4),
        integers().between(0, 4), integers().between(0, 5)).checkAssert((buy, parts, othersAt, expiredAt) -> {
          World w = new World();
          MemberId m = MemberId.of("m" + buy.member());
          Purchase p = buy.toPurchase(w.key());
          Balance before = accepted(w.loyalty.balance(m));
          accepted(w.loyalty.earn(p));
          long net = p.earningLines().map(l -> l.net().getAmountMinorLong()).sum().longValue();
          // The lines that never earn (gift cards, tax, tips) are returned by units, before, between or after the amounts;
          // not those of a SKU also sold on an earning line, whose units that earned would come back first.
          List<String> earningSkus = p.earningLines().map(LineItem::sku);
          List<ReturnedLine> others = p.lines().filter(l -> !l.kind().earns() && !earningSkus.contains(l.sku()))
              .map(l -> new ReturnedLine(l.sku(), l.quantity()));
          long left = net;
          int weights = parts.stream().mapToInt(Integer::intValue).sum();
          for (int i = 0; i <= parts.size(); i++) {
            if (i == expiredAt) {
              // Points of the purchase that expire unused are not taken back again: the balance still ends as it began.
              accepted(w.loyalty.expire(m, w.clock.instant(), w.key()));
            }
            if (i == Math.min(othersAt, parts.size()) && !others.isEmpty()) {
              accepted(w.loyalty.refund(Refund.ofLines(p.transaction(), w.key(), others)));
            }
            long part = i >= parts.size() ? 0 : i == parts.size() - 1 ? left : Math.min(left, net * parts.get(i) / weights);
            if (part > 0) {
              accepted(w.loyalty.refund(Refund.ofAmount(p.transaction(), w.key(), Money.ofMinor(CurrencyUnit.EUR, part))));
              left -= part;
            }
          }
          List<Entry> ledger = w.ledger(m);
          // Fully returned: the whole net amount, or every unit of a purchase without earning lines.
          if (net > 0 || p.earningLines().isEmpty()) {
            assertEquals(before, accepted(w.loyalty.balance(m)));
            for (String key : List.of("qualifying.points", "qualifying.spend", "qualifying.visit")) {
              assertEquals(0, ledger.map(e -> new BigDecimal(e.details().get(key).getOrElse("0"))).sum().longValue(), key);
            }
          }
        });
  }

  @Test
  void aFullReturnInPartsByUnitsRestoresTheBalanceAndQualifyingCreditAndEachRuleLosesExactlyItsAwardInAnyTier() {
    qt().withExamples(EXAMPLES).forAll(buys(), lists().of(integers().between(1, 4)).ofSizeBetween(1, 6),
        integers().between(0, 2), integers().between(0, 6)).checkAssert((buy, sizes, gifts, expiredAt) -> {
          World w = tieredWorld();
          MemberId m = MemberId.of("m" + buy.member());
          Purchase bought = buy.toPurchase(w.key());
          // Free gifts go with some purchases: returned last, after the paid units, or alone.
          Purchase p = gifts == 0 ? bought : new Purchase(bought.member(), bought.transaction(), bought.occurredAt(),
              bought.channel(), bought.currency(), bought.lines().append(LineItem.of("GIFT", gifts, Money.zero(CurrencyUnit.EUR))),
              bought.paidWithPoints());
          Balance before = accepted(w.loyalty.balance(m));
          int earlier = w.ledger(m).size();
          EarnQuote earned = EarnQuote.fromEntries(accepted(w.loyalty.earn(p)).entries()).get();
          java.util.List<ReturnedLine> units = everyUnit(p);
          returnInParts(w, m, p, units, sizes, expiredAt);
          if (units.isEmpty()) {
            return;
          }
          // The purchase's entries and the refunds', after those that made the member's tier.
          List<Entry> ledger = w.ledger(m).drop(earlier);
          assertEquals(before, accepted(w.loyalty.balance(m)));
          for (String key : List.of("qualifying.points", "qualifying.spend", "qualifying.visit")) {
            assertEquals(0, ledger.map(e -> Long.parseLong(e.details().get(key).getOrElse("0"))).sum().longValue(), key);
          }
          for (RuleOutcome o : earned.outcomes()) {
            assertEquals(o.granted().value(), ledger.map(e -> Long.parseLong(e.details().get("refund.rule." + o.ruleId())
                .getOrElse("0"))).sum().longValue(), o.ruleId());
          }
          assertTrue(w.loyalty.refund(Refund.ofLines(p.transaction(), w.key(), units.get(0))).getLeft()
              instanceof LoyaltyError.RefundExceedsPurchase);
          assertEquals(ledger, w.ledger(m).drop(earlier), "a refused refund writes nothing");
        });
  }

  @Test
  void partialReturnsByLinesAndByAmountInAnyOrderTakeBackWhatEachRulesClawbackSaysAtEveryStepAndNoMore() {
    qt().withExamples(EXAMPLES).forAll(buys(), lists().of(integers().between(0, 100_000)).ofSizeBetween(1, 10))
        .checkAssert((buy, steps) -> {
          World w = new World();
          MemberId m = MemberId.of("m" + buy.member());
          Purchase p = buy.toPurchase(w.key());
          Balance before = accepted(w.loyalty.balance(m));
          int earlier = w.ledger(m).size();
          Receipt earned = accepted(w.loyalty.earn(p));
          if (returnedByUnits(earned.entries().head())) {
            return;
          }
          java.util.List<ReturnedLine> units = everyUnit(p);
          java.util.Map<String, Long> unitsBack = new java.util.HashMap<>();
          java.util.Map<String, Long> most = new java.util.HashMap<>();
          Option<io.vavr.Tuple2<Refund, Receipt>> last = Option.none();
          for (int step : steps) {
            List<Entry> ledger = w.ledger(m);
            long left = detail(earned.entries().head(), "purchase.net") - sum(ledger.drop(earlier), "refund.net");
            Refund refund;
            if (step % 5 == 4 && last.isDefined()) {
              // The same key and request again: the first receipt, and nothing written.
              assertEquals(last.get()._2, accepted(w.loyalty.refund(last.get()._1)));
              assertEquals(ledger, w.ledger(m));
              continue;
            } else if (step % 5 == 3) {
              // More than is left: refused, nothing written.
              assertTrue(w.loyalty.refund(Refund.ofAmount(p.transaction(), w.key(),
                  Money.ofMinor(CurrencyUnit.EUR, left + 1 + step % 7))).getLeft() instanceof LoyaltyError.RefundExceedsPurchase);
              assertEquals(ledger, w.ledger(m));
              continue;
            } else if (step % 2 == 0 && !units.isEmpty()) {
              ReturnedLine unit = units.remove(step / 5 % units.size());
              refund = Refund.ofLines(p.transaction(), w.key(), unit);
              // A unit bought is never too much to return, whatever amounts came back before it.
              Receipt r = accepted(w.loyalty.refund(refund));
              unitsBack.merge(unit.sku(), 1L, Long::sum);
              last = Option.some(io.vavr.Tuple.of(refund, r));
            } else if (left > 0) {
              refund = Refund.ofAmount(p.transaction(), w.key(), Money.ofMinor(CurrencyUnit.EUR, 1 + step / 5 % left));
              last = Option.some(io.vavr.Tuple.of(refund, accepted(w.loyalty.refund(refund))));
            } else {
              continue;
            }
            assertTakenBackAsTheClawbacksSay(earned, w.ledger(m).drop(earlier + earned.entries().size()), unitsBack, most);
          }
          // The rest comes back by lines, or, when every unit already is, by amount: either completes the return.
          if (!units.isEmpty()) {
            accepted(w.loyalty.refund(Refund.ofLines(p.transaction(), w.key(), units)));
            units.forEach(unit -> unitsBack.merge(unit.sku(), 1L, Long::sum));
          }
          long left = detail(earned.entries().head(), "purchase.net") - sum(w.ledger(m).drop(earlier), "refund.net");
          if (left > 0) {
            accepted(w.loyalty.refund(Refund.ofAmount(p.transaction(), w.key(), Money.ofMinor(CurrencyUnit.EUR, left))));
          }
          List<Entry> refunds = w.ledger(m).drop(earlier + earned.entries().size());
          assertTakenBackAsTheClawbacksSay(earned, refunds, unitsBack, most);
          // No point left, none taken twice: every award whole, whatever its clawback.
          for (RuleOutcome o : EarnQuote.fromEntries(earned.entries()).get().outcomes()) {
            assertEquals(o.granted().value(), sum(refunds, "refund.rule." + o.ruleId()), o.ruleId() + " " + o.clawback());
          }
          assertEquals(before, accepted(w.loyalty.balance(m)));
          for (String key : List.of("qualifying.points", "qualifying.spend", "qualifying.visit")) {
            assertEquals(0, sum(w.ledger(m).drop(earlier), key), key);
          }
        });
  }

  @Test
  void returnsOfLinesNeverTakeBackMoreThanARulesAwardAndTakeItAllOnceTheLinesItWasBasedOnAreBack() {
    qt().withExamples(EXAMPLES).forAll(buys(), lists().of(integers().between(0, 1000)).ofSizeBetween(1, 12))
        .checkAssert((buy, picks) -> {
          World w = new World();
          MemberId m = MemberId.of("m" + buy.member());
          Purchase p = buy.toPurchase(w.key());
          int earlier = w.ledger(m).size();
          Receipt earned = accepted(w.loyalty.earn(p));
          java.util.List<ReturnedLine> units = everyUnit(p);
          java.util.Map<String, Long> left = new java.util.HashMap<>();
          for (LineItem line : p.earningLines()) {
            left.merge(line.sku(), (long) line.quantity(), Long::sum);
          }
          for (int pick : picks) {
            if (units.isEmpty()) {
              break;
            }
            ReturnedLine unit = units.remove(pick % units.size());
            accepted(w.loyalty.refund(Refund.ofLines(p.transaction(), w.key(), unit)));
            left.computeIfPresent(unit.sku(), (sku, n) -> n - 1);
            List<Entry> refunds = w.ledger(m).drop(earlier + earned.entries().size());
            for (RuleOutcome o : EarnQuote.fromEntries(earned.entries()).get().outcomes()) {
              long taken = sum(refunds, "refund.rule." + o.ruleId());
              assertTrue(taken <= o.granted().value(), o.ruleId() + " took back " + taken + " of " + o.granted());
              if (!o.clawback().basis().isEmpty() && o.clawback().basis().forAll(sku -> left.get(sku) <= 0)) {
                assertEquals(o.granted().value(), taken, o.ruleId() + " once its lines " + o.clawback().basis() + " are back");
              }
            }
          }
        });
  }

  /**
   * What the refunds so far took back of each rule's award is what its clawback gives at the
   * amount returned: in proportion, rounded down, to the whole basket, or to the lines the award was
   * based on (an amount coming off the earning lines kept in proportion to their net, free lines by
   * units); a threshold bonus whole once the basket kept,
   * worked out exactly, is below its threshold (a fraction of a cent below is below); the rest
   * only on the full return.
   */
  static void assertTakenBackAsTheClawbacksSay(Receipt earned, List<Entry> refunds, java.util.Map<String, Long> unitsBack) {
    assertTakenBackAsTheClawbacksSay(earned, refunds, unitsBack, new java.util.HashMap<>());
  }

  /**
   * As above, after earlier steps of one return whose expectations per rule are in {@code most}: a
   * refund never gives points back (it takes what the clawback gives less what earlier refunds took,
   * never below zero), so when a later step attributes an earlier amount to other lines (the beans
   * returned after an amount, which the mug's bonus had shared), what was taken stays taken. The
   * rule has taken the most any step's clawback gave.
   */
  static void assertTakenBackAsTheClawbacksSay(Receipt earned, List<Entry> refunds, java.util.Map<String, Long> unitsBack,
      java.util.Map<String, Long> most) {
    Entry first = earned.entries().head();
    java.math.BigInteger net = java.math.BigInteger.valueOf(detail(first, "purchase.net"));
    long returned = sum(refunds, "refund.net");
    java.math.BigInteger left = net.subtract(java.math.BigInteger.valueOf(returned));
    for (RuleOutcome o : EarnQuote.fromEntries(earned.entries()).get().outcomes()) {
      if (!o.granted().isPositive()) {
        continue;
      }
      long granted = o.granted().value();
      long expected = switch (o.clawback().mode()) {
        case PROPORTIONAL -> o.clawback().basis().isEmpty() || left.signum() == 0
            ? java.math.BigInteger.valueOf(granted).multiply(java.math.BigInteger.valueOf(returned)).divide(net).longValueExact()
            : onBasis(first, o, returned, unitsBack);
        case FULL_REFUND -> left.signum() == 0 ? granted : 0;
        case THRESHOLD -> {
          // The basket kept is numerator / denominator.
          java.math.BigInteger numerator;
          java.math.BigInteger denominator;
          if (o.clawback().base() == AmountBase.NET) {
            numerator = java.math.BigInteger.valueOf(detail(first, "purchase.spend")).multiply(left);
            denominator = net;
          } else {
            // The gross basket times the share of the lines' gross kept, times the share of their net
            // kept that the amounts returned leave.
            long gross = 0;
            long grossBack = 0;
            long netBack = 0;
            for (io.vavr.Tuple2<String, String> sku : first.details().filterKeys(k -> k.startsWith("purchase.sku."))) {
              String name = sku._1.substring("purchase.sku.".length());
              long bought = Long.parseLong(sku._2.split(":")[0]);
              long skuGross = detail(first, "purchase.gross." + name);
              long back = Math.min(bought, unitsBack.getOrDefault(name, 0L));
              gross += skuGross;
              grossBack += skuGross * back / bought;
              netBack += Long.parseLong(sku._2.split(":")[1]) * back / bought;
            }
            java.math.BigInteger netLeft = net.subtract(java.math.BigInteger.valueOf(netBack));
            java.math.BigInteger byAmount = java.math.BigInteger.valueOf(returned - netBack);
            numerator = java.math.BigInteger.valueOf(detail(first, "purchase.spend.gross"))
                .multiply(java.math.BigInteger.valueOf(gross - grossBack)).multiply(netLeft.subtract(byAmount));
            denominator = java.math.BigInteger.valueOf(gross).multiply(netLeft);
          }
          java.math.BigInteger threshold = o.clawback().threshold().get().getAmountMinor().toBigIntegerExact();
          yield denominator.signum() == 0 || numerator.compareTo(threshold.multiply(denominator)) < 0 ? granted : 0;
        }
      };
      long atMost = Math.max(expected, most.getOrDefault(o.ruleId(), 0L));
      most.put(o.ruleId(), atMost);
      assertEquals(atMost, sum(refunds, "refund.rule." + o.ruleId()), o.ruleId() + " " + o.clawback());
    }
  }

  /**
   * What a partial return takes back of an award based on lines, as {@link #assertTakenBackAsTheClawbacksSay} says:
   * their net, or their gross for an award measured gross, returned.
   */
  static long onBasis(Entry first, RuleOutcome o, long returned, java.util.Map<String, Long> unitsBack) {
    // The part of the basis returned is basisBack / denominator: each SKU's amount times its units
    // returned over those bought, exactly (a unit bonus goes by units, whatever the lines cost).
    java.math.BigInteger denominator = java.math.BigInteger.ONE;
    for (io.vavr.Tuple2<String, String> sku : first.details().filterKeys(k -> k.startsWith("purchase.sku."))) {
      denominator = denominator.multiply(java.math.BigInteger.valueOf(Long.parseLong(sku._2.split(":")[0])));
    }
    long basis = 0;
    java.math.BigInteger basisBack = java.math.BigInteger.ZERO;
    long basisUnits = 0;
    long basisUnitsBack = 0;
    long netBack = 0;
    for (io.vavr.Tuple2<String, String> sku : first.details().filterKeys(k -> k.startsWith("purchase.sku."))) {
      String name = sku._1.substring("purchase.sku.".length());
      long bought = Long.parseLong(sku._2.split(":")[0]);
      long skuNet = Long.parseLong(sku._2.split(":")[1]);
      long back = Math.min(bought, unitsBack.getOrDefault(name, 0L));
      // What the refunds record as returned, rounded down per SKU.
      netBack += skuNet * back / bought;
      if (o.clawback().basis().contains(name)) {
        // Measured as the award was earned: on the gross of its lines for a multiplier on the gross.
        long measured = o.clawback().base() == AmountBase.GROSS ? detail(first, "purchase.gross." + name) : skuNet;
        basis += measured;
        basisBack = basisBack.add(java.math.BigInteger.valueOf(measured).multiply(java.math.BigInteger.valueOf(back))
            .multiply(denominator).divide(java.math.BigInteger.valueOf(bought)));
        basisUnits += bought;
        basisUnitsBack += back;
      }
    }
    java.math.BigInteger granted = java.math.BigInteger.valueOf(o.granted().value());
    if (basis == 0) {
      return granted.multiply(java.math.BigInteger.valueOf(basisUnitsBack)).divide(java.math.BigInteger.valueOf(basisUnits))
          .longValueExact();
    }
    java.math.BigInteger whole = java.math.BigInteger.valueOf(basis).multiply(denominator);
    long netLeft = detail(first, "purchase.net") - netBack;
    if (netLeft == 0) {
      // Free lines only, measured on their gross: no amount comes off them.
      return granted.multiply(basisBack).divide(whole).longValueExact();
    }
    long byAmount = returned - netBack;
    java.math.BigInteger kept = whole.subtract(basisBack).multiply(java.math.BigInteger.valueOf(netLeft - byAmount));
    whole = whole.multiply(java.math.BigInteger.valueOf(netLeft));
    return granted.multiply(whole.subtract(kept)).divide(whole).longValueExact();
  }

  /** Whether the purchase of this first award entry is returned by units (its earning lines are free, or it has none). */
  static boolean returnedByUnits(Entry first) {
    return detail(first, "purchase.net") == 0;
  }

  static long detail(Entry entry, String key) {
    return Long.parseLong(entry.details().get(key).getOrElse("0"));
  }

  static long sum(List<Entry> entries, String key) {
    return entries.map(e -> detail(e, key)).sum().longValue();
  }

  /** Every unit bought, as a line of its own, those that never earn too: a part may name one SKU on several lines. */
  static java.util.List<ReturnedLine> everyUnit(Purchase p) {
    java.util.List<ReturnedLine> units = new java.util.ArrayList<>();
    for (LineItem line : p.lines()) {
      for (int u = 0; u < line.quantity(); u++) {
        units.add(new ReturnedLine(line.sku(), 1));
      }
    }
    return units;
  }

  /**
   * Returns the units in parts of the sizes given (in turn), each accepted; before the part
   * numbered {@code expiredAt}, the member's points due to expire do.
   */
  static void returnInParts(World w, MemberId m, Purchase p, java.util.List<ReturnedLine> units,
      java.util.List<Integer> sizes, int expiredAt) {
    for (int from = 0, part = 0; from < units.size(); part++) {
      if (part == expiredAt) {
        accepted(w.loyalty.expire(m, w.clock.instant(), w.key()));
      }
      int to = Math.min(units.size(), from + sizes.get(part % sizes.size()));
      java.util.List<ReturnedLine> returned = units.subList(from, to);
      accepted(w.loyalty.refund(Refund.ofLines(p.transaction(), w.key(), returned.get(0),
          returned.subList(1, returned.size()).toArray(new ReturnedLine[0]))));
      from = to;
    }
  }

  @Test
  void aReturnOfLinesSentAgainWithItsLinesInAnyOrderAndItsUnitsSplitAnyWayReplaysTheFirstResultAndWritesNothing() {
    qt().withExamples(EXAMPLES).forAll(buys(), integers().between(1, 12), lists().of(integers().between(0, 1000))
        .ofSizeBetween(1, 12), lists().of(integers().between(0, 1000)).ofSizeBetween(1, 12)).checkAssert(
        (buy, size, draws, again) -> {
          World w = new World();
          MemberId m = MemberId.of("m" + buy.member());
          Purchase p = buy.toPurchase(w.key());
          accepted(w.loyalty.earn(p));
          java.util.List<ReturnedLine> units = everyUnit(p);
          List<ReturnedLine> returned = List.ofAll(units.subList(0, Math.min(size, units.size())));
          IdempotencyKey key = w.key();
          Receipt first = accepted(w.loyalty.refund(refundOf(p, key, merged(shuffled(returned, draws), draws))));
          List<Entry> ledger = w.ledger(m);
          Refund resent = refundOf(p, key, merged(shuffled(returned, again), again));
          assertEquals(first, accepted(w.loyalty.refund(resent)), resent.toString());
          assertEquals(ledger, w.ledger(m));
          // One unit more or less is another return.
          Refund other = refundOf(p, key, returned.size() > 1 ? returned.tail() : returned.append(units.get(0)));
          assertEquals(new LoyaltyError.IdempotencyConflict(key), w.loyalty.refund(other).getLeft());
          assertEquals(ledger, w.ledger(m));
        });
  }

  /** A refund of these lines, in this order, of the purchase under this key. */
  static Refund refundOf(Purchase p, IdempotencyKey key, List<ReturnedLine> lines) {
    return Refund.ofLines(p.transaction(), key, lines);
  }

  /** The lines in an order drawn from {@code draws} (Fisher-Yates, each draw taken modulo what is left). */
  static List<ReturnedLine> shuffled(List<ReturnedLine> lines, java.util.List<Integer> draws) {
    java.util.List<ReturnedLine> order = new java.util.ArrayList<>(lines.asJava());
    for (int i = order.size() - 1; i > 0; i--) {
      java.util.Collections.swap(order, i, draws.get(i % draws.size()) % (i + 1));
    }
    return List.ofAll(order);
  }

  /** The lines with some neighbours of one SKU merged into one line, as the draws say: the same units, split otherwise. */
  static List<ReturnedLine> merged(List<ReturnedLine> lines, java.util.List<Integer> draws) {
    List<ReturnedLine> merged = List.of(lines.head());
    for (int i = 1; i < lines.size(); i++) {
      ReturnedLine last = merged.last();
      merged = last.sku().equals(lines.get(i).sku()) && draws.get(i % draws.size()) % 2 == 0
          ? merged.init().append(new ReturnedLine(last.sku(), last.quantity() + lines.get(i).quantity()))
          : merged.append(lines.get(i));
    }
    return merged;
  }

  @Test
  void aFullReturnAfterSpendingLeavesTheMemberOwingExactlyWhatWasSpentWhateverExpiredMeanwhile() {
    LoyaltyProgram owing = program().toBuilder().negativeBalancePolicy(NegativeBalancePolicy.ALLOW_NEGATIVE).build();
    qt().withExamples(EXAMPLES).forAll(buys(), lists().of(integers().between(1, 4)).ofSizeBetween(1, 6),
        integers().between(0, 6), integers().between(0, 100)).checkAssert((buy, sizes, expiredAt, spentPercent) -> {
          World w = new World(owing);
          MemberId m = MemberId.of("m" + buy.member());
          Purchase p = buy.toPurchase(w.key());
          accepted(w.loyalty.earn(p));
          // Spent from the soonest-expiring points first; what is left of the expiring ones expires unused.
          long spent = accepted(w.loyalty.balance(m)).available().value() * spentPercent / 100;
          if (spent > 0) {
            accepted(w.loyalty.debit(Debit.of(m, Points.of(spent), "coffee", w.key())));
          }
          java.util.List<ReturnedLine> units = everyUnit(p);
          returnInParts(w, m, p, units, sizes, expiredAt);
          accepted(w.loyalty.expire(m, w.clock.instant(), w.key()));
          // Spent points are taken back, expired ones are not taken twice: the member owes what they spent.
          Balance after = accepted(w.loyalty.balance(m));
          assertEquals(new Balance(Points.of(-spent), Points.ZERO, Points.ZERO), after);
          assertEquals(after.total().value(), w.ledger(m).map(e -> e.points().value()).sum().longValue());
        });
  }

  @Test
  void aFullReturnAfterSpendingCancelledOnceThePointsExpiredLeavesTheMemberOwingNothingWhateverExpiredInTheGraceLot() {
    LoyaltyProgram owing = program().toBuilder().negativeBalancePolicy(NegativeBalancePolicy.ALLOW_NEGATIVE).build();
    qt().withExamples(EXAMPLES).forAll(buys(), lists().of(integers().between(1, 4)).ofSizeBetween(1, 6),
        integers().between(0, 6), integers().between(1, 100)).checkAssert((buy, sizes, expiredAt, spentPercent) -> {
          World w = new World(owing);
          MemberId m = MemberId.of("m" + buy.member());
          Purchase p = buy.toPurchase(w.key());
          accepted(w.loyalty.earn(p));
          // Spent from the soonest-expiring points first, then given back once every expiring lot has
          // expired: those points go to a grace lot, which has expired too when the return begins.
          long spent = accepted(w.loyalty.balance(m)).available().value() * spentPercent / 100;
          if (spent == 0) {
            return;
          }
          Receipt coffee = accepted(w.loyalty.debit(Debit.of(m, Points.of(spent), "coffee", w.key())));
          w.clock.advance(Duration.ofDays(15));
          accepted(w.loyalty.cancelRedemption(coffee.entries().single().id(), "not served", w.key()));
          w.clock.advance(Duration.ofDays(31));
          returnInParts(w, m, p, everyUnit(p), sizes, expiredAt);
          accepted(w.loyalty.expire(m, w.clock.instant(), w.key()));
          // Nothing was spent in the end, and what expired is not taken twice: the member owes nothing.
          Balance after = accepted(w.loyalty.balance(m));
          assertEquals(Balance.EMPTY, after);
          assertEquals(after.total().value(), w.ledger(m).map(e -> e.points().value()).sum().longValue());
        });
  }

  @Test
  void underClampAFullReturnWaitsForAHoldOnPointsGivenBackToAGraceLotAndLeavesNothingOnceItIsVoided() {
    LoyaltyProgram clamping = program().toBuilder().negativeBalancePolicy(NegativeBalancePolicy.CLAMP).build();
    qt().withExamples(EXAMPLES).forAll(buys(), lists().of(integers().between(1, 4)).ofSizeBetween(1, 6),
        integers().between(1, 100), integers().between(1, 100)).checkAssert((buy, sizes, spentPercent, heldPercent) -> {
          World w = new World(clamping);
          MemberId m = MemberId.of("m" + buy.member());
          Purchase p = buy.toPurchase(w.key());
          accepted(w.loyalty.earn(p));
          // Spent, then given back once every expiring lot has expired: those points go to a grace
          // lot, still the purchase's, which a hold at the till then takes from first.
          long spent = accepted(w.loyalty.balance(m)).available().value() * spentPercent / 100;
          if (spent == 0) {
            return;
          }
          Receipt coffee = accepted(w.loyalty.debit(Debit.of(m, Points.of(spent), "coffee", w.key())));
          w.clock.advance(Duration.ofDays(15));
          accepted(w.loyalty.cancelRedemption(coffee.entries().single().id(), "not served", w.key()));
          long held = accepted(w.loyalty.balance(m)).available().value() * heldPercent / 100;
          if (held == 0) {
            return;
          }
          Hold hold = accepted(w.loyalty.authorize(Authorization.points(m, Points.of(held), Duration.ofHours(1),
              Channel.store("S-1"), w.key())));
          boolean open = true;
          java.util.List<ReturnedLine> units = everyUnit(p);
          for (int from = 0, part = 0; from < units.size(); part++) {
            int to = Math.min(units.size(), from + sizes.get(part % sizes.size()));
            java.util.List<ReturnedLine> returned = units.subList(from, to);
            Refund refund = Refund.ofLines(p.transaction(), w.key(), returned.get(0),
                returned.subList(1, returned.size()).toArray(new ReturnedLine[0]));
            Either<LoyaltyError, Receipt> r = w.loyalty.refund(refund);
            if (r.isLeft() && open) {
              // Held, not spent: the return waits for the till, which voids the hold.
              assertInstanceOf(LoyaltyError.PointsOnHold.class, r.getLeft());
              accepted(w.loyalty.voidHold(hold.id(), "customer left", w.key()));
              open = false;
              r = w.loyalty.refund(refund);
            }
            accepted(r);
            from = to;
          }
          if (open) {
            accepted(w.loyalty.voidHold(hold.id(), "customer left", w.key()));
          }
          // Nothing was spent in the end: none of the purchase's points is forgiven and then given
          // back by the void, so nothing is left.
          Balance after = accepted(w.loyalty.balance(m));
          assertEquals(Balance.EMPTY, after);
          assertEquals(after.total().value(), w.ledger(m).map(e -> e.points().value()).sum().longValue());
        });
  }

  @Test
  void earningIsIdempotentAndTheKeyRefusesADifferentPurchaseWritingNothing() {
    qt().withExamples(EXAMPLES).forAll(buys(), integers().between(0, 2)).checkAssert((buy, change) -> {
      World w = new World();
      Purchase p = buy.toPurchase(w.key());
      Receipt first = accepted(w.loyalty.earn(p));
      List<Entry> after = w.ledger(p.member());
      assertEquals(first, accepted(w.loyalty.earn(p)));
      assertEquals(after, w.ledger(p.member()));
      assertEquals(1, w.store.counter(EarnEngine.visitsKey("props", p.member())));
      // The same key with another purchase: a tip more, another points payment, or a line of another kind.
      LineItem last = p.lines().last();
      Purchase other = switch (change) {
        case 0 -> new Purchase(p.member(), p.transaction(), p.occurredAt(), p.channel(), p.currency(),
            p.lines().append(LineItem.of("TIP", 1, Money.ofMinor(CurrencyUnit.EUR, 100)).ofKind(LineKind.TIP)), p.paidWithPoints());
        case 1 -> p.withPaidWithPoints(p.paidWithPoints().isZero() ? p.lines().map(LineItem::net).reduce(Money::plus)
            : Money.zero(CurrencyUnit.EUR));
        default -> new Purchase(p.member(), p.transaction(), p.occurredAt(), p.channel(), p.currency(),
            p.lines().init().append(last.ofKind(last.kind().earns() ? LineKind.DEPOSIT : LineKind.GOODS)), p.paidWithPoints());
      };
      if (!other.equals(p)) {
        assertEquals(new LoyaltyError.IdempotencyConflict(p.transaction()), w.loyalty.earn(other).getLeft());
        assertEquals(after, w.ledger(p.member()));
        assertEquals(1, w.store.counter(EarnEngine.visitsKey("props", p.member())));
      }
    });
  }

  @Test
  void anExclusiveRuleExcludesOnlyWhatFollowsItEachGroupGrantsOneRuleAtMostAndTheQuoteIsWhatIsPosted() {
    qt().withExamples(EXAMPLES * 4).forAll(lists().of(longs().all()).ofSizeBetween(2, 7), lists().of(buys()).ofSizeBetween(1, 8))
        .checkAssert((seeds, script) -> {
          // Random priorities, exclusive rules, groups, caps, limits and budgets (EngineQuoteTest.book),
          // whose counters the purchases of the script use up.
          RuleBook book = EngineQuoteTest.book(seeds);
          World w = new World(LoyaltyProgram.builder("props").zone(ZoneOffset.UTC).earnRules(book).build());
          for (Buy b : script) {
            Purchase p = b.toPurchase(w.key());
            EarnQuote quote = accepted(w.loyalty.quote(p));
            assertEquals(quote, EarnQuote.fromEntries(accepted(w.loyalty.earn(p)).entries()).get());
            assertStacksAsTheTableSays(book, quote);
          }
        });
  }

  /**
   * The stacking decision table's invariants on a quote: no rule at or before the first granted
   * exclusive rule is excluded unless it lost its group to a rule of the group that is granted (and
   * its reason names that rule and grant); every rule after it is granted nothing and, unless its own
   * condition was not met, reads that this rule excludes it; and each group grants one rule at most.
   */
  static void assertStacksAsTheTableSays(RuleBook book, EarnQuote quote) {
    int[] order = book.stackingOrder();
    java.util.function.IntFunction<RuleOutcome> outcome = i -> quote.outcome(book.id(i)).get();
    int first = -1;
    for (int pos = 0; pos < order.length && first < 0; pos++) {
      if (book.terms(order[pos]).stacking().exclusive() && outcome.apply(order[pos]).granted().value() > 0) {
        first = pos;
      }
    }
    java.util.Map<String, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < order.length; i++) {
      index.put(book.id(i), i);
    }
    java.util.Map<String, Integer> grantedInGroup = new java.util.HashMap<>();
    for (int pos = 0; pos < order.length; pos++) {
      int i = order[pos];
      RuleOutcome o = outcome.apply(i);
      Option<String> group = book.terms(i).stacking().group();
      if (group.isDefined() && o.granted().value() > 0) {
        grantedInGroup.merge(group.get(), 1, Integer::sum);
      }
      Option<Reason.Code> code = o.reason().map(Reason::code);
      if (first >= 0 && pos > first) {
        int x = order[first];
        assertEquals(0, o.granted().value(), o.ruleId() + " after " + book.id(x));
        if (!code.contains(Reason.Code.CONDITION_NOT_MET)) {
          assertEquals(Option.some(new Reason(Reason.Code.EXCLUDED_BY_STACKING, "exclusive rule",
              book.id(x) + " (priority " + book.terms(x).stacking().priority() + ") applies", "no exclusive rule before it")),
              o.reason(), o.ruleId() + " after " + book.id(x));
        }
      } else if (code.contains(Reason.Code.EXCLUDED_BY_STACKING)) {
        assertTrue(group.isDefined(), o.ruleId() + " is excluded, though no exclusive rule comes before it: " + o.reason());
        assertEquals("group " + group.get(), o.reason().get().subject(), o.ruleId());
        String[] winner = o.reason().get().observed().split(" is granted ");
        RuleOutcome w = quote.outcome(winner[0]).get();
        assertEquals(Long.parseLong(winner[1]), w.granted().value(), o.ruleId() + " lost to " + w);
        assertTrue(w.granted().value() > 0 && book.terms(index.get(winner[0])).stacking().group().equals(group),
            o.ruleId() + " lost to " + w);
      }
    }
    grantedInGroup.forEach((group, granted) -> assertEquals(1, granted, "rules granted in group " + group));
  }

  /**
   * Sends again the event sent at {@code index}, if there is one, and checks that it answers its
   * first receipt and writes nothing; false if there is none to send again.
   */
  static boolean resentAsFirst(World w, int index, java.util.List<CustomEvent> sent, java.util.List<Receipt> receipts) {
    if (index < 0 || index >= sent.size()) {
      return false;
    }
    MemberId m = sent.get(index).member();
    List<Entry> before = w.ledger(m);
    assertEquals(receipts.get(index), accepted(w.loyalty.earn(sent.get(index))));
    assertEquals(before, w.ledger(m));
    return true;
  }

  /**
   * Runs the first half on this thread and the second on another at once, waits for both, and
   * fails as the other failed: a thread's uncaught assertion would otherwise only be printed.
   */
  static void inTwoThreads(Runnable[] halves) {
    java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
    Thread other = new Thread(halves[1]);
    other.setUncaughtExceptionHandler((thread, e) -> failed.set(e));
    other.start();
    halves[0].run();
    try {
      other.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    if (failed.get() != null) {
      throw new AssertionError("the other thread failed", failed.get());
    }
  }

  /**
   * A generated referral event: the member who earns, the other member (by offset, never the same),
   * whether it is the referred side ({@code referral.joined}), how many days before the world's
   * clock it happened, and whether it resends an earlier event (by index into those sent) instead.
   */
  record Referral(int member, int offset, boolean joined, int daysAgo, int resend) {}

  static Gen<Referral> referrals() {
    return integers().between(0, MEMBERS - 1).zip(integers().between(1, MEMBERS - 1), booleans().all(),
        integers().between(0, 70), integers().between(-12, 30), Referral::new);
  }

  @Test
  void noPairIsEverPaidTwiceWhateverTheOrderKeysAndResendsOfItsReferralEvents() {
    qt().withExamples(EXAMPLES).forAll(lists().of(referrals()).ofSizeBetween(1, 30)).checkAssert(script -> {
      // The referrer at most once per friend and twice a month; the referred side once per referrer.
      World w = new World(LoyaltyProgram.builder("props").zone(ZoneOffset.UTC).earnRules(RuleBook.of(
          EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500)
              .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty().limitedTo(2, CapPeriod.MONTH)),
          EventAward.of("joined", CustomEvent.REFERRAL_JOINED, 200)
              .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty()))).build());
      java.util.List<CustomEvent> sent = new java.util.ArrayList<>();
      java.util.List<Receipt> receipts = new java.util.ArrayList<>();
      java.util.Set<String> paidPairs = new java.util.HashSet<>();
      java.util.Map<String, Integer> monthly = new java.util.HashMap<>();
      for (Referral r : script) {
        if (resentAsFirst(w, r.resend(), sent, receipts)) {
          continue;
        }
        MemberId m = MemberId.of("m" + r.member());
        MemberId other = MemberId.of("m" + (r.member() + r.offset()) % MEMBERS);
        Instant at = w.clock.instant().minus(Duration.ofDays(r.daysAgo()));
        CustomEvent event = r.joined() ? CustomEvent.referred(m, other, w.key(), at, Channel.app())
            : CustomEvent.referral(m, other, w.key(), at, Channel.app());
        EarnQuote quoted = accepted(w.loyalty.quote(event));
        Receipt receipt = accepted(w.loyalty.earn(event));
        assertEquals(quoted, EarnQuote.fromEntries(receipt.entries()).get());
        sent.add(event);
        receipts.add(receipt);
        // The model: a pair is paid by its first event, unless the referrer's monthly limit is reached.
        String rule = r.joined() ? "joined" : "refer";
        String pair = rule + ":" + m + ":" + other;
        String month = m + ":" + at.toString().substring(0, 7);
        boolean pays = !paidPairs.contains(pair) && (r.joined() || monthly.getOrDefault(month, 0) < 2);
        RuleOutcome outcome = quoted.outcome(rule).get();
        assertEquals(Points.of(pays ? (r.joined() ? 200 : 500) : 0), outcome.granted(), pair);
        if (pays) {
          paidPairs.add(pair);
          monthly.merge(month, r.joined() ? 0 : 1, Integer::sum);
        } else {
          assertEquals(Reason.Code.LIMIT_REACHED, outcome.reason().get().code());
        }
      }
      for (int i = 0; i < MEMBERS; i++) {
        MemberId m = MemberId.of("m" + i);
        List<Entry> ledger = w.ledger(m);
        // No pair paid twice: each pair's awards add up to one award at most.
        java.util.Map<String, Long> byPair = new java.util.HashMap<>();
        for (Entry e : ledger) {
          String rule = e.details().get("event.type").contains(CustomEvent.REFERRAL_JOINED) ? "joined" : "refer";
          byPair.merge(rule + ":" + e.details().get("event.counterparty").getOrElse("?"), e.points().value(), Long::sum);
        }
        byPair.forEach((pair, points) -> assertTrue(points == 0 || points == 200 || points == 500, pair + ": " + points));
        assertEquals(accepted(w.loyalty.balance(m)).total().value(), ledger.map(e -> e.points().value()).sum().longValue());
      }
    });
  }

  /** The products reviewed: with the separator and a long value among them. */
  static final String[] REVIEWED = {"BEANS-1", "MUG-7", "a:b", "x".repeat(80)};

  /**
   * A generated review: the member who writes it, which product ({@link #REVIEWED} by index; -1
   * names none, 4 a blank one), how many days before the world's clock, and whether it resends an
   * earlier review (by index into those sent) instead.
   */
  record Review(int member, int sku, int daysAgo, int resend) {
    CustomEvent toEvent(IdempotencyKey key, Instant at) {
      io.vavr.collection.SortedMap<String, String> attributes = sku < 0 ? io.vavr.collection.TreeMap.empty()
          : io.vavr.collection.TreeMap.of("sku", sku < REVIEWED.length ? REVIEWED[sku] : " ");
      return new CustomEvent(MemberId.of("m" + member), key, CustomEvent.REVIEW_WRITTEN, at, Channel.web(), Option.none(),
          attributes);
    }
  }

  static Gen<Review> reviews() {
    return integers().between(0, MEMBERS - 1).zip(integers().between(-1, REVIEWED.length), integers().between(0, 70),
        integers().between(-12, 30), Review::new);
  }

  /**
   * Counts an award of every rule with a frequency limit that the quote grants, by rule, member,
   * period and (for a limit per attribute value) the value, and checks that no count passes its
   * limit and that a rule limited per value grants nothing to a review without one; keeps each
   * per-value count under its counter's name in {@code counters}.
   */
  static void countLimitedAwards(RuleBook book, EarnQuote quote, CustomEvent event, java.util.Map<String, Long> awards,
      java.util.Map<String, Long> counters) {
    for (int i = 0; i < book.size(); i++) {
      RuleTerms terms = book.terms(i);
      RuleOutcome outcome = quote.outcome(book.id(i)).get();
      Option<String> per = terms.limitPerAttribute();
      Option<String> value = per.flatMap(name -> event.attributes().get(name)).filter(v -> !v.isBlank());
      if (per.isDefined() && value.isEmpty()) {
        assertEquals(0, outcome.granted().value(), outcome.toString());
      }
      if (terms.limit().isEmpty() || !outcome.granted().isPositive()) {
        continue;
      }
      Cap limit = terms.limit().get();
      String period = limit.period().key(LocalDate.ofInstant(event.occurredAt(), ZoneOffset.UTC));
      String counted = book.id(i) + ":" + event.member() + ":" + period + value.map(v -> ":" + v).getOrElse("");
      long count = awards.merge(counted, 1L, Long::sum);
      assertTrue(count <= limit.amount(), counted + " awarded " + count + " times, limited to " + limit.amount());
      if (per.isDefined()) {
        counters.put(EarnEngine.attributeLimitKey("props", book.id(i), event.member(), period, per.get(), value.get()),
            count);
      }
    }
  }

  /** The store's counters of limits per attribute value are the awards counted. */
  static void assertCounted(java.util.Map<String, Long> counters, InMemoryLedgerStore store) {
    counters.forEach((name, count) -> assertEquals((long) count, store.counter(name), name));
  }

  @Test
  void aRandomRuleBookWithLimitsPerAttributeValueNeverPassesThemQuotesWhatItPostsAndEarnsEachReviewOnce() {
    qt().withExamples(EXAMPLES * 2).forAll(lists().of(longs().all()).ofSizeBetween(1, 6),
        lists().of(reviews()).ofSizeBetween(1, 25)).checkAssert((seeds, script) -> {
          // Random stacking, caps, budgets and limits, half of them per value of "sku" (EngineQuoteTest.book).
          RuleBook book = EngineQuoteTest.book(seeds);
          World w = new World(LoyaltyProgram.builder("props").zone(ZoneOffset.UTC).earnRules(book).build());
          java.util.List<CustomEvent> sent = new java.util.ArrayList<>();
          java.util.List<Receipt> receipts = new java.util.ArrayList<>();
          java.util.Map<String, Long> awards = new java.util.HashMap<>();
          java.util.Map<String, Long> counters = new java.util.HashMap<>();
          for (Review r : script) {
            if (resentAsFirst(w, r.resend(), sent, receipts)) {
              continue;
            }
            CustomEvent event = r.toEvent(w.key(), w.clock.instant().minus(Duration.ofDays(r.daysAgo())));
            EarnQuote quoted = accepted(w.loyalty.quote(event));
            Receipt receipt = accepted(w.loyalty.earn(event));
            assertEquals(quoted, EarnQuote.fromEntries(receipt.entries()).get());
            assertEquals(quoted, accepted(w.loyalty.explain(event.key())));
            assertStacksAsTheTableSays(book, quoted);
            countLimitedAwards(book, quoted, event, awards, counters);
            assertCounted(counters, w.store);
            sent.add(event);
            receipts.add(receipt);
          }
        });
  }

  @Test
  void aLimitPerAttributeValueIsNeverPassedByReviewsPostedOnTwoNodesAtOnceAndEachIsEarnedOnce() {
    RuleBook book = RuleBook.of(
        EventAward.of("once", CustomEvent.REVIEW_WRITTEN, 25)
            .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER).perAttribute("sku")),
        EventAward.of("monthly", CustomEvent.REVIEW_WRITTEN, 5)
            .with(RuleTerms.DEFAULT.asBonus().limitedTo(2, CapPeriod.MONTH).perAttribute("sku")));
    LoyaltyProgram program = LoyaltyProgram.builder("props").zone(ZoneOffset.UTC).earnRules(book).build();
    qt().withExamples(EXAMPLES).forAll(lists().of(reviews()).ofSizeBetween(2, 24)).checkAssert(script -> {
      World w = new World(program);
      // Two nodes: two facades on one store, as two application nodes on one database.
      Loyalty[] nodes = {w.loyalty, Fixtures.aLoyalty(w.store, w.clock, program)};
      java.util.List<CustomEvent> events = new java.util.ArrayList<>();
      for (Review r : script) {
        // A resend is the earlier review sent again, possibly by the other node at the same time.
        events.add(r.resend() >= 0 && r.resend() < events.size() ? events.get(r.resend())
            : r.toEvent(w.key(), w.clock.instant().minus(Duration.ofDays(r.daysAgo()))));
      }
      ConcurrentMap<IdempotencyKey, Receipt> receipts = new ConcurrentHashMap<>();
      Runnable[] halves = new Runnable[2];
      for (int t = 0; t < 2; t++) {
        Loyalty node = nodes[t];
        int half = t;
        halves[t] = () -> {
          for (int i = half; i < events.size(); i += 2) {
            CustomEvent e = events.get(i);
            Either<LoyaltyError, Receipt> r = node.earn(e);
            while (r.isLeft() && r.getLeft() instanceof LoyaltyError.ConcurrentModification) {
              r = node.earn(e);
            }
            Receipt receipt = accepted(r);
            Receipt first = receipts.putIfAbsent(e.key(), receipt);
            assertEquals(first == null ? receipt : first, receipt, "a resend answers the first receipt");
          }
        };
      }
      inTwoThreads(halves);
      java.util.Map<String, Long> awards = new java.util.HashMap<>();
      java.util.Map<String, Long> counters = new java.util.HashMap<>();
      java.util.Set<IdempotencyKey> counted = new java.util.HashSet<>();
      for (CustomEvent e : events) {
        if (counted.add(e.key())) {
          countLimitedAwards(book, EarnQuote.fromEntries(receipts.get(e.key()).entries()).get(), e, awards, counters);
        }
      }
      assertCounted(counters, w.store);
      // Every award is in the ledger once: the balances add up to the awards counted.
      long posted = 0;
      for (int i = 0; i < MEMBERS; i++) {
        posted += w.ledger(MemberId.of("m" + i)).map(entry -> entry.points().value()).sum().longValue();
      }
      assertEquals(receipts.values().stream().mapToLong(r -> r.netPoints().value()).sum(), posted);
    });
  }

  /** Zones whose clocks change at 02:00 or 03:00, at midnight (Havana, Santiago), by half an hour (Lord Howe), or not at all. */
  private static final List<String> CLOCK_CHANGING_ZONES = List.of("Europe/Berlin", "America/New_York", "America/Havana",
      "America/Santiago", "Australia/Lord_Howe", "Asia/Tokyo");

  /**
   * Around a change of the clocks, in a zone whose clocks change at any of the usual hours (or never),
   * a per-member daily cap counts each calendar day of the program's zone, 23 or 25 hours long
   * alike, and an hours window takes every purchase whose wall-clock time is in it, a time the
   * clocks repeat both times: what each purchase earns is what the program's calendar says, whatever
   * the order in which the purchases arrive.
   */
  @Test
  void aDailyCapAndAnHoursWindowFollowTheProgramsCalendarDaysAndWallClockAcrossChangesOfTheClocks() {
    Gen<int[]> purchases = integers().between(0, 72 * 4 - 1).zip(integers().between(1, 80), (quarter, euros) ->
        new int[] {quarter, euros});
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, CLOCK_CHANGING_ZONES.size() - 1), booleans().all(),
            lists().of(purchases).ofSizeBetween(1, 25))
        .checkAssert((zoneIndex, autumn, script) -> {
          java.time.ZoneId zone = java.time.ZoneId.of(CLOCK_CHANGING_ZONES.get(zoneIndex));
          Instant from = Instant.parse(autumn ? "2026-07-01T00:00:00Z" : "2026-01-01T00:00:00Z");
          java.time.zone.ZoneOffsetTransition change = zone.getRules().nextTransition(from);
          // From the start of the day before the change (or 1 March, in a zone that keeps its clocks).
          Instant start = (change == null ? LocalDate.of(2026, 3, 1)
              : LocalDate.ofInstant(change.getInstant(), zone).minusDays(1)).atStartOfDay(zone).toInstant();
          TestClock clock = TestClock.at("2027-01-01T00:00:00Z");
          Loyalty loyalty = Fixtures.aLoyalty(new InMemoryLedgerStore(), clock, LoyaltyProgram.builder("p").zone(zone)
              .earnRules(RuleBook.of(
                  BaseRate.of("base", "1").with(RuleTerms.DEFAULT.cappedPerMember(100, CapPeriod.DAY)),
                  BaseRate.of("night", "1").with(RuleTerms.DEFAULT.asBonus().during(Schedule.always()
                      .between(java.time.LocalTime.of(1, 30), java.time.LocalTime.of(2, 30))))))
              .build());
          MemberId member = MemberId.of("m");
          accepted(loyalty.enrol(Enrolment.of(member, Fixtures.aKey()).enrolledAt(start)));
          java.util.Map<LocalDate, Long> capped = new java.util.HashMap<>();
          for (int[] p : script) {
            Instant at = start.plus(Duration.ofMinutes(15L * p[0]));
            java.time.LocalDateTime local = java.time.LocalDateTime.ofInstant(at, zone);
            long room = 100 - capped.getOrDefault(local.toLocalDate(), 0L);
            long base = Math.min(room, p[1]);
            capped.merge(local.toLocalDate(), base, Long::sum);
            boolean night = !local.toLocalTime().isBefore(java.time.LocalTime.of(1, 30))
                && local.toLocalTime().isBefore(java.time.LocalTime.of(2, 30));
            EarnQuote earned = EarnQuote.fromEntries(accepted(loyalty.earn(Fixtures.aPurchase(member, Fixtures.aKey(), at,
                Fixtures.line("I", 1, p[1] + ".00")))).entries()).get();
            assertEquals(Points.of(base), earned.outcome("base").get().granted(), "base at " + local + " in " + zone);
            assertEquals(Points.of(night ? p[1] : 0), earned.outcome("night").get().granted(),
                "night at " + local + " in " + zone);
          }
        });
  }

  /** A sale a till kept offline: how many days and hours before the upload it happened, and its amount in cents. */
  record OfflineSale(int daysAgo, int hour, int cents) {}

  /**
   * The program an offline till's sales run through: a base rate capped per day, a weekly bonus
   * capped per week, a Tuesday bonus with a budget, a first-purchase and an every-third-visit bonus.
   */
  static LoyaltyProgram offlineTillProgram() {
    return LoyaltyProgram.builder("offline").zone(ZoneOffset.UTC).earnRules(RuleBook.of(
        BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100).cappedPerMember(40, CapPeriod.DAY)),
        BaseRate.of("weekly", "1").with(RuleTerms.DEFAULT.asBonus().cappedPerMember(60, CapPeriod.WEEK)),
        BaseRate.of("tuesday", "2").with(RuleTerms.DEFAULT.asBonus().budget(70)
            .during(Schedule.always().on(DayOfWeek.TUESDAY))),
        FirstPurchaseBonus.of("welcome", 25),
        EveryNthVisit.of("third", 3, 15))).build();
  }

  /**
   * What a member earned on these sales uploaded in this order, per rule, after checking that no
   * day's or week's cap was passed in the periods the sales occurred in.
   */
  static java.util.Map<String, Long> uploaded(java.util.List<OfflineSale> sales, java.util.List<Integer> order) {
    TestClock clock = TestClock.at("2026-04-01T00:00:00Z");
    Loyalty loyalty = Fixtures.aLoyalty(new InMemoryLedgerStore(), clock, offlineTillProgram());
    MemberId ada = MemberId.of("ada");
    accepted(loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol")).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))));
    java.util.Map<String, Long> perDay = new java.util.HashMap<>();
    java.util.Map<String, Long> perWeek = new java.util.HashMap<>();
    java.util.Map<String, Long> perRule = new java.util.TreeMap<>();
    for (int i : order) {
      OfflineSale sale = sales.get(i);
      Instant at = clock.instant().minus(Duration.ofDays(sale.daysAgo())).minus(Duration.ofHours(sale.hour()));
      Purchase p = Purchase.of(ada, IdempotencyKey.of("pos-" + i), at, Channel.store("S-1"),
          LineItem.of("A", 1, Money.ofMinor(CurrencyUnit.EUR, sale.cents())));
      EarnQuote q = EarnQuote.fromEntries(accepted(loyalty.earn(p)).entries()).get();
      LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
      perDay.merge(day.toString(), q.outcome("base").get().granted().value(), Long::sum);
      perWeek.merge(CapPeriod.WEEK.key(day), q.outcome("weekly").get().granted().value(), Long::sum);
      q.outcomes().forEach(o -> perRule.merge(o.ruleId(), o.granted().value(), Long::sum));
    }
    perDay.forEach((day, points) -> assertTrue(points <= 40, day + " got " + points));
    perWeek.forEach((week, points) -> assertTrue(points <= 60, week + " got " + points));
    assertEquals(perRule.values().stream().mapToLong(Long::longValue).sum(),
        Fixtures.balanceOf(loyalty, ada).total().value());
    return perRule;
  }

  @Test
  void theSameOfflineSalesUploadedInAnyOrderEarnTheSameRuleByRuleAndNoDaysOrWeeksCapIsPassed() {
    qt().withExamples(EXAMPLES).forAll(lists().of(integers().between(0, 20).zip(integers().between(0, 23),
        integers().between(1, 3000), OfflineSale::new)).ofSizeBetween(1, 12), longs().all()).checkAssert((sales, seed) -> {
          java.util.List<Integer> inOrder = new java.util.ArrayList<>();
          for (int i = 0; i < sales.size(); i++) {
            inOrder.add(i);
          }
          // Oldest first, as a till online all along would have sent them, against a shuffle.
          java.util.List<Integer> chronological = new java.util.ArrayList<>(inOrder);
          chronological.sort(java.util.Comparator.comparing((Integer i) -> sales.get(i).daysAgo())
              .thenComparing(i -> sales.get(i).hour()).reversed());
          java.util.List<Integer> shuffled = new java.util.ArrayList<>(inOrder);
          java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
          assertEquals(uploaded(sales, chronological), uploaded(sales, shuffled));
        });
  }
}
