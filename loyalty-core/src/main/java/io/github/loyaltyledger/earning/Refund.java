package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.util.Objects;
import org.joda.money.Money;

/**
 * A return against an earlier purchase: either an amount of its earning lines (at their net
 * prices) or units of its SKUs. The points the purchase earned are taken back in proportion (see
 * {@link Clawback}): of the whole basket, or, for an award based on some lines, of those lines
 * returned (an amount names no lines: it comes off the lines kept in proportion to their net, so a
 * line returned after it brings back what is left of its net, and the last one the rest); and
 * so is its tier-qualifying credit. Several partial refunds add up to the
 * whole purchase and never beyond. Units of lines that never earn (a gift card) return no amount
 * (of a SKU sold on both kinds of line, the units that earned come back first);
 * a purchase of such lines only is returned in full, with its visit, when all its units are back.
 * A purchase whose earning lines are all free (net zero) is counted in units of those lines: it is
 * returned in full when all of them are back.
 *
 * <p>Returned lines count as the units of each SKU they add up to: lines in another order, or a
 * SKU's units split over lines otherwise ({@code A×1, A×1} for {@code A×2}), are the same return,
 * and sent again under the same key they replay its first result.
 *
 * @param original the purchase's transaction id
 * @param key this refund's own idempotency key
 * @param returned the net amount returned, or the units of SKUs returned
 * @param reason why, for the statement (1 to 500 characters)
 */
public record Refund(IdempotencyKey original, IdempotencyKey key, Either<Money, List<ReturnedLine>> returned, String reason) {

  /**
   * Validates the refund.
   *
   * @param original the purchase's transaction id
   * @param key this refund's own idempotency key
   * @param returned the net amount returned, or the units of SKUs returned
   * @param reason why, for the statement (1 to 500 characters)
   * @throws NullPointerException if an argument is null, or the returned amount or a returned line is null
   * @throws IllegalArgumentException if the amount is not positive or no line is given
   */
  public Refund {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(returned, "returned");
    Objects.requireNonNull(reason, "reason");
    // Either.left(null) and a null line pass the check above; the checks below and the facade would then throw on them.
    if (returned.isLeft()) {
      Objects.requireNonNull(returned.getLeft(), "returned holds a null amount");
    } else {
      Objects.requireNonNull(returned.get(), "returned holds null lines").forEach(
          line -> Objects.requireNonNull(line, "returned holds a null line"));
    }
    if (returned.isLeft() && !returned.getLeft().isPositive()) {
      throw new IllegalArgumentException("a refunded amount must be positive, was " + returned.getLeft());
    }
    if (returned.isRight() && returned.get().isEmpty()) {
      throw new IllegalArgumentException("a refund of lines needs at least one line");
    }
  }

  /**
   * A refund of an amount of the purchase's earning lines, at net prices. Like
   * {@link #ofLines}, it takes the purchase's transaction id first, then the refund's own key, then
   * what is returned.
   *
   * @param original the purchase's transaction id, not null
   * @param key the refund's idempotency key, not null
   * @param amount the amount returned, positive, not null
   * @return the refund
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the amount is not positive
   */
  public static Refund ofAmount(IdempotencyKey original, IdempotencyKey key, Money amount) {
    return new Refund(original, key, Either.left(amount), "Refund of " + amount + " on " + original);
  }

  /**
   * A refund of units of the purchase's SKUs.
   *
   * @param original the purchase's transaction id, not null
   * @param key the refund's idempotency key, not null
   * @param first the first line returned, not null
   * @param more further lines, not null
   * @return the refund
   * @throws NullPointerException if an argument or a line is null
   */
  public static Refund ofLines(IdempotencyKey original, IdempotencyKey key, ReturnedLine first, ReturnedLine... more) {
    return new Refund(original, key, Either.right(List.of(first).appendAll(List.of(more))), "Return on " + original);
  }

  /**
   * A refund of units of the purchase's SKUs, from the lines a till or shop lists (a
   * {@link java.util.List} or a Vavr {@code Seq}).
   *
   * @param original the purchase's transaction id, not null
   * @param key the refund's idempotency key, not null
   * @param lines the lines returned, at least one, not null
   * @return the refund
   * @throws NullPointerException if an argument or a line is null
   * @throws IllegalArgumentException if no line is given
   */
  public static Refund ofLines(IdempotencyKey original, IdempotencyKey key, Iterable<ReturnedLine> lines) {
    return new Refund(original, key, Either.right(List.ofAll(Objects.requireNonNull(lines, "lines"))), "Return on " + original);
  }
}
