package io.github.loyaltyledger.earning;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.util.Objects;
import java.util.function.Supplier;
import org.joda.money.Money;

/**
 * How a refund takes back a rule's award: in proportion to the amount returned (of the whole
 * basket, or of the lines the award was based on), all at once when the kept basket falls below a
 * threshold, or only when the whole purchase is returned.
 *
 * <p>A proportional award based on some lines names their SKUs ({@link #proportionalOn}): a return
 * of those lines takes it back in proportion to the part of them returned, and a return of other
 * lines leaves it alone. The built-in multipliers and unit bonuses name theirs; an award that names
 * none is taken back in proportion to the whole basket, as every award was before. Those lines are
 * measured by their net, or by their gross for an award earned on their gross ({@link #base()}
 * {@link AmountBase#GROSS}, as a {@link Multiplier} on the gross base gives).
 *
 * @param mode how
 * @param threshold the basket the award needs, for {@link Mode#THRESHOLD}; none otherwise
 * @param base the amount the basket is measured on, for {@link Mode#THRESHOLD} (gross or net of
 *     line discounts, less the points payment, as the rule measured it), or the lines of a
 *     {@link Mode#PROPORTIONAL} award based on lines (gross for one earned on their gross, as a
 *     {@link Multiplier} on {@link AmountBase#GROSS} is); {@link AmountBase#NET} otherwise
 * @param basis the SKUs of the earning lines a {@link Mode#PROPORTIONAL} award was based on, kept in
 *     their natural order whatever the order of the set given (so one basis has one text); empty for
 *     the whole basket, and for the other modes
 */
public record Clawback(Mode mode, Option<Money> threshold, AmountBase base, SortedSet<String> basis) {

  /** The kinds of clawback. */
  public enum Mode {
    /**
     * Taken back in proportion to the returned share of the purchase, or of the lines named as the
     * award's {@linkplain #basis() basis} (rounded down until the last refund of them). An amount
     * returned names no lines: it comes off the earning lines kept in proportion to their net.
     */
    PROPORTIONAL,
    /**
     * Kept while the kept basket is at least the threshold, taken back whole below it (by the first
     * refund if the basket bought was already below it) and by the full return whatever the
     * threshold (one of nothing too).
     */
    THRESHOLD,
    /** Kept until the whole purchase is returned. */
    FULL_REFUND
  }

  /**
   * Validates the clawback.
   *
   * @param mode how
   * @param threshold the basket the award needs, for {@link Mode#THRESHOLD}; none otherwise
   * @param base the amount the basket, or the lines of the basis, are measured on; {@link
   *     AmountBase#NET} unless the mode is THRESHOLD or a basis is given
   * @param basis the SKUs a PROPORTIONAL award was based on; empty for the whole basket. Kept in
   *     their natural order, whatever the set's own, so that equal clawbacks have one text (the
   *     entry's detail, and so its hash): SKUs differing in case are different SKUs
   * @throws NullPointerException if an argument is null, or the threshold or the basis holds null
   * @throws IllegalArgumentException if a threshold is given for another mode than THRESHOLD, or
   *     missing for THRESHOLD, or a gross base for another mode without a basis, or a negative threshold, or a basis
   *     for another mode than PROPORTIONAL, or a basis SKU is one no line can carry (see
   *     {@link LineItem})
   */
  public Clawback {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(threshold, "threshold");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(basis, "basis");
    basis.forEach(LineItem::requireSku);
    // One basis, one text: a set sorted its own way (a plugin's reverse order) equals the same set
    // sorted naturally, so it is kept in that order, which the text and the entry's hash follow. A set
    // sorted naturally is kept as it is.
    basis = TreeSet.ofAll(basis);
    if (mode != Mode.PROPORTIONAL && !basis.isEmpty()) {
      throw new IllegalArgumentException("only a PROPORTIONAL clawback is based on lines; " + mode + " takes no basis");
    }
    // Option.some(null) passes the check above; a refund or the engine would then throw on it.
    threshold.forEach(t -> Objects.requireNonNull(t, "threshold holds null"));
    if ((mode == Mode.THRESHOLD) != threshold.isDefined()) {
      throw new IllegalArgumentException("a threshold goes with mode THRESHOLD and only with it");
    }
    // A basis is measured as the award was: a multiplier on the gross earned on the gross of its lines.
    if (mode != Mode.THRESHOLD && basis.isEmpty() && base != AmountBase.NET) {
      throw new IllegalArgumentException("only a THRESHOLD clawback measures a basket, and a PROPORTIONAL one its lines;"
          + " " + mode + " with no lines named takes no base");
    }
    // A negative basket is always kept, so its bonus could never be taken back.
    threshold.filter(Money::isNegative).forEach(t -> {
      throw new IllegalArgumentException("a THRESHOLD clawback needs a basket of zero or more, was " + t);
    });
  }

