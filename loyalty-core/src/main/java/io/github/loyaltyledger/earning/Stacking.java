package io.github.loyaltyledger.earning;

import io.vavr.control.Option;
import java.util.Objects;

/**
 * How a rule combines with the others that apply to the same purchase (see the decision table in
 * {@code docs/adr/0005-earning-engine.md}): rules are ordered by priority (higher first, then by
 * rule id); within a group only the best deal is kept; the first exclusive rule that is granted
 * excludes every rule after it in that order, and a group's best deal is chosen among its rules at
 * or before that rule.
 *
 * @param priority the order of evaluation for stacking; higher goes first
 * @param exclusive whether this rule, when it applies, excludes the rules after it
 * @param group the stackable group in which only the largest grant (after caps, limit and budget)
 *     is kept, if any
 */
public record Stacking(int priority, boolean exclusive, Option<String> group) {

  /** A stackable rule of priority 0 in no group. */
  public static final Stacking STACKABLE = new Stacking(0, false, Option.none());

  /**
   * Validates the stacking.
   *
   * @param priority the order of evaluation for stacking; higher goes first
   * @param exclusive whether this rule, when it applies, excludes the rules after it
   * @param group the stackable group in which only the largest grant (after caps, limit and budget)
   *     is kept, if any
   * @throws NullPointerException if {@code group} is null or holds null
   * @throws IllegalArgumentException if the group name is not 1 to 40 of a-z, 0-9, {@code ._-},
   *     starting with a letter or digit
   */
  public Stacking {
    Objects.requireNonNull(group, "group");
    group.forEach(g -> Objects.requireNonNull(g, "group holds null"));
    if (group.exists(g -> !RuleBook.NAME.matcher(g).matches())) {
      throw new IllegalArgumentException("group must be " + RuleBook.NAME_FORM + ", was '" + group.get() + "'");
    }
  }
}
