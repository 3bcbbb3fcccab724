package io.github.loyaltyledger.earning;

import java.util.Objects;

/**
 * Why a rule was not applied, or granted less than it proposed: a code, what was observed and what
 * was expected.
 *
 * @param code the kind of reason
 * @param subject what was checked (e.g. "basket", "channel", "budget")
 * @param observed what the engine saw (e.g. the basket, the desired points, the budget used)
 * @param expected what would have been needed (e.g. the threshold, the cap, the budget)
 */
public record Reason(Code code, String subject, String observed, String expected) {

  /** The kinds of reasons. */
  public enum Code {
    /** A condition of the rule or its targeting (channel, tier, segment) was not met. */
    CONDITION_NOT_MET,
    /** The purchase or event fell outside the campaign's schedule. */
    OUTSIDE_SCHEDULE,
    /** Another rule won its stacking group, or an exclusive rule came first. */
    EXCLUDED_BY_STACKING,
    /** The per-transaction cap cut the award. */
    CAPPED_PER_TRANSACTION,
    /** The per-member-per-period cap cut the award. */
    CAPPED_PER_PERIOD,
    /** The campaign's budget ran out (partly or wholly). */
    BUDGET_EXHAUSTED,
    /** The member reached the rule's frequency limit for the period. */
    LIMIT_REACHED
  }

  /**
   * Validates the reason.
   *
   * @param code the kind of reason
   * @param subject what was checked (e.g. "basket", "channel", "budget")
   * @param observed what the engine saw (e.g. the basket, the desired points, the budget used)
   * @param expected what would have been needed (e.g. the threshold, the cap, the budget)
   * @throws NullPointerException if an argument is null
   */
  public Reason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(observed, "observed");
    Objects.requireNonNull(expected, "expected");
  }

  /** @return a sentence, e.g. {@code CONDITION_NOT_MET: basket was EUR 42.00, expected at least EUR 50.00} */
  @Override
  public String toString() {
    return code + ": " + subject + " was " + observed + ", expected " + expected;
  }
}
