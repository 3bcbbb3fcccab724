package io.github.loyaltyledger.tier;

import io.vavr.control.Option;
import java.util.Objects;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * What a member must achieve within a window to qualify for a tier: thresholds on qualifying
 * points, qualifying spend and qualifying visits, of which any one ({@link Match#ANY_OF}) or all
 * ({@link Match#ALL_OF}) must be reached. A qualification with no threshold is met by everyone; the
 * base tier of a ladder has one.
 *
 * <p>Build one from a single metric ({@link #points}, {@link #spend}, {@link #visits}) and add more
 * with the {@code orX} / {@code andX} methods; mixing {@code or} and {@code and} on one
 * qualification is refused.
 *
 * @param match how several thresholds combine
 * @param points the qualifying points needed, if that metric counts
 * @param spend the qualifying spend needed, if that metric counts
 * @param visits the qualifying visits needed, if that metric counts
 */
public record Qualification(Match match, Option<Long> points, Option<Money> spend, Option<Long> visits) {

  /** How the thresholds of one qualification combine. */
  public enum Match {
    /** Reaching any one threshold qualifies. */
    ANY_OF,
    /** Every threshold must be reached. */
    ALL_OF
  }

  /**
   * Validates the thresholds.
   *
   * @param match how several thresholds combine
   * @param points the qualifying points needed, if that metric counts
   * @param spend the qualifying spend needed, if that metric counts
   * @param visits the qualifying visits needed, if that metric counts
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a threshold is not positive
   */
  public Qualification {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(spend, "spend");
    Objects.requireNonNull(visits, "visits");
    if (points.exists(p -> p <= 0) || visits.exists(v -> v <= 0) || spend.exists(s -> !s.isPositive())) {
      throw new IllegalArgumentException("qualification thresholds must be positive: " + points + ", " + spend
          + ", " + visits);
    }
  }

  /** @return a qualification everyone meets (for the base tier) */
  public static Qualification none() {
    return new Qualification(Match.ANY_OF, Option.none(), Option.none(), Option.none());
  }

  /**
   * @param needed the qualifying points needed, positive
   * @return a qualification on points alone
   */
  public static Qualification points(long needed) {
    return none().with(Match.ANY_OF, Option.some(needed), Option.none(), Option.none());
  }

  /**
   * @param needed the qualifying spend needed, positive, not null
   * @return a qualification on spend alone
   */
  public static Qualification spend(Money needed) {
    return none().with(Match.ANY_OF, Option.none(), Option.some(Objects.requireNonNull(needed, "needed")), Option.none());
  }

  /**
   * @param needed the qualifying visits needed, positive
   * @return a qualification on visits alone
   */
  public static Qualification visits(long needed) {
    return none().with(Match.ANY_OF, Option.none(), Option.none(), Option.some(needed));
  }

  /**
   * @param needed qualifying points that also qualify, positive
   * @return a copy that any one threshold satisfies
   * @throws IllegalStateException if this qualification is all-of
   * @throws IllegalArgumentException if this qualification has a points threshold already
   */
  public Qualification orPoints(long needed) {
    return with(Match.ANY_OF, once("points", points, needed), spend, visits);
  }

  /**
   * @param needed qualifying spend that also qualifies, positive, not null
   * @return a copy that any one threshold satisfies
   * @throws IllegalStateException if this qualification is all-of
   * @throws IllegalArgumentException if this qualification has a spend threshold already
   */
  public Qualification orSpend(Money needed) {
    return with(Match.ANY_OF, points, once("spend", spend, Objects.requireNonNull(needed, "needed")), visits);
  }

  /**
   * @param needed qualifying visits that also qualify, positive
   * @return a copy that any one threshold satisfies
   * @throws IllegalStateException if this qualification is all-of
   * @throws IllegalArgumentException if this qualification has a visits threshold already
   */
  public Qualification orVisits(long needed) {
    return with(Match.ANY_OF, points, spend, once("visits", visits, needed));
  }

  /**
   * @param needed qualifying spend needed as well, positive, not null
   * @return a copy that needs every threshold
   * @throws IllegalStateException if this qualification already combines thresholds with any-of
   * @throws IllegalArgumentException if this qualification has a spend threshold already
   */
  public Qualification andSpend(Money needed) {
    return with(Match.ALL_OF, points, once("spend", spend, Objects.requireNonNull(needed, "needed")), visits);
  }

  /**
   * @param needed qualifying visits needed as well, positive
   * @return a copy that needs every threshold
   * @throws IllegalStateException if this qualification already combines thresholds with any-of
   * @throws IllegalArgumentException if this qualification has a visits threshold already
   */
  public Qualification andVisits(long needed) {
    return with(Match.ALL_OF, points, spend, once("visits", visits, needed));
  }

  /**
   * @param needed qualifying points needed as well, positive
   * @return a copy that needs every threshold
   * @throws IllegalStateException if this qualification already combines thresholds with any-of
   * @throws IllegalArgumentException if this qualification has a points threshold already
   */
  public Qualification andPoints(long needed) {
    return with(Match.ALL_OF, once("points", points, needed), spend, visits);
  }

  /**
   * The threshold a combinator adds for a metric, refused if the metric has one already: a second
   * would silently replace the first ({@code points(500).orPoints(800)} would need 800).
   */
  private static <T> Option<T> once(String metric, Option<T> current, T needed) {
    if (current.isDefined()) {
      throw new IllegalArgumentException("this qualification already has a " + metric + " threshold of "
          + current.get() + "; a second (" + needed + ") would replace it: give each metric one threshold");
    }
    return Option.some(needed);
  }

  private Qualification with(Match wanted, Option<Long> p, Option<Money> s, Option<Long> v) {
    if (thresholds() > 1 && match != wanted) {
      throw new IllegalStateException("cannot mix any-of and all-of thresholds in one qualification");
    }
    return new Qualification(wanted, p, s, v);
  }

  /** @return how many thresholds this qualification has (0 for the base tier's) */
  public int thresholds() {
    return (points.isDefined() ? 1 : 0) + (spend.isDefined() ? 1 : 0) + (visits.isDefined() ? 1 : 0);
  }

  /**
   * Tells whether activity meets this qualification.
   *
   * @param activity the member's qualifying activity, not null
   * @return true if it qualifies
   * @throws org.joda.money.CurrencyMismatchException if the spend is in another currency
   */
  public boolean isMetBy(QualifyingActivity activity) {
    if (thresholds() == 0) {
      return true;
    }
    boolean p = points.exists(n -> activity.points() >= n);
    boolean s = spend.exists(m -> !activity.spend().isLessThan(m));
    boolean v = visits.exists(n -> activity.visits() >= n);
    return match == Match.ANY_OF
        ? p || s || v
        : (points.isEmpty() || p) && (spend.isEmpty() || s) && (visits.isEmpty() || v);
  }

  /**
   * What is still missing to meet this qualification, metric by metric (zero where a threshold is
   * met or absent). Under {@link Match#ANY_OF} closing any one non-zero figure is enough; under
   * {@link Match#ALL_OF} every one must be closed.
   *
   * @param activity the member's qualifying activity, not null
   * @return the shortfall, all zero when the qualification is met
   */
  public QualifyingActivity missing(QualifyingActivity activity) {
    CurrencyUnit currency = activity.spend().getCurrencyUnit();
    if (isMetBy(activity)) {
      return QualifyingActivity.none(currency);
    }
    long p = points.map(n -> Math.max(0, n - activity.points())).getOrElse(0L);
    Money s = spend.map(m -> m.minus(activity.spend())).filter(Money::isPositive).getOrElse(Money.zero(currency));
    long v = visits.map(n -> Math.max(0, n - activity.visits())).getOrElse(0L);
    return new QualifyingActivity(p, s, v);
  }
}
