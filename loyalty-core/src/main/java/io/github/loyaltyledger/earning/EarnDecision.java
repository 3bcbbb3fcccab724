package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.store.CounterChange;
import io.vavr.collection.List;
import java.util.Objects;

/**
 * What the {@link EarnEngine} decided: the breakdown, and the counter changes (caps, budgets,
 * limits, visits) that must be committed atomically with the entries for the decision to hold.
 *
 * @param quote the breakdown per rule
 * @param counters the counters to change with the posting
 */
public record EarnDecision(EarnQuote quote, List<CounterChange> counters) {

  /**
   * Validates the decision.
   *
   * @param quote the breakdown per rule
   * @param counters the counters to change with the posting
   * @throws NullPointerException if an argument is null
   */
  public EarnDecision {
    Objects.requireNonNull(quote, "quote");
    Objects.requireNonNull(counters, "counters");
  }
}
