package io.github.loyaltyledger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** How a member's due work follows the entries of each commit (the conventions other engines write by). */
class DueWorkTest {

  private final MemberId ada = MemberId.of("ada");
  private final Member member = new Member(ada, Instant.parse("2027-01-01T00:00:00Z"), Option.none(),
      ZoneId.of("Europe/Paris"), MemberStatus.ACTIVE);
  private final Account account = Account.opened(member);

  private Entry entry(long sequence, EntryKind kind, Option<EntryId> reference, Option<Instant> expiresAt,
      TreeMap<String, String> details) {
    EntryDraft draft = EntryDraft.of(EntryId.of(ada, sequence), kind, Points.ZERO, Instant.parse("2027-02-01T10:00:00Z"),
            Instant.parse("2027-02-01T10:00:00Z"), Channel.system(), IdempotencyKey.of("k" + sequence), "test", 1)
        .withLotTerms(expiresAt, Option.none())
        .withDetails(details);
    return Entry.seal(reference.isDefined() ? draft.withReference(reference.get()) : draft, Entry.GENESIS_HASH);
  }

  @Test
  void openHoldsAreTrackedUntilCapturedOrReleased() {
    Entry first = entry(1, EntryKind.HOLD, Option.none(), Option.some(Instant.parse("2027-02-01T10:15:00Z")), TreeMap.empty());
    Entry second = entry(2, EntryKind.HOLD, Option.none(), Option.some(Instant.parse("2027-02-01T10:30:00Z")), TreeMap.empty());
    DueWork held = DueWork.derive(Option.none(), account, List.of(first, second), DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.some(Instant.parse("2027-02-01T10:15:00Z")), held.next(DueTrack.HOLD_EXPIRY));

    Entry capture = entry(3, EntryKind.CAPTURE, Option.some(first.id()), Option.none(), TreeMap.empty());
    DueWork captured = DueWork.derive(Option.some(held), account, List.of(capture), DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.some(Instant.parse("2027-02-01T10:30:00Z")), captured.next(DueTrack.HOLD_EXPIRY));
    assertEquals(Instant.parse("2027-02-01T10:00:00Z"), captured.lastActivity());

    Entry release = entry(4, EntryKind.RELEASE, Option.some(second.id()), Option.none(), TreeMap.empty());
    DueWork released = DueWork.derive(Option.some(captured), account, List.of(release), DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.none(), released.next(DueTrack.HOLD_EXPIRY));
  }

  @Test
  void theTierReviewFollowsTheLatestTierEntryAsAnInstantOrADateInTheMembersZone() {
    DueWork dated = DueWork.derive(Option.none(), account,
        List.of(entry(1, EntryKind.ADJUST, Option.none(), Option.none(), TreeMap.of("tier.to", "gold", "tier.until", "2028-01-01"))),
        DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.some(Instant.parse("2027-12-31T23:00:00Z")), dated.next(DueTrack.TIER_REVIEW));
    DueWork cleared = DueWork.derive(Option.some(dated), account,
        List.of(entry(2, EntryKind.ADJUST, Option.none(), Option.none(), TreeMap.of("tier.to", "base"))),
        DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.none(), cleared.next(DueTrack.TIER_REVIEW));
    DueWork unreadable = DueWork.derive(Option.some(dated), account,
        List.of(entry(2, EntryKind.ADJUST, Option.none(), Option.none(), TreeMap.of("tier.until", "soon"))),
        DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.none(), unreadable.next(DueTrack.TIER_REVIEW));
  }

  @Test
  void aReviewAfterAGracePeriodIsScheduledWhenItHappensNotWhenTheStatusEnds() {
    DueWork work = DueWork.derive(Option.none(), account, List.of(entry(1, EntryKind.ADJUST, Option.none(), Option.none(),
            TreeMap.of("tier.to", "gold", "tier.until", "2028-01-01T00:00:00Z", "tier.review", "2028-02-01T00:00:00Z"))),
        DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.some(Instant.parse("2028-02-01T00:00:00Z")), work.next(DueTrack.TIER_REVIEW));
  }

