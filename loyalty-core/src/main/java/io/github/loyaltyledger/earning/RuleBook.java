package io.github.loyaltyledger.earning;

import io.vavr.collection.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The earning rules of a program, in evaluation order: built-in rules and plugins registered in
 * code, and plugins discovered with {@link ServiceLoader}. Immutable; part of the versioned
 * {@code LoyaltyProgram}. Rule ids are unique: a duplicate is refused when the book is built.
 */
public final class RuleBook {

  /** A book with no rules: nothing earns. */
  public static final RuleBook EMPTY = new RuleBook(List.empty());

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,39}");

  private final List<EarnRule> rules;

  private RuleBook(List<EarnRule> rules) {
    this.rules = rules;
  }

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
   * @throws IllegalArgumentException if a rule id is malformed or used twice, or a description is blank
   */
  public static RuleBook of(EarnRule... rules) {
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

  @Override
  public String toString() {
    return "RuleBook" + rules.map(EarnRule::id);
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
     * @throws java.util.ServiceConfigurationError if a provider cannot be loaded or instantiated
     */
    public Builder discover(ClassLoader loader) {
      Objects.requireNonNull(loader, "loader");
      for (EarnRule rule : ServiceLoader.load(EarnRule.class, loader)) {
        rule(rule);
      }
      return this;
    }

    /**
     * @return the book
     * @throws IllegalArgumentException if a rule id is malformed or used twice, or a description
     *     is blank
     */
    public RuleBook build() {
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (EarnRule rule : rules) {
        String id = Objects.requireNonNull(rule.id(), "rule id of " + rule.getClass().getName());
        if (!ID.matcher(id).matches()) {
          throw new IllegalArgumentException("rule id must be 1 to 40 of a-z, 0-9, '._-', was '" + id + "'");
        }
        if (!seen.add(id)) {
          throw new IllegalArgumentException("rule id '" + id + "' is used by more than one rule ("
              + rules.filter(r -> r.id().equals(id)).map(r -> r.getClass().getName()).mkString(", ") + ")");
        }
        if (rule.description() == null || rule.description().isBlank()) {
          throw new IllegalArgumentException("rule '" + id + "' needs a description");
        }
        Objects.requireNonNull(rule.terms(), "terms of rule " + id);
      }
      return new RuleBook(rules);
    }
  }
}
