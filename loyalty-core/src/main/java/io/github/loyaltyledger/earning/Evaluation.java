package io.github.loyaltyledger.earning;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What an {@link EarnRule} says about a purchase or event: an {@link Award} it proposes, or a
 * condition it found {@link NotMet}. The family is closed.
 */
public sealed interface Evaluation {

  /**
   * Proposes points, exactly (the engine rounds once, with the rule's rounding mode), with why in
   * plain words and how a refund takes the award back. A value: equal awards have equal points,
   * reasons and clawbacks, the points compared as numbers ({@code 10} and {@code 10.0} are the same
   * proposal, which the engine rounds alike). (It was a record; it is a class so that the built-in rules can have
   * their reasons written only when read, which a quote often never does.)
   */
  final class Award implements Evaluation {
    private final BigDecimal points;
    private final Clawback clawback;
    // The reason's text, or the Explanation that writes it when first read. Final, so that an award
    // handed to another thread without synchronisation is still whole (as a record's fields are).
    private final Object reason;
    // The text once written: a racy cache of an immutable String, as String.hashCode keeps its hash.
    private String text;

    /**
     * Validates the award.
     *
     * @param points the points proposed, zero or more
     * @param reason why, in plain words, e.g. "1 point per EUR 1 on EUR 12.40"
     * @param clawback how a refund takes the award back
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the points are negative or the reason blank
     */
    public Award(BigDecimal points, String reason, Clawback clawback) {
      this(points, (Object) Objects.requireNonNull(reason, "reason"), clawback);
      if (reason.isBlank()) {
        throw new IllegalArgumentException("an award needs a reason");
      }
    }

    /** An award whose reason a built-in rule writes when it is read (its texts are never blank). */
    Award(BigDecimal points, Explanation reason, Clawback clawback) {
      this(points, (Object) Objects.requireNonNull(reason, "reason"), clawback);
    }

    private Award(BigDecimal points, Object reason, Clawback clawback) {
      this.points = Objects.requireNonNull(points, "points");
      this.reason = reason;
      this.clawback = Objects.requireNonNull(clawback, "clawback");
      if (points.signum() < 0) {
        throw new IllegalArgumentException("a rule proposes zero or more points, not " + points);
      }
    }

    /** @return the points proposed, zero or more, at the scale the rule gave them */
    public BigDecimal points() {
      return points;
    }

    /** @return why, in plain words, e.g. "1 point per EUR 1 on EUR 12.40" */
    public String reason() {
      String written = text;
      if (written == null) {
        written = Explanation.of(reason);
        text = written;
      }
      return written;
    }

    /** @return how a refund takes the award back */
    public Clawback clawback() {
      return clawback;
    }

    /** The reason as held: its text once written, else what it was given (a text or an explanation). */
    Object explanation() {
      String written = text;
      return written != null ? written : reason;
    }

    /**
     * Returns a copy taken back otherwise: e.g. {@code withClawback(Clawback.proportionalOn(List.of("BEANS")))}
     * for an award based on the beans alone, which a refund then takes back as they come back, not
     * as the rest of the basket does (see {@link Clawback#proportionalOn}).
     *
     * @param how how a refund takes the award back, not null
     * @return a copy with this clawback
     * @throws NullPointerException if {@code how} is null
     */
    public Award withClawback(Clawback how) {
      return new Award(points, reason, how);
    }

    /**
     * @param other another object, or null
     * @return whether it is an award of the same points (whatever their scale: {@code 10} equals
     *     {@code 10.0}), reason and clawback
     */
    @Override
    public boolean equals(Object other) {
      return other instanceof Award && points.compareTo(((Award) other).points) == 0
          && reason().equals(((Award) other).reason()) && clawback.equals(((Award) other).clawback);
    }

    /** @return a hash of the points (whatever their scale), reason and clawback */
    @Override
    public int hashCode() {
      return Objects.hash(points.stripTrailingZeros(), reason(), clawback);
    }

