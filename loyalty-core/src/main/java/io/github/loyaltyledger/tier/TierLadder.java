package io.github.loyaltyledger.tier;

import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * A program's tiers, lowest first, and the rules that move members between them: the qualification
 * window, when upgrades take effect, how long status lasts, what a review does when status ends
 * (with an optional grace period), an optional capped rollover of excess qualifying points, and how
 * many days ahead members are warned of a coming downgrade.
 *
 * <p>The first tier is the base tier every member starts in; it must have no threshold. Build a
 * ladder with {@link #builder(QualificationWindow)}.
 *
 * @param tiers the tiers, lowest first
 * @param window over which span qualifying activity counts
 * @param upgrade when upgrades take effect
 * @param term how long earned status lasts
 * @param downgrade what a review does when status ends without re-qualification
 * @param grace how long after the term ends the review happens (activity until then still counts)
 * @param rolloverCap the most excess qualifying points carried into the next period, if rollover
 *     is on (periodic windows only)
 * @param warningDays how many days before a review a coming downgrade is announced, 0 for never
 * @param returnsRevokeUpgrades true if returns that take the activity of the window that earned an
 *     immediate upgrade below its threshold (and below what the upgrade's own activity earns, where a
 *     later version raised it) revoke it at the next evaluation; by default status reached is kept
 *     until its review
 */
public record TierLadder(
    List<Tier> tiers,
    QualificationWindow window,
    UpgradePolicy upgrade,
    TierTerm term,
    DowngradePolicy downgrade,
    Period grace,
    Option<Long> rolloverCap,
    int warningDays,
    boolean returnsRevokeUpgrades) {

  /**
   * The longest grace period, ten years: as long as the longest {@link TierTerm}. A grace of days or
   * months is compared as added to 1 January 1970: at most 3,652 days, or 120 months.
   */
  public static final Period MAX_GRACE = Period.ofYears(10);

  /**
   * Validates the ladder.
   *
   * @param tiers the tiers, lowest first
   * @param window over which span qualifying activity counts
   * @param upgrade when upgrades take effect
   * @param term how long earned status lasts
   * @param downgrade what a review does when status ends without re-qualification
   * @param grace how long after the term ends the review happens (activity until then still counts)
   * @param rolloverCap the most excess qualifying points carried into the next period, if rollover
   *     is on (periodic windows only)
   * @param warningDays how many days before a review a coming downgrade is announced, 0 for never
   * @param returnsRevokeUpgrades true if returns that take the activity of the window that earned an
   *     immediate upgrade below its threshold (and below what the upgrade's own activity earns, where
   *     a later version raised it) revoke it at the next evaluation; by default status reached is
   *     kept until its review
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if there are no tiers, ids repeat, the base tier has a
   *     threshold, spend thresholds mix currencies, the grace period or warning days are negative,
   *     the grace period is longer than {@link #MAX_GRACE} (ten years), there are warning days or a
   *     grace period on a ladder that never downgrades (a {@link DowngradePolicy#NONE} policy, or no
   *     tier above the base that is not for life: no status ends, so no warning would ever go out
   *     and no review would be delayed), more warning days than the
   *     qualifying window and the grace span (a year for a periodic window, its months for a rolling
   *     one, then the grace, counted in days from 1 January 1970: a warning further ahead would go
   *     out before any activity that keeps the tier counts; for a status ending on another date a
   *     window or grace of months other than a year can be up to three days shorter, see the
   *     README),
   *     the rollover cap is not positive, or a rolling window is combined with a next-period upgrade,
   *     a next-period term or rollover, there is a rollover and no tier qualifies on points (only
   *     points roll over), upgrades are revoked on returns without immediate upgrades,
   *     or a tier can never be earned because whatever meets its qualification also meets that of a
   *     tier above it (thresholds out of order, or a tier above the base without a threshold)
   */
  public TierLadder {
    Objects.requireNonNull(tiers, "tiers");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(upgrade, "upgrade");
    Objects.requireNonNull(term, "term");
    Objects.requireNonNull(downgrade, "downgrade");
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(rolloverCap, "rolloverCap");
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("a ladder needs at least one tier");
    }
    if (tiers.map(Tier::id).distinct().size() != tiers.size()) {
      throw new IllegalArgumentException("tier ids must be unique: " + tiers.map(Tier::id));
    }
    if (tiers.head().qualification().thresholds() != 0) {
      throw new IllegalArgumentException("the base tier '" + tiers.head().id() + "' must have no threshold");
    }
    if (tiers.flatMap(t -> t.qualification().spend()).map(Money::getCurrencyUnit).distinct().size() > 1) {
      throw new IllegalArgumentException("spend thresholds must all be in one currency, were " + tiers
          .flatMap(t -> t.qualification().spend().map(m -> m.getCurrencyUnit() + " (tier '" + t.id() + "')")).mkString(", "));
    }
    // The ladder gives the highest tier met: a tier whose least qualifying activities all meet a
    // tier above it (thresholds out of order, a second tier without one) is never earned.
    CurrencyUnit currency = tiers.flatMap(t -> t.qualification().spend()).headOption().map(Money::getCurrencyUnit)
        .getOrElse(CurrencyUnit.EUR);
    for (int i = 0; i < tiers.size(); i++) {
      Tier lower = tiers.get(i);
      List<QualifyingActivity> least = leastMeeting(lower.qualification(), currency);
      Option<Tier> taking = tiers.drop(i + 1).find(higher -> least.forAll(higher.qualification()::isMetBy));
      if (taking.isDefined()) {
        throw new IllegalArgumentException("the tier '" + lower.id() + "' can never be earned: whatever meets its"
            + " qualification also meets that of '" + taking.get().id() + "', above it; order the tiers by rising"
            + " thresholds, lowest first, and give every tier above the base a threshold");
      }
    }
    if (grace.isNegative() || warningDays < 0) {
      throw new IllegalArgumentException("grace and warning days must not be negative: " + grace + ", " + warningDays);
    }
    // Zero is refused too, and said so: a cap of zero would carry nothing.
    if (rolloverCap.exists(c -> c <= 0)) {
      throw new IllegalArgumentException("rolloverCappedAt(" + rolloverCap.get() + ") must be positive: it is the most"
          + " excess qualifying points carried into the next period; leave rolloverCappedAt out for no rollover");
    }
    // A review adds the grace to a date: a grace of a billion years has none, and threw from the
    // facade at the first upgrade. The months first: a date cannot add so many years.
    if (grace.toTotalMonths() > MAX_GRACE.toTotalMonths()
        || LocalDate.EPOCH.plus(grace).isAfter(LocalDate.EPOCH.plus(MAX_GRACE))) {
      throw new IllegalArgumentException("a grace period is at most " + MAX_GRACE + " (ten years, the longest term),"
          + " was " + grace + "; give a shorter grace");
    }
    // Warnings announce a coming downgrade, and a grace delays the review that makes it: on a ladder
    // that takes no tier away no status ends, so neither would ever take effect.
    if (downgrade == DowngradePolicy.NONE || tiers.tail().forAll(Tier::lifetime)) {
      String never = downgrade == DowngradePolicy.NONE ? "its downgrade policy is NONE"
          : tiers.size() == 1 ? "it has no tier above the base" : "every tier above the base is for life";
      if (warningDays > 0) {
        throw new IllegalArgumentException("warning " + warningDays + " days before a downgrade needs a ladder that"
            + " downgrades, and this one never does (" + never + "), so no warning would go out; leave warnDaysBefore"
            + " out, or choose a policy that downgrades");
      }
      if (!grace.isZero()) {
        throw new IllegalArgumentException("grace(" + grace + ") delays the review of a status that ends, and on this"
            + " ladder none ever does (" + never + "), so the grace would never delay anything; leave grace out, or"
            + " choose a policy that downgrades");
      }
    }
    // A review looks at the window that ends with the status or, after a grace, at the one current
    // at the review: a warning further ahead would announce a downgrade before any activity that
    // could stop it counts. Both lengths are counted from 1 January 1970, as the grace is above.
    Period reviewed = window.isPeriodic() ? Period.ofYears(1) : Period.ofMonths(window.months());
    long mostWarningDays = ChronoUnit.DAYS.between(LocalDate.EPOCH, LocalDate.EPOCH.plus(reviewed).plus(grace));
    if (warningDays > mostWarningDays) {
      throw new IllegalArgumentException("warnDaysBefore(" + warningDays + ") is further ahead than the qualifying"
          + " window and grace a review looks at (" + reviewed + " and " + grace + "): the warning would go out before"
          + " any activity that keeps the tier counts; warn at most " + mostWarningDays + " days before");
    }
    if (!window.isPeriodic() && (upgrade == UpgradePolicy.NEXT_PERIOD
        || term.kind() == TierTerm.Kind.UNTIL_END_OF_NEXT_PERIOD || rolloverCap.isDefined())) {
      throw new IllegalArgumentException("a rolling window has no periods: use an immediate upgrade, a months term"
          + " and no rollover");
    }
    // Only points roll over: on a ladder that qualifies on spend or visits alone they count for nothing.
    if (rolloverCap.isDefined() && tiers.forAll(t -> t.qualification().points().isEmpty())) {
      throw new IllegalArgumentException("rolloverCappedAt(" + rolloverCap.get() + ") carries excess qualifying points"
          + " into the next period, but no tier of this ladder qualifies on points, so it would never keep or give"
          + " anyone a tier; leave rolloverCappedAt out, or give a tier a points threshold");
    }
    if (returnsRevokeUpgrades && upgrade != UpgradePolicy.IMMEDIATE) {
      throw new IllegalArgumentException("only immediate upgrades can be revoked on returns");
    }
  }

  /**
   * The least activities that meet a qualification, one of which every activity meeting it is at
   * least: none for no threshold, each threshold alone for any-of, all of them together for all-of.
   */
  private static List<QualifyingActivity> leastMeeting(Qualification q, CurrencyUnit currency) {
    long points = q.points().getOrElse(0L);
    Money spend = q.spend().getOrElse(Money.zero(currency));
    long visits = q.visits().getOrElse(0L);
    if (q.thresholds() == 0 || q.match() == Qualification.Match.ALL_OF) {
      return List.of(new QualifyingActivity(points, spend, visits));
    }
    Money none = Money.zero(currency);
    return q.points().map(p -> new QualifyingActivity(p, none, 0)).toList()
        .appendAll(q.spend().map(m -> new QualifyingActivity(0, m, 0)))
        .appendAll(q.visits().map(v -> new QualifyingActivity(0, none, v)));
  }

  /**
   * Starts a ladder over a window. Defaults: immediate upgrades, status until the end of the next
   * period (a 12-month term for rolling windows), recompute on review, no grace, no rollover, no
   * warning, upgrades kept despite returns until the review.
   *
   * @param window the qualification window, not null
   * @return a builder
   */
  public static Builder builder(QualificationWindow window) {
    return new Builder(window);
  }

  /**
   * When a status that ends at {@code until} is reviewed: that end plus the grace period, added in
   * the member's zone (so a month of grace is a calendar month there). A status ends at the start of
   * a day, and is reviewed at the start of the day a grace period later, also where one of those
   * days starts at another time than midnight (a daylight-saving change at midnight).
   *
   * @param until when the status ends, not null
   * @param zone the member's zone, not null
   * @return the instant of the review ({@code until} itself without grace)
   */
  public Instant reviewAt(Instant until, ZoneId zone) {
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(zone, "zone");
    if (grace.isZero()) {
      return until;
    }
    LocalDate day = LocalDate.ofInstant(until, zone);
    // plus(grace) on the zoned end would keep the 01:00 of a day whose midnight is skipped
    return day.atStartOfDay(zone).toInstant().equals(until)
        ? day.plus(grace).atStartOfDay(zone).toInstant()
        : until.atZone(zone).plus(grace).toInstant();
  }

  /** @return the base tier every member starts in */
  public Tier base() {
    return tiers.head();
  }

  /**
   * @param id a tier id, not null
   * @return the tier, or none if it is not on this ladder
   */
  public Option<Tier> tier(TierId id) {
    Objects.requireNonNull(id, "id");
    return tiers.find(t -> t.id().equals(id));
  }

  /**
   * @param id a tier id, not null
   * @return its position from the bottom (0 for the base tier), or -1 if it is not on this ladder
   */
  public int rank(TierId id) {
    Objects.requireNonNull(id, "id");
    return tiers.indexWhere(t -> t.id().equals(id));
  }

  /**
   * The highest tier whose qualification an activity meets.
   *
   * @param activity qualifying activity, not null
   * @return the tier (the base tier if none above it is met)
   */
  public Tier earnedBy(QualifyingActivity activity) {
    Objects.requireNonNull(activity, "activity");
    return tiers.findLast(t -> t.qualification().isMetBy(activity)).getOrElse(base());
  }

  /** @return the currency of the spend thresholds, if any tier has one */
  public Option<CurrencyUnit> spendCurrency() {
    return tiers.flatMap(t -> t.qualification().spend()).headOption().map(Money::getCurrencyUnit);
  }

  /** Builds a {@link TierLadder}. Not thread-safe. */
  public static final class Builder {
    private final QualificationWindow window;
    private List<Tier> tiers = List.empty();
    private UpgradePolicy upgrade = UpgradePolicy.IMMEDIATE;
    private TierTerm term;
    private DowngradePolicy downgrade = DowngradePolicy.RECOMPUTE;
    private Period grace = Period.ZERO;
    private Option<Long> rolloverCap = Option.none();
    private int warningDays;
    private boolean returnsRevokeUpgrades;

    private Builder(QualificationWindow window) {
      this.window = Objects.requireNonNull(window, "window");
      this.term = window.isPeriodic() ? TierTerm.untilEndOfNextPeriod() : TierTerm.months(12);
    }

    /**
     * @param value the next tier up (the first one given is the base tier), not null
     * @return this builder
     */
    public Builder tier(Tier value) {
      this.tiers = tiers.append(Objects.requireNonNull(value, "tier"));
      return this;
    }

    /**
     * @param value when upgrades take effect, not null
     * @return this builder
     */
    public Builder upgrade(UpgradePolicy value) {
      this.upgrade = Objects.requireNonNull(value, "upgrade");
      return this;
    }

    /**
     * @param value how long earned status lasts, not null
     * @return this builder
     */
    public Builder term(TierTerm value) {
      this.term = Objects.requireNonNull(value, "term");
      return this;
    }

    /**
     * @param value what a review does when status ends without re-qualification, not null
     * @return this builder
     */
    public Builder downgrade(DowngradePolicy value) {
      this.downgrade = Objects.requireNonNull(value, "downgrade");
      return this;
    }

    /**
     * @param value how long after the term the review happens, not negative, at most
     *     {@link TierLadder#MAX_GRACE} (ten years), not null; zero (the default) on a ladder that
     *     never downgrades ({@link DowngradePolicy#NONE}, or only tiers for life above the base)
     * @return this builder
     */
    public Builder grace(Period value) {
      this.grace = Objects.requireNonNull(value, "grace");
      return this;
    }

    /**
     * @param cap the most excess qualifying points carried into the next period, positive; on a
     *     periodic window, and a ladder where some tier qualifies on points (only points roll over)
     * @return this builder
     */
    public Builder rolloverCappedAt(long cap) {
      this.rolloverCap = Option.some(cap);
      return this;
    }

    /**
     * @param days how many days before a review a coming downgrade is announced, not negative and at
     *     most the days of the qualifying window and the grace counted from 1 January 1970 (365 for a
     *     periodic window without grace: see {@link TierLadder}); the window and grace of a status
     *     ending on another date can be up to three days shorter when they are counted in months
     *     other than a year (a month of grace after a status ending on 1 February is 28 days), so a
     *     warning at the limit can go out up to three days before their first day; 0 (the default) on
     *     a ladder that never downgrades ({@link DowngradePolicy#NONE}, or only tiers for life above
     *     the base)
     * @return this builder
     */
    public Builder warnDaysBefore(int days) {
      this.warningDays = days;
      return this;
    }

    /**
     * Makes returns that take the activity of the window that earned an immediate upgrade below its
     * threshold revoke the upgrade at the next evaluation, which the facade's {@code refund} and
     * {@code reverse} make after each return (by default a tier reached is kept until its review).
     * Only a return revokes: under a later program version that asks more for the tier, the upgrade
     * is revoked only if the activity earns less on this ladder than the upgrade's own activity
     * earns on it; the raised threshold itself is applied at the review.
     *
     * @return this builder
     */
    public Builder revokeUpgradesOnReturn() {
      this.returnsRevokeUpgrades = true;
      return this;
    }

    /**
     * @return the ladder
     * @throws IllegalArgumentException if the ladder is invalid (see {@link TierLadder})
     */
    public TierLadder build() {
      return new TierLadder(tiers, window, upgrade, term, downgrade, grace, rolloverCap, warningDays,
          returnsRevokeUpgrades);
    }
  }
}
