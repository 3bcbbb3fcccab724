package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.expiry.ExpiryPolicy;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.CounterChange;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.joda.money.Money;

/**
 * The decision half of the earning pipeline, free of side effects: evaluate every rule (after its
 * targeting and schedule), resolve stacking, apply caps, frequency limits and budgets against the
 * current counters, and round once per rule. The facade posts the result; {@code quote} shows it.
 *
 * <p>Counters are named {@code earn:<program>:<what>:...}: {@code visits:<member>} (purchases
 * earned on), {@code cap:<rule>:<member>:<period>}, {@code limit:<rule>:<member>:<period>},
 * {@code pair:<rule>:<member>:<counterparty digest>} ({@link #counterpartyKey}),
 * {@code per:<rule>:<member>:<period>:<attribute digest>} (a frequency limit counted per value of an
 * event's attribute, {@link RuleTerms#perAttribute}; {@link #attributeLimitKey}) and
 * {@code budget:<rule>}. The decision lists each counter's expected and new value; committing them
 * with the entries makes a concurrent decision on stale counters fail and retry, so caps and budgets
 * are never exceeded.
 *
 * <p>Stacking (see {@code docs/adr/0005-earning-engine.md}): rules that propose an award are
 * ordered by priority (higher first), then rule id. In each group only the best deal is kept: the
 * largest grant after each rule's caps, frequency limit and budget (ties: higher priority, then
 * smaller id). Then, in that order, each other rule's caps, frequency limit and budget are applied,
 * and the first granted exclusive rule (one that gets points after them) excludes every rule after
 * it. A rule it excludes is no deal of its group: each group's best deal is chosen among its rules
 * at or before that exclusive rule, which may hand a group to an earlier exclusive rule, then the
 * first granted; the engine repeats this until the first granted exclusive rule stays put.
 * Rounding is done once per rule, before caps; because rounding is monotone and caps are whole
 * numbers, this equals capping first and rounding after.
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
    Objects.requireNonNull(member, "member");
    return visitsPrefix(programId) + member;
  }

  /**
   * The name of a member's visits counter ({@link #visitsKey}) without the member: what
   * {@link io.github.loyaltyledger.store.LedgerStore#counter(String, MemberId)} reads it by.
   *
   * @param programId the program id, not null
   * @return the counter key's prefix
   */
  public static String visitsPrefix(String programId) {
    Objects.requireNonNull(programId, "programId");
    return "earn:" + programId + ":visits:";
  }

  /**
   * Names the counter of a rule's awards to a member for one counterparty (a referrer's awards for
   * one referred friend), which {@link RuleTerms#oncePerCounterparty()} holds to one:
   * {@code earn:<program>:pair:<rule>:<member>:<counterparty digest>}, the digest being the first 32
   * of the 64 hex digits of {@code Fingerprint.of("counterparty").value(counterparty).sha256()}.
   * The counterparty is named by a digest so that the name stays within the
   * {@value CounterChange#MAX_KEY_LENGTH} characters a store keeps whatever the ids' lengths, and
   * is read unambiguously after a member id that may itself hold {@code :}.
   *
   * @param programId the program id, not null
   * @param ruleId the rule id, not null
   * @param member the member who earns, not null
   * @param counterparty the event's counterparty, not null
   * @return the counter key
   */
  public static String counterpartyKey(String programId, String ruleId, MemberId member, MemberId counterparty) {
    Objects.requireNonNull(programId, "programId");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(counterparty, "counterparty");
    return pairKey("earn:" + programId + ":", ruleId, member, counterparty);
  }

  /** {@link #counterpartyKey} under the program's prefix {@code earn:<program>:}. */
  private static String pairKey(String prefix, String ruleId, MemberId member, MemberId counterparty) {
    return prefix + "pair:" + ruleId + ":" + member + ":"
        + Fingerprint.of("counterparty").value(counterparty).sha256().substring(0, 32);
  }

  /**
   * Names the counter of a rule's awards to a member in a period for one value of an event's
   * attribute, which {@link RuleTerms#perAttribute} limits:
   * {@code earn:<program>:per:<rule>:<member>:<period>:<digest>}, the digest being the first 30 of
   * the 64 hex digits of {@code Fingerprint.of("attribute").text(attribute).text(value).sha256()}.
   * The value, free text of any length, is named by a digest so that the name stays within the
   * {@value CounterChange#MAX_KEY_LENGTH} characters a store keeps whatever the ids' lengths (200 at
   * most: a 40-character program and rule, a 64-character member, a day of year 10000), and values
   * that share their text with the separators stay apart. An operator who reads or resets one
   * product's count for a member names the counter by this method, as a pair's by
   * {@link #counterpartyKey}.
   *
   * @param programId the program id, not null
   * @param ruleId the rule id, not null
   * @param member the member who earns, not null
   * @param period the limit's period as counters name it, not null: {@link CapPeriod#key} of the
   *     event's date in the program's zone, e.g. {@code 2026-03} for a monthly limit, {@code ever}
   * @param attribute the attribute the limit counts per ({@link RuleTerms#limitPerAttribute()}), not
   *     null
   * @param value the event's value of that attribute, not null
   * @return the counter key
   */
  public static String attributeLimitKey(String programId, String ruleId, MemberId member, String period,
      String attribute, String value) {
    Objects.requireNonNull(programId, "programId");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(attribute, "attribute");
    Objects.requireNonNull(value, "value");
    return perKey("earn:" + programId + ":", ruleId, member, period, attribute, value);
  }

  /** {@link #attributeLimitKey} under the program's prefix {@code earn:<program>:}. */
  private static String perKey(String prefix, String ruleId, MemberId member, String period, String attribute,
      String value) {
    return prefix + "per:" + ruleId + ":" + member + ":" + period + ":"
        + Fingerprint.of("attribute").text(attribute).text(value).sha256().substring(0, 30);
  }

  /**
   * Decides what a purchase or event earns.
   *
   * @param book the program's rules, not null
   * @param context the facts, not null
   * @param counters reads a counter's current value (0 if never written), not null
   * @return the decision, or {@link LoyaltyError.RuleFailed} if a rule threw (an exception, checked
   *     ones thrown undeclared too, or an error other than one of the JVM itself: a
   *     {@link LinkageError}, an {@link AssertionError}, a {@link StackOverflowError}, an error of its
   *     language or libraries; errors of the JVM, such as {@link OutOfMemoryError}, propagate),
   *     returned nothing, returned
   *     a text that not every store can keep ({@link Fingerprint#isStorable}: an unpaired UTF-16
   *     surrogate or a NUL; or its targeting was given such a tier or segment),
   *     a threshold clawback in another currency than the program's, a clawback based on lines that
   *     are not among the purchase's earning lines (or given for an event), or proposed more points than
   *     a {@code long} holds, alone or with the grants of the rules before it; or if a rule's points
   *     cannot be dated for expiry or vesting (a term beyond what {@code java.time} counts, or an
   *     expiry policy that throws, as a rule may, or answers null or {@code Some(null)}), or are
   *     dated to expire no later than they are earned or vest (an application's expiry policy that
   *     answers such an instant)
   */
  public static Either<LoyaltyError, EarnDecision> decide(RuleBook book, EarnContext context, ToLongFunction<String> counters) {
    return decide(book, context, counters, ExpiryPolicy.never());
  }

  /**
   * Decides what a purchase or event earns, giving the points of a rule whose terms set no expiry
   * ({@link RuleTerms#expiringAfter}, {@link RuleTerms#expiringBy}) the program's expiry: the
   * facade passes {@link io.github.loyaltyledger.program.LoyaltyProgram#lotExpiry()}.
   *
   * @param book the program's rules, not null
   * @param context the facts, not null
   * @param counters reads a counter's current value (0 if never written), not null
   * @param lotExpiry when the points of a rule that sets no expiry expire (in the member's zone),
   *     not null
   * @return the decision, or the refusals of {@link #decide(RuleBook, EarnContext, ToLongFunction)}
   */
  public static Either<LoyaltyError, EarnDecision> decide(
      RuleBook book, EarnContext context, ToLongFunction<String> counters, ExpiryPolicy lotExpiry) {
    Decision decision = Decision.made(book, context, counters, lotExpiry, true);
    return decision.refused != null ? Either.left(decision.refused)
        : Either.right(new EarnDecision(decision.quote, decision.changes));
  }

  /**
   * Decides what a purchase or event would earn, exactly as {@link #decide} does, without listing
   * the counter changes that committing the decision needs: for a quote, which commits nothing.
   *
   * @param book the program's rules, not null
   * @param context the facts, not null
   * @param counters reads a counter's current value (0 if never written), not null
   * @return the breakdown ({@link EarnDecision#quote()} of the decision), or the same refusal as
   *     {@link #decide}
   */
  public static Either<LoyaltyError, EarnQuote> quote(RuleBook book, EarnContext context, ToLongFunction<String> counters) {
    return quote(book, context, counters, ExpiryPolicy.never());
  }

  /**
   * Decides what a purchase or event would earn, exactly as
   * {@link #decide(RuleBook, EarnContext, ToLongFunction, ExpiryPolicy)} does, without listing the
   * counter changes.
   *
   * @param book the program's rules, not null
   * @param context the facts, not null
   * @param counters reads a counter's current value (0 if never written), not null
   * @param lotExpiry when the points of a rule that sets no expiry expire (in the member's zone),
   *     not null
   * @return the breakdown, or the same refusal as {@link #decide}
   */
  public static Either<LoyaltyError, EarnQuote> quote(
      RuleBook book, EarnContext context, ToLongFunction<String> counters, ExpiryPolicy lotExpiry) {
    Decision decision = Decision.made(book, context, counters, lotExpiry, false);
    return decision.refused != null ? Either.left(decision.refused) : Either.right(decision.quote);
  }

  /**
   * Rounds a proposal to whole points with the rule's rounding mode, by its magnitude first: a
   * proposal below 0.1 rounds as 0.01 does in every mode (to 0, or to 1 rounding up), without
   * {@link BigDecimal#setScale} working out a power of ten as long as its scale (a proposal of
   * {@code 1E-100000000} took a minute, and {@code 1E-1000000000} threw), and one of more than 19
   * whole digits exceeds a {@code long} at once.
   *
   * @return the whole points, or -1 when they exceed a {@code long}
   */
  static long whole(BigDecimal points, java.math.RoundingMode rounding) {
    if (points.signum() == 0) {
      return 0;
    }
    long digits = (long) points.precision() - points.scale();
    if (digits > 19) {
      return -1;
    }
    BigDecimal rounded = (digits < 0 ? SLIVER : points).setScale(0, rounding);
    return rounded.compareTo(LONG_MAX) > 0 ? -1 : rounded.longValue();
  }

  /**
   * Says which text of an evaluation not every store can keep ({@link Fingerprint#isStorable}: an
   * unpaired surrogate, which an entry's hash cannot encode, or a NUL, which PostgreSQL refuses) and
   * what is wrong with it, or gives null: checked here so that a quote refuses what earning would
   * fail to post. An award's reason that a built-in rule writes when read is its own and storable.
   */
  private static String malformed(Evaluation evaluation) {
    if (evaluation instanceof Evaluation.NotMet) {
      Evaluation.NotMet notMet = (Evaluation.NotMet) evaluation;
      String problem = malformed("condition", notMet.condition());
      problem = problem != null ? problem : malformed("observed value", notMet.observed());
      return problem != null ? problem : malformed("expected value", notMet.expected());
    }
    Object reason = ((Evaluation.Award) evaluation).explanation();
    return reason instanceof String ? malformed("award's reason", (String) reason) : null;
  }

  /** Says what is wrong with a text no entry can record on every store, or gives null. */
  private static String malformed(String name, String text) {
    return Fingerprint.isStorable(text) ? null
        : name + " has " + Fingerprint.unstorable(text).get() + ", which no entry can record";
  }

  /** Whether a rule is one of the library's own, whose texts come from validated codes and amounts. */
  private static boolean builtIn(EarnRule rule) {
    return rule instanceof BaseRate || rule instanceof Multiplier || rule instanceof BasketThreshold
        || rule instanceof FirstPurchaseBonus || rule instanceof EveryNthVisit || rule instanceof EventAward
        || rule instanceof UnitBonus;
  }

  /**
   * The refusal of a rule whose code (its evaluation, its expiry policy) threw: whatever it threw is
   * the rule's failure but an error of the virtual machine itself ({@link OutOfMemoryError},
   * {@link InternalError}), which says that the JVM is in trouble, not the rule, and is rethrown. A
   * {@link StackOverflowError} is the rule's runaway recursion, its stack unwound once caught. An
   * {@link InterruptedException} (thrown undeclared) leaves the thread interrupted: answered with a
   * refusal, the interrupt would otherwise be lost to the caller (an executor shutting down). The
   * refusal's message is {@code context} followed by what the throwable says of itself
   * ({@link #said}).
   */
  private static LoyaltyError.RuleFailed failure(String ruleId, String context, Throwable e) {
    if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
      throw (VirtualMachineError) e;
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new LoyaltyError.RuleFailed(ruleId, context + said(e));
  }

  /**
   * What a rule's throwable says of itself ({@link Throwable#toString}), or its class name when it
   * cannot say: its text is the rule's code too, and an exception of its own may throw while working
   * out its message (from a field the code throwing it left null) or answer null, which must not
   * turn the rule's failure into one of the request.
   */
  static String said(Throwable e) {
    String text;
    try {
      text = e.toString();
    } catch (Throwable unsaid) {
      if (unsaid instanceof VirtualMachineError && !(unsaid instanceof StackOverflowError)) {
        throw (VirtualMachineError) unsaid;
      }
      text = null;
    }
    return text != null ? text : e.getClass().getName() + " (which could not say what went wrong)";
  }

  private static final BigDecimal SLIVER = new BigDecimal("0.01");
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

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
        // The zone is named: the schedule says only whose it was, and a program's zone may change
        // in a later version, while the reason is read from the ledger for ever.
        return new Reason(Reason.Code.OUTSIDE_SCHEDULE, "time",
            local.getDayOfWeek() + " " + local.withNano(0) + " (" + context.zone(schedule.zone()).getId() + ")",
            schedule.toString());
      }
    }
    return null;
  }

  /**
   * One decision's working state, rule by rule in the book's order, in arrays rather than an object
   * per rule: this runs for every earn and every quote. A rule is a candidate once it proposed an
   * award; its reason, when set, says why it is not applied or reduced.
   */
  private static final class Decision {
    final RuleBook book;
    final EarnContext context;
    final ExpiryPolicy lotExpiry;
    final int n;
    final Evaluation.Award[] awards;
    final Reason[] reasons;
    final long[] desired;
    final long[] granted;
    // The purchase's earning amounts, once asked for.
    BigDecimal net;
    BigDecimal gross;
    // What run() decided: the refusal, or the breakdown and the counter changes (none unless listed).
    LoyaltyError refused;
    EarnQuote quote;
    List<CounterChange> changes = List.empty();

    /** A decision made, listing the counter changes if asked. */
    static Decision made(RuleBook book, EarnContext context, ToLongFunction<String> counters, ExpiryPolicy lotExpiry,
        boolean collect) {
      Objects.requireNonNull(book, "book");
      Objects.requireNonNull(context, "context");
      Objects.requireNonNull(counters, "counters");
      Objects.requireNonNull(lotExpiry, "lotExpiry");
      Decision decision = new Decision(book, context, lotExpiry);
      decision.refused = decision.run(counters, collect);
      return decision;
    }

    Decision(RuleBook book, EarnContext context, ExpiryPolicy lotExpiry) {
      this.book = book;
      this.context = context;
      this.lotExpiry = lotExpiry;
      this.n = book.size();
      this.awards = new Evaluation.Award[n];
      this.reasons = new Reason[n];
      this.desired = new long[n];
      this.granted = new long[n];
    }

    /**
     * Calls the built-in rules by their class, so that each call site sees one class and the
     * compiler can inline it, and gives those that need the purchase's earning amount the one this
     * decision computed; plugins through the interface.
     */
    private Evaluation evaluate(EarnRule rule) {
      if (rule instanceof BaseRate) {
        BaseRate r = (BaseRate) rule;
        return context.purchase().isEmpty() ? r.evaluate(context) : r.evaluate(context, earningAmount(r.base()));
      }
      if (rule instanceof Multiplier) {
        return ((Multiplier) rule).evaluate(context);
      }
      if (rule instanceof BasketThreshold) {
        BasketThreshold r = (BasketThreshold) rule;
        return context.purchase().isEmpty() ? r.evaluate(context) : r.evaluate(context, earningAmount(r.base()));
      }
      if (rule instanceof FirstPurchaseBonus) {
        return ((FirstPurchaseBonus) rule).evaluate(context);
      }
      if (rule instanceof EveryNthVisit) {
        return ((EveryNthVisit) rule).evaluate(context);
      }
      return rule.evaluate(context);
    }

    /**
     * The purchase's earning amount on a base, computed once per decision: the rules that ask get
     * the same number, whose text, kept by the number, an earn then writes once.
     */
    private BigDecimal earningAmount(AmountBase base) {
      if (base == AmountBase.NET) {
        if (net == null) {
          net = context.purchase().get().earningAmount(base);
        }
        return net;
      }
      if (gross == null) {
        gross = context.purchase().get().earningAmount(base);
      }
      return gross;
    }

    /**
     * What is wrong with the lines a clawback names as its basis, or null if it names none or only
     * SKUs of the purchase's earning lines (a refund counts their units and net from those lines).
     */
    private String unbased(Clawback clawback) {
      if (clawback.basis().isEmpty()) {
        return null;
      }
      if (context.purchase().isEmpty()) {
        return "lines " + clawback.basis().mkString(", ") + ", but an event has no lines; name none";
      }
      for (String sku : clawback.basis()) {
        if (!context.purchase().get().earningLines().exists(l -> l.sku().equals(sku))) {
          return "SKU " + sku + ", which is on no earning line of the purchase; name only the SKUs of the lines"
              + " its points were based on";
        }
      }
      return null;
    }

    /** Decides, listing the counter changes if asked; returns the refusal, or null once decided. */
    LoyaltyError run(ToLongFunction<String> counters, boolean collect) {
      for (int i = 0; i < n; i++) {
        EarnRule rule = book.rule(i);
        if (book.targeted(i) && (reasons[i] = gate(book.terms(i), context)) != null) {
          // The tier or segments observed come from the MemberTiers or SegmentResolver port: checked
          // here, as a plugin's texts are, so that a quote refuses what earning would fail to post.
          if (!Fingerprint.isStorable(reasons[i].observed())) {
            return new LoyaltyError.RuleFailed(book.id(i), malformed("the " + reasons[i].subject()
                + " its targeting was given (by the MemberTiers or SegmentResolver port)", reasons[i].observed()));
          }
          continue;
        }
        try {
          Evaluation evaluation = evaluate(rule);
          if (evaluation == null) {
            return new LoyaltyError.RuleFailed(book.id(i), "evaluate returned null");
          }
          // The built-in rules (records, so no plugin extends them) write their texts from
          // validated codes and amounts; only a plugin's need checking, so a quote of them scans nothing.
          String malformed = builtIn(rule) ? null : malformed(evaluation);
          if (malformed != null) {
            return new LoyaltyError.RuleFailed(book.id(i), "its " + malformed);
          }
          if (evaluation instanceof Evaluation.NotMet) {
            Evaluation.NotMet notMet = (Evaluation.NotMet) evaluation;
            reasons[i] = new Reason(Reason.Code.CONDITION_NOT_MET, notMet.condition(), notMet.observed(), notMet.expected());
          } else if (book.terms(i).perCounterparty() && counterparty().isEmpty()) {
            // Granted once per counterparty, it does not apply to what names none: a condition not
            // met, as the rule's own, so it takes no part in stacking (a group's best deal, an
            // exclusive rule before it) that would read as if it had applied.
            reasons[i] = new Reason(Reason.Code.CONDITION_NOT_MET, "counterparty", "none", "another member");
          } else if (book.terms(i).limitPerAttribute().isDefined()
              && attribute(book.terms(i).limitPerAttribute().get()) == null) {
            // Limited per value of an attribute, it does not apply to what has none to count, as
            // a rule once per counterparty does not to what names none.
            String name = book.terms(i).limitPerAttribute().get();
            reasons[i] = new Reason(Reason.Code.CONDITION_NOT_MET, "attribute " + name,
                context.event().exists(e -> e.attributes().containsKey(name)) ? "blank" : "none", "a value");
          } else {
            Evaluation.Award award = (Evaluation.Award) evaluation;
            long whole = whole(award.points(), book.terms(i).rounding());
            if (whole < 0) {
              return new LoyaltyError.RuleFailed(book.id(i), "it proposed " + award.points().round(new java.math.MathContext(3))
                  + " points, more points than a long holds");
            }
            // A refund measures the kept basket in the program's currency (the program refuses a
            // built-in threshold in another): a plugin's would be compared in the wrong minor units.
            Option<Money> threshold = award.clawback().threshold();
            if (threshold.isDefined() && !threshold.get().getCurrencyUnit().equals(context.currency())) {
              return new LoyaltyError.RuleFailed(book.id(i), "its clawback threshold is in "
                  + threshold.get().getCurrencyUnit() + ", but the program's currency is " + context.currency());
            }
            // A refund takes the award back as those lines come back: they must be lines that earned here.
            String unbased = builtIn(rule) ? null : unbased(award.clawback());
            if (unbased != null) {
              return new LoyaltyError.RuleFailed(book.id(i), "its clawback is based on " + unbased);
            }
            desired[i] = whole;
            awards[i] = award;
          }
        } catch (Throwable e) {
          // The rule's own failures: exceptions (checked ones too, which Kotlin, Groovy or Lombok's
          // @SneakyThrows let a rule throw undeclared), and the errors a plugin brings with it — a class of
          // its jar missing or failing to initialise, or compiled against another EarnRule
          // (LinkageError), an assert or a check of its own (AssertionError), runaway recursion
          // (StackOverflowError, whose stack is unwound here), its language's (Kotlin's TODO()) or
          // libraries' (ServiceConfigurationError). Errors of the JVM itself (out of memory,
          // internal errors) are not the rule's to answer for and propagate.
          return failure(book.id(i), "", e);
        }
      }
      // Each rule's counter changes (at most four) are kept apart and listed in the book's order,
      // then the visits counter; a quote commits nothing and lists none.
      CounterChange[][] changed = collect ? new CounterChange[n][] : null;
      RuleBook.CounterKeys keys = book.keys(context.programId());
      LocalDate day = book.periodic() ? LocalDate.ofInstant(context.occurredAt(), context.programZone()) : null;
      int[] order = book.stackingOrder();
      // Each grouped rule's group winner, as a rule index (-1 for a rule in no group); a grouped rule
      // has its caps, limit and budget applied first, as the best deal is what is granted.
      int[] won = null;
      if (book.grouped()) {
        limitGroups(keys, day, counters, changed);
        won = best(n);
      }
      // The position in stacking order of the first exclusive rule granted points (after its caps,
      // limit and budget, and its group), which excludes every rule after it; -1 if none.
      int cut = firstExclusive(won, n, keys, day, counters, changed);
      // The rules it excludes are no deal of their group, so a group whose best deal came after it is
      // given to its best rule before it, which may be an exclusive rule that lost the group and now
      // comes first. Each round looks at fewer rules, so this ends; with no group, or no exclusive
      // rule granted, there is no round.
      while (cut >= 0 && won != null && wonAfter(won, cut)) {
        won = best(cut + 1);
        int earlier = firstExclusive(won, cut + 1, null, null, null, null);
        if (earlier == cut) {
          break;
        }
        cut = earlier;
      }
      if (won != null) {
        excludeLosers(won, cut < 0 ? n : cut + 1, changed);
      }
      if (cut >= 0) {
        int exclusive = order[cut];
        for (int pos = cut + 1; pos < n; pos++) {
          int i = order[pos];
          // A rule whose own condition is not met (no award) keeps that reason.
          if (awards[i] != null) {
            reasons[i] = excludedBy(exclusive);
            granted[i] = 0;
            if (changed != null) {
              changed[i] = null;
            }
          }
        }
      }
      // The grants must add up within a long, as the entries and the balance count them.
      long sum = 0;
      for (int i = 0; i < n; i++) {
        if (granted[i] > Long.MAX_VALUE - sum) {
          return new LoyaltyError.RuleFailed(book.id(i), "its " + granted[i] + " points and the "
              + sum + " granted by the rules before it add up to more points than a long holds");
        }
        sum += granted[i];
      }
      if (collect) {
        java.util.ArrayList<CounterChange> all = new java.util.ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
          if (changed[i] != null) {
            for (CounterChange c : changed[i]) {
              if (c != null) {
                all.add(c);
              }
            }
          }
        }
        if (context.purchase().isDefined()) {
          String key = visitsKey(context.programId(), context.member().id());
          all.add(new CounterChange(key, context.previousPurchases(), context.previousPurchases() + 1));
        }
        changes = List.ofAll(all);
      }
      RuleOutcome[] outcomes = new RuleOutcome[n];
      for (int i = 0; i < n; i++) {
        try {
          outcomes[i] = outcome(i);
        } catch (Throwable e) {
          // Dating a rule's points: a term beyond what java.time counts (DateTimeException,
          // ArithmeticException) or an application's ExpiryPolicy that failed, as a rule may fail.
          return failure(book.id(i), "its points could not be dated for expiry or vesting: ", e);
        }
        String misdated = misdated(outcomes[i]);
        if (misdated != null) {
          return new LoyaltyError.RuleFailed(book.id(i), misdated);
        }
      }
      quote = new EarnQuote(context.member().id(),
          context.purchase().isDefined() ? context.purchase().get().transaction() : context.event().get().key(),
          context.programVersion(), List.of(outcomes));
      return null;
    }

    /** The value of the event's attribute of this name, or null if it is no event, has none or a blank one. */
    private String attribute(String name) {
      String value = context.event().isDefined() ? context.event().get().attributes().get(name).getOrNull() : null;
      return value == null || value.isBlank() ? null : value;
    }

    /** The event's counterparty, if it is an event and names one. */
    private Option<MemberId> counterparty() {
      return context.event().isDefined() ? context.event().get().counterparty() : Option.none();
    }

    /**
     * An attribute's value as a reason names it: whole up to 64 characters, else its first 64 and an
     * ellipsis, without splitting a surrogate pair (the reason is hashed into an entry).
     */
    private String cutShort(String value) {
      if (value.length() <= 64) {
        return value;
      }
      return value.substring(0, Character.isHighSurrogate(value.charAt(63)) ? 63 : 64) + "\u2026";
    }

    /** The reason of a rule after the granted exclusive rule {@code exclusive}, which excludes it. */
    private Reason excludedBy(int exclusive) {
      return new Reason(Reason.Code.EXCLUDED_BY_STACKING, "exclusive rule",
          book.id(exclusive) + " (priority " + book.terms(exclusive).stacking().priority() + ") applies",
          "no exclusive rule before it");
    }

    /**
     * Applies the caps, frequency limit and budget of every grouped rule that proposes points: a
     * group's best deal is the largest grant after them (a proposal they cut is not what the member
     * gets). The counter changes of the rules that do not stand are dropped once stacking is decided.
     */
    private void limitGroups(RuleBook.CounterKeys keys, LocalDate day, ToLongFunction<String> counters,
        CounterChange[][] changes) {
      for (int i : book.stackingOrder()) {
        if (awards[i] != null && desired[i] > 0 && book.terms(i).stacking().group().isDefined()) {
          limit(i, keys.prefix(), keys.budgets()[i], day, counters, changes);
        }
      }
    }

    /**
     * The best deal of each group among the rules before position {@code end} in stacking order: the
     * largest grant, on a tie the first in stacking order. Returns, for each grouped rule that
     * proposes before {@code end}, the index of its group's winner; -1 for every other rule.
     */
    private int[] best(int end) {
      int[] order = book.stackingOrder();
      Map<String, Integer> best = new HashMap<>();
      for (int pos = 0; pos < end; pos++) {
        int i = order[pos];
        Option<String> group = book.terms(i).stacking().group();
        if (awards[i] != null && group.isDefined()) {
          best.merge(group.get(), i, (a, b) -> granted[b] > granted[a] ? b : a);
        }
      }
      int[] won = new int[n];
      java.util.Arrays.fill(won, -1);
      for (int pos = 0; pos < end; pos++) {
        int i = order[pos];
        Option<String> group = book.terms(i).stacking().group();
        if (awards[i] != null && group.isDefined()) {
          won[i] = best.get(group.get());
        }
      }
      return won;
    }

    /**
     * The position in stacking order, before {@code end}, of the first exclusive rule granted points
     * that did not lose its group ({@code won}, null when no rule is grouped), or -1. Applies the caps,
     * limit and budget of each rule in no group on the way, if {@code keys} are given: they decide
     * whether an exclusive rule is granted anything. (A later round looks at no rule beyond the first
     * round's, whose rules are all capped by then.)
     */
    private int firstExclusive(int[] won, int end, RuleBook.CounterKeys keys, LocalDate day,
        ToLongFunction<String> counters, CounterChange[][] changes) {
      int[] order = book.stackingOrder();
      for (int pos = 0; pos < end; pos++) {
        int i = order[pos];
        if (awards[i] == null) {
          continue;
        }
        if (won != null && won[i] >= 0) {
          if (won[i] != i) {
            continue;
          }
        } else if (keys != null && desired[i] > 0) {
          limit(i, keys.prefix(), keys.budgets()[i], day, counters, changes);
        }
        if (granted[i] > 0 && book.terms(i).stacking().exclusive()) {
          return pos;
        }
      }
      return -1;
    }

    /** Whether a group's winner that is granted points comes after position {@code cut}. */
    private boolean wonAfter(int[] won, int cut) {
      int[] order = book.stackingOrder();
      for (int pos = cut + 1; pos < n; pos++) {
        int i = order[pos];
        if (won[i] == i && granted[i] > 0) {
          return true;
        }
      }
      return false;
    }

    /**
     * Grants nothing to the rules before position {@code end} that lost their group, moves none of
     * their counters, and says which rule is granted the group's best deal. When the best grant is
     * nothing, no rule is excluded: each was left nothing by its own caps, limit or budget (or
     * proposed nothing), and keeps the reason that says so.
     */
    private void excludeLosers(int[] won, int end, CounterChange[][] changes) {
      int[] order = book.stackingOrder();
      for (int pos = 0; pos < end; pos++) {
        int i = order[pos];
        int winner = won[i];
        if (winner >= 0 && winner != i && granted[winner] > 0) {
          reasons[i] = new Reason(Reason.Code.EXCLUDED_BY_STACKING, "group " + book.terms(i).stacking().group().get(),
              book.id(winner) + " is granted " + granted[winner], "the best deal in the group");
          granted[i] = 0;
          if (changes != null) {
            changes[i] = null;
          }
        }
      }
    }

    /**
     * Applies a proposing rule's per-transaction cap, once-per-counterparty limit, frequency limit,
     * per-member cap and budget, in that order, and sets what it is granted, with the reason of the
     * last of them that cut it (the one that set what was granted); if listed, keeps its counter
     * changes (per-member cap, budget, frequency limit, counterparty), each moved by what is finally
     * granted, in {@code changes[i]}.
     */
    private void limit(int i, String prefix, String budgetKey, LocalDate day, ToLongFunction<String> counters,
        CounterChange[][] changes) {
      RuleTerms t = book.terms(i);
      String id = book.id(i);
      MemberId member = context.member().id();
      long wanted = desired[i];
      long given = wanted;
      Reason reason = null;
      if (t.perTransaction().isDefined() && t.perTransaction().get() < wanted) {
        given = t.perTransaction().get();
        reason = new Reason(Reason.Code.CAPPED_PER_TRANSACTION, "points", Long.toString(wanted),
            "at most " + given + " per transaction");
      }
      String pairKey = null;
      long pairUsed = 0;
      if (t.perCounterparty()) {
        // Checked before the limit per period: a pair paid once is never paid again, which says
        // more than a limit that a later period lifts. (A rule once per counterparty proposes only
        // for an event naming one: run() says it is not met otherwise.)
        Option<MemberId> counterparty = counterparty();
        pairKey = pairKey(prefix, id, member, counterparty.get());
        pairUsed = counters.applyAsLong(pairKey);
        if (pairUsed >= 1) {
          reasons[i] = new Reason(Reason.Code.LIMIT_REACHED, "awards for counterparty " + counterparty.get() + " ever",
              Long.toString(pairUsed), "fewer than 1");
          return;
        }
      }
      String limitKey = null;
      long limitUsed = 0;
      if (t.limit().isDefined()) {
        Cap cap = t.limit().get();
        // Per value of an attribute, run() made sure the event has one.
        String per = t.limitPerAttribute().getOrNull();
        String value = per == null ? null : attribute(per);
        limitKey = per == null ? prefix + "limit:" + id + ":" + member + ":" + cap.period().key(day)
            : perKey(prefix, id, member, cap.period().key(day), per, value);
        limitUsed = counters.applyAsLong(limitKey);
        if (limitUsed >= cap.amount()) {
          reasons[i] = new Reason(Reason.Code.LIMIT_REACHED, "awards " + (per == null ? ""
              : "for " + per + " '" + cutShort(value) + "' ") + cap.period().phrase(),
              Long.toString(limitUsed), "fewer than " + cap.amount());
          return;
        }
      }
      String capKey = null;
      long capUsed = 0;
      if (t.perMember().isDefined()) {
        Cap cap = t.perMember().get();
        capKey = prefix + "cap:" + id + ":" + member + ":" + cap.period().key(day);
        capUsed = counters.applyAsLong(capKey);
        long room = Math.max(0, cap.amount() - capUsed);
        if (given > room) {
          // What the period would have held is what the cap per transaction left, not the proposal it cut.
          reason = new Reason(Reason.Code.CAPPED_PER_PERIOD, "points " + cap.period().phrase(),
              capUsed + " already + " + given + (given < wanted ? " after the cap per transaction" : " desired"),
              "at most " + cap.amount());
          given = room;
        }
      }
      long budgetUsed = 0;
      if (t.budget().isDefined()) {
        budgetUsed = counters.applyAsLong(budgetKey);
        long room = Math.max(0, t.budget().get() - budgetUsed);
        if (given > room) {
          // The room needed is what the caps left to grant, not the proposal they had already cut.
          reason = new Reason(Reason.Code.BUDGET_EXHAUSTED, "budget", budgetUsed + " of " + t.budget().get() + " used",
              "room for " + given);
          given = room;
        }
      }
      granted[i] = given;
      reasons[i] = reason;
      // The counters move by what is granted, after every cap and the budget: room a later check
      // took away is not counted as used.
      if (changes != null && given > 0) {
        changes[i] = new CounterChange[] {
          capKey == null ? null : new CounterChange(capKey, capUsed, capUsed + given),
          t.budget().isDefined() ? new CounterChange(budgetKey, budgetUsed, budgetUsed + given) : null,
          limitKey == null ? null : new CounterChange(limitKey, limitUsed, limitUsed + 1),
          pairKey == null ? null : new CounterChange(pairKey, pairUsed, pairUsed + 1)
        };
      }
    }

    /**
     * Why an outcome's dates are refused, as a credit's are: an expiry not after the purchase (an
     * application's {@code ExpiryPolicy} must answer a later instant), or a vesting not before the
     * expiry (the points would stay pending until they expired). The terms check this when made
     * for every expiry but an application's own policy, whose answer is known only here. Null if
     * the dates are sound.
     */
    private String misdated(RuleOutcome o) {
      // Straight-line code rather than lambdas over the options: this runs for every rule of every
      // earn and quote, and points that never expire (the usual case) need no check.
      if (o.expiresAt().isEmpty()) {
        return null;
      }
      Instant expires = o.expiresAt().get();
      if (!expires.isAfter(context.occurredAt())) {
        return "its points would expire at " + expires + ", not after they are earned at "
            + context.occurredAt() + ": an ExpiryPolicy must answer an instant after it";
      }
      if (o.vestsAt().isDefined() && !o.vestsAt().get().isBefore(expires)) {
        return "its points would vest at " + o.vestsAt().get() + ", not before they expire at " + expires
            + ", and so never be available: give it a shorter vesting or a later expiry";
      }
      return null;
    }

    private RuleOutcome outcome(int i) {
      RuleTerms terms = book.terms(i);
      Option<Instant> expiresAt = Option.none();
      Option<Instant> vestsAt = Option.none();
      if (granted[i] > 0) {
        // The rule's calendar policy, which takes precedence (even when it says never); else its
        // period after the purchase; else, for a rule that sets neither, the program's.
        if (terms.expiryPolicy().isDefined()) {
          expiresAt = terms.expiryPolicy().get().expiresAt(context.occurredAt(), context.member().zone());
        } else if (terms.expiry().isDefined()) {
          expiresAt = Option.some(context.occurredAt().atZone(context.programZone()).plus(terms.expiry().get()).toInstant());
        } else {
          expiresAt = lotExpiry.expiresAt(context.occurredAt(), context.member().zone());
        }
        // An application's policy may answer null, or Some(null), which the checks after this one
        // would trip over outside the rule's failure.
        if (expiresAt == null || expiresAt.contains(null)) {
          throw new IllegalStateException("the ExpiryPolicy answered " + (expiresAt == null ? "null" : "Some(null)")
              + ", not an instant or none");
        }
        // A zero vesting is none: its points go with the other rules' of the same kind and expiry.
        if (terms.vesting().exists(v -> !v.isZero())) {
          vestsAt = Option.some(context.occurredAt().plus(terms.vesting().get()));
        }
      }
      // Granted as desired is the usual case: one Points for both.
      Evaluation.Award award = awards[i];
      Points wanted = Points.of(desired[i]);
      return new RuleOutcome(book.id(i), context.programVersion(), book.description(i), terms.kind(), wanted,
          granted[i] == desired[i] ? wanted : Points.of(granted[i]), award == null ? "" : award.explanation(),
          Option.of(reasons[i]), award == null ? Clawback.proportional() : award.clawback(), terms.qualifying(),
          expiresAt, vestsAt);
    }
  }
}
