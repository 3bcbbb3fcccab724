package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.redemption.TierSource;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.DowngradePolicy;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierOverride;
import io.github.loyaltyledger.tier.TierTerm;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * What a CRM or marketing tool that never reads the ledger can rebuild from the facade's events
 * alone: each member's balance (available, pending, held), tier and status, with every entry heard
 * once, in the member's order, and nothing heard for a refusal or a replay.
 */
class EventsForIntegratorsTest {

  private static final int EXAMPLES = Integer.getInteger("QT_EXAMPLES", 300);
  private static final int MEMBERS = 3;

  /** One generated operation: what to do, to whom, how much, and an auxiliary choice. */
  record Op(int type, int member, int amount, int aux) {}

  static Gen<Op> ops() {
    return Generate.pick(java.util.List.of(0, 0, 0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 8, 8, 9, 10, 11, 12, 13, 14))
        .zip(integers().between(0, MEMBERS - 1), integers().between(1, 300), integers().between(0, 9), Op::new);
  }

  @Test
  void aListenerRebuildsEveryMembersBalanceTierAndStatusFromTheEventsAlone() {
    qt().withExamples(EXAMPLES)
        .forAll(lists().of(ops()).ofSizeBetween(1, 40))
        .checkAssert(script -> {
          World world = new World();
          script.forEach(op -> {
            world.step(op);
            world.check();
          });
        });
  }

