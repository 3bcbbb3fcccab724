package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * What a purchase or custom event earns and why: one {@link RuleOutcome} per rule of the program,
 * in the program's rule order. A quote ({@code Loyalty.quote}) is computed by the same pipeline as
 * the posting and writes nothing; the breakdown of a posted award is rebuilt from its ledger
 * entries with {@link #fromEntries}.
 *
 * @param member who earns
 * @param transaction the purchase's transaction id or the event's key
 * @param programVersion the program version in force
 * @param outcomes one per rule, in rule order
 */
public record EarnQuote(MemberId member, IdempotencyKey transaction, int programVersion, List<RuleOutcome> outcomes) {

  /** The detail key, on the first entry of an award, listing every rule evaluated, comma-separated. */
  public static final String RULES_KEY = "earn.rules";

  /**
   * Validates the quote.
   *
   * @param member who earns
   * @param transaction the purchase's transaction id or the event's key
   * @param programVersion the program version in force
   * @param outcomes one per rule, in rule order
   * @throws NullPointerException if an argument is null
   */
  public EarnQuote {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(transaction, "transaction");
    Objects.requireNonNull(outcomes, "outcomes");
  }

  /** @return the points granted in all */
  public Points total() {
    Points total = Points.ZERO;
    for (RuleOutcome o : outcomes) {
      total = total.plus(o.granted());
    }
    return total;
  }

  /**
   * @param ruleId a rule id, not null
   * @return that rule's outcome, or none if the program has no such rule
   * @throws NullPointerException if {@code ruleId} is null
   */
  public Option<RuleOutcome> outcome(String ruleId) {
    Objects.requireNonNull(ruleId, "ruleId");
    return outcomes.find(o -> o.ruleId().equals(ruleId));
  }

  /**
   * Rebuilds the breakdown of a posted award from its entries (those a purchase or event wrote:
   * the receipt's entries, or the entries with its idempotency key).
   *
   * @param entries the award's entries, not null
   * @return the breakdown, or none if the entries are not an award of the earning engine
   */
  public static Option<EarnQuote> fromEntries(List<Entry> entries) {
    Objects.requireNonNull(entries, "entries");
    List<Entry> awards = entries.filter(e -> e.kind() == EntryKind.EARN || e.kind() == EntryKind.BONUS);
    Option<Entry> first = awards.find(e -> e.details().containsKey(RULES_KEY));
    if (first.isEmpty()) {
      return Option.none();
    }
    List<String> ids = List.of(first.get().details().get(RULES_KEY).get().split(",")).filter(s -> !s.isEmpty());
    List<RuleOutcome> outcomes = ids.flatMap(id -> awards
        .flatMap(e -> RuleOutcome.fromDetails(id, e.programVersion(), e.details(), e.expiresAt(), e.vestsAt()))
        .headOption());
    return Option.some(new EarnQuote(first.get().member(), first.get().idempotencyKey(), first.get().programVersion(), outcomes));
  }
}
