package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.CounterChange;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The decision half of the earning pipeline, free of side effects: evaluate every rule (after its
 * targeting and schedule), resolve stacking, apply caps, frequency limits and budgets against the
 * current counters, and round once per rule. The facade posts the result; {@code quote} shows it.
 *
 * <p>Counters are named {@code earn:<program>:<what>:...}: {@code visits:<member>} (purchases
 * earned on), {@code cap:<rule>:<member>:<period>}, {@code limit:<rule>:<member>:<period>} and
 * {@code budget:<rule>}. The decision lists each counter's expected and new value; committing
 * them with the entries makes a concurrent decision on stale counters fail and retry, so caps and
 * budgets are never exceeded.
 *
 * <p>Stacking (see {@code docs/adr/0005-earning-engine.md}): rules that propose an award are
 * ordered by priority (higher first), then rule id. In each group only the largest award is kept
 * (ties: higher priority, then smaller id). Then, in that order, a granted exclusive rule excludes
 * every rule after it. Rounding is done once per rule, before caps; because rounding is monotone
 * and caps are whole numbers, this equals capping first and rounding after.
 */
public final class EarnEngine {

  private EarnEngine() {}

  /**
   * Names the counter of purchases a member has earned on.
   *
   * @param programId the program id, not null
   * @param member the member, not null
   * @return the counter key
   */
  public static String visitsKey(String programId, MemberId member) {
    // A decision names the member's key twice (the facade reads the counter, the decision changes
    // it): the second time this thread gets the same String back, whose hash is then known.
    VisitsKey last = LAST_VISITS_KEY.get();
    if (!member.value().equals(last.member) || !programId.equals(last.programId)) {
      last.programId = programId;
      last.member = member.value();
      last.key = "earn:" + programId + ":visits:" + member;
    }
    return last.key;
  }

  private static final ThreadLocal<VisitsKey> LAST_VISITS_KEY = ThreadLocal.withInitial(VisitsKey::new);

  /** The visits counter key this thread named last, with the program and member it names. */
  private static final class VisitsKey {
    String programId;
    String member;
    String key;
  }

  /**
   * Decides what a purchase or event earns.
   *
   * @param book the program's rules, not null
   * @param context the facts, not null
   * @param counters reads a counter's current value (0 if never written), not null
   * @return the decision, or {@link LoyaltyError.RuleFailed} if a rule threw, returned nothing or
   *     proposed more points than a {@code long} holds
   */
  public static Either<LoyaltyError, EarnDecision> decide(RuleBook book, EarnContext context, ToLongFunction<String> counters) {
    // Plain loops over the book's arrays: this runs for every earn and every quote.
    int n = book.size();
    Slot[] slots = new Slot[n];
    for (int i = 0; i < n; i++) {
      EarnRule rule = book.rule(i);
      Slot slot = new Slot(rule, book.terms(i), book.description(i));
      slots[i] = slot;
      slot.reason = book.targeted(i) ? gate(slot.terms, context) : null;
      if (slot.reason != null) {
        continue;
      }
      Evaluation evaluation;
      try {
        evaluation = evaluate(rule, context);
        if (evaluation == null) {
          return Either.left(new LoyaltyError.RuleFailed(rule.id(), "evaluate returned null"));
        }
        if (evaluation instanceof Evaluation.NotMet) {
          Evaluation.NotMet notMet = (Evaluation.NotMet) evaluation;
          slot.reason = new Reason(Reason.Code.CONDITION_NOT_MET, notMet.condition(), notMet.observed(), notMet.expected());
        } else {
          Evaluation.Award award = (Evaluation.Award) evaluation;
          slot.desired = award.points().setScale(0, slot.terms.rounding()).longValueExact();
          slot.explanation = award.explanation();
          slot.clawback = award.clawback();
          slot.candidate = true;
        }
      } catch (RuntimeException e) {
        return Either.left(new LoyaltyError.RuleFailed(rule.id(), e.toString()));
      }
    }
    stack(book, slots);
    // Counter changes in order: each granted rule's (at most three), then the visits counter.
    CounterChange[] changed = new CounterChange[3 * n + 1];
    int count = 0;
    RuleBook.CounterKeys keys = book.keys(context.programId());
    LocalDate day = book.periodic() ? LocalDate.ofInstant(context.occurredAt(), context.programZone()) : null;
    for (int i = 0; i < n; i++) {
      Slot slot = slots[i];
      if (slot.candidate && slot.reason == null && slot.desired > 0) {
        count = limit(slot, keys.prefix(), keys.budgets()[i], context.member().id(), day, counters, changed, count);
      }
    }
    if (context.purchase().isDefined()) {
      String key = visitsKey(context.programId(), context.member().id());
      changed[count++] = new CounterChange(key, context.previousPurchases(), context.previousPurchases() + 1);
    }
    List<CounterChange> changes = List.empty();
    while (count > 0) {
      changes = changes.prepend(changed[--count]);
    }
    RuleOutcome[] outcomes = new RuleOutcome[n];
    for (int i = 0; i < n; i++) {
      outcomes[i] = slots[i].outcome(context);
    }
    EarnQuote quote = new EarnQuote(context.member().id(),
        context.purchase().isDefined() ? context.purchase().get().transaction() : context.event().get().key(),
        context.programVersion(), List.of(outcomes));
    return Either.right(new EarnDecision(quote, changes));
  }

