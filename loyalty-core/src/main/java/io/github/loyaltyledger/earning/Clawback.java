package io.github.loyaltyledger.earning;

import io.vavr.control.Option;
import java.util.Objects;
import org.joda.money.Money;

/**
 * How a refund takes back a rule's award: in proportion to the amount returned, all at once when
 * the kept basket falls below a threshold, or only when the whole purchase is returned.
 *
 * @param mode how
 * @param threshold the basket the award needs, for {@link Mode#THRESHOLD}; none otherwise
 */
public record Clawback(Mode mode, Option<Money> threshold) {

  /** The kinds of clawback. */
  public enum Mode {
    /** Taken back in proportion to the returned share of the purchase (rounded down until the last refund). */
    PROPORTIONAL,
    /** Kept while the kept basket is at least the threshold, taken back whole below it. */
    THRESHOLD,
    /** Kept until the whole purchase is returned. */
    FULL_REFUND
  }

  /**
   * Validates the clawback.
   *
   * @param mode how
   * @param threshold the basket the award needs, for {@link Mode#THRESHOLD}; none otherwise
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a threshold is given for another mode than THRESHOLD, or
   *     missing for THRESHOLD
   */
  public Clawback {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(threshold, "threshold");
    if ((mode == Mode.THRESHOLD) != threshold.isDefined()) {
      throw new IllegalArgumentException("a threshold goes with mode THRESHOLD and only with it");
    }
  }

  // The clawbacks without a threshold are values: one instance each serves every award.
  private static final Clawback PROPORTIONAL = new Clawback(Mode.PROPORTIONAL, Option.none());
  private static final Clawback FULL_REFUND = new Clawback(Mode.FULL_REFUND, Option.none());

  /** @return a proportional clawback */
  public static Clawback proportional() {
    return PROPORTIONAL;
  }

  /**
   * @param minimum the kept basket the award needs, not null
   * @return a clawback that takes the whole award back once the kept basket is below {@code minimum}
   */
  public static Clawback whileBasketAtLeast(Money minimum) {
    return new Clawback(Mode.THRESHOLD, Option.some(minimum));
  }

  /** @return a clawback that takes the award back only when the whole purchase is returned */
  public static Clawback onFullRefund() {
    return FULL_REFUND;
  }

  /** @return the text form stored in entry details, e.g. {@code THRESHOLD EUR 50.00} */
  @Override
  public String toString() {
    return threshold.isDefined() ? mode + " " + threshold.get() : mode.name();
  }

  /**
   * Parses the text form written by {@link #toString()}.
   *
   * @param text the text, not null
   * @return the clawback
   * @throws IllegalArgumentException if the text is not a clawback
   */
  public static Clawback parse(String text) {
    int space = text.indexOf(' ');
    return space < 0
        ? new Clawback(Mode.valueOf(text), Option.none())
        : new Clawback(Mode.valueOf(text.substring(0, space)), Option.some(Money.parse(text.substring(space + 1))));
  }
}
