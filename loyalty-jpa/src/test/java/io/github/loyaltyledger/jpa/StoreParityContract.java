package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.HistoryPage;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reassignment;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.Verification;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.earning.BasketThreshold;
import io.github.loyaltyledger.earning.CapPeriod;
import io.github.loyaltyledger.earning.AmountBase;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.LineKind;
import io.github.loyaltyledger.earning.Multiplier;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.insight.RfmModel;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.LimitPeriod;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueWorkIndex;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.MemberDirectory;
import io.github.loyaltyledger.store.MemberProfiles;
import io.github.loyaltyledger.store.Partition;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.tier.TierOverride;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The JPA store answers exactly as the in-memory store: the same random sequence of
 * facade operations (enrolment, with a birthday and in a zone with daylight saving time or not, credits with expiry and vesting, debits, earning under a rule book
 * with a multiplier and a gross-base rate limited for ever in one group, a budgeted threshold bonus
 * and a monthly cap, on baskets with gift cards, tax, tips and free items, paid with points in part
 * or in whole, refunds by amount and by units, lines that never earn included, most of them after
 * the purchase's base points expired unused (the refund spares them), explanations,
 * reversals, transfers, purchases reassigned to another member (again, back, to a stranger, under a
 * used key) and refunded under their POS id after, holds, rewards with stock and a limit, adjustments, daily runs after time
 * passes, tier evaluations and overrides, expiry announcements, suspensions, closures, erasures,
 * profiles saved and read, replays and refusals) sent to a facade on each, with identical programs
 * and clocks, gets equal results, states, profiles and published events after every operation, and
 * in the end equal ledgers, history pages, verifications, statements, tier histories, due work,
 * directory pages, liability, RFM profiles and member exports; the JPA store's outbox relays exactly
 * the events its facade published. Of 50 scripts, about 15 return a purchase whose points expired ({@code refund.expired}),
 * and the property checks that some did: a run of 50 misses it about once in 10^8. About 12 settle,
 * out of points given back, what a reversal forgave under the program's {@code CLAMP} ({@code
 * forgiven.settled}), and the property checks that some did: a run of 50 misses it about once in 10^6. A subclass names the database ({@link StoreParityOnH2PropertiesTest},
 * {@link StoreParityOnPostgresqlPropertiesTest}) and how many scripts it runs. Every chain verifies after each
 * reassignment, and the property checks that some script reassigned a purchase.
 */
abstract class StoreParityContract {

