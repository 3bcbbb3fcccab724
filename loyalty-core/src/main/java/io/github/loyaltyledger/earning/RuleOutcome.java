package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of an earning breakdown: what a rule proposed (desired), what the engine granted, and
 * why it granted less or nothing. Posted awards keep these lines in their entries' details under
 * {@code rule.<id>.*}, so the breakdown can be rebuilt from the ledger alone
 * ({@link EarnQuote#fromEntries}).
 *
 * @param ruleId the rule
 * @param programVersion the program version whose rule it was
 * @param description the rule's description
 * @param kind the kind of entry its points are posted in
 * @param desired the points it proposed, rounded once with its rounding mode (zero when not met)
 * @param granted the points granted after stacking, caps and budgets
 * @param explanation the rule's own reason for its proposal (empty when it proposed nothing)
 * @param reason why it was not applied or reduced, if it was
 * @param clawback how a refund takes the award back
 * @param qualifying whether its points count as tier-qualifying credit
 * @param expiresAt when its points expire, if granted and expiring
 * @param vestsAt when its points vest, if granted and pending
 */
public record RuleOutcome(
    String ruleId,
    int programVersion,
    String description,
    EntryKind kind,
    Points desired,
    Points granted,
    String explanation,
    Option<Reason> reason,
    Clawback clawback,
    boolean qualifying,
    Option<Instant> expiresAt,
    Option<Instant> vestsAt) {

  /** Whether a rule's proposal went through whole, in part, or not at all. */
  public enum Status {
    /** Granted as proposed. */
    APPLIED,
    /** Granted in part (a cap or budget bit). */
    REDUCED,
    /** Not granted: condition not met, outside schedule, excluded, limit reached or budget gone. */
    NOT_APPLIED
  }

  /**
   * Validates the outcome.
   *
   * @throws NullPointerException if an argument is null
   */
  public RuleOutcome {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(granted, "granted");
    Objects.requireNonNull(explanation, "explanation");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(clawback, "clawback");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(vestsAt, "vestsAt");
  }

  /** @return whether the proposal went through whole, in part or not at all */
  public Status status() {
    if (reason.isEmpty()) {
      return Status.APPLIED;
    }
    return granted.isPositive() ? Status.REDUCED : Status.NOT_APPLIED;
  }

  /**
   * Returns the entry details that record this outcome, under {@code rule.<id>.}.
   *
   * @return the details, sorted by key
   */
  public SortedMap<String, String> details() {
    String p = "rule." + ruleId + ".";
    SortedMap<String, String> d = TreeMap.of(
        p + "description", description,
        p + "kind", kind.name(),
        p + "desired", Long.toString(desired.value()),
        p + "granted", Long.toString(granted.value()),
        p + "clawback", clawback.toString(),
        p + "qualifying", Boolean.toString(qualifying));
    if (!explanation.isEmpty()) {
      d = d.put(p + "explanation", explanation);
    }
    if (reason.isDefined()) {
      d = d.put(p + "reason", reason.get().code().name())
          .put(p + "subject", reason.get().subject())
          .put(p + "observed", reason.get().observed())
          .put(p + "expected", reason.get().expected());
    }
    return d;
  }

  /**
   * Rebuilds an outcome from the details an entry recorded with {@link #details()}.
   *
   * @param ruleId the rule, not null
   * @param programVersion the entry's program version
   * @param details the entry's details, not null
   * @param expiresAt the expiry of the entry's lot, not null
   * @param vestsAt the vesting instant of the entry's lot, not null
   * @return the outcome, or none if the details hold no outcome of this rule
   */
  public static Option<RuleOutcome> fromDetails(
      String ruleId, int programVersion, SortedMap<String, String> details, Option<Instant> expiresAt, Option<Instant> vestsAt) {
    String p = "rule." + ruleId + ".";
    Option<String> granted = details.get(p + "granted");
    if (granted.isEmpty()) {
      return Option.none();
    }
    Points g = Points.of(Long.parseLong(granted.get()));
    Option<Reason> reason = details.get(p + "reason").map(code -> new Reason(Reason.Code.valueOf(code),
        details.get(p + "subject").getOrElse(""), details.get(p + "observed").getOrElse(""), details.get(p + "expected").getOrElse("")));
    return Option.some(new RuleOutcome(ruleId, programVersion, details.get(p + "description").get(),
        EntryKind.valueOf(details.get(p + "kind").get()), Points.of(Long.parseLong(details.get(p + "desired").get())), g,
        details.get(p + "explanation").getOrElse(""), reason, Clawback.parse(details.get(p + "clawback").get()),
        Boolean.parseBoolean(details.get(p + "qualifying").get()),
        g.isPositive() ? expiresAt : Option.none(), g.isPositive() ? vestsAt : Option.none()));
  }
}