  /**
   * The outbox relays at least once, so a CRM that tells members of their status (an e-mail on
   * suspension) must tell an event handed again from a new change: suspended, reactivated and
   * suspended again are two suspensions with the same {@code from} and {@code to}, and only the
   * account's version after each change tells them apart and orders them.
   */
  @Test
  void eachStatusChangeNamesTheAccountVersionAfterItSoThatASecondSuspensionIsToldFromTheFirstHandedAgain() {
    java.util.List<LoyaltyEvent> heard = new ArrayList<>();
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Loyalty loyalty = Loyalty.builder().clock(TestClock.at(Fixtures.START)).store(store)
        .listener(heard::add).program(LoyaltyProgram.builder("bean-club").build()).build();
    MemberId ada = MemberId.of("ada");
    accepted(loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-ada"))));
    accepted(loyalty.suspend(ada, "Fraud check", IdempotencyKey.of("s-1")));
    accepted(loyalty.reactivate(ada, "Cleared", IdempotencyKey.of("r-1")));
    accepted(loyalty.suspend(ada, "Fraud check", IdempotencyKey.of("s-2")));
    accepted(loyalty.suspend(ada, "Fraud check", IdempotencyKey.of("s-2")));

    List<LoyaltyEvent.MemberStatusChanged> changes = List.ofAll(heard)
        .filter(e -> e instanceof LoyaltyEvent.MemberStatusChanged).map(e -> (LoyaltyEvent.MemberStatusChanged) e);
    long enrolled = store.account(ada).get().version() - 3;
    assertEquals(List.of(Option.some(enrolled + 1), Option.some(enrolled + 2), Option.some(enrolled + 3)),
        changes.map(LoyaltyEvent.MemberStatusChanged::version));
    assertEquals(List.of(MemberStatus.SUSPENDED, MemberStatus.ACTIVE, MemberStatus.SUSPENDED),
        changes.map(LoyaltyEvent.MemberStatusChanged::to));
  }

  @Test
  void aBirthdayGiftIsHeardAsARedemptionOfZeroPointsThatNamesTheOccasionAndPointsAsABonusThatDoes() {
    for (OccasionReward reward : java.util.List.of(OccasionReward.reward("free-coffee"), OccasionReward.points(25))) {
      TestClock clock = TestClock.at(Fixtures.START);
      java.util.List<LoyaltyEvent> heard = new ArrayList<>();
      Loyalty loyalty = Loyalty.builder().clock(clock).store(new InMemoryLedgerStore()).listener(heard::add)
          .program(LoyaltyProgram.builder("bean-club")
              .rewards(Fixtures.aCatalogWithoutTiers(ReturnedPoints.DEFAULT))
              .birthdayRule(Option.some(BirthdayRule.of("bday", new OccasionTerms(OccasionWindow.onTheDay(), reward))))
              .build())
          .build();
      MemberId ada = MemberId.of("ada");
      accepted(loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-ada")).withBirthday(MonthDay.of(3, 1))));
      DailyRun.builder(loyalty).build().runDue(clock.instant());

      LoyaltyEvent.EntryEvent gift = (LoyaltyEvent.EntryEvent) heard.get(heard.size() - 1);
      assertEquals(reward.points().isDefined() ? LoyaltyEvent.PointsEarned.class : LoyaltyEvent.PointsRedeemed.class,
          gift.getClass());
      assertEquals(reward.points().getOrElse(Points.ZERO), gift.entry().points());
      assertEquals(Option.some("birthday"), gift.entry().details().get("occasion"));
      assertEquals(Option.some("2026"), gift.entry().details().get("occasion.year"));
    }
  }

  /** What the integrator keeps per member, from the events only. */
  static final class Crm {
    final Map<MemberId, Balance> balance = new HashMap<>();
    final Map<MemberId, TierId> tier = new HashMap<>();
    final Map<MemberId, MemberStatus> status = new HashMap<>();
    final Map<MemberId, Long> lastSequence = new HashMap<>();
    final Set<EntryId> seen = new HashSet<>();
    final Set<String> notices = new HashSet<>();
    final Map<String, Long> announced = new HashMap<>();
    final Map<MemberId, Long> statusVersion = new HashMap<>();
    final java.util.List<LoyaltyEvent> heard = new ArrayList<>();

    void on(LoyaltyEvent event) {
      heard.add(event);
      if (event instanceof LoyaltyEvent.MemberEnrolled e) {
        status.put(e.member(), e.enrolled().status());
        balance.put(e.member(), Balance.EMPTY);
      } else if (event instanceof LoyaltyEvent.MemberStatusChanged e) {
        // The account's version after the change identifies it and orders the member's status changes.
        Long last = statusVersion.put(e.member(), e.version().get());
        assertTrue(last == null || last < e.version().get(), "a status change out of order: " + e + " after " + last);
        status.put(e.member(), e.to());
      } else if (event instanceof LoyaltyEvent.TierUpgraded e) {
        tierChanged(e, e.change().to(), e.entry());
      } else if (event instanceof LoyaltyEvent.TierDowngraded e) {
        tierChanged(e, e.change().to(), e.entry());
      } else if (event instanceof LoyaltyEvent.TierReassigned e) {
        tierChanged(e, e.change().to(), e.entry());
      } else if (event instanceof LoyaltyEvent.PointsExpiringSoon e) {
        // A later notice of one expiry announces points that arrived since: a larger total, never the same.
        Long said = announced.put(e.member() + " " + e.expiresAt(), e.points().value());
        assertTrue(said == null || said < e.points().value(), "a notice came again without new points: " + e
            + ", after one of " + said);
      } else if (event instanceof LoyaltyEvent.TierWillDowngrade e) {
        assertTrue(notices.add(e.member() + " review " + e.warning().reviewAt()), "a warning came twice: " + e);
      } else if (event instanceof LoyaltyEvent.EntryEvent e) {
        heardInOrder(e, e.entry().id());
        // The entry's points are the change to the total; the balance is the total after it.
        assertEquals(balance.get(e.member()).total().plus(e.entry().points()), e.balance().total(),
            "an entry's points change the total the previous event's balance gave: " + e);
        balance.put(e.member(), e.balance());
      }
    }

    /** A tier event is deduplicated and ordered by the {@code TIER} entry that records it. */
    private void tierChanged(LoyaltyEvent event, TierId to, Option<EntryId> entry) {
      assertTrue(entry.isDefined(), "a tier event names the TIER entry that records it: " + event);
      heardInOrder(event, entry.get());
      tier.put(event.member(), to);
    }

    private void heardInOrder(LoyaltyEvent event, EntryId entry) {
      assertTrue(seen.add(entry), "an entry was heard twice: " + entry);
      long last = lastSequence.getOrDefault(event.member(), 0L);
      assertTrue(entry.sequence() > last, "entries of a member are heard in their order: " + event);
      lastSequence.put(event.member(), entry.sequence());
    }
  }

  /** A ledger under test, with purchases, refunds, holds, rewards, tiers and the daily run. */
  static final class World {
    final TestClock clock = TestClock.at(Fixtures.START);
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final Crm crm = new Crm();
    final java.util.List<RuntimeException> failures = new ArrayList<>();
    final Loyalty loyalty;
    final DailyRun run;
    final java.util.List<MemberId> members = new ArrayList<>();
    final java.util.List<Supplier<Either<LoyaltyError, ?>>> sent = new ArrayList<>();
    final java.util.List<IdempotencyKey> purchases = new ArrayList<>();
    int keys;

    World() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2_000)))
          .term(TierTerm.months(1))
          .downgrade(DowngradePolicy.ONE_STEP)
          .warnDaysBefore(5)
          .revokeUpgradesOnReturn()
          .build();
      LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(BaseRate.of("base", "10")))
          .tierLadder(ladder)
          .lotExpiry(FixedTermExpiry.days(20))
          .expiryNoticeDays(5)
          .birthdayRule(Option.some(BirthdayRule.of("bday", new OccasionTerms(OccasionWindow.inTheWeek(),
              OccasionReward.points(25)))))
          .rewards(Fixtures.aCatalog(TierSource.LADDER, ReturnedPoints.DEFAULT))
          .build();
      // What the integrator's listener finds wrong fails the test, not only a logged warning.
      loyalty = Loyalty.builder().program(program).store(store).clock(clock).listener(crm::on)
          .onListenerFailure((listener, event, failure) -> failures.add(failure)).build();
      run = DailyRun.builder(loyalty).build();
      List.range(0, MEMBERS).map(i -> MemberId.of("m" + i)).forEach(m -> {
        accepted(loyalty.enrol(Enrolment.of(m, key()).withBirthday(MonthDay.of(3, 3 + 4 * members.size()))));
        members.add(m);
      });
    }

    IdempotencyKey key() {
      keys++;
      return IdempotencyKey.of("pos-" + keys);
    }

    void step(Op op) {
      MemberId m = members.get(op.member());
      IdempotencyKey key = key();
      switch (op.type()) {
        case 0 -> {
          Purchase p = Purchase.of(m, key, clock.instant(), Channel.store("S-1"),
              line("BEANS", 1 + op.aux() % 3, op.amount() + ".00"));
          if (send(() -> loyalty.earn(p))) {
            purchases.add(key);
          }
        }
        case 1 -> {
          if (!purchases.isEmpty()) {
            IdempotencyKey original = purchases.get(op.amount() % purchases.size());
            send(() -> loyalty.refund(Refund.ofAmount(original, key, Fixtures.eur(op.aux() * 10 + 1 + ".00"))));
          }
        }
        case 2 -> send(() -> loyalty.authorize(Authorization.points(m, Points.of(op.amount()),
            Duration.ofDays(1 + op.aux() % 3), Channel.store("S-1"), key)));
        case 3 -> {
          List<Entry> holds = store.entries(m, 1, 100_000).filter(e -> e.kind() == EntryKind.HOLD);
          if (!holds.isEmpty()) {
            EntryId hold = holds.get(op.amount() % holds.size()).id();
            send(op.aux() % 2 == 0 ? () -> loyalty.capture(hold, key) : () -> loyalty.voidHold(hold, "void", key));
          }
        }
        case 4 -> send(() -> loyalty.redeem(m, Fixtures.FREE_COFFEE, Channel.store("S-1"), key));
        case 5 -> {
          List<Entry> redeems = store.entries(m, 1, 100_000).filter(e -> e.kind() == EntryKind.REDEEM);
          if (!redeems.isEmpty()) {
            EntryId r = redeems.get(op.amount() % redeems.size()).id();
            send(() -> loyalty.cancelRedemption(r, "changed mind", key));
          }
        }
        case 6 -> send(() -> loyalty.transfer(Transfer.of(m, members.get((op.member() + 1) % MEMBERS),
            Points.of(op.amount()), "gift", key)));
        case 7 -> {
          Credit c = Credit.of(m, Points.of(op.amount()), "goodwill", key);
          Credit credit = op.aux() % 2 == 0 ? c : c.vestingAt(clock.instant().plus(Duration.ofDays(op.aux())));
          send(() -> loyalty.credit(credit));
        }
        case 8 -> {
          clock.advance(Duration.ofDays(op.aux() + 1L));
          run.runDue(clock.instant());
        }
        case 9 -> {
          MemberStatus status = store.account(m).get().member().status();
          send(status == MemberStatus.ACTIVE ? () -> loyalty.suspend(m, "check", key)
              : () -> loyalty.reactivate(m, "ok", key));
        }
        case 10 -> {
          if (!sent.isEmpty()) {
            int before = crm.heard.size();
            sent.get(op.amount() % sent.size()).get();
            assertEquals(before, crm.heard.size(), "a resent request published its events again");
          }
        }
        case 11 -> send(() -> loyalty.evaluateTier(m, key));
        case 13 -> send(() -> loyalty.overrideTier(new TierOverride(m, TierId.of(op.aux() % 2 == 0 ? "gold" : "green"),
            "service recovery", "ops", clock.instant().plus(Duration.ofDays(op.aux() + 1L)), key)));
        case 14 -> send(op.aux() == 0 ? () -> loyalty.erase(m, key) : () -> loyalty.close(m, "bye", key));
        default -> send(() -> loyalty.adjust(Adjustment.of(m, op.aux() % 2 == 0 ? Points.of(op.amount())
            : Points.of(-op.amount()), "fix", "ops", key)));
      }
    }

    /** Sends a request; a refusal must publish nothing. Answers whether it was accepted. */
    boolean send(Supplier<Either<LoyaltyError, ?>> request) {
      int before = crm.heard.size();
      Either<LoyaltyError, ?> result = request.get();
      if (result.isLeft()) {
        assertEquals(before, crm.heard.size(), "a refused request published events: " + result.getLeft());
        return false;
      }
      sent.add(request);
      return true;
    }

    void check() {
      if (!failures.isEmpty()) {
        throw failures.get(0);
      }
      for (MemberId m : members) {
        List<Entry> entries = store.entries(m, 1, 100_000);
        assertEquals(accepted(loyalty.balance(m)), crm.balance.get(m), "the balance rebuilt from events, of " + m);
        assertEquals(accepted(loyalty.member(m)).status(), crm.status.get(m), "the status rebuilt from events, of " + m);
        // Events follow the recorded tier: a review or an override's end that fell due is published
        // when the daily run records it, though reads compute it from the instant it took effect.
        assertEquals(accepted(loyalty.tierHistory(m)).filter(TierChange::movesTier).lastOption().map(TierChange::to)
            .getOrElse(TierId.of("green")), crm.tier.getOrDefault(m, TierId.of("green")),
            "the tier rebuilt from events, of " + m);
        List<EntryId> pointEntries = entries.filter(e -> e.kind() != EntryKind.TIER).map(Entry::id);
        assertEquals(entries.filter(e -> e.kind() == EntryKind.TIER && e.details().containsKey("tier.from"))
            .map(TierChange::of).filter(TierChange::movesTier).size(), entries.filter(e -> e.kind() == EntryKind.TIER && crm.seen.contains(e.id())).size(),
            "every TIER entry that moves the member's tier was heard, by its id");
        assertTrue(pointEntries.forAll(crm.seen::contains),
            "every entry that moves points was heard: " + pointEntries.filter(id -> !crm.seen.contains(id)));
      }
    }
  }
}
