package io.github.loyaltyledger.occasion;

import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.member.Member;
import io.vavr.collection.Map;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Rewards a member's birthday once a year, evaluated in the member's zone.
 *
 * <p>Eligible: an {@linkplain Member#isActive() active} member with a known birthday, enrolled at
 * least {@code minimumEnrolmentDays} days before the birthday, and, if {@code purchaseInLastYear},
 * with a purchase in the twelve months before the day of the run: an entry counting a visit
 * ({@code qualifying.visit}, on every purchase the earning engine posts, also one that earned only
 * bonus points, and on a migrated purchase's credit), but not a custom event's (a review) nor a
 * credit that is not a purchase's (goodwill, an opening balance). The window and the reward may differ per tier
 * ({@code byTier}); members in no tier, or in a tier without terms of its own, get the default
 * {@code terms}. The daily run adds terms for the tiers of the program's ladder whose benefits give
 * birthday points and that have no terms here ({@code TierBenefits.birthdayPoints}, in a window
 * {@link OccasionWindow#daysAround} the birthday). A 29 February birthday falls on 28 February in
 * non-leap years unless {@code leapDay} says otherwise.
 *
 * @param id the rule's id, recorded on the entries it produces
 * @param terms the default window and reward
 * @param byTier window and reward per tier id
 * @param minimumEnrolmentDays how many days before the birthday the member must have enrolled, 0 to
 *     3,652,058 (the days of the years the ledger supports)
 * @param purchaseInLastYear whether a purchase in the last twelve months is required
 * @param leapDay where a 29 February birthday falls in non-leap years
 */
public record BirthdayRule(
    String id,
    OccasionTerms terms,
    Map<String, OccasionTerms> byTier,
    int minimumEnrolmentDays,
    boolean purchaseInLastYear,
    LeapDayPolicy leapDay) {

  /** The days from 1 January of year 1 to 31 December 9999: no member enrolled earlier before a birthday. */
  private static final int MAX_MINIMUM_ENROLMENT_DAYS = 3_652_058;

  /**
   * Validates the rule.
   *
   * @param id the rule's id, recorded on the entries it produces
   * @param terms the default window and reward
   * @param byTier window and reward per tier id
   * @param minimumEnrolmentDays how many days before the birthday the member must have enrolled, 0 to
   *     3,652,058 (the days of the years the ledger supports)
   * @param purchaseInLastYear whether a purchase in the last twelve months is required
   * @param leapDay where a 29 February birthday falls in non-leap years
   * @throws NullPointerException if an argument is null, or {@code byTier} holds a null tier or terms
   * @throws IllegalArgumentException if the id is blank or has an unpaired surrogate or a NUL
   *     ({@link Fingerprint#isStorable}), or the minimum enrolment days are negative or more than
   *     3,652,058 (from 1 January of year 1 to 31 December 9999: no member could meet them)
   */
  public BirthdayRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(terms, "terms");
    Objects.requireNonNull(byTier, "byTier");
    Objects.requireNonNull(leapDay, "leapDay");
    // A null tier or terms passes the check above; the daily run would then throw on every run.
    byTier.forEach((tier, tierTerms) -> {
      Objects.requireNonNull(tier, "byTier holds a null tier");
      Objects.requireNonNull(tierTerms, "byTier holds null terms");
    });
    OccasionCalendar.requireId("a birthday rule", id);
    if (minimumEnrolmentDays < 0) {
      throw new IllegalArgumentException("a birthday rule's minimum enrolment days must not be negative, was "
          + minimumEnrolmentDays);
    }
    // Enrolled on 1 January of year 1 at the earliest, with a birthday by 31 December 9999 at the
    // latest: a longer condition was met by no member, and the rule silently rewarded nobody.
    if (minimumEnrolmentDays > MAX_MINIMUM_ENROLMENT_DAYS) {
      throw new IllegalArgumentException("a birthday rule's minimum enrolment days are at most 3,652,058 (from 1 January"
          + " of year 1 to 31 December 9999, the years the ledger supports), was " + minimumEnrolmentDays
          + ": no member could ever be rewarded; give fewer days");
    }
  }

  /**
   * A rule with the same terms for everyone, no enrolment or purchase condition, and 29 February
   * birthdays celebrated on 28 February in non-leap years.
   *
   * @param id the rule's id, not blank
   * @param terms the window and reward, not null
   * @return the rule
   */
  public static BirthdayRule of(String id, OccasionTerms terms) {
    return new BirthdayRule(id, terms, TreeMap.empty(), 0, false, LeapDayPolicy.FEBRUARY_28);
  }

  /**
   * Gives members of a tier their own window and reward.
   *
   * @param tier a tier id, not null
   * @param tierTerms the window and reward for members in that tier, not null
   * @return a copy with these terms for the tier
   * @throws IllegalArgumentException if the rule already has terms for the tier (a second call
   *     would silently replace the first terms)
   */
  public BirthdayRule forTier(String tier, OccasionTerms tierTerms) {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(tierTerms, "tierTerms");
    if (byTier.containsKey(tier)) {
      throw new IllegalArgumentException("birthday rule '" + id + "' already has terms for tier '" + tier
          + "'; give each tier its terms once");
    }
    return new BirthdayRule(id, terms, byTier.put(tier, tierTerms), minimumEnrolmentDays, purchaseInLastYear, leapDay);
  }

  /**
   * @param days how many days before the birthday a member must have enrolled, 0 to 3,652,058 (from
   *     1 January of year 1 to 31 December 9999, the years the ledger supports)
   * @return a copy with this condition
   * @throws IllegalArgumentException if {@code days} is outside 0..3,652,058
   */
  public BirthdayRule enrolledAtLeastDaysBefore(int days) {
    return new BirthdayRule(id, terms, byTier, days, purchaseInLastYear, leapDay);
  }

  /** @return a copy that also requires a purchase in the twelve months before the run */
  public BirthdayRule requiringPurchaseInLastYear() {
    return new BirthdayRule(id, terms, byTier, minimumEnrolmentDays, true, leapDay);
  }

  /**
   * @param policy where a 29 February birthday falls in non-leap years, not null
   * @return a copy with this policy
   */
  public BirthdayRule withLeapDay(LeapDayPolicy policy) {
    return new BirthdayRule(id, terms, byTier, minimumEnrolmentDays, purchaseInLastYear, policy);
  }

  /**
   * @param tier the member's tier, not null
   * @return the terms for that tier, or the default terms
   */
  public OccasionTerms termsFor(Option<String> tier) {
    return tier.flatMap(byTier::get).getOrElse(terms);
  }

  /** @return the widest reach of any window of the rule, in days (see {@link OccasionWindow#reach()}) */
  public int reach() {
    return byTier.values().map(t -> t.window().reach()).foldLeft(terms.window().reach(), Math::max);
  }

  /**
   * Decides whether a member's birthday reward is due at an instant. Does not know whether it was
   * already granted: the grant's key makes a second grant a no-op.
   *
   * @param member the member, not null
   * @param lastPurchase when the member last purchased, if ever, not null
   * @param asOf the instant of the run, not null
   * @param tier the member's tier at {@code asOf}, not null
   * @return the grant, or none if the member is not eligible or not inside the window
   */
  public Option<OccasionGrant> dueOn(Member member, Option<Instant> lastPurchase, Instant asOf, Option<String> tier) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(lastPurchase, "lastPurchase");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(tier, "tier");
    if (!member.isActive() || member.birthday().isEmpty()) {
      return Option.none();
    }
    LocalDate today = LocalDate.ofInstant(asOf, member.zone());
    OccasionTerms chosen = termsFor(tier);
    LocalDate enrolled = LocalDate.ofInstant(member.enrolledAt(), member.zone());
    LocalDate purchasedSince = today.minusMonths(12);
    boolean purchased = !purchaseInLastYear
        || lastPurchase.exists(p -> !LocalDate.ofInstant(p, member.zone()).isBefore(purchasedSince));
    return OccasionCalendar.occurrenceCovering(member.birthday().get(), leapDay, chosen.window(), today, member.zone())
        .filter(birthday -> purchased && !enrolled.isAfter(birthday.minusDays(minimumEnrolmentDays)))
        .map(birthday -> new OccasionGrant(Occasion.BIRTHDAY, member.id(), birthday.getYear(), birthday,
            chosen.window().start(birthday), chosen.reward(), id));
  }
}
