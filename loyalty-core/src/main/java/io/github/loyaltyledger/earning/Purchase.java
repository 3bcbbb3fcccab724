package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.Objects;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * A purchase sent by a till, web shop or app: who bought, the POS transaction id (which is the
 * idempotency key of the earning request), when and through which channel, the lines, and the
 * part paid with points, which never earns.
 *
 * <p>Only {@linkplain LineKind#earns() earning} lines count towards money-based rules; the amount
 * paid with points is taken off them proportionally ({@link #earningAmount(AmountBase)}; the
 * built-in rules use the exact ratio, not the rounded {@link #payableShare(AmountBase)}).
 *
 * @param member who bought
 * @param transaction the POS transaction id, used as the idempotency key
 * @param occurredAt when the purchase happened
 * @param channel where it happened
 * @param currency the currency of every amount in the purchase
 * @param lines the lines, at least one
 * @param paidWithPoints the part of the bill paid with points, zero or more and at most the bill (the
 *     net of every line, those that never earn included)
 */
public record Purchase(
    MemberId member,
    IdempotencyKey transaction,
    Instant occurredAt,
    Channel channel,
    CurrencyUnit currency,
    List<LineItem> lines,
    Money paidWithPoints) {

  /**
   * Validates the purchase.
   *
   * @param member who bought
   * @param transaction the POS transaction id, used as the idempotency key
   * @param occurredAt when the purchase happened
   * @param channel where it happened
   * @param currency the currency of every amount in the purchase
   * @param lines the lines, at least one
   * @param paidWithPoints the part of the bill paid with points, zero or more and at most the bill
   *     (the net of every line, those that never earn included)
   * @throws NullPointerException if an argument is null, or the lines hold null
   * @throws IllegalArgumentException if there are no lines, a line or the points payment is in
   *     another currency than {@code currency}, or the points payment is negative or more than the
   *     bill
   */
  public Purchase {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(transaction, "transaction");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(lines, "lines");
    Objects.requireNonNull(paidWithPoints, "paidWithPoints");
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a purchase has at least one line");
    }
    for (List<LineItem> rest = lines; !rest.isEmpty(); rest = rest.tail()) {
      // A null line passes the check of the list; the checks below and the engine would then throw on it.
      LineItem line = Objects.requireNonNull(rest.head(), "lines holds null");
      if (!line.unitPrice().getCurrencyUnit().equals(currency)) {
        throw new IllegalArgumentException("every amount of a purchase must be in " + currency + "; line " + line.sku()
            + " is in " + line.unitPrice().getCurrencyUnit());
      }
    }
    if (!paidWithPoints.getCurrencyUnit().equals(currency)) {
      throw new IllegalArgumentException("every amount of a purchase must be in " + currency + "; paidWithPoints is in "
          + paidWithPoints.getCurrencyUnit());
    }
    if (paidWithPoints.isNegative()) {
      throw new IllegalArgumentException("paidWithPoints must not be negative, was " + paidWithPoints);
    }
    if (paidWithPoints.isPositive()) {
      // Points pay part of what the customer owes, lines that never earn included; no more than all of it.
      BigDecimal bill = BigDecimal.ZERO;
      for (List<LineItem> rest = lines; !rest.isEmpty(); rest = rest.tail()) {
        bill = bill.add(rest.head().amount(AmountBase.NET));
      }
      if (paidWithPoints.getAmount().compareTo(bill) > 0) {
        throw new IllegalArgumentException("paidWithPoints " + paidWithPoints + " exceeds the bill, "
            + Money.of(currency, bill) + " (the net of every line)");
      }
    }
  }

  /**
   * A purchase with nothing paid with points, in the currency of its first line.
   *
   * @param member who bought, not null
   * @param transaction the POS transaction id, not null
   * @param occurredAt when, not null
   * @param channel where, not null
   * @param first the first line, not null
   * @param more further lines, not null
   * @return the purchase
   * @throws NullPointerException if an argument or a line is null
   * @throws IllegalArgumentException if the lines are in different currencies
   */
  public static Purchase of(
      MemberId member, IdempotencyKey transaction, Instant occurredAt, Channel channel, LineItem first, LineItem... more) {
    CurrencyUnit currency = Objects.requireNonNull(first, "lines holds null").unitPrice().getCurrencyUnit();
    return new Purchase(member, transaction, occurredAt, channel, currency, List.of(more).prepend(first),
        Money.zero(currency));
  }

  /**
   * @param amount the part of the bill paid with points, not null
   * @return a copy with this points payment
   * @throws IllegalArgumentException if the amount is negative, more than the bill (the net of every
   *     line), or in another currency than the purchase
   */
  public Purchase withPaidWithPoints(Money amount) {
    return new Purchase(member, transaction, occurredAt, channel, currency, lines, amount);
  }

  /** @return the lines that can earn */
  public List<LineItem> earningLines() {
    return lines.filter(l -> l.kind().earns());
  }

  /**
   * Returns the amount of the earning lines on a base, before the points payment.
   *
   * @param base gross or net, not null
   * @return the sum, in currency units
   */
  public BigDecimal earningTotal(AmountBase base) {
    BigDecimal total = BigDecimal.ZERO;
    boolean first = true;
    // Walked by head and tail rather than an iterator: this runs for several rules of every purchase.
    for (List<LineItem> rest = lines; !rest.isEmpty(); rest = rest.tail()) {
      LineItem line = rest.head();
      if (line.kind().earns()) {
        BigDecimal amount = line.amount(base);
        // Zero plus the first amount is that amount (same value, same scale): skip the addition.
        total = first && amount.scale() >= 0 ? amount : total.add(amount);
        first = false;
      }
    }
    return total;
  }

  /**
   * Returns the amount that earns on a base: the earning lines less what was paid with points. The
   * points pay part of the bill, which is the net amount: on the net base this is the net less the
   * points payment, never below zero; on the gross base, the gross times the share of the bill paid
   * with money ({@code (net - paid) / net}), so that a basket paid entirely with points earns
   * nothing on either base. A gross amount is exact when it has at most 20 decimals; otherwise it
   * has 20 decimals and one more non-zero digit, which compares with any amount of money, and
   * rounds to whole points or minor units, as the exact amount does.
   *
   * @param base gross or net, not null
   * @return the amount, in currency units: to the currency's decimal places (zero too), except a
   *     gross amount that is not exact in 20 decimals, which has 21 (see above)
   */
  public BigDecimal earningAmount(AmountBase base) {
    // Several rules of one decision ask for the same amount (the base rate, a basket threshold):
    // the engine computes it once per decision and gives it to the built-in rules.
    BigDecimal total = earningTotal(base);
    BigDecimal paid = paidWithPoints.getAmount();
    // Subtracting a zero of no larger scale gives the total itself.
    if (paid.signum() == 0 && paid.scale() <= total.scale()) {
      return total;
    }
    if (base == AmountBase.GROSS && paid.signum() != 0) {
      BigDecimal amount = paidWithMoney(total, BigDecimal.ONE);
      if (amount.scale() > Exact.QUOTIENT_SCALE) {
        return amount;
      }
      // An exact share keeps the currency's scale rather than the quotient's twenty decimals.
      BigDecimal exact = amount.stripTrailingZeros();
      return exact.setScale(Math.max(total.scale(), exact.scale()));
    }
    BigDecimal amount = total.subtract(paid);
    // max(zero): the amount itself unless it is negative; a zero of the currency's scale, as
    // explanations print it (EUR 0.00, not EUR 0).
    return amount.signum() < 0 ? BigDecimal.ZERO.setScale(paid.scale()) : amount;
  }

  /**
   * The points that {@code amount} of the earning lines earns at {@code rate} on the part of the
   * bill paid with money: {@code amount × rate × (net - paid) / net}, divided last with a sticky
   * digit ({@link Exact#quotient}), so that it rounds to whole points as the exact product does; 0
   * when the net is zero (the points payment, or nothing, paid for it).
   */
  BigDecimal paidWithMoney(BigDecimal amount, BigDecimal rate) {
    BigDecimal net = earningTotal(AmountBase.NET);
    if (net.signum() == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal payable = net.subtract(paidWithPoints.getAmount());
    return payable.signum() <= 0 ? BigDecimal.ZERO : Exact.quotient(Exact.times(amount, rate).multiply(payable), net);
  }

  /**
   * Returns the share of each earning line that was paid with money rather than points, to 16
   * significant digits ({@link MathContext#DECIMAL64}): a product with it can miss an exact amount
   * by a tiny fraction (a third paid with money is 0.3333333333333333). The built-in rules do not
   * use it: they take the points payment off with the exact ratio. The share is the same on either
   * base: the points pay part of the bill, which is the net amount.
   *
   * @param base gross or net, not null
   * @return between 0 and 1 (1 when nothing was paid with points, 0 when there is nothing to earn on)
   */
  public BigDecimal payableShare(AmountBase base) {
    BigDecimal total = earningTotal(base);
    if (total.signum() == 0) {
      return BigDecimal.ZERO;
    }
    if (paidWithPoints.isZero()) {
      return BigDecimal.ONE;
    }
    BigDecimal net = base == AmountBase.NET ? total : earningTotal(AmountBase.NET);
    return net.signum() == 0 ? BigDecimal.ZERO
        : net.subtract(paidWithPoints.getAmount()).max(BigDecimal.ZERO).divide(net, MathContext.DECIMAL64);
  }

  /**
   * Returns the part of one line that earns: its amount on the base times the
   * {@linkplain #payableShare payable share}; zero for a line that never earns.
   *
   * @param line a line of this purchase, not null
   * @param base gross or net, not null
   * @return the amount, in currency units
   */
  public BigDecimal earningAmount(LineItem line, AmountBase base) {
    if (!line.kind().earns()) {
      return BigDecimal.ZERO;
    }
    // With nothing paid with points the share is one, even for a basket of zero (every earning line
    // is then zero), so the total need not be summed.
    BigDecimal share = paidWithPoints.getAmount().signum() == 0 ? BigDecimal.ONE : payableShare(base);
    return share.compareTo(BigDecimal.ONE) == 0 ? line.amount(base) : line.amount(base).multiply(share, MathContext.DECIMAL64);
  }
}
