package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EarnEngine;
import io.github.loyaltyledger.earning.EventAward;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.insight.RfmProfile;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneOffset;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What counts as a purchase, everywhere (ADR 0009, amendment "what counts as a purchase"): for each
 * kind of entry a member can get, what the due-work index's last purchase, the birthday rule's
 * {@code requiringPurchaseInLastYear}, RFM, the visits counter behind the first-purchase and
 * every-Nth-visit bonuses, and the tier ladder's qualifying visits say of it. A purchase is what
 * counts a visit ({@code qualifying.visit}); a goodwill credit is not one, a migrated purchase is.
 */
class PurchaseNotionsTableTest {

  private static final String START = Fixtures.START;
  /** Nine days after the entries: the birthday, and the instant RFM is read at. */
  private static final Instant BIRTHDAY = Instant.parse("2026-03-10T10:00:00Z");
  private static final BirthdayRule BIRTHDAY_RULE = BirthdayRule.of("bday",
      new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100))).requiringPurchaseInLastYear();

  private final MemberId ada = member("ada");
  private final MemberId other = member("other");
  private final TestClock clock = TestClock.at(START);
  private final InMemoryLedgerStore store = new InMemoryLedgerStore();
  private final Loyalty loyalty = aLoyalty(store, clock, aProgram());

  /** 10 points a euro, 50 on a first purchase, 30 for a survey, and a ladder counting visits. */
  private static LoyaltyProgram aProgram() {
    TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.visits(10)))
        .build();
    return LoyaltyProgram.builder("bean-club")
        .earnRules(RuleBook.of(BaseRate.of("base", "10"), FirstPurchaseBonus.of("first", 50),
            EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 30)))
        .tierLadder(ladder)
        .build();
  }

  /**
   * What each notion of a purchase says of ada after one history.
   *
   * @param dueWork whether the due-work index has a last purchase
   * @param birthday whether the birthday rule requiring a purchase in the last year is due
   * @param rfm the purchases RFM counts
   * @param visits the visits counter the first-purchase and every-Nth-visit bonuses read
   * @param tierVisits the tier ladder's qualifying visits
   */
  record Said(boolean dueWork, boolean birthday, long rfm, long visits, long tierVisits) {

    static final Said A_PURCHASE = new Said(true, true, 1, 1, 1);
    static final Said NO_PURCHASE = new Said(false, false, 0, 0, 0);
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        row("a purchase's EARN and its first-purchase BONUS", t -> t.earn(t.ada, "pos-1", "3.50"), Said.A_PURCHASE),
        row("a purchase that earns only its first-purchase BONUS", t -> t.earn(t.ada, "pos-1", "0.05"), Said.A_PURCHASE),
        row("a custom event's award", t -> accepted(t.loyalty.earn(CustomEvent.of(t.ada, aKey(),
            CustomEvent.SURVEY_COMPLETED, t.clock.instant(), Channel.app()))), Said.NO_PURCHASE),
        row("a goodwill credit (Credit.of, an EARN)", t -> accepted(t.loyalty.credit(
            Credit.of(t.ada, points(500), "goodwill", aKey()))), Said.NO_PURCHASE),
        row("a BONUS credit", t -> accepted(t.loyalty.credit(
            Credit.of(t.ada, points(500), "welcome gift", aKey()).ofKind(EntryKind.BONUS))), Said.NO_PURCHASE),
        // The visits counter is the program's, not a detail: a migrated member's visits count from nothing
        // (README "Importing members from another loyalty system").
        row("a credit that copies a purchase's details, as a migration writes it", PurchaseNotionsTableTest::migrated,
            new Said(true, true, 1, 0, 1)),
        row("a positive adjustment", t -> accepted(t.loyalty.adjust(
            Adjustment.of(t.ada, points(500), "Goodwill: spilt flat white", "desk-31", aKey()))), Said.NO_PURCHASE),
        row("a transfer in", t -> {
          accepted(t.loyalty.credit(Credit.of(t.other, points(500), "opening balance", aKey())));
          accepted(t.loyalty.transfer(Transfer.of(t.other, t.ada, points(500), "merge", aKey())));
        }, Said.NO_PURCHASE),
        row("a purchase reassigned to the member", t -> {
          t.earn(t.other, "pos-1", "3.50");
          accepted(t.loyalty.reassign(Reassignment.of(aPurchaseOf(t.other, "3.50", key("pos-1")), t.ada, aKey())));
        }, Said.A_PURCHASE),
        // Known difference (ADR 0009, amendment of 2026-11-28): the index keeps the newest purchase's
        // instant, which a return made inside a later commit cannot take back without the history.
        row("a purchase reassigned away from the member", t -> {
          t.earn(t.ada, "pos-1", "3.50");
          accepted(t.loyalty.reassign(Reassignment.of(aPurchaseOf(t.ada, "3.50", key("pos-1")), t.other, aKey())));
        }, new Said(true, true, 0, 0, 0)),
        // A refund does not lower the visits counter, so a return never re-arms the bonus (ADR 0005).
        row("a purchase refunded in full", t -> {
          t.earn(t.ada, "pos-1", "3.50");
          accepted(t.loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("3.50"))));
        }, new Said(true, true, 0, 1, 0)));
  }

  private static Arguments row(String entry, Consumer<PurchaseNotionsTableTest> history, Said said) {
    return Arguments.of(entry, history, said);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void eachNotionOfAPurchaseSaysWhatTheTableSaysOfAnEntry(String entry, Consumer<PurchaseNotionsTableTest> history,
      Said expected) {
    accepted(loyalty.enrol(Enrolment.of(ada, aKey()).withBirthday(MonthDay.of(3, 10))));
    accepted(loyalty.enrol(Enrolment.of(other, aKey())));

    history.accept(this);
    clock.set(BIRTHDAY);

    assertEquals(expected, said(), entry);
  }

  private Said said() {
    DueWork work = store.dueWork(ada).get();
    boolean birthday = BIRTHDAY_RULE.dueOn(work.member(), work.lastPurchase(), BIRTHDAY, Option.none())
        .isDefined();
    long rfm = loyalty.rfm(BIRTHDAY, ZoneOffset.UTC).profile(ada).map(RfmProfile::purchases).getOrElse(0L);
    long visits = store.counter(EarnEngine.visitsPrefix("bean-club"), ada);
    long tierVisits = accepted(loyalty.tierProgress(ada)).activity().visits();
    return new Said(work.lastPurchase().isDefined(), birthday, rfm, visits, tierVisits);
  }

  private void earn(MemberId member, String transaction, String euros) {
    accepted(loyalty.earn(aPurchaseOf(member, euros, key(transaction))));
  }

  /**
   * A purchase brought over from an earlier system: a credit carrying what the earning engine writes on a
   * purchase's first entry ({@code purchase.*}, every rule's outcome, {@code qualifying.*}), as ADR 0005's
   * amendment on credit details has it; a ladder's {@code tier.*} details are refused on a credit.
   */
  private static void migrated(PurchaseNotionsTableTest t) {
    Purchase legacy = aPurchaseOf(member("legacy"), "3.50", key("legacy-pos-1"));
    LoyaltyProgram program = aProgram();
    Loyalty earlier = aLoyalty(new InMemoryLedgerStore(), t.clock, program);
    accepted(earlier.enrol(Enrolment.of(legacy.member(), aKey())));
    Entry first = accepted(earlier.earn(legacy)).entries().head();
    SortedMap<String, String> details = first.details().filterKeys(k -> !k.startsWith("tier."));
    accepted(t.loyalty.credit(Credit.of(t.ada, first.points(), "Migrated purchase legacy-pos-1", key("legacy-pos-1"))
        .occurredAt(first.occurredAt()).explainedBy(List.ofAll(first.ruleIds()), details)));
  }
}