  @Test
  void occasionEntriesRecordTheLatestYearGranted() {
    DueWork work = DueWork.derive(Option.none(), account, List.of(
        entry(1, EntryKind.BONUS, Option.none(), Option.none(), TreeMap.of("occasion", "birthday", "occasion.year", "2028")),
        entry(2, EntryKind.BONUS, Option.none(), Option.none(), TreeMap.of("occasion", "birthday", "occasion.year", "2027"))),
        DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
    assertEquals(Option.some(2028), work.grantedYear("birthday"));
    assertEquals(Option.none(), work.grantedYear("anniversary"));
  }

  private Entry at(long sequence, EntryKind kind, String occurredAt, TreeMap<String, String> details) {
    Instant when = Instant.parse(occurredAt);
    return Entry.seal(EntryDraft.of(EntryId.of(ada, sequence), kind, Points.ZERO, when, when, Channel.system(),
        IdempotencyKey.of("k" + sequence), "test", 1).withDetails(details), Entry.GENESIS_HASH);
  }

  private DueWork after(Option<DueWork> before, Entry... entries) {
    return DueWork.derive(before, account, List.of(entries), DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
  }

  @Test
  void theLastPurchaseOnlyMovesForwardAndCountsVisitsButNotCustomEventsOrCredits() {
    TreeMap<String, String> none = TreeMap.empty();
    TreeMap<String, String> aVisit = TreeMap.of("qualifying.visit", "1");
    DueWork march = after(Option.none(), at(1, EntryKind.EARN, "2027-03-10T10:00:00Z", aVisit));
    DueWork backDated = after(Option.some(march), at(2, EntryKind.EARN, "2027-03-01T10:00:00Z", aVisit));
    assertEquals(Option.some(Instant.parse("2027-03-10T10:00:00Z")), backDated.lastPurchase(),
        "a purchase recorded late does not make the last one older");

    DueWork review = after(Option.some(backDated),
        at(3, EntryKind.EARN, "2027-04-01T10:00:00Z", TreeMap.of("event.type", "review")));
    assertEquals(backDated.lastPurchase(), review.lastPurchase(), "a custom event is no purchase");

    DueWork gift = after(Option.some(review), at(4, EntryKind.BONUS, "2027-04-02T10:00:00Z", none));
    assertEquals(backDated.lastPurchase(), gift.lastPurchase(), "a bonus without a visit is no purchase");
    DueWork visit = after(Option.some(gift),
        at(5, EntryKind.BONUS, "2027-04-03T10:00:00Z", TreeMap.of("qualifying.visit", "1")));
    assertEquals(Option.some(Instant.parse("2027-04-03T10:00:00Z")), visit.lastPurchase(),
        "a bonus counting a visit is a purchase that only bonus rules rewarded");
    DueWork goodwill = after(Option.some(visit), at(6, EntryKind.EARN, "2027-04-04T10:00:00Z", none));
    assertEquals(visit.lastPurchase(), goodwill.lastPurchase(), "an EARN without a visit (a goodwill credit) is no purchase");
    DueWork later = after(Option.some(goodwill), at(7, EntryKind.EARN, "2027-04-05T10:00:00Z", aVisit));
    assertEquals(Option.some(Instant.parse("2027-04-05T10:00:00Z")), later.lastPurchase());
  }

  @Test
  void anOccasionEntryWithAYearThatIsNoYearRecordsNoGrantAndStillCommits() {
    DueWork work = after(Option.none(),
        at(1, EntryKind.BONUS, "2027-03-01T10:00:00Z", TreeMap.of("occasion", "birthday", "occasion.year", "20x7")));
    assertEquals(Option.none(), work.grantedYear("birthday"));
  }
}