  private static final int MEMBERS = 4;
  private static final int ENROLLED_AT_START = 3;
  private static final Channel TILL = Channel.store("S-1");
  private static final RewardId COFFEE = RewardId.of("coffee");
  private static final RewardId FIVE_OFF = RewardId.of("five-off");
  private static final RewardId MUG = RewardId.of("mug");
  /** Points as payment at an odd rate (10 points = 0.03), twice a week: payments, their holds and partial returns. */
  private static final RewardId PAY = RewardId.of("pay");
  private static final List<RewardId> REWARDS = List.of(COFFEE, FIVE_OFF, MUG, RewardId.of("no-such-reward"));
  private static final List<String> COUNTERS = List.of("reward-stock:coffee", "reward-stock:mug",
      "earn:bean-club:budget:thirty");
  private static final List<String> REASONS = List.of("purchase", "Café crème ☕ – €", "x".repeat(300), "a\tb \"quoted\"");
  private static final List<ZoneId> ZONES = List.of(ZoneId.of("Europe/Amsterdam"), ZoneId.of("America/St_Johns"),
      ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Pacific/Kiritimati"));
  private static final RedemptionRate CENT_A_POINT = RedemptionRate.of(Fixtures.eur("0.01"), 1);
  /** How long the base rule's points live. */
  private static final Period BASE_EXPIRY = Period.ofDays(40);

  /** Runs the work on an empty database for the JPA store (the test wipes it between scripts). */
  abstract void onDatabase(TestDatabase.Work work) throws Exception;

  /** How many random scripts the property runs. */
  abstract int examples();

  /** One generated operation: what to do, to whom, how much, and an auxiliary choice. */
  record Op(int type, int member, int amount, int aux) {}

  static Gen<Op> ops() {
    // Weighted towards the operations that make points (so that spending, holds and rewards are
    // mostly accepted) and towards the ones that meet them later (refunds, captures, cancellations).
    java.util.List<Integer> weighted = java.util.List.of(0, 1, 1, 2, 3, 4, 4, 5, 6, 6, 7, 8, 9, 9, 10, 10, 11, 12, 12, 13,
        13, 14, 15, 15, 16, 17, 18, 18, 19, 20, 21, 22, 22, 23, 24, 25, 25, 25, 26, 26);
    return Generate.pick(weighted).zip(integers().between(0, MEMBERS - 1), integers().between(1, 400),
        integers().between(0, 99), Op::new);
  }

  @Test
  void theJpaStoreAnswersEveryRandomSequenceOfOperationsExactlyAsTheInMemoryStore() throws Exception {
    java.util.concurrent.atomic.AtomicInteger spared = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger settled = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger moved = new java.util.concurrent.atomic.AtomicInteger();
    onDatabase(database -> {
      try (JpaLedgerStore jpa = database.open()) {
        qt().withExamples(examples())
            .forAll(lists().of(ops()).ofSizeBetween(1, 60))
            .checkAssert(script -> {
              database.wipe();
              Pair pair = new Pair(new InMemoryLedgerStore(), jpa);
              for (Op op : script) {
                pair.step(op);
                pair.compareState("after " + op);
              }
              pair.compareEverything();
              java.util.List<LoyaltyEvent> relayed = new ArrayList<>();
              jpa.relayEvents(100_000, relayed::add);
              assertEquals(redacted(pair.jpa.published), relayed,
                  "the outbox relayed other events than the facade published (an erased member's enrolment without the birthday)");
              if (pair.members.exists(m -> pair.memory.store.entries(m, 1, 100_000)
                  .exists(e -> e.details().containsKey(REFUND_EXPIRED)))) {
                spared.incrementAndGet();
              }
              if (pair.members.exists(m -> pair.memory.store.entries(m, 1, 100_000)
                  .exists(e -> e.details().containsKey(FORGIVEN_SETTLED)))) {
                settled.incrementAndGet();
              }
              if (pair.members.exists(m -> pair.memory.store.entries(m, 1, 100_000)
                  .exists(e -> e.details().containsKey(Reassignment.FROM_DETAIL)))) {
                moved.incrementAndGet();
              }
            });
      }
    });
    assertTrue(spared.get() > 0, "no script returned a purchase whose points had expired (" + REFUND_EXPIRED + ")");
    assertTrue(settled.get() > 0, "no script settled what a clamped reversal forgave (" + FORGIVEN_SETTLED + ")");
    assertTrue(moved.get() > 0, "no script reassigned a purchase (" + Reassignment.FROM_DETAIL + ")");
  }

  /**
   * A payment's hold captured, a direct payment, partial returns of both and a whole cancellation
   * of the rest, as a fixed script (random scripts reach them too, but seldom): the JPA store keeps
   * and reads back the payment details ({@code payment.applied}, {@code payment.returned}) and
   * answers every request as the in-memory store does.
   */
  @Test
  void aPaymentsHoldAndPartialReturnsOfPaymentsAreStoredAndReadBackAsInMemory() throws Exception {
    onDatabase(database -> {
      try (JpaLedgerStore jpa = database.open()) {
        database.wipe();
        Pair pair = new Pair(new InMemoryLedgerStore(), jpa);
        List<Op> script = List.of(
            new Op(1, 0, 400, 2),     // 1,200 points, available at once
            new Op(9, 0, 300, 4),     // hold a payment of 300 points (EUR 0.90 of a EUR 21.00 basket)
            new Op(10, 0, 50, 2),     // capture it whole
            new Op(12, 0, 200, 3),    // pay EUR 0.60 with 200 points
            new Op(13, 0, 40, 1),     // give back EUR 0.11 of the second payment
            new Op(13, 0, 40, 3),     // and EUR 0.11 more
            new Op(10, 0, 50, 3),     // a capture of part of a resolved hold: refused
            new Op(13, 0, 100, 2));   // cancel the first whole
        for (Op op : script) {
          pair.step(op);
          pair.compareState("after " + op);
        }
        pair.compareEverything();
        List<Entry> entries = pair.jpa.store.entries(pair.members.get(0), 1, 100_000);
        assertTrue(entries.exists(e -> e.kind() == EntryKind.CAPTURE && e.details().containsKey(PAYMENT_APPLIED)),
            "no payment hold was captured: " + entries);
        assertEquals(3, entries.count(e -> e.details().containsKey(PAYMENT_RETURNED)), entries::toString);
      }
    });
  }

  /** The events as the outbox keeps them: an erased member's enrolment events without the birthday. */
  static java.util.List<LoyaltyEvent> redacted(java.util.List<LoyaltyEvent> published) {
    java.util.Set<MemberId> erased = new java.util.HashSet<>();
    published.stream().filter(LoyaltyEvent.MemberErased.class::isInstance).forEach(e -> erased.add(e.member()));
    return published.stream().map(e -> e instanceof LoyaltyEvent.MemberEnrolled enrolled && erased.contains(e.member())
        ? new LoyaltyEvent.MemberEnrolled(new Member(enrolled.enrolled().id(), enrolled.enrolled().enrolledAt(),
            Option.none(), enrolled.enrolled().zone(), enrolled.enrolled().status()), enrolled.at())
        : e).collect(java.util.stream.Collectors.toList());
  }

  /** The detail of a refund's reversal that spared points expired unused from the purchase's lot. */
  static final String REFUND_EXPIRED = "refund.expired";

  /** The detail of a reversal that settles, out of points given back, what a clamped reversal forgave. */
  static final String FORGIVEN_SETTLED = "forgiven.settled";

  /** The detail of a payment's return: the money it gave back. */
  static final String PAYMENT_RETURNED = "payment.returned";

  /** The detail of a payment's {@code REDEEM}, {@code HOLD} and {@code CAPTURE}: the money paid with points. */
  static final String PAYMENT_APPLIED = "payment.applied";

  /** The program both facades run: earning rules, a tier ladder and a small catalogue. */
  static LoyaltyProgram program(AtomicReference<Loyalty> self) {
    TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("silver", "Silver", Qualification.points(100)))
        .tier(Tier.of("gold", "Gold", Qualification.points(300)))
        .build();
    RewardCatalog catalogue = RewardCatalog.builder()
        .reward(Reward.builder(COFFEE, "Free coffee", new RewardKind.FreeItem("SKU-COFFEE"), Points.of(100))
            .stock(4).build())
        .reward(Reward.builder(FIVE_OFF, "5.00 off", new RewardKind.MoneyOff(Money.of(CurrencyUnit.EUR, 5)), Points.of(150))
            .limit(1, LimitPeriod.MONTH).build())
        .reward(Reward.builder(MUG, "Mug", new RewardKind.FreeItem("MUG"), Points.of(300))
            .costForTier("gold", Points.of(120)).stock(3).build())
        .reward(Reward.builder(PAY, "Pay with points", new RewardKind.PointsAsPayment(new PaymentTerms(Points.of(10),
                Money.parse("EUR 0.03"), Points.of(20), new java.math.BigDecimal("0.5"))), Points.of(20))
            .limit(2, LimitPeriod.WEEK).build())
        .tiers((member, at) -> self.get().tierOf(member, at))
        .build();
    return LoyaltyProgram.builder("bean-club")
        .zone(ZoneOffset.UTC)
        .tierLadder(ladder)
        .rewards(catalogue)
        .earnRules(RuleBook.of(
            BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100).cappedPerMember(400, CapPeriod.MONTH)
                .expiringAfter(BASE_EXPIRY)),
            Multiplier.onSkus("beans-double", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus().inGroup("promo")),
            // In the group with the double on beans: the larger grant wins, until its two awards are used.
            BaseRate.of("gross", "0.5").on(AmountBase.GROSS).with(RuleTerms.DEFAULT.asBonus().inGroup("promo")
                .limitedTo(2, CapPeriod.EVER)),
            BasketThreshold.of("thirty", Fixtures.eur("30.00"), 50)
                .with(RuleTerms.DEFAULT.asBonus().budget(200).vestingAfter(Duration.ofDays(3)))))
        .build();
  }

  /** A facade, its store, its clock and its daily run. */
  static final class Side {
    final LedgerStore store;
    final TestClock clock = TestClock.at(Fixtures.START);
    /** The events the facade published, in order. */
    final java.util.List<LoyaltyEvent> published = new ArrayList<>();
    final Loyalty loyalty;
    final DailyRun run;

    Side(LedgerStore store) {
      this.store = store;
      AtomicReference<Loyalty> self = new AtomicReference<>();
      this.loyalty = Loyalty.builder().program(program(self)).store(store).clock(clock).listener(published::add).build();
      self.set(loyalty);
      this.run = DailyRun.builder(loyalty).build();
    }
  }

  /** What an operation answered: its result, or the exception it threw, by class and message. */
  static Object outcome(Side side, Function<Side, Object> request) {
    try {
      return request.apply(side);
    } catch (RuntimeException e) {
      return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** The two sides, driven in lockstep, and what the test remembers of the requests it sent. */
  static final class Pair {
    final Side memory;
    final Side jpa;
    final List<MemberId> members = List.range(0, MEMBERS).map(i -> MemberId.of("m" + i));
    final java.util.List<Function<Side, Object>> sent = new ArrayList<>();
    final java.util.List<IdempotencyKey> keysUsed = new ArrayList<>();
    final java.util.List<Purchase> purchases = new ArrayList<>();
    final java.util.List<EntryId> holds = new ArrayList<>();
    final java.util.List<EntryId> redemptions = new ArrayList<>();
    /** The redemptions that are payments with points, which may be given back in part. */
    final java.util.List<EntryId> payments = new ArrayList<>();
    /** The keys of the reassignments sent, which a later one may send again with another target. */
    final java.util.List<IdempotencyKey> reassignments = new ArrayList<>();
    int keys;

    Pair(LedgerStore inMemory, LedgerStore onJpa) {
      memory = new Side(inMemory);
      jpa = new Side(onJpa);
      for (int i = 0; i < ENROLLED_AT_START; i++) {
        MemberId m = members.get(i);
        IdempotencyKey key = IdempotencyKey.of("enrol-" + m);
        keysUsed.add(key);
        send(s -> s.loyalty.enrol(Enrolment.of(m, key)));
      }
    }

    IdempotencyKey key() {
      IdempotencyKey k = IdempotencyKey.of("key-" + keys++);
      keysUsed.add(k);
      return k;
    }

    Instant now() {
      return memory.clock.instant();
    }

    /** Sends the request to both sides and requires the same answer; returns the in-memory one. */
    Object send(Function<Side, Object> request) {
      Object expected = outcome(memory, request);
      Object actual = outcome(jpa, request);
      assertEquals(expected, actual, "the two stores answered differently");
      sent.add(request);
      return expected;
    }

    <T> Option<T> accepted(Object result, Class<T> type) {
      if (result instanceof Either<?, ?> either && either.isRight() && type.isInstance(either.get())) {
        return Option.some(type.cast(either.get()));
      }
      return Option.none();
    }

    void redeemed(Redemption r) {
      redemptions.add(r.entry());
      if (r.moneyApplied().isDefined()) {
        payments.add(r.entry());
      }
    }

    /** One of the holds made so far, or now and then (or when there is none) an entry that is no hold. */
    EntryId hold(MemberId m, int aux) {
      return holds.isEmpty() || aux % 10 == 0 ? EntryId.of(m, 998) : holds.get(aux % holds.size());
    }

    void step(Op op) {
      // The last member is enrolled only by an operation, and is chosen less often.
      MemberId m = members.get(op.member() == MEMBERS - 1 && op.aux() % 3 != 0 ? op.aux() % (MEMBERS - 1) : op.member());
      MemberId other = members.get((op.member() + 1 + op.aux() % (MEMBERS - 1)) % MEMBERS);
      Points amount = Points.of(op.amount());
      int aux = op.aux();
      Instant now = now();
      switch (op.type()) {
        case 0 -> {
          IdempotencyKey key = key();
          MemberId who = members.get(op.member());
          // Now and then with a birthday near the start, in a zone with daylight saving time (of an
          // hour, or half an hour on Lord Howe Island) or far from the program's.
          Enrolment enrolment = Enrolment.of(who, key);
          if (aux % 3 == 0) {
            enrolment = enrolment.withBirthday(MonthDay.of(3, 1 + aux % 28));
          }
          if (aux % 4 != 0) {
            enrolment = enrolment.withZone(ZONES.get(aux % ZONES.size()));
          }
          Enrolment sent = enrolment;
          send(s -> s.loyalty.enrol(sent));
        }
        case 1, 2 -> {
          Credit c = Credit.of(m, Points.of(op.amount() * 3L), REASONS.get(aux % REASONS.size()), key());
          if (aux % 3 == 0) {
            c = c.expiringAt(now.plus(Duration.ofDays(aux % 20 + 1L)));
          }
          if (aux % 4 == 1) {
            c = c.vestingAt(now.plus(Duration.ofDays(aux % 5 + 1L)));
          }
          Credit credit = c;
          send(s -> s.loyalty.credit(credit));
        }
        case 3 -> {
          IdempotencyKey key = key();
          send(s -> s.loyalty.debit(Debit.of(m, amount, "spend", key)));
        }
        case 4, 5 -> {
          Purchase p = purchase(m, op.amount(), aux, now);
          if (accepted(send(s -> s.loyalty.earn(p)), Object.class).isDefined()) {
            purchases.add(p);
          }
        }
        case 6 -> {
          if (purchases.isEmpty()) {
            refusal(m, amount, 3);
            return;
          }
          Purchase p = purchases.get(aux % purchases.size());
          if (aux / 6 % 3 != 0) {
            // Now and then the purchase's base points expire unused before it comes back: the
            // refund spares them (refund.expired).
            Duration untilExpired = Duration.between(now, p.occurredAt().plus(BASE_EXPIRY).plus(Duration.ofDays(1)));
            letTimePass(untilExpired.isNegative() ? Duration.ofHours(1) : untilExpired);
          }
          IdempotencyKey key = key();
          List<ReturnedLine> every = p.lines().map(l -> new ReturnedLine(l.sku(), l.quantity()));
          Refund refund = switch (aux % 6) {
            case 0 -> p.earningLines().isEmpty()
                ? Refund.ofLines(p.transaction(), key, every)
                : Refund.ofAmount(p.transaction(), key, p.earningLines().map(LineItem::net).reduce(Money::plus));
            case 1 -> Refund.ofAmount(p.transaction(), key, Money.ofMinor(CurrencyUnit.EUR, op.amount() * 5L));
            case 2 -> Refund.ofLines(p.transaction(), key, new ReturnedLine("BEANS", 1));
            case 3 -> Refund.ofLines(p.transaction(), key, new ReturnedLine("CAKE", 1), new ReturnedLine("BEANS", 1));
            // Every line by its units, those that never earn too; or one unit of the last line (a gift card, tax, a free item).
            case 4 -> Refund.ofLines(p.transaction(), key, every);
            default -> Refund.ofLines(p.transaction(), key, new ReturnedLine(p.lines().last().sku(), 1));
          };
          send(s -> s.loyalty.refund(refund));
        }
        case 7 -> {
          List<Entry> entries = memory.store.entries(m, 1, 100_000);
          EntryId target = entries.isEmpty() || aux % 10 == 0
              ? EntryId.of(m, 999)
              : entries.get(entries.size() - 1 - aux % entries.size()).id();
          IdempotencyKey key = key();
          send(s -> s.loyalty.reverse(Reversal.of(target, "undo", key)));
        }
        case 8 -> {
          IdempotencyKey key = key();
          send(s -> s.loyalty.transfer(Transfer.of(m, other, amount, "gift", key)));
        }
        case 9 -> {
          IdempotencyKey key = key();
          Duration ttl = Duration.ofHours(aux % 24 + 1L);
          if (aux % 3 == 1 && aux % 2 == 0) {
            // A payment's hold, captured whole (case 10 tries a part too, which is refused).
            PointsPayment payment = new PointsPayment(m, PAY, Money.ofMinor(CurrencyUnit.EUR, op.amount() * 7L), amount, TILL, key);
            accepted(send(s -> s.loyalty.authorize(payment, ttl)), Hold.class).forEach(h -> holds.add(h.id()));
            return;
          }
          Authorization a = aux % 3 == 0
              ? Authorization.reward(m, REWARDS.get(aux % REWARDS.size()), ttl, TILL, key)
              : Authorization.points(m, amount, ttl, TILL, key);
          accepted(send(s -> s.loyalty.authorize(a)), Hold.class).forEach(h -> holds.add(h.id()));
        }
        case 10 -> {
          EntryId hold = hold(m, aux);
          IdempotencyKey key = key();
          Points part = Points.of(aux % 50 + 1L);
          accepted(send(s -> aux % 2 == 0 ? s.loyalty.capture(hold, key) : s.loyalty.capture(hold, part, key)),
              Redemption.class).forEach(this::redeemed);
        }
        case 11 -> {
          EntryId hold = hold(m, aux);
          IdempotencyKey key = key();
          send(s -> s.loyalty.voidHold(hold, "void", key));
        }
        case 12 -> {
          IdempotencyKey key = key();
          RewardId reward = REWARDS.get(aux % REWARDS.size());
          PointsPayment payment = new PointsPayment(m, PAY, Money.ofMinor(CurrencyUnit.EUR, op.amount() * 7L), amount, TILL, key);
          accepted(send(s -> aux % 5 >= 3 ? s.loyalty.payWithPoints(payment) : s.loyalty.redeem(m, reward, TILL, key)),
              Redemption.class).forEach(this::redeemed);
        }
        case 13 -> {
          if (redemptions.isEmpty()) {
            return;
          }
          // Often part of a payment, in cents (now and then of another redemption: refused).
          boolean partly = aux % 2 == 1;
          EntryId redemption = partly && !payments.isEmpty() && aux % 7 != 0
              ? payments.get(aux % payments.size()) : redemptions.get(aux % redemptions.size());
          IdempotencyKey key = key();
          Money part = Money.ofMinor(CurrencyUnit.EUR, op.amount() / 4 + 1L);
          send(s -> partly ? s.loyalty.cancelRedemption(redemption, part, "returned", key)
              : s.loyalty.cancelRedemption(redemption, "returned", key));
        }
        case 14 -> {
          IdempotencyKey key = key();
          Points points = aux % 2 == 0 ? amount : amount.negated();
          send(s -> s.loyalty.adjust(Adjustment.of(m, points, "fix", "ops", key)));
        }
        case 15 -> {
          letTimePass(Duration.ofDays(aux % 12 + 1L).plusHours(aux % 7).plusNanos(aux % 4 == 0 ? 123_456_789L * aux : 0));
        }
        case 16 -> {
          IdempotencyKey key = key();
          send(s -> s.loyalty.evaluateTier(m, key));
        }
        case 17 -> {
          IdempotencyKey key = key();
          MemberStatus status = memory.store.account(m).map(a -> a.member().status()).getOrElse(MemberStatus.ACTIVE);
          if (aux == 0) {
            send(s -> s.loyalty.close(m, "bye", key));
          } else if (status != MemberStatus.ACTIVE) {
            send(s -> s.loyalty.reactivate(m, "ok", key));
          } else if (aux % 3 == 0) {
            send(s -> s.loyalty.suspend(m, "check", key));
          } else {
            // Reactivating an active member is refused.
            send(s -> s.loyalty.reactivate(m, "ok", key));
          }
        }
        case 18 -> {
          // A replay of an earlier request (accepted, refused, or a daily run at its instant).
          if (!sent.isEmpty()) {
            send(sent.get(op.amount() % sent.size()));
          }
        }
        case 20 -> {
          // Why a purchase earned what it did; or a key that earned nothing (a credit's, a refund's, none).
          IdempotencyKey asked = purchases.isEmpty() || aux % 4 == 0
              ? keysUsed.isEmpty() ? IdempotencyKey.of("no-such-purchase") : keysUsed.get(op.amount() % keysUsed.size())
              : purchases.get(aux % purchases.size()).transaction();
          send(s -> s.loyalty.explain(asked));
        }
        case 21 -> {
          // Rare, as it ends the member's programme: an erasure (open holds refuse it), or a closure.
          IdempotencyKey key = key();
          send(s -> aux % 3 == 0 ? s.loyalty.erase(m, key) : s.loyalty.close(m, "moved away", key));
        }
        case 22 -> {
          MemberProfile profile = MemberProfile.of(m, aux % 2 == 0 ? Consent.ALL : Consent.NONE)
              .withName(REASONS.get(aux % REASONS.size()))
              .withExternalRef(aux % 3 == 0 ? "crm" : "Shop ☕", "id-" + op.amount());
          send(s -> aux % 5 == 0 ? s.loyalty.profile(m) : s.loyalty.saveProfile(aux % 4 == 0 ? profile : profile.withContact("+31 " + aux)));
        }
        case 23 -> {
          IdempotencyKey key = key();
          TierId tier = TierId.of(aux % 3 == 0 ? "gold" : aux % 3 == 1 ? "silver" : "platinum");
          Instant until = now.plus(Duration.ofDays(aux % 30 + 1L)).plusNanos(aux * 1_001L);
          send(s -> s.loyalty.overrideTier(new TierOverride(m, tier, "goodwill", "ops", until, key)));
        }
        case 24 -> {
          // A lot's expiry, as the daily run announces it; or an instant no lot expires at.
          IdempotencyKey key = key();
          Instant expiresAt = memory.store.account(m).toList().flatMap(a -> a.lots()).flatMap(l -> l.expiresAt())
              .headOption().filter(at -> aux % 4 != 0).getOrElse(now.plus(Duration.ofDays(aux + 1L)));
          send(s -> s.loyalty.announceExpiry(m, expiresAt, key));
        }
        case 25 -> {
          // Under CLAMP: the member spends what they have and a credit of theirs is reversed, which
          // forgives its spent points; mostly the spending is undone at once, which settles
          // them (forgiven.settled), else a later cancellation, void, release or reversal may.
          Points available = memory.store.account(m).map(a -> a.balance().available()).getOrElse(Points.ZERO);
          IdempotencyKey spend = key();
          Option<EntryId> spent = available.isPositive()
              ? accepted(send(s -> s.loyalty.debit(Debit.of(m, available, "spend", spend))), Receipt.class)
                  .map(r -> r.entries().head().id())
              : Option.none();
          Option<Entry> credit = memory.store.entries(m, 1, 100_000).reverse()
              .find(e -> e.points().isPositive() && (e.kind() == EntryKind.EARN || e.kind() == EntryKind.ADJUST));
          for (Entry c : credit) {
            IdempotencyKey key = key();
            send(s -> s.loyalty.reverse(Reversal.of(c.id(), "undo", key)));
          }
          for (EntryId debit : spent.filter(d -> aux % 3 != 0)) {
            IdempotencyKey key = key();
            send(s -> s.loyalty.reverse(Reversal.of(debit, "spend undone", key)));
          }
        }
        case 26 -> {
          // A purchase moved to another member (again, or back, now and then; to a stranger or the
          // member who has it: refused); now and then its key sent again with another target.
          if (purchases.isEmpty()) {
            refusal(m, amount, aux);
            return;
          }
          Purchase p = purchases.get(aux % purchases.size());
          MemberId to = aux % 9 == 0 ? MemberId.of("stranger") : other;
          IdempotencyKey key = aux % 5 == 0 && !reassignments.isEmpty()
              ? reassignments.get(aux % reassignments.size()) : key();
          reassignments.add(key);
          send(s -> s.loyalty.reassign(Reassignment.of(p, to, key)));
          for (Side side : List.of(memory, jpa)) {
            for (MemberId member : members) {
              assertTrue(side.loyalty.verify(member).map(Verification::isIntact).getOrElse(true),
                  () -> "a reassignment left " + member + "'s chain broken: " + side.loyalty.verify(member));
            }
          }
        }
        default -> refusal(m, amount, aux);
      }
    }

    /** Advances both clocks and runs the daily run on each at the new instant. */
    void letTimePass(Duration by) {
      memory.clock.advance(by);
      jpa.clock.advance(by);
      Instant asOf = now();
      send(s -> s.run.runDue(asOf));
    }

    /**
     * A purchase of beans (now and then discounted) and cake; now and then with a gift card, tax, a
     * deposit under the beans' SKU or a free item beside them, or a basket of a gift card and a tip
     * alone; and now and then paid with points in part or in whole (the bill includes the lines
     * that never earn).
     */
    Purchase purchase(MemberId m, int amount, int aux, Instant now) {
      List<LineItem> lines = List.of(LineItem.of("BEANS", aux % 3 + 1, Money.ofMinor(CurrencyUnit.EUR, 250 + aux * 10L))
              .discounted(Money.ofMinor(CurrencyUnit.EUR, aux % 4 == 0 ? 50 : 0)),
          LineItem.of("CAKE", aux % 2 + 1, Money.ofMinor(CurrencyUnit.EUR, amount * 10L)));
      LineItem giftCard = LineItem.of("CARD", 1, Money.ofMinor(CurrencyUnit.EUR, 1000 + amount * 5L)).ofKind(LineKind.GIFT_CARD);
      lines = switch (amount % 6) {
        case 0 -> lines.append(giftCard);
        case 1 -> lines.append(LineItem.of("TAX", 1, Money.ofMinor(CurrencyUnit.EUR, amount * 2L)).ofKind(LineKind.TAX));
        case 2 -> lines.append(LineItem.of("GIFT", aux % 2 + 1, Money.zero(CurrencyUnit.EUR)));
        case 3 -> List.of(giftCard, LineItem.of("TIP", 1, Money.ofMinor(CurrencyUnit.EUR, 150)).ofKind(LineKind.TIP));
        // The tin's deposit, under the beans' SKU: a refund of beans returns those that earned first.
        case 4 -> lines.append(LineItem.of("BEANS", 1, Money.ofMinor(CurrencyUnit.EUR, 25)).ofKind(LineKind.DEPOSIT));
        default -> lines;
      };
      long bill = lines.map(l -> l.net().getAmountMinorLong()).sum().longValue();
      long paid = switch (aux % 7) {
        case 0 -> bill;
        case 1 -> bill * (amount % 100) / 100;
        default -> 0;
      };
      return new Purchase(m, key(), now, TILL, CurrencyUnit.EUR, lines, Money.ofMinor(CurrencyUnit.EUR, paid));
    }

    /** Requests that must be refused: a reused key, an unknown member, a debit beyond everything. */
    void refusal(MemberId m, Points amount, int aux) {
      switch (aux % 4) {
        case 0 -> {
          IdempotencyKey used = keysUsed.isEmpty() ? IdempotencyKey.of("enrol-m0") : keysUsed.get((int) amount.value() % keysUsed.size());
          send(s -> s.loyalty.credit(Credit.of(m, Points.of(1), "a different request", used)));
        }
        case 1 -> {
          IdempotencyKey key = key();
          send(s -> s.loyalty.credit(Credit.of(MemberId.of("stranger"), amount, "who?", key)));
        }
        case 2 -> {
          IdempotencyKey key = key();
          send(s -> s.loyalty.debit(Debit.of(m, Points.of(1_000_000), "too much", key)));
        }
        default -> {
          IdempotencyKey key = key();
          send(s -> s.loyalty.refund(Refund.ofAmount(IdempotencyKey.of("no-such-purchase"), key, Fixtures.eur("1.00"))));
        }
      }
    }

    /** What is compared after every operation. */
    Object state(Side s) {
      return List.of(
          members.map(m -> List.of(s.loyalty.balance(m), s.loyalty.openHolds(m), s.store.account(m),
              ((DueWorkIndex) s.store).dueWork(m), ((MemberProfiles) s.store).profile(m))),
          s.published,
          COUNTERS.map(s.store::counter),
          members.map(m -> s.store.counter("reward-limit:five-off:" + m + ":"
              + LimitPeriod.MONTH.label(LocalDate.ofInstant(s.clock.instant(), ZoneOffset.UTC)))),
          members.map(m -> s.store.counter("earn:bean-club:limit:gross:" + m + ":ever")));
    }

    void compareState(String when) {
      assertEquals(state(memory), state(jpa), "the stores' states differ " + when);
    }

    /** Every member's ledger and every reading of it. */
    Object everything(Side s) {
      Instant now = s.clock.instant();
      Instant start = Instant.parse(Fixtures.START);
      java.util.List<Object> all = new ArrayList<>();
      for (MemberId m : members) {
        all.add(s.store.entries(m, 1, 100_000));
        all.add(s.store.entries(m, 3, 4));
        all.add(pages(s, m, EntryQuery.newest(3)));
        all.add(pages(s, m, EntryQuery.newest(5).withKinds(HashSet.of(EntryKind.EARN, EntryKind.REVERSAL, EntryKind.EXPIRE))));
        all.add(pages(s, m, EntryQuery.newest(4).between(start.plus(Duration.ofDays(5)), now)));
        all.add(s.loyalty.verify(m));
        all.add(s.loyalty.statement(m, start, now.plusSeconds(1), Duration.ofDays(60)));
        all.add(s.loyalty.statement(m, start.plus(Duration.ofDays(7)), now.plus(Duration.ofDays(1)), Duration.ofDays(10)));
        all.add(s.loyalty.tierHistory(m));
        all.add(s.loyalty.tierProgress(m));
        all.add(s.loyalty.tierOf(m, now));
        all.add(s.loyalty.lots(m));
        all.add(s.loyalty.member(m));
        all.add(s.loyalty.balanceAsOf(m, start.plus(Duration.ofDays(10))));
        all.add(s.loyalty.availableRewards(m, Channel.Type.STORE));
        all.add(((DueWorkIndex) s.store).dueWork(m));
        for (Entry e : s.store.entries(m, 1, 100_000)) {
          all.add(s.store.referencing(e.id()));
          all.add(s.store.entry(e.id()));
        }
      }
      for (IdempotencyKey k : keysUsed) {
        all.add(s.store.idempotencyRecord(k));
      }
      all.add(directory((MemberDirectory) s.store));
      all.add(((DueWorkIndex) s.store).candidates(new DueQuery(now, now.plus(Duration.ofDays(30)), Option.none(),
          HashSet.empty(), HashSet.empty(), Partition.all(), now.plus(Duration.ofDays(30)))));
      all.add(s.loyalty.breakage(now, ZoneOffset.UTC));
      all.add(s.loyalty.retention(now, ZoneOffset.UTC));
      all.add(s.loyalty.liability(now, ZoneOffset.UTC, CENT_A_POINT));
      all.add(s.loyalty.liability(start.plus(Duration.ofDays(9)), ZoneOffset.UTC, CENT_A_POINT));
      // RfmModel has no value equality: its readings are compared.
      RfmModel rfm = s.loyalty.rfm(now, ZoneOffset.UTC);
      all.add(List.of(rfm.asOf(), rfm.purchasingMembers(), rfm.segmentSizes()));
      for (MemberId m : members) {
        all.add(rfm.profile(m));
        all.add(rfm.segmentsOf(m, now));
        all.add(s.loyalty.export(m));
      }
      return List.ofAll(all);
    }

    /** The member directory, in pages of two. */
    List<List<MemberId>> directory(MemberDirectory directory) {
      java.util.List<List<MemberId>> pages = new ArrayList<>();
      List<MemberId> page = directory.members(Option.none(), 2);
      while (!page.isEmpty()) {
        pages.add(page);
        page = directory.members(Option.some(page.last()), 2);
      }
      return List.ofAll(pages);
    }

    /** Every page of a history query, following the pages' cursors. */
    List<HistoryPage> pages(Side s, MemberId m, EntryQuery first) {
      java.util.List<HistoryPage> pages = new ArrayList<>();
      EntryQuery query = first;
      for (int i = 0; i < 100; i++) {
        Either<LoyaltyError, HistoryPage> page = s.loyalty.history(m, query);
        if (page.isLeft()) {
          break;
        }
        pages.add(page.get());
        if (page.get().nextBefore().isEmpty()) {
          break;
        }
        query = query.before(page.get().nextBefore().get());
      }
      return List.ofAll(pages);
    }

    void compareEverything() {
      Object expected = everything(memory);
      Object actual = everything(jpa);
      assertTrue(expected instanceof List<?> l && !l.isEmpty());
      assertEquals(expected, actual, "the stores' ledgers or readings differ at the end");
    }
  }
}