  /**
   * Calls the built-in rules by their class, so that each call site sees one class and the compiler
   * can inline it; plugins through the interface.
   */
  private static Evaluation evaluate(EarnRule rule, EarnContext context) {
    if (rule instanceof BaseRate) {
      return ((BaseRate) rule).evaluate(context);
    }
    if (rule instanceof Multiplier) {
      return ((Multiplier) rule).evaluate(context);
    }
    if (rule instanceof BasketThreshold) {
      return ((BasketThreshold) rule).evaluate(context);
    }
    if (rule instanceof FirstPurchaseBonus) {
      return ((FirstPurchaseBonus) rule).evaluate(context);
    }
    if (rule instanceof EveryNthVisit) {
      return ((EveryNthVisit) rule).evaluate(context);
    }
    return rule.evaluate(context);
  }

  private static Reason gate(RuleTerms terms, EarnContext context) {
    if (!terms.channels().isEmpty() && !terms.channels().contains(context.channel().type())) {
      return new Reason(Reason.Code.CONDITION_NOT_MET, "channel", context.channel().type().name(),
          "one of " + terms.channels().mkString(", "));
    }
    if (!terms.tiers().isEmpty() && !context.tier().exists(terms.tiers()::contains)) {
      return new Reason(Reason.Code.CONDITION_NOT_MET, "tier", context.tier().getOrElse("none"),
          "one of " + terms.tiers().mkString(", "));
    }
    if (!terms.segments().isEmpty() && !context.segments().exists(terms.segments()::contains)) {
      return new Reason(Reason.Code.CONDITION_NOT_MET, "segment",
          context.segments().isEmpty() ? "none" : context.segments().toSortedSet().mkString(", "),
          "any of " + terms.segments().mkString(", "));
    }
    if (terms.schedule().isDefined()) {
      Schedule schedule = terms.schedule().get();
      java.time.LocalDateTime local = context.localTime(schedule.zone());
      if (!schedule.covers(local)) {
        return new Reason(Reason.Code.OUTSIDE_SCHEDULE, "time",
            local.getDayOfWeek() + " " + local.withNano(0), schedule.toString());
      }
    }
    return null;
  }

  private static void stack(RuleBook book, Slot[] slots) {
    int[] order = book.stackingOrder();
    if (book.grouped()) {
      // Only the largest award of each group stays; on a tie the first in stacking order.
      Map<String, Slot> best = new HashMap<>();
      for (int i : order) {
        Slot s = slots[i];
        if (s.candidate) {
          s.terms.stacking().group().forEach(g -> best.merge(g, s, (a, b) -> b.desired > a.desired ? b : a));
        }
      }
      for (int i : order) {
        Slot s = slots[i];
        Option<String> group = s.terms.stacking().group();
        if (s.candidate && group.isDefined() && best.get(group.get()) != s) {
          Slot winner = best.get(group.get());
          s.reason = new Reason(Reason.Code.EXCLUDED_BY_STACKING, "group " + group.get(),
              winner.rule.id() + " proposed " + winner.desired, "the best deal in the group");
        }
      }
    }
    Slot exclusive = null;
    for (int i : order) {
      Slot s = slots[i];
      if (!s.candidate || s.reason != null) {
        continue;
      }
      if (exclusive != null) {
        s.reason = new Reason(Reason.Code.EXCLUDED_BY_STACKING, "exclusive rule",
            exclusive.rule.id() + " (priority " + exclusive.terms.stacking().priority() + ") applies",
            "no exclusive rule before it");
      } else if (s.terms.stacking().exclusive()) {
        exclusive = s;
      }
    }
  }

