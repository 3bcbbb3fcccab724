package io.github.loyaltyledger.tier;

import io.github.loyaltyledger.ledger.Entry;
import java.util.Objects;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * The tier-qualifying activity of a member over a window: qualifying points, qualifying spend and
 * qualifying visits (distinct purchase transactions). It is read from the {@code details} of ledger
 * entries — {@value #POINTS}, {@value #SPEND} (minor units of the program currency) and
 * {@value #VISIT} — which the earning engine writes on purchases and, negated, on refunds. It is
 * separate from the spendable balance: redemption and expiry never change it. Values may be
 * negative when returns outweigh purchases in a window.
 *
 * @param points qualifying points
 * @param spend qualifying spend
 * @param visits qualifying visits
 */
public record QualifyingActivity(long points, Money spend, long visits) {

  /** The details key of an entry's qualifying points (a long). */
  public static final String POINTS = "qualifying.points";
  /** The details key of an entry's qualifying spend, in minor units of the program currency (a long). */
  public static final String SPEND = "qualifying.spend";
  /** The details key of an entry's qualifying visit ({@code 1}, or {@code -1} on a full refund). */
  public static final String VISIT = "qualifying.visit";

  /**
   * Validates the arguments.
   *
   * @param points qualifying points
   * @param spend qualifying spend
   * @param visits qualifying visits
   * @throws NullPointerException if {@code spend} is null
   */
  public QualifyingActivity {
    Objects.requireNonNull(spend, "spend");
  }

  /**
   * @param currency the program currency, not null
   * @return no activity
   */
  public static QualifyingActivity none(CurrencyUnit currency) {
    return new QualifyingActivity(0, Money.zero(currency), 0);
  }

  /**
   * Reads the qualifying activity an entry records in its details; an entry without the keys
   * records none.
   *
   * @param entry the entry, not null
   * @param currency the program currency (the unit of {@value #SPEND}), not null
   * @return the entry's activity
   * @throws IllegalStateException if a key holds something other than a whole number
   */
  public static QualifyingActivity of(Entry entry, CurrencyUnit currency) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(currency, "currency");
    return new QualifyingActivity(number(entry, POINTS), Money.ofMinor(currency, number(entry, SPEND)),
        number(entry, VISIT));
  }

  /**
   * @param entry an entry, not null
   * @return true if its details carry any of the qualifying keys
   */
  public static boolean isRecordedOn(Entry entry) {
    Objects.requireNonNull(entry, "entry");
    return entry.details().containsKey(POINTS) || entry.details().containsKey(SPEND)
        || entry.details().containsKey(VISIT);
  }

  private static long number(Entry entry, String key) {
    String text = entry.details().get(key).getOrElse("0");
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("entry " + entry.id() + " has '" + key + "' = '" + text
          + "', which is not a whole number", e);
    }
  }

  /**
   * @param other activity in the same currency, not null
   * @return the sum
   * @throws org.joda.money.CurrencyMismatchException if the currencies differ
   */
  public QualifyingActivity plus(QualifyingActivity other) {
    return new QualifyingActivity(Math.addExact(points, other.points), spend.plus(other.spend),
        Math.addExact(visits, other.visits));
  }

  /** @return the activity with every figure's sign flipped (what a return takes back) */
  public QualifyingActivity negated() {
    return new QualifyingActivity(Math.negateExact(points), spend.negated(), Math.negateExact(visits));
  }

  /**
   * @param extra qualifying points to add (rolled over from an earlier window)
   * @return the activity with {@code extra} more points
   */
  public QualifyingActivity plusPoints(long extra) {
    return new QualifyingActivity(Math.addExact(points, extra), spend, visits);
  }
}