  /**
   * A clawback based on the whole basket: no lines named.
   *
   * @param mode how
   * @param threshold the basket the award needs, for {@link Mode#THRESHOLD}; none otherwise
   * @param base the amount the basket is measured on; {@link AmountBase#NET} unless the mode is
   *     THRESHOLD
   * @throws NullPointerException if an argument is null, or the threshold holds null
   * @throws IllegalArgumentException as the canonical constructor
   */
  public Clawback(Mode mode, Option<Money> threshold, AmountBase base) {
    this(mode, threshold, base, TreeSet.empty());
  }

  /**
   * A clawback whose basket, if any, is measured net of line discounts.
   *
   * @param mode how
   * @param threshold the basket the award needs, for {@link Mode#THRESHOLD}; none otherwise
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException as the canonical constructor
   */
  public Clawback(Mode mode, Option<Money> threshold) {
    this(mode, threshold, AmountBase.NET);
  }

  // The clawbacks without a threshold are values: one instance each serves every award.
  private static final Clawback PROPORTIONAL = new Clawback(Mode.PROPORTIONAL, Option.none());
  private static final Clawback FULL_REFUND = new Clawback(Mode.FULL_REFUND, Option.none());

  /** @return a proportional clawback */
  public static Clawback proportional() {
    return PROPORTIONAL;
  }

  /**
   * @param minimum the kept basket the award needs, in the program's currency (the engine refuses
   *     an award with a threshold in another with {@code RuleFailed}), not null
   * @return a clawback that takes the whole award back once the kept basket, net of line
   *     discounts, is below {@code minimum}, or the whole purchase is returned
   * @throws NullPointerException if {@code minimum} is null
   */
  public static Clawback whileBasketAtLeast(Money minimum) {
    return new Clawback(Mode.THRESHOLD, Option.some(Objects.requireNonNull(minimum, "minimum")));
  }

  /**
   * @param minimum the kept basket the award needs, in the program's currency, not null
   * @param base the amount the basket is measured on, as the rule measured it, not null
   * @return a clawback that takes the whole award back once the kept basket on {@code base} is
   *     below {@code minimum}, or the whole purchase is returned
   * @throws NullPointerException if an argument is null
   */
  public static Clawback whileBasketAtLeast(Money minimum, AmountBase base) {
    return new Clawback(Mode.THRESHOLD, Option.some(Objects.requireNonNull(minimum, "minimum")), base);
  }

  /**
   * A proportional clawback of an award based on the earning lines of these SKUs: a return of their
   * units takes it back in proportion to the part of their net returned (of their units, where they
   * are free), so that it is all taken back once they all are, and a return of other lines takes
   * none of it. An amount returned names no lines: it comes off the earning lines kept in
   * proportion to their net, these among them. The engine refuses with {@code RuleFailed} an award
   * that names a SKU on none of the purchase's earning lines, or is given for a custom event.
   *
   * @param skus the SKUs, at least one, not null, none null
   * @return the clawback; {@link #proportional()} is the one based on the whole basket
   * @throws NullPointerException if {@code skus} is or holds null
   * @throws IllegalArgumentException if none is given, or one is a SKU no line can carry
   */
  public static Clawback proportionalOn(Iterable<String> skus) {
    SortedSet<String> basis = TreeSet.ofAll(Objects.requireNonNull(skus, "skus"));
    if (basis.isEmpty()) {
      throw new IllegalArgumentException("name at least one SKU, or use Clawback.proportional() for the whole basket");
    }
    return new Clawback(Mode.PROPORTIONAL, Option.none(), AmountBase.NET, basis);
  }

  /**
   * {@link #proportionalOn(Iterable)} measured on {@code base}: the gross for an award earned on the
   * gross of its lines, as a {@link Multiplier} on {@link AmountBase#GROSS} is.
   */
  static Clawback proportionalOn(Iterable<String> skus, AmountBase base) {
    Clawback net = proportionalOn(skus);
    return base == AmountBase.NET ? net : new Clawback(Mode.PROPORTIONAL, Option.none(), base, net.basis);
  }

