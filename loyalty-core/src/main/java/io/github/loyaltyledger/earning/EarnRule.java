package io.github.loyaltyledger.earning;

/**
 * An earning rule: the service-provider interface rule authors implement. A rule looks at an
 * immutable {@link EarnContext} and proposes an award with a human-readable reason, or says which
 * condition was not met; it never writes. The engine decides what is granted (targeting and
 * schedule from {@link #terms()}, stacking, caps, budgets, rounding) and posts it.
 *
 * <p>Rules reach a program in two ways, both ending in {@link RuleBook}: registered in code with
 * {@link RuleBook.Builder#rule(EarnRule)}, or discovered with {@link java.util.ServiceLoader}
 * through {@link RuleBook.Builder#discover(ClassLoader)} — list the class in
 * {@code META-INF/services/io.github.loyaltyledger.earning.EarnRule} (class path) or
 * {@code provides io.github.loyaltyledger.earning.EarnRule with ...} (module path). A discovered
 * rule needs a public no-argument constructor. Shaded or merged jars must merge the service files
 * (e.g. the shade plugin's {@code ServicesResourceTransformer}): every plugin jar has a file of the
 * same name, a merged jar keeps only one of them otherwise, and discovery then silently finds only
 * the rules that one lists.
 *
 * <p>Implementations must be thread-safe and deterministic for a given context, and must not call
 * the {@code Loyalty} facade from {@link #evaluate}: a rule is evaluated inside the request it
 * decides, which holds the member's lock and, on a database store, its transaction and connection,
 * so a request made from there may conflict with it or, on a database, wait for it forever. What a
 * rule needs to know comes through the context (and the {@link MemberTiers} and
 * {@link SegmentResolver} ports). A rule that throws
 * makes the request fail with {@code LoyaltyError.RuleFailed} naming the rule, and nothing is
 * written: a {@link RuntimeException}, a checked exception thrown undeclared (as Kotlin, Groovy or
 * Lombok's {@code @SneakyThrows} let a rule do), and the errors a plugin can bring with it — a
 * {@link LinkageError} (a class missing from its jar, a static initialiser that failed, a plugin
 * compiled against another version of this interface), an {@link AssertionError}, a
 * {@link StackOverflowError}, or an error of its language or libraries (Kotlin's {@code TODO()},
 * a {@link java.util.ServiceConfigurationError}). Other errors of the virtual machine, such as
 * {@link OutOfMemoryError}, are not the rule's and propagate to the caller.
 *
 * <p>A rule is evaluated by every quote and by every attempt of an earn (again when a concurrent
 * change to the member's account makes the facade plan the request afresh), never by a replay of a
 * request already answered, an explanation or a refund, which read the ledger. The engine sets it no
 * time limit, and an earn holds the member's lock meanwhile: keep it to work in memory on the
 * context. Keep no state between evaluations either: a count kept in a field counts quotes and
 * retries, is lost on a restart and is not shared with other nodes. What must be counted (once per
 * member, per period, per counterparty, a budget) is said in {@link #terms()}, whose counters the
 * engine commits with the entries, per value of an event's attribute too
 * ({@link RuleTerms#perAttribute(String)}). Read the time from
 * {@link EarnContext#occurredAt()} (a calendar day in the member's zone with
 * {@link EarnContext#localTime(Schedule.Zone)}), never from the system clock, and money from
 * {@link Purchase#earningLines()} and {@link Purchase#earningAmount(LineItem, AmountBase)}, which
 * leave out the lines that never earn and the part paid with points ({@link LineItem#net()} does
 * not). The points proposed are exact and rounded once, by the terms' rounding mode (default down:
 * 12.7 points are 12); {@link Evaluation#award(long, String)} refuses negative points, which thrown
 * from here fails the request as any exception does.
 *
 * <p>An award based on some lines of the purchase (a promotion on some products) should name them
 * in its clawback, {@code award.withClawback(Clawback.proportionalOn(skus))}: a refund then takes it
 * back as those lines come back, and a return of other lines leaves it alone. An award that names
 * none is taken back in proportion to the whole basket.
 *
 * <p>A rule's texts (its description, an award's reason, a not-met condition, observed and
 * expected value) end up in hashed ledger entries, so each must be one every store can keep
 * ({@link io.github.loyaltyledger.ledger.Fingerprint#isStorable}: no unpaired surrogate, no NUL).
 * A description that is not is refused when the {@link RuleBook} is built; an evaluation's text
 * fails the request with {@code LoyaltyError.RuleFailed}, in a quote as in an earn, and nothing is
 * written.
 */
public interface EarnRule {

  /**
   * Identifies the rule in breakdowns and ledger entries; unique within a program. Read once,
   * when the {@link RuleBook} is built, as {@link #description()} and {@link #terms()} are.
   *
   * @return 1 to 40 of a-z, 0-9, {@code ._-}, starting with a letter or digit
   */
  String id();

  /**
   * Describes the rule for statements and operator screens, e.g. "Double points on Tuesdays".
   *
   * @return a short description, not blank
   */
  String description();

  /**
   * Proposes an award for a purchase or event, or reports the condition that was not met.
   *
   * @param context the purchase or event with the facts the engine knows, not null
   * @return the evaluation, never null
   */
  Evaluation evaluate(EarnContext context);

  /**
   * How the engine treats this rule's proposals. Plugins override this to set stacking, caps,
   * expiry and the like.
   *
   * @return the terms; {@link RuleTerms#DEFAULT} unless overridden
   */
  default RuleTerms terms() {
    return RuleTerms.DEFAULT;
  }
}
