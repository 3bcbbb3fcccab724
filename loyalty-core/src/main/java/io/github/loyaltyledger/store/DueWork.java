package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.collection.Set;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the daily run needs to know about one member to decide, without reading the account or its
 * entries, whether any work is due: the member (status, zone, birthday, enrolment), the next due
 * instant per {@link DueTrack}, the last qualifying activity, the last purchase, the open holds and
 * the last year each occasion was rewarded. Kept by the store's {@link DueWorkIndex}.
 *
 * @param member the member as of the last commit
 * @param next the next due instant per track; a track without work is absent
 * @param lastActivity the latest occurred-at of an entry of an activity kind, or the enrolment
 * @param holdsPoints whether the member has live lots
 * @param lastPurchase the latest occurred-at of a purchase, if any (an entry counting a visit, not
 *     a custom event's; a credit that is not a purchase's, such as goodwill, is not one)
 * @param openHolds the expiry of each open hold, by the id of its {@code HOLD} entry
 * @param granted the latest year each occasion was rewarded, by occasion tag (from the
 *     {@value #OCCASION_DETAIL} and {@value #YEAR_DETAIL} details of the entries)
 */
public record DueWork(
    Member member,
    Map<DueTrack, Instant> next,
    Instant lastActivity,
    boolean holdsPoints,
    Option<Instant> lastPurchase,
    Map<EntryId, Instant> openHolds,
    Map<String, Integer> granted) {

  /** The entry detail naming the occasion an entry rewards ({@code birthday}, {@code anniversary}). */
  public static final String OCCASION_DETAIL = "occasion";
  /** The entry detail giving the year of the occasion an entry rewards. */
  public static final String YEAR_DETAIL = "occasion.year";
  /**
   * The entry detail giving when the member's tier status ends, and is reviewed unless
   * {@value #TIER_REVIEW_DETAIL} says otherwise (see {@link DueTrack#TIER_REVIEW}).
   */
  public static final String TIER_UNTIL_DETAIL = "tier.until";
  /**
   * The entry detail giving when the member's tier is reviewed, when a grace period puts the review
   * after {@value #TIER_UNTIL_DETAIL} (see {@link DueTrack#TIER_REVIEW}).
   */
  public static final String TIER_REVIEW_DETAIL = "tier.review";
  /** The entry detail giving the member's new tier. */
  public static final String TIER_TO_DETAIL = "tier.to";

  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern YEAR = Pattern.compile("\\d{4}");
  private static final Pattern VISITS = Pattern.compile("[1-9]\\d*");
  /** The detail the earning engine writes on the entries of a custom event (a review, a survey). */
  private static final String EVENT_DETAIL = "event.type";

  /**
   * Validates that no field is null.
   *
   * @param member the member as of the last commit
   * @param next the next due instant per track; a track without work is absent
   * @param lastActivity the latest occurred-at of an entry of an activity kind, or the enrolment
   * @param holdsPoints whether the member has live lots
   * @param lastPurchase the latest occurred-at of a purchase, if any (an entry counting a visit, not
   *     a custom event's; a credit that is not a purchase's, such as goodwill, is not one)
   * @param openHolds the expiry of each open hold, by the id of its {@code HOLD} entry
   * @param granted the latest year each occasion was rewarded, by occasion tag (from the
   *     {@value #OCCASION_DETAIL} and {@value #YEAR_DETAIL} details of the entries)
   * @throws NullPointerException if an argument is null
   */
  public DueWork {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(lastActivity, "lastActivity");
    Objects.requireNonNull(lastPurchase, "lastPurchase");
    Objects.requireNonNull(openHolds, "openHolds");
    Objects.requireNonNull(granted, "granted");
  }

  /**
   * Derives a member's due work after a commit, from what it was before, the account's new state
   * and the entries the commit appends. Stores call this inside {@link LedgerStore#commit}.
   *
   * @param previous the due work before the commit, none for a new member; not null
   * @param account the account's new state, not null; its lots in consumption order, as
   *     {@link Account} requires (the next expiry is its first lot's)
   * @param entries the entries the commit appends to it, not null
   * @param activityKinds the entry kinds that count as activity, not null
   * @return the due work after the commit
   */
  public static DueWork derive(Option<DueWork> previous, Account account, List<Entry> entries, Set<EntryKind> activityKinds) {
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(activityKinds, "activityKinds");
    Member member = account.member();
    Instant lastActivity = previous.map(DueWork::lastActivity).getOrElse(member.enrolledAt());
    Option<Instant> lastPurchase = previous.flatMap(DueWork::lastPurchase);
    Map<EntryId, Instant> holds = previous.map(DueWork::openHolds).getOrElse(TreeMap.empty());
    Map<String, Integer> granted = previous.map(DueWork::granted).getOrElse(TreeMap.empty());
    Option<Instant> review = previous.flatMap(p -> p.next(DueTrack.TIER_REVIEW));
    // A custom event's details are on its first entry only; the others share its key.
    Set<IdempotencyKey> events = entries.filter(e -> e.details().containsKey(EVENT_DETAIL))
        .map(Entry::idempotencyKey).toSet();
    for (Entry e : entries) {
      if (activityKinds.contains(e.kind()) && e.occurredAt().isAfter(lastActivity)) {
        lastActivity = e.occurredAt();
      }
      if (isPurchase(e) && !events.contains(e.idempotencyKey())
          && !lastPurchase.exists(p -> !p.isBefore(e.occurredAt()))) {
        lastPurchase = Option.some(e.occurredAt());
      }
      if (e.kind() == EntryKind.HOLD && e.expiresAt().isDefined()) {
        holds = holds.put(e.id(), e.expiresAt().get());
      }
      if ((e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE) && e.reference().isDefined()) {
        holds = holds.remove(e.reference().get());
      }
      Option<String> occasion = e.details().get(OCCASION_DETAIL);
      Option<String> year = occasion.isDefined()
          ? e.details().get(YEAR_DETAIL).filter(y -> YEAR.matcher(y).matches())
          : Option.none();
      if (occasion.isDefined() && year.isDefined()) {
        granted = granted.put(occasion.get(), Integer.parseInt(year.get()), Math::max);
      }
      review = tierReviewAfter(review, e, member.zone());
    }
    // This runs on every commit, so it does not visit every live lot: in consumption order the
    // first lot expires soonest (a first lot without expiry means none has one), and only pending
    // lots vest, which there are none of while the pending balance is zero.
    Instant expiry = account.lots().headOption().flatMap(Lot::expiresAt).getOrNull();
    Instant vesting = null;
    if (account.balance().pending().isPositive()) {
      for (Lot lot : account.lots()) {
        if (lot.pending() && lot.vestsAt().isDefined() && (vesting == null || lot.vestsAt().get().isBefore(vesting))) {
          vesting = lot.vestsAt().get();
        }
      }
    }
    Map<DueTrack, Instant> next = TreeMap.empty();
    next = put(next, DueTrack.VESTING, Option.of(vesting));
    next = put(next, DueTrack.LOT_EXPIRY, Option.of(expiry));
    next = put(next, DueTrack.HOLD_EXPIRY, holds.isEmpty() ? Option.none() : holds.values().minBy(Comparator.naturalOrder()));
    // A closed member's tier is never reviewed again (closing is final): left in the index, the
    // review would make every later run visit the member and write nothing.
    next = put(next, DueTrack.TIER_REVIEW, account.member().status() == MemberStatus.CLOSED ? Option.none() : review);
    return new DueWork(member, next, lastActivity, !account.lots().isEmpty(), lastPurchase, holds, granted);
  }

  /**
   * Whether an entry records a purchase: one that counts a visit ({@code qualifying.visit}), which
   * the earning engine writes on a purchase's first entry whatever its kind (a {@code BONUS} when
   * only bonus rules granted points), and a migration copies onto the credit of an earlier system's
   * purchase. RFM and the tier ladder count the same key; an {@code EARN} entry without it (a
   * goodwill credit, an opening balance) is no purchase there, so it is none here either. The
   * entries of a custom event such as a review are left out by the caller.
   */
  private static boolean isPurchase(Entry entry) {
    return entry.details().get(QualifyingActivity.VISIT).exists(v -> VISITS.matcher(v).matches());
  }

  private static Map<DueTrack, Instant> put(Map<DueTrack, Instant> next, DueTrack track, Option<Instant> at) {
    return at.isDefined() ? next.put(track, at.get()) : next;
  }

  /**
   * The member's next tier review after an entry, as the index schedules it
   * ({@link DueTrack#TIER_REVIEW}): the entry's {@value #TIER_REVIEW_DETAIL} detail, or else its
   * {@value #TIER_UNTIL_DETAIL} detail (an ISO instant, or an ISO date meaning the start of that day
   * in {@code zone}); none if the entry has {@value #TIER_TO_DETAIL} without either, or is a
   * {@code TIER} entry without either (one that only schedules the review clears it so); otherwise
   * the review scheduled before it. The tier engine uses the same rule to know what the index holds.
   *
   * @param scheduled the review scheduled before the entry, not null
   * @param entry the entry, not null
   * @param zone the member's zone, not null
   * @return the review scheduled after the entry
   */
  public static Option<Instant> tierReviewAfter(Option<Instant> scheduled, Entry entry, ZoneId zone) {
    Objects.requireNonNull(scheduled, "scheduled");
    Objects.requireNonNull(zone, "zone");
    SortedMap<String, String> details = entry.details();
    if (details.containsKey(TIER_REVIEW_DETAIL) || details.containsKey(TIER_UNTIL_DETAIL)) {
      return reviewInstant(details.get(TIER_REVIEW_DETAIL).orElse(details.get(TIER_UNTIL_DETAIL)).get(), zone);
    }
    return details.containsKey(TIER_TO_DETAIL) || entry.kind() == EntryKind.TIER ? Option.none() : scheduled;
  }

  private static Option<Instant> reviewInstant(String text, ZoneId zone) {
    try {
      return Option.some(DATE.matcher(text).matches() ? LocalDate.parse(text).atStartOfDay(zone).toInstant()
          : Instant.parse(text));
    } catch (DateTimeParseException notAnInstant) {
      // A value the tier engine did not write as an ISO instant or date schedules no review; the
      // ledger entry itself is valid, so the commit must not fail because of it.
      return Option.none();
    }
  }

  /** @return the member's id */
  public MemberId memberId() {
    return member.id();
  }

  /**
   * @param track a track, not null
   * @return the member's next due instant on that track, or none if nothing is scheduled
   */
  public Option<Instant> next(DueTrack track) {
    return next.get(Objects.requireNonNull(track, "track"));
  }

  /**
   * @param occasionTag an occasion tag such as {@code birthday}, not null
   * @return the latest year the occasion was rewarded with an entry, if ever
   */
  public Option<Integer> grantedYear(String occasionTag) {
    return granted.get(Objects.requireNonNull(occasionTag, "occasionTag"));
  }

  /**
   * Whether the member can still be granted an occasion (a birthday, an anniversary): not when
   * closed, since closing is final (an erased member is closed). A store's index keeps the birthday
   * and enrolment days only of members who do, so that the daily run does not visit closed members
   * every year to grant them nothing.
   *
   * @return whether the member is not closed
   */
  public boolean receivesOccasions() {
    return member.status() != MemberStatus.CLOSED;
  }

  /** @return the month and day of the member's enrolment, in their zone */
  public MonthDay enrolmentDay() {
    return MonthDay.from(LocalDate.ofInstant(member.enrolledAt(), member.zone()));
  }
}
