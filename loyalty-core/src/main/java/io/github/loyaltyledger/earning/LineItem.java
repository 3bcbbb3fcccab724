package io.github.loyaltyledger.earning;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import java.math.BigDecimal;
import java.util.Objects;
import org.joda.money.Money;

/**
 * One line of a {@link Purchase}: a SKU in some categories, a quantity, the unit price, the
 * discount given on the whole line, and whether the line can earn at all ({@link LineKind}).
 *
 * @param sku the stock-keeping unit, 1 to 64 letters, digits or {@code ._:/-}
 * @param categories the categories the SKU belongs to (same characters), possibly empty
 * @param quantity how many units, positive
 * @param unitPrice the price of one unit, not negative
 * @param discount the discount on the whole line, not negative and not above the line's gross
 * @param kind whether the line earns
 */
public record LineItem(
    String sku, SortedSet<String> categories, int quantity, Money unitPrice, Money discount, LineKind kind) {

  /** The longest SKU or category. */
  private static final int MAX_CODE = 64;

  /**
   * Checks a SKU as a line checks its own, for a rule that names one (a built-in rule, a plugin's,
   * a free-item reward): a SKU that no line can carry would never match a purchase, and the rule
   * would pay nothing without a word. Call it where the rule is made.
   *
   * @param sku the SKU, not null
   * @return the SKU
   * @throws NullPointerException if {@code sku} is null
   * @throws IllegalArgumentException naming the SKU if it is not 1 to 64 letters, digits or
   *     {@code ._:/-}
   */
  public static String requireSku(String sku) {
    return requireCode("SKU", Objects.requireNonNull(sku, "sku"));
  }

  /**
   * Checks a category as a line checks its own, for a rule that names one; see
   * {@link #requireSku(String)}.
   *
   * @param category the category, not null
   * @return the category
   * @throws NullPointerException if {@code category} is null
   * @throws IllegalArgumentException naming the category if it is not 1 to 64 letters, digits or
   *     {@code ._:/-}
   */
  public static String requireCategory(String category) {
    return requireCode("category", Objects.requireNonNull(category, "category"));
  }

  /**
   * Refuses a SKU or category that no line can carry, for the rules that name them: such a rule
   * would never match a purchase, and pay nothing without a word.
   */
  private static String requireCode(String what, String code) {
    if (!isCode(code)) {
      throw new IllegalArgumentException(what + " '" + code + "' can never match a purchase line: SKUs and categories are"
          + " 1 to 64 letters, digits or '._:/-'");
    }
    return code;
  }
  /**
   * Whether a text is 1 to 64 letters, digits or {@code ._:/-} (ASCII): checked by hand, not with a
   * regular expression, since every purchase line and every award based on lines is checked.
   */
  private static boolean isCode(String code) {
    int length = code.length();
    if (length < 1 || length > MAX_CODE) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = code.charAt(i);
      boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }


  /**
   * Validates the line.
   *
   * @param sku the stock-keeping unit, 1 to 64 letters, digits or {@code ._:/-}
   * @param categories the categories the SKU belongs to (same characters), possibly empty
   * @param quantity how many units, positive
   * @param unitPrice the price of one unit, not negative
   * @param discount the discount on the whole line, not negative and not above the line's gross
   * @param kind whether the line earns
   * @throws NullPointerException if an argument is null, or the categories hold null
   * @throws IllegalArgumentException if a code is malformed, the quantity is not positive, a price
   *     or discount is negative, the discount exceeds the gross, or the currencies differ
   */
  public LineItem {
    Objects.requireNonNull(sku, "sku");
    Objects.requireNonNull(categories, "categories");
    Objects.requireNonNull(unitPrice, "unitPrice");
    Objects.requireNonNull(discount, "discount");
    Objects.requireNonNull(kind, "kind");
    // A sorted set holds a null it was made with; the code check below would then throw on it.
    categories.forEach(c -> Objects.requireNonNull(c, "categories holds null"));
    if (!isCode(sku) || !categories.forAll(LineItem::isCode)) {
      throw new IllegalArgumentException(
          "SKU and categories must be 1 to 64 letters, digits or '._:/-', were '" + sku + "' " + categories);
    }
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity must be positive, was " + quantity);
    }
    if (unitPrice.isNegative()) {
      throw new IllegalArgumentException("unitPrice must not be negative, was " + unitPrice);
    }
    if (discount.isNegative()) {
      throw new IllegalArgumentException("discount must not be negative, was " + discount);
    }
    if (!unitPrice.getCurrencyUnit().equals(discount.getCurrencyUnit())) {
      throw new IllegalArgumentException("discount " + discount + " must be in the unit price's currency, "
          + unitPrice.getCurrencyUnit());
    }
    if (discount.isGreaterThan(unitPrice.multipliedBy(quantity))) {
      throw new IllegalArgumentException("discount " + discount + " exceeds the line's gross " + unitPrice.multipliedBy(quantity));
    }
  }

  /**
   * A line of goods with no categories and no discount.
   *
   * @param sku the SKU, not null
   * @param quantity how many, positive
   * @param unitPrice the price of one, not null
   * @return the line
   * @throws IllegalArgumentException if the SKU is malformed, the quantity is not positive or the
   *     price is negative
   */
  public static LineItem of(String sku, int quantity, Money unitPrice) {
    Objects.requireNonNull(unitPrice, "unitPrice");
    return new LineItem(sku, TreeSet.empty(), quantity, unitPrice, Money.zero(unitPrice.getCurrencyUnit()), LineKind.GOODS);
  }

  /**
   * @param names the categories of the SKU, not null
   * @return a copy in these categories
   * @throws NullPointerException if the names or a name is null
   * @throws IllegalArgumentException if a category is malformed (see {@link #categories()})
   */
  public LineItem inCategories(String... names) {
    // Checked before sorting: comparing a null name would throw without saying which argument.
    for (String name : Objects.requireNonNull(names, "categories")) {
      Objects.requireNonNull(name, "categories holds null");
    }
    return new LineItem(sku, TreeSet.of(names), quantity, unitPrice, discount, kind);
  }

  /**
   * @param lineDiscount the discount on the whole line, not null
   * @return a copy with this discount
   * @throws IllegalArgumentException if the discount is negative, above the line's gross, or in
   *     another currency than the price
   */
  public LineItem discounted(Money lineDiscount) {
    return new LineItem(sku, categories, quantity, unitPrice, lineDiscount, kind);
  }

  /**
   * @param lineKind what the line is, not null
   * @return a copy of this kind
   */
  public LineItem ofKind(LineKind lineKind) {
    return new LineItem(sku, categories, quantity, unitPrice, discount, lineKind);
  }

  /** @return unit price times quantity */
  public Money gross() {
    return unitPrice.multipliedBy(quantity);
  }

  /** @return the gross less the line discount */
  public Money net() {
    return gross().minus(discount);
  }

  /**
   * @param base gross or net, not null
   * @return the line's amount on that base, in currency units
   */
  public BigDecimal amount(AmountBase base) {
    // The same figure as gross() or net(), computed on the amounts without intermediate Money.
    // A quantity of one and a zero discount of no larger scale change nothing: skip that arithmetic.
    BigDecimal price = unitPrice.getAmount();
    BigDecimal gross = quantity == 1 ? price : price.multiply(BigDecimal.valueOf(quantity));
    BigDecimal off = discount.getAmount();
    return base == AmountBase.GROSS || (off.signum() == 0 && off.scale() <= gross.scale()) ? gross : gross.subtract(off);
  }
}
