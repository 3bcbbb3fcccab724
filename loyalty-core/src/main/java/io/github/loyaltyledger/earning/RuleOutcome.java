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
 * {@code rule.<id>}, so the breakdown can be rebuilt from the ledger alone
 * ({@link EarnQuote#fromEntries}).
 *
 * <p>A value: outcomes with equal components are equal. (It was a record with these components and
 * accessors; it is a class so that a built-in rule's explanation is written only when it is read,
 * which a quote read for its points never does.)
 */
public final class RuleOutcome {

  private final String ruleId;
  private final int programVersion;
  private final String description;
  private final EntryKind kind;
  private final Points desired;
  private final Points granted;
  // The explanation's text, or the Explanation that writes it when first read. Final, so that an
  // outcome handed to another thread without synchronisation is still whole (as a record's fields are).
  private final Object explanation;
  // The text once written: a racy cache of an immutable String, as String.hashCode keeps its hash.
  private String text;
  private final Option<Reason> reason;
  private final Clawback clawback;
  private final boolean qualifying;
  private final Option<Instant> expiresAt;
  private final Option<Instant> vestsAt;

  /** The prefix of the detail key under which an entry records a rule's outcome. */
  public static final String KEY_PREFIX = "rule.";

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
   * @throws NullPointerException if an argument is null
   */
  public RuleOutcome(
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
    this(ruleId, programVersion, description, kind, desired, granted, (Object) Objects.requireNonNull(explanation, "explanation"),
        reason, clawback, qualifying, expiresAt, vestsAt);
  }

  /** An outcome whose explanation is a text or an {@link Explanation} that writes it when read. */
  RuleOutcome(
      String ruleId,
      int programVersion,
      String description,
      EntryKind kind,
      Points desired,
      Points granted,
      Object explanation,
      Option<Reason> reason,
      Clawback clawback,
      boolean qualifying,
      Option<Instant> expiresAt,
      Option<Instant> vestsAt) {
    this.ruleId = Objects.requireNonNull(ruleId, "ruleId");
    this.programVersion = programVersion;
    this.description = Objects.requireNonNull(description, "description");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.desired = Objects.requireNonNull(desired, "desired");
    this.granted = Objects.requireNonNull(granted, "granted");
    this.explanation = Objects.requireNonNull(explanation, "explanation");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.clawback = Objects.requireNonNull(clawback, "clawback");
    this.qualifying = qualifying;
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.vestsAt = Objects.requireNonNull(vestsAt, "vestsAt");
  }

  /** @return the rule */
  public String ruleId() {
    return ruleId;
  }

  /** @return the program version whose rule it was */
  public int programVersion() {
    return programVersion;
  }

  /** @return the rule's description */
  public String description() {
    return description;
  }

  /** @return the kind of entry its points are posted in */
  public EntryKind kind() {
    return kind;
  }

  /** @return the points it proposed, rounded once with its rounding mode (zero when not met) */
  public Points desired() {
    return desired;
  }

  /** @return the points granted after stacking, caps and budgets */
  public Points granted() {
    return granted;
  }

  /** @return the rule's own reason for its proposal (empty when it proposed nothing) */
  public String explanation() {
    String written = text;
    if (written == null) {
      written = Explanation.of(explanation);
      text = written;
    }
    return written;
  }

  /** @return why it was not applied or reduced, if it was */
  public Option<Reason> reason() {
    return reason;
  }

  /** @return how a refund takes the award back */
  public Clawback clawback() {
    return clawback;
  }

  /** @return whether its points count as tier-qualifying credit */
  public boolean qualifying() {
    return qualifying;
  }

  /** @return when its points expire, if granted and expiring */
  public Option<Instant> expiresAt() {
    return expiresAt;
  }

  /** @return when its points vest, if granted and pending */
  public Option<Instant> vestsAt() {
    return vestsAt;
  }

  /**
   * @param other another object, or null
   * @return whether it is an outcome with equal components
   */
  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof RuleOutcome)) {
      return false;
    }
    RuleOutcome o = (RuleOutcome) other;
    return ruleId.equals(o.ruleId) && programVersion == o.programVersion && description.equals(o.description)
        && kind == o.kind && desired.equals(o.desired) && granted.equals(o.granted)
        && explanation().equals(o.explanation()) && reason.equals(o.reason) && clawback.equals(o.clawback)
        && qualifying == o.qualifying && expiresAt.equals(o.expiresAt) && vestsAt.equals(o.vestsAt);
  }

  /** @return a hash of the components */
  @Override
  public int hashCode() {
    return Objects.hash(ruleId, programVersion, description, kind, desired, granted, explanation(), reason, clawback,
        qualifying, expiresAt, vestsAt);
  }

  /** @return the outcome as a record prints itself: {@code RuleOutcome[ruleId=..., programVersion=..., ...]} */
  @Override
  public String toString() {
    return "RuleOutcome[ruleId=" + ruleId + ", programVersion=" + programVersion + ", description=" + description
        + ", kind=" + kind + ", desired=" + desired + ", granted=" + granted + ", explanation=" + explanation()
        + ", reason=" + reason + ", clawback=" + clawback + ", qualifying=" + qualifying + ", expiresAt=" + expiresAt
        + ", vestsAt=" + vestsAt + "]";
  }

  /** @return whether the proposal went through whole, in part or not at all */
  public Status status() {
    if (reason.isEmpty()) {
      return Status.APPLIED;
    }
    return granted.isPositive() ? Status.REDUCED : Status.NOT_APPLIED;
  }

  /**
   * Returns the entry detail that records this outcome: the key {@code rule.<id>} and one value
   * listing, separated by {@code ;}, the kind, desired, granted, clawback, qualifying flag,
   * description, explanation and, if there is one, the reason's code, subject, observed and
   * expected (in the texts, {@code %} and {@code ;} are written {@code %25} and {@code %3B}). One
   * key per rule keeps the hashed entry small.
   *
   * @return the key and value, for an entry's details
   */
  public io.vavr.Tuple2<String, String> detail() {
    // Sized for the usual value, reason included, so that the builder does not grow while the
    // texts are appended.
    String explained = explanation();
    Reason r = reason.getOrNull();
    int capacity = 64 + description.length() + explained.length()
        + (r == null ? 0 : 24 + r.subject().length() + r.observed().length() + r.expected().length());
    StringBuilder v = new StringBuilder(capacity).append(kind.name()).append(';').append(desired.value()).append(';')
        .append(granted.value()).append(';').append(clawback).append(';').append(qualifying).append(';')
        .append(escape(description)).append(';').append(escape(explained));
    if (r != null) {
      v.append(';').append(r.code().name()).append(';').append(escape(r.subject())).append(';')
          .append(escape(r.observed())).append(';').append(escape(r.expected()));
    }
    return io.vavr.Tuple.of(KEY_PREFIX + ruleId, v.toString());
  }

  /**
   * Returns the entry details that record this outcome ({@link #detail()} as a one-key map).
   *
   * @return the details, sorted by key
   */
  public SortedMap<String, String> details() {
    return TreeMap.of(detail());
  }

  /**
   * Rebuilds an outcome from the details an entry recorded with {@link #details()}.
   *
   * @param ruleId the rule, not null
   * @param programVersion the entry's program version
   * @param details the entry's details, not null
   * @param expiresAt the expiry of the entry's lot, not null
   * @param vestsAt the vesting instant of the entry's lot, not null
   * @return the outcome, or none if the details hold no outcome of this rule: no such key, or a
   *     value that is not an outcome as {@link #details()} writes it (a credit's details are the
   *     application's, and may hold any text under that key)
   */
  public static Option<RuleOutcome> fromDetails(
      String ruleId, int programVersion, SortedMap<String, String> details, Option<Instant> expiresAt, Option<Instant> vestsAt) {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(details, "details");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(vestsAt, "vestsAt");
    return details.get(KEY_PREFIX + ruleId).flatMap(value -> {
      String[] f = value.split(";", -1);
      if (f.length != 7 && f.length != 11) {
        return Option.none();
      }
      try {
        Points g = Points.of(Long.parseLong(f[2]));
        Option<Reason> reason = f.length > 7
            ? Option.some(new Reason(Reason.Code.valueOf(f[7]), unescape(f[8]), unescape(f[9]), unescape(f[10])))
            : Option.none();
        return Option.some(new RuleOutcome(ruleId, programVersion, unescape(f[5]), EntryKind.valueOf(f[0]),
            Points.of(Long.parseLong(f[1])), g, unescape(f[6]), reason, Clawback.parse(f[3]), Boolean.parseBoolean(f[4]),
            g.isPositive() ? expiresAt : Option.none(), g.isPositive() ? vestsAt : Option.none()));
      } catch (RuntimeException notAnOutcome) {
        // A number, kind, code or clawback that does not parse (or a threshold in no currency's
        // scale): not what an award writes, so the statement and explanations read past it.
        return Option.none();
      }
    });
  }

  private static String escape(String text) {
    return text.indexOf('%') < 0 && text.indexOf(';') < 0 ? text : text.replace("%", "%25").replace(";", "%3B");
  }

  private static String unescape(String text) {
    return text.indexOf('%') < 0 ? text : text.replace("%3B", ";").replace("%25", "%");
  }
}