  /**
   * Applies a granted rule's caps, budget and limit; appends its counter changes (per-member cap,
   * budget, frequency limit) to {@code changes} from {@code count} on and returns the new count.
   */
  private static int limit(Slot slot, String prefix, String budgetKey, MemberId member, LocalDate day,
      ToLongFunction<String> counters, CounterChange[] changes, int count) {
    RuleTerms t = slot.terms;
    String id = slot.rule.id();
    long granted = slot.desired;
    Reason reason = null;
    if (t.perTransaction().isDefined() && t.perTransaction().get() < slot.desired) {
      granted = t.perTransaction().get();
      reason = new Reason(Reason.Code.CAPPED_PER_TRANSACTION, "points", Long.toString(slot.desired),
          "at most " + granted + " per transaction");
    }
    CounterChange awards = null;
    if (t.limit().isDefined()) {
      Cap cap = t.limit().get();
      String key = prefix + "limit:" + id + ":" + member + ":" + cap.period().key(day);
      long used = counters.applyAsLong(key);
      if (used >= cap.amount()) {
        slot.reason = new Reason(Reason.Code.LIMIT_REACHED, "awards this " + cap.period().name().toLowerCase(java.util.Locale.ROOT),
            Long.toString(used), "fewer than " + cap.amount());
        return count;
      }
      awards = new CounterChange(key, used, used + 1);
    }
    if (t.perMember().isDefined()) {
      Cap cap = t.perMember().get();
      String key = prefix + "cap:" + id + ":" + member + ":" + cap.period().key(day);
      long used = counters.applyAsLong(key);
      long room = Math.max(0, cap.amount() - used);
      if (granted > room) {
        granted = room;
        if (reason == null) {
          reason = new Reason(Reason.Code.CAPPED_PER_PERIOD, "points this " + cap.period().name().toLowerCase(java.util.Locale.ROOT),
              used + " already + " + slot.desired + " desired", "at most " + cap.amount());
        }
      }
      if (granted > 0) {
        changes[count++] = new CounterChange(key, used, used + granted);
      }
    }
    if (t.budget().isDefined()) {
      String key = budgetKey;
      long used = counters.applyAsLong(key);
      long room = Math.max(0, t.budget().get() - used);
      if (granted > room) {
        granted = room;
        if (reason == null) {
          reason = new Reason(Reason.Code.BUDGET_EXHAUSTED, "budget", used + " of " + t.budget().get() + " used",
              "room for " + slot.desired);
        }
      }
      if (granted > 0) {
        changes[count++] = new CounterChange(key, used, used + granted);
      }
    }
    if (awards != null && granted > 0) {
      changes[count++] = awards;
    }
    slot.granted = granted;
    slot.reason = reason;
    return count;
  }

  /** One rule's working state during a decision. */
  private static final class Slot {
    final EarnRule rule;
    final RuleTerms terms;
    final String description;
    boolean candidate;
    long desired;
    long granted;
    // A text, or the built-in rule's Explanation, written only if the outcome's explanation is read.
    Object explanation = "";
    Clawback clawback = Clawback.proportional();
    Reason reason;

    Slot(EarnRule rule, RuleTerms terms, String description) {
      this.rule = rule;
      this.terms = terms;
      this.description = description;
    }

    RuleOutcome outcome(EarnContext context) {
      Option<Instant> expiresAt = Option.none();
      Option<Instant> vestsAt = Option.none();
      if (granted > 0) {
        // A calendar policy first; a period after the purchase when there is none or it never expires.
        if (terms.expiryPolicy().isDefined()) {
          expiresAt = terms.expiryPolicy().get().expiresAt(context.occurredAt(), context.member().zone());
        }
        if (expiresAt.isEmpty() && terms.expiry().isDefined()) {
          expiresAt = Option.some(context.occurredAt().atZone(context.programZone()).plus(terms.expiry().get()).toInstant());
        }
        if (terms.vesting().isDefined()) {
          vestsAt = Option.some(context.occurredAt().plus(terms.vesting().get()));
        }
      }
      // Granted as desired is the usual case: one Points for both.
      Points wanted = Points.of(desired);
      return new RuleOutcome(rule.id(), context.programVersion(), description, terms.kind(),
          wanted, granted == desired ? wanted : Points.of(granted), explanation, Option.of(reason), clawback,
          terms.qualifying(), expiresAt, vestsAt);
    }
  }
}