    /** @return the award as a record prints itself, e.g. {@code Award[points=12, reason=..., clawback=...]} */
    @Override
    public String toString() {
      return "Award[points=" + points + ", reason=" + reason() + ", clawback=" + clawback + "]";
    }
  }

  /**
   * The rule does not apply: which condition failed, what was observed and what was expected.
   *
   * @param condition the condition, e.g. "basket"
   * @param observed what the purchase had, e.g. "EUR 42.00"
   * @param expected what the rule needs, e.g. "at least EUR 50.00"
   */
  record NotMet(String condition, String observed, String expected) implements Evaluation {
    /**
     * Validates that every field says something: the three texts are what quotes, {@code explain}
     * and statements show of a rule that did not apply.
     *
     * @param condition the condition, e.g. "basket"
     * @param observed what the purchase had, e.g. "EUR 42.00"
     * @param expected what the rule needs, e.g. "at least EUR 50.00"
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a text is blank (empty or only white space), naming which;
     *     thrown from {@link EarnRule#evaluate}, it fails the request with {@code LoyaltyError.RuleFailed}
     */
    public NotMet {
      Objects.requireNonNull(condition, "condition");
      Objects.requireNonNull(observed, "observed");
      Objects.requireNonNull(expected, "expected");
      // A blank text made a breakdown reading "was , expected ", which no one can act on.
      String blank = condition.isBlank() ? "condition" : observed.isBlank() ? "observed value"
          : expected.isBlank() ? "expected value" : null;
      if (blank != null) {
        throw new IllegalArgumentException("a condition not met says in words what was checked, observed and expected;"
            + " its " + blank + " was blank (condition '" + condition + "', observed '" + observed + "', expected '"
            + expected + "'): write e.g. notMet(\"basket\", \"EUR 42.00\", \"at least EUR 50.00\")");
      }
    }
  }

  /**
   * Proposes points, clawed back proportionally on refund.
   *
   * @param points the exact points, zero or more, not null; the engine rounds them once, with the
   *     rule's rounding mode ({@link RuleTerms#rounding(java.math.RoundingMode)}, default down)
   * @param reason why, not blank
   * @return the award
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the points are negative or the reason blank; thrown from
   *     {@link EarnRule#evaluate}, it fails the request with {@code LoyaltyError.RuleFailed}
   */
  static Award award(BigDecimal points, String reason) {
    return new Award(points, reason, Clawback.proportional());
  }

  /**
   * Proposes a whole number of points, clawed back proportionally on refund.
   *
   * @param points the points, zero or more
   * @param reason why, not blank
   * @return the award
   * @throws NullPointerException if the reason is null
   * @throws IllegalArgumentException if the points are negative or the reason blank; thrown from
   *     {@link EarnRule#evaluate}, it fails the request with {@code LoyaltyError.RuleFailed}
   */
  static Award award(long points, String reason) {
    return award(BigDecimal.valueOf(points), reason);
  }

  /**
   * Reports a condition not met.
   *
   * @param condition the condition, not blank, e.g. "basket"
   * @param observed what was observed, not blank, e.g. "EUR 42.00"
   * @param expected what was expected, not blank, e.g. "at least EUR 50.00"
   * @return the evaluation
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a text is blank; thrown from {@link EarnRule#evaluate}, it
   *     fails the request with {@code LoyaltyError.RuleFailed}
   */
  static NotMet notMet(String condition, String observed, String expected) {
    return new NotMet(condition, observed, expected);
  }

  /**
   * Reports that a rule which only looks at purchases was given a custom event.
   *
   * @param context the context holding the event, not null
   * @return the evaluation, naming the event's type
   */
  static NotMet notAPurchase(EarnContext context) {
    Objects.requireNonNull(context, "context");
    return notMet("purchase", context.event().map(e -> "event " + e.type()).getOrElse("a purchase"), "a purchase");
  }
}
