package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.earning.LineItem;
import java.util.Objects;
import org.joda.money.Money;

/**
 * What a member gets for a {@link Reward}. The library knows four kinds — a {@link Voucher} with
 * a unique code, a {@link FreeItem}, a fixed {@link MoneyOff} and {@link PointsAsPayment} — and a
 * rule author adds others by implementing this interface (a record is best): the engine treats an
 * unknown kind like a free item, recording the reward's id and its kind's {@link #code()} on the
 * redemption's entry, and leaves fulfilment to the application.
 */
public interface RewardKind {

  /**
   * Names the kind, for ledger entries and reports. A kind of your own needs a code of its own:
   * {@code "voucher"}, {@code "free-item"}, {@code "money-off"} and {@code "points-as-payment"} are
   * the built-in kinds' ({@link Reward} refuses them, and a malformed code, on another kind).
   *
   * @return 1 to 40 lower-case letters, digits and hyphens, e.g. {@code "voucher"}
   */
  String code();

  /**
   * Describes this reward's particulars, for the application's receipts and screens. The engine
   * does not record it: a redemption's entry records the reward's id and kind code (and a
   * voucher's code), by which the catalogue gives the particulars.
   *
   * @return e.g. the SKU or the amount off; never null, may be empty
   */
  String describe();

  /**
   * A voucher whose unique code is issued at redemption by a {@link VoucherIssuer}.
   *
   * @param issuer issues the codes, not null
   */
  record Voucher(VoucherIssuer issuer) implements RewardKind {
    /**
     * Validates the arguments.
     *
     * @param issuer issues the codes, not null
     * @throws NullPointerException if {@code issuer} is null
     */
    public Voucher {
      Objects.requireNonNull(issuer, "issuer");
    }

    /**
     * A voucher whose codes come from {@link VoucherIssuer#secureRandom()}.
     *
     * @return the kind
     */
    public static Voucher withRandomCodes() {
      return new Voucher(VoucherIssuer.secureRandom());
    }

    @Override
    public String code() {
      return "voucher";
    }

    @Override
    public String describe() {
      return "";
    }
  }

  /**
   * An item given free of charge, identified by the shop's stock-keeping unit, as a purchase line
   * carries it.
   *
   * @param sku the item's SKU, 1 to 64 letters, digits or {@code ._:/-}
   */
  record FreeItem(String sku) implements RewardKind {
    /**
     * @param sku the item's SKU, 1 to 64 letters, digits or {@code ._:/-}
     * @throws NullPointerException if {@code sku} is null
     * @throws IllegalArgumentException if the SKU is not 1 to 64 allowed characters
     */
    public FreeItem {
      // The SKUs of purchase lines: whatever the till sells, it can give away.
      LineItem.requireSku(sku);
    }

    @Override
    public String code() {
      return "free-item";
    }

    @Override
    public String describe() {
      return sku;
    }
  }

  /**
   * A fixed amount off the basket, in the program's currency (a program with this reward in another
   * currency is refused when it is built).
   *
   * @param amount the amount off, positive
   */
  record MoneyOff(Money amount) implements RewardKind {
    /**
     * @param amount the amount off, positive
     * @throws NullPointerException if {@code amount} is null
     * @throws IllegalArgumentException if the amount is not positive
     */
    public MoneyOff {
      Objects.requireNonNull(amount, "amount");
      if (!amount.isPositive()) {
        throw new IllegalArgumentException("money off must be positive, was " + amount);
      }
    }

    @Override
    public String code() {
      return "money-off";
    }

    @Override
    public String describe() {
      return amount.toString();
    }
  }

  /**
   * Points used as payment at a variable amount, under {@link PaymentTerms}; redeemed with
   * {@code Loyalty.payWithPoints}, not {@code Loyalty.redeem}. A payment charges at least the
   * reward's cost for the member's tier, at least the terms' minimum and at least one point, rounded
   * up to the fewest points a payment can charge ({@link Reward#leastCharge}).
   *
   * @param terms the conversion rate, minimum and maximum share, not null
   */
  record PointsAsPayment(PaymentTerms terms) implements RewardKind {
    /**
     * Validates the arguments.
     *
     * @param terms the conversion rate, minimum and maximum share, not null
     * @throws NullPointerException if {@code terms} is null
     */
    public PointsAsPayment {
      Objects.requireNonNull(terms, "terms");
    }

    @Override
    public String code() {
      return "points-as-payment";
    }

    /**
     * Says the terms in words for a receipt or screen, e.g. "100 points pay EUR 1.00, up to 50% of a
     * basket, at least 50 points at a time" (the minimum left out when it is zero).
     */
    @Override
    public String describe() {
      long rate = terms.points().value();
      long minimum = terms.minimumPoints().value();
      String share = terms.maxShare().movePointRight(2).stripTrailingZeros().toPlainString();
      return rate + (rate == 1 ? " point pays " : " points pay ") + terms.worth() + ", up to " + share + "% of a basket"
          + (minimum == 0 ? "" : ", at least " + minimum + (minimum == 1 ? " point" : " points") + " at a time");
    }
  }
}
