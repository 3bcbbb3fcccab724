package io.github.loyaltyledger.tier;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * One change of a member's tier status, as kept in their ledger by a zero-point {@code TIER} entry:
 * from which tier to which, why, from when, until when the new status lasts, and the operator of an
 * override. A change may keep the tier and only renew its term (a review the member passed).
 *
 * <p>In the entry's details: {@value #FROM}, {@value #TO}, {@value #REASON} and, when the status
 * ends, {@value #UNTIL} (ISO-8601 instant; an override's end date). The entry's occurred-at instant
 * is {@link #at()} and an override's operator is the entry's operator.
 *
 * @param from the tier before the change
 * @param to the tier after it
 * @param reason why it changed
 * @param at from when the new status holds
 * @param until when the new status ends and is reviewed (an override's end date), if it does; after
 *     {@code at}, except for a status that the end of an override, or a revocation on returns, resumes
 *     in its grace period
 * @param operator who set an override by hand, if anyone
 */
public record TierChange(
    TierId from, TierId to, TierChangeReason reason, Instant at, Option<Instant> until, Option<String> operator) {

  /** The details key of the tier before the change. */
  public static final String FROM = "tier.from";
  /** The details key of the tier after the change. */
  public static final String TO = "tier.to";
  /** The details key of the {@link TierChangeReason}. */
  public static final String REASON = "tier.reason";
  /** The details key of the instant the new status ends, if it does. */
  public static final String UNTIL = "tier.until";
  /**
   * The details key of the instant the new status is reviewed, written by the facade next to
   * {@value #UNTIL} when the review does not happen at the end: when the ladder's grace period puts
   * it later (an override ends without grace), or when the end is not at the start of a day in the
   * member's zone (an override ending at 15:00 is recorded by the review of the next day, as of its
   * start), so that the due-work index schedules the review when it happens. Not part of the
   * change itself: {@link #of(Entry)} ignores it and {@link #details()} does not write it. On a
   * {@link UpgradePolicy#NEXT_PERIOD} ladder the facade also writes it alone, on a zero-point
   * {@code TIER} entry that records no change (none of {@value #FROM}, {@value #TO}, {@value #REASON}),
   * to schedule the review at the end of a period that earned an upgrade.
   */
  public static final String REVIEW = "tier.review";

  /**
   * Validates that no field is null.
   *
   * @param from the tier before the change
   * @param to the tier after it
   * @param reason why it changed
   * @param at from when the new status holds
   * @param until when the new status ends and is reviewed (an override's end date), if it does
   * @param operator who set an override by hand, if anyone
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code until} is not after {@code at}, unless the change
   *     ends an override ({@link TierChangeReason#OVERRIDE_EXPIRED}) or revokes an upgrade
   *     ({@link TierChangeReason#RETURNED}): the status it resumes may have ended during the override,
   *     or since the revoked upgrade, and be in its grace period, reviewed at {@code until} plus grace
   */
  public TierChange {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(operator, "operator");
    if (reason != TierChangeReason.OVERRIDE_EXPIRED && reason != TierChangeReason.RETURNED
        && until.exists(u -> !u.isAfter(at))) {
      throw new IllegalArgumentException("a tier status must end after it starts: " + at + " .. " + until.get());
    }
  }

  /**
   * Reads the change a {@code TIER} entry records.
   *
   * @param entry a {@code TIER} entry, not null
   * @return the change
   * @throws IllegalArgumentException if the entry is of another kind or its details are incomplete
   */
  public static TierChange of(Entry entry) {
    Objects.requireNonNull(entry, "entry");
    if (entry.kind() != EntryKind.TIER) {
      throw new IllegalArgumentException("entry " + entry.id() + " is " + entry.kind() + ", not TIER");
    }
    SortedMap<String, String> d = entry.details();
    Option<String> missing = List.of(FROM, TO, REASON).find(key -> !d.containsKey(key));
    if (missing.isDefined()) {
      throw new IllegalArgumentException("TIER entry " + entry.id() + " has no '" + missing.get() + "'");
    }
    return new TierChange(TierId.of(d.get(FROM).get()), TierId.of(d.get(TO).get()),
        TierChangeReason.valueOf(d.get(REASON).get()), entry.occurredAt(), d.get(UNTIL).map(Instant::parse),
        entry.operator());
  }

  /** @return the details to write on the {@code TIER} entry */
  public SortedMap<String, String> details() {
    SortedMap<String, String> d = TreeMap.of(FROM, from.value(), TO, to.value(), REASON, reason.name());
    return until.isDefined() ? d.put(UNTIL, until.get().toString()) : d;
  }

  /** @return true if the tier itself changed (not only the status's term) */
  public boolean movesTier() {
    return !from.equals(to);
  }
}
