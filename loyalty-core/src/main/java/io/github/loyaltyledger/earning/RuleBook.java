package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.expiry.ExpiryPolicy;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The earning rules of a program, in evaluation order: built-in rules and plugins registered in
 * code, and plugins discovered with {@link ServiceLoader}. Immutable; part of the versioned
 * {@code LoyaltyProgram}. Rule ids are unique: a duplicate is refused when the book is built.
 *
 * <p>The book reads each rule's id, description and terms once, when it is built, together with
 * the stacking order they imply: a rule's terms are part of the program version, not of a purchase,
 * and the id that was checked unique is the one its entries, counters and refusals name.
 */
public final class RuleBook {

  /** A book with no rules: nothing earns. */
  public static final RuleBook EMPTY = new RuleBook(List.empty(), new String[0], new RuleTerms[0], new String[0]);

  /**
   * The form of a rule's id and of a stacking group's name, which counters and entries record; as
   * refusals describe it, {@link #NAME_FORM}.
   */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,39}");

  /** {@link #NAME} as refusals describe it. */
  static final String NAME_FORM = "1 to 40 of a-z, 0-9, '._-', starting with a letter or digit";

  private final List<EarnRule> rules;

  // What the engine reads of every rule on every decision, read once here: a book's rules are
  // immutable, and a quote or earn should not re-derive per purchase what the program fixed.
  private final EarnRule[] array;
  private final String[] ids;
  private final RuleTerms[] terms;
  private final String[] descriptions;
  private final boolean[] targeted;
  private final int[] stackingOrder;
  private final boolean grouped;
  private final boolean periodic;
  private volatile CounterKeys keys;

  /** A book of these rules, with the ids, terms and descriptions {@link Builder#build} read and checked. */
  private RuleBook(List<EarnRule> rules, String[] ids, RuleTerms[] terms, String[] descriptions) {
    this.rules = rules;
    this.array = rules.toJavaArray(EarnRule[]::new);
    this.ids = ids;
    this.terms = terms;
    this.descriptions = descriptions;
    this.targeted = new boolean[array.length];
    boolean anyGroup = false;
    boolean anyPeriod = false;
    for (int i = 0; i < array.length; i++) {
      targeted[i] = !terms[i].channels().isEmpty() || !terms[i].tiers().isEmpty() || !terms[i].segments().isEmpty()
          || terms[i].schedule().isDefined();
      anyGroup |= terms[i].stacking().group().isDefined();
      anyPeriod |= terms[i].perMember().isDefined() || terms[i].limit().isDefined();
    }
    this.grouped = anyGroup;
    this.periodic = anyPeriod;
    this.stackingOrder = java.util.stream.IntStream.range(0, array.length).boxed()
        // Compared, not negated: -Integer.MIN_VALUE is itself, which put the lowest priority first.
        .sorted(((java.util.Comparator<Integer>) (x, y) -> Integer.compare(terms[y].stacking().priority(),
            terms[x].stacking().priority()))
            .thenComparing(i -> ids[i]))
        .mapToInt(Integer::intValue).toArray();
  }

  /** @return how many rules the book holds */
  int size() {
    return array.length;
  }

  /**
   * @param index a rule's position in evaluation order
   * @return that rule
   */
  EarnRule rule(int index) {
    return array[index];
  }

  /**
   * @param index a rule's position in evaluation order
   * @return its id, as read (and checked unique) when the book was built
   */
  String id(int index) {
    return ids[index];
  }

  /**
   * @param index a rule's position in evaluation order
   * @return its terms, as read when the book was built
   */
  RuleTerms terms(int index) {
    return terms[index];
  }

  /**
   * @param index a rule's position in evaluation order
   * @return its description, as read when the book was built
   */
  String description(int index) {
    return descriptions[index];
  }

  /**
   * @param index a rule's position in evaluation order
   * @return whether its terms limit it to channels, tiers, segments or a schedule
   */
  boolean targeted(int index) {
    return targeted[index];
  }

  /** @return the rules' positions in stacking order: priority (higher first), then rule id */
  int[] stackingOrder() {
    return stackingOrder;
  }

  /** @return whether some rule is in a stackable group */
  boolean grouped() {
    return grouped;
  }

  /** @return whether some rule has a per-member cap or a frequency limit, which count per period */
  boolean periodic() {
    return periodic;
  }

  /**
   * @param programId the id of the program deciding, not null
   * @return the counter names of that program that do not depend on the member
   */
  CounterKeys keys(String programId) {
    CounterKeys k = keys;
    if (k == null || !k.programId().equals(programId)) {
      String prefix = "earn:" + programId + ":";
      String[] budgets = new String[array.length];
      for (int i = 0; i < array.length; i++) {
        budgets[i] = prefix + "budget:" + ids[i];
      }
      k = new CounterKeys(programId, prefix, budgets);
      keys = k;
    }
    return k;
  }

  /**
   * The counter names of one program that do not depend on the member, computed once.
   *
   * @param programId the program
   * @param prefix {@code earn:<program>:}
   * @param budgets each rule's budget counter, by position
   */
  record CounterKeys(String programId, String prefix, String[] budgets) {}

  /**
   * Starts an empty book.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder(List.empty());
  }

  /**
   * A book of these rules, in this order.
   *
   * @param rules the rules, not null
   * @return the book
   * @throws IllegalArgumentException naming the rule and its class, if its {@code id()},
   *     {@code description()} or {@code terms()} throws or answers null, its id is malformed or used
   *     twice, its description is blank or has an unpaired UTF-16 surrogate or a NUL character, or
   *     one of the library's purchase rules is granted once per counterparty
   *     ({@link RuleTerms#oncePerCounterparty()}), which no purchase names, or limited per value of
   *     an attribute ({@link RuleTerms#perAttribute}), which no purchase has
   */
  public static RuleBook of(EarnRule... rules) {
    Objects.requireNonNull(rules, "rules");
    Builder b = builder();
    for (EarnRule r : rules) {
      b.rule(r);
    }
    return b.build();
  }

  /** @return the rules, in evaluation order */
  public List<EarnRule> rules() {
    return rules;
  }

  /** @return a builder holding these rules, to add more */
  public Builder toBuilder() {
    return new Builder(rules);
  }

  /**
   * Refuses a program's expiry for lots under which a rule's points could expire before they vest:
   * the points of a rule that vests and sets no expiry of its own get the program's. The program
   * checks its book when it is made; the check is that of {@link RuleTerms} for a rule's own expiry.
   *
   * @param lotExpiry the program's expiry for lots, not null
   * @throws IllegalArgumentException naming the first rule whose vesting is not shorter than the
   *     least time to that expiry
   */
  public void requireVestingBefore(ExpiryPolicy lotExpiry) {
    Option<Duration> shortest = RuleTerms.shortest(Objects.requireNonNull(lotExpiry, "lotExpiry"));
    for (int i = 0; i < array.length; i++) {
      if (terms[i].expiry().isEmpty() && terms[i].expiryPolicy().isEmpty()) {
        RuleTerms.requireVestingFirst(terms[i].vesting(), shortest, lotExpiry,
            "rule '" + ids[i] + "' sets no expiry and gets the program's lot expiry: its ");
      }
    }
  }

  /**
   * Refuses a rule for a tier no member can be in: a facade that reads members' tiers from the
   * program's tier ladder (given no {@link MemberTiers} of its own) checks its book when it is
   * built, as such a rule would never apply. The tiers checked are those the book read.
   *
   * @param ladderTiers the ids of the ladder's tiers, not null; empty for a program without a ladder,
   *     where no member has a tier
   * @throws IllegalArgumentException naming the first rule for a tier that is not among them
   */
  public void requireTiersAmong(List<String> ladderTiers) {
    Objects.requireNonNull(ladderTiers, "ladderTiers");
    for (int i = 0; i < array.length; i++) {
      Option<String> unknown = terms[i].tiers().find(tier -> !ladderTiers.contains(tier));
      if (unknown.isDefined()) {
        throw new IllegalArgumentException("rule '" + ids[i] + "' is for the tier '" + unknown.get() + "', but "
            + (ladderTiers.isEmpty() ? "the program has no tier ladder, so no member has a tier"
            : "the program's tier ladder does not have it (its tiers: " + ladderTiers.mkString(", ") + ")")
            + ", and the rule would never apply; name a tier of the ladder, give the facade tiers of its own"
            + " (Loyalty.Builder.memberTiers), or take the tier off the rule");
      }
    }
  }

  @Override
  public String toString() {
    return "RuleBook" + List.of(ids);
  }

  /** Collects rules; not thread-safe. */
  public static final class Builder {
    private List<EarnRule> rules;

    private Builder(List<EarnRule> rules) {
      this.rules = rules;
    }

    /**
     * Registers a rule in code (a built-in rule or a plugin instance). Use this path in shaded
     * jars, where service files may be lost.
     *
     * @param rule the rule, not null
     * @return this builder
     */
    public Builder rule(EarnRule rule) {
      rules = rules.append(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * Adds every {@link EarnRule} that {@link ServiceLoader} finds through a class loader, in the
     * order it finds them (providers listed in {@code META-INF/services/io.github.loyaltyledger.earning.EarnRule}
     * or declared with {@code provides} in a module).
     *
     * @param loader the class loader to search, not null
     * @return this builder
     * @throws java.util.ServiceConfigurationError if a provider cannot be loaded (its class is
     *     missing, or cannot be linked: compiled for a newer Java, or against a class missing from the
     *     class path) or instantiated; the builder then holds the rules it held before
     */
    public Builder discover(ClassLoader loader) {
      Objects.requireNonNull(loader, "loader");
      // Collected first: a provider that fails half-way must not leave those found before it in the
      // builder, where registering them in code instead would make duplicates.
      List<EarnRule> found;
      try {
        found = List.ofAll(ServiceLoader.load(EarnRule.class, loader));
      } catch (LinkageError e) {
        // ServiceLoader reports a provider it cannot find or instantiate as a ServiceConfigurationError,
        // but lets an error linking its class out as it is: a plugin jar built for a newer Java, or
        // one whose dependencies are not on the class path, is a provider that cannot be loaded too.
        throw new java.util.ServiceConfigurationError(EarnRule.class.getName() + ": Provider could not be loaded: " + e, e);
      }
      rules = rules.appendAll(found);
      return this;
    }

    /**
     * @return the book
     * @throws IllegalArgumentException naming the rule and its class, if its {@code id()},
     *     {@code description()} or {@code terms()} throws or answers null, its id is malformed or
     *     used twice, its description is blank or has an unpaired UTF-16 surrogate or a NUL
     *     character, or one of the library's purchase rules ({@link BaseRate}, {@link Multiplier}, {@link UnitBonus},
     *     {@link BasketThreshold}, {@link EveryNthVisit}, {@link FirstPurchaseBonus}) is granted once
     *     per counterparty ({@link RuleTerms#oncePerCounterparty()}) or limited per value of an
     *     attribute ({@link RuleTerms#perAttribute}): no purchase names one or has any, so it would
     *     never grant anything
     */
    public RuleBook build() {
      java.util.Set<String> seen = new java.util.HashSet<>();
      // Each rule's id, description and terms are read once, here: what was checked is what the
      // book keeps, even from a plugin that answers differently on another call.
      String[] ids = new String[rules.size()];
      RuleTerms[] terms = new RuleTerms[rules.size()];
      String[] descriptions = new String[rules.size()];
      int i = 0;
      for (EarnRule rule : rules) {
        // Named by its class too: a discovered rule comes from a jar the application did not write.
        String id = told("a rule (" + rule.getClass().getName() + ")", "id", rule::id);
        String named = "rule '" + id + "' (" + rule.getClass().getName() + ")";
        if (!NAME.matcher(id).matches()) {
          throw new IllegalArgumentException(named + " has a malformed id: an id is " + NAME_FORM
              + "; make its id() return one, and keep it once entries name it");
        }
        if (!seen.add(id)) {
          java.util.List<String> classes = new java.util.ArrayList<>();
          for (int j = 0; j < i; j++) {
            if (ids[j].equals(id)) {
              classes.add(rules.get(j).getClass().getName());
            }
          }
          classes.add(rule.getClass().getName());
          throw new IllegalArgumentException("rule id '" + id + "' is used by more than one rule (" + String.join(", ", classes) + ")");
        }
        String description = told(named, "description", rule::description);
        if (description.isBlank()) {
          throw new IllegalArgumentException(named + " needs a description: make its description() return a short"
              + " text for statements, e.g. \"Double points on Tuesdays\"");
        }
        if (!io.github.loyaltyledger.ledger.Fingerprint.isStorable(description)) {
          throw new IllegalArgumentException(named + " has a description with "
              + io.github.loyaltyledger.ledger.Fingerprint.unstorable(description).get() + ", which no entry can record;"
              + " make its description() return well-formed text without NUL characters");
        }
        ids[i] = id;
        descriptions[i] = description;
        terms[i] = told(named, "terms", rule::terms);
        // Only a custom event names a counterparty, and the library's purchase rules never reward one.
        if (terms[i].perCounterparty() && rewardsPurchasesOnly(rule)) {
          throw new IllegalArgumentException("rule '" + id + "' (" + rule.getClass().getSimpleName() + ") grants at most"
              + " once per counterparty (oncePerCounterparty), but it rewards purchases only, which name no"
              + " counterparty, so it would never grant anything; take oncePerCounterparty off, or reward a custom"
              + " event (EventAward)");
        }
        if (terms[i].limitPerAttribute().isDefined() && rewardsPurchasesOnly(rule)) {
          throw new IllegalArgumentException("rule '" + id + "' (" + rule.getClass().getSimpleName() + ") counts its"
              + " frequency limit per value of attribute '" + terms[i].limitPerAttribute().get() + "' (perAttribute),"
              + " but it rewards purchases only, which have no attributes, so it would never grant anything; take"
              + " perAttribute off, or reward a custom event (EventAward)");
        }
        i++;
      }
      return new RuleBook(rules, ids, terms, descriptions);
    }

    /**
     * What a rule's method answers, refused naming the rule and the method when it answers null or
     * throws: a plugin's own failure (a bad argument to a {@link RuleTerms} factory, say) would
     * otherwise escape without saying which rule of which jar to fix.
     */
    private static <T> T told(String named, String method, java.util.function.Supplier<T> answer) {
      T told;
      try {
        told = answer.get();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(named + " failed in its " + method + "() while the rule book was built: "
            + EarnEngine.said(e) + "; fix its " + method + "()", e);
      }
      if (told == null) {
        throw new IllegalArgumentException(named + " answered null from its " + method + "(); make it return a value");
      }
      return told;
    }

    /** Whether a rule is one of the library's own that reward a purchase and nothing else. */
    private static boolean rewardsPurchasesOnly(EarnRule rule) {
      return rule instanceof BaseRate || rule instanceof Multiplier || rule instanceof UnitBonus
          || rule instanceof BasketThreshold || rule instanceof EveryNthVisit || rule instanceof FirstPurchaseBonus;
    }
  }
}