  /**
   * Recently made clawbacks based on one SKU, by the SKU's hash: the built-in multipliers and unit
   * bonuses make one for every purchase they match, on the posting path (ADR 0011). A clawback is
   * immutable and its fields final, so a slot read while another thread replaces it is either clawback,
   * both right for their SKU.
   */
  private static final Clawback[] ON_ONE_SKU = new Clawback[1024];

  /** {@link #proportionalOn} one SKU, already checked (a purchase line's, or a rule's own), measured on {@code base}. */
  static Clawback proportionalOn(String sku, AmountBase base) {
    int slot = (sku.hashCode() + base.ordinal()) & (ON_ONE_SKU.length - 1);
    Clawback kept = ON_ONE_SKU[slot];
    if (kept != null && kept.base == base && kept.basis.head().equals(sku)) {
      return kept;
    }
    Clawback made = new Clawback(Mode.PROPORTIONAL, Option.none(), base, TreeSet.of(sku));
    ON_ONE_SKU[slot] = made;
    return made;
  }

  /** @return a clawback that takes the award back only when the whole purchase is returned */
  public static Clawback onFullRefund() {
    return FULL_REFUND;
  }

  /**
   * @return the text form stored in entry details, e.g. {@code THRESHOLD EUR 50.00}, or
   *     {@code THRESHOLD EUR 50.00 GROSS} for a basket measured gross, or
   *     {@code PROPORTIONAL ON BEANS,MUG} for an award based on lines, or
   *     {@code PROPORTIONAL ON BEANS,MUG GROSS} for one based on their gross
   */
  @Override
  public String toString() {
    if (!basis.isEmpty()) {
      return mode + ON + basis.mkString(",") + (base == AmountBase.GROSS ? " " + GROSS : "");
    }
    return threshold.isEmpty() ? mode.name()
        : mode + " " + threshold.get() + (base == AmountBase.GROSS ? " " + GROSS : "");
  }

  private static final String GROSS = AmountBase.GROSS.name();
  // SKUs hold no space, comma or semicolon (LineItem), so the list needs no escaping in a rule's detail.
  private static final String ON = " ON ";

  /**
   * Parses the text form written by {@link #toString()}.
   *
   * @param text the text, not null
   * @return the clawback
   * @throws IllegalArgumentException if the text is not a clawback (an unknown mode, an amount that
   *     is not one of its currency, such as {@code EUR 50.001}, a negative threshold, an amount after
   *     a mode that takes none), naming the text
   */
  public static Clawback parse(String text) {
    Objects.requireNonNull(text, "text");
    int space = text.indexOf(' ');
    if (space < 0) {
      return new Clawback(mode(text, text), Option.none());
    }
    if (text.startsWith(ON, space)) {
      Mode mode = mode(text.substring(0, space), text);
      String skus = text.substring(space + ON.length());
      boolean gross = skus.endsWith(" " + GROSS);
      String named = gross ? skus.substring(0, skus.length() - GROSS.length() - 1) : skus;
      return made(text, () -> new Clawback(mode, Option.none(), gross ? AmountBase.GROSS : AmountBase.NET,
          TreeSet.of(named.split(",", -1))));
    }
    // Entries written before the base was recorded say nothing of it: their baskets were taken as net.
    String rest = text.substring(space + 1);
    boolean gross = rest.endsWith(" " + GROSS);
    Money threshold;
    try {
      threshold = Money.parse(gross ? rest.substring(0, rest.length() - GROSS.length() - 1) : rest);
    } catch (IllegalArgumentException | ArithmeticException e) {
      // Joda-Money throws ArithmeticException for more decimals than the currency has (EUR 50.001).
      throw malformed(text, e);
    }
    Mode mode = mode(text.substring(0, space), text);
    return made(text, () -> new Clawback(mode, Option.some(threshold), gross ? AmountBase.GROSS : AmountBase.NET));
  }

  /** Makes the clawback a text reads as, naming the text if the clawback is refused. */
  private static Clawback made(String text, Supplier<Clawback> clawback) {
    try {
      return clawback.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a clawback: " + e.getMessage(), e);
    }
  }

  private static Mode mode(String name, String text) {
    try {
      return Mode.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw malformed(text, e);
    }
  }

  private static IllegalArgumentException malformed(String text, RuntimeException cause) {
    return new IllegalArgumentException("a clawback must read PROPORTIONAL (PROPORTIONAL ON BEANS,MUGS for an award based"
        + " on lines, with GROSS after them for their gross), FULL_REFUND or THRESHOLD followed by an amount of its currency (THRESHOLD EUR 50.00, with GROSS"
        + " after it for a gross basket), was '" + text + "'", cause);
  }
}
