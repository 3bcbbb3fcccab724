package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.SortedMap;
import java.util.Objects;

/**
 * What became of the points a credit issued outside what is left in its own lot, as breakage counts
 * them: how many expired unused, wherever they sat (in the credit's lot, or, given back after that
 * lot expired, in a grace lot; see {@link io.github.loyaltyledger.redemption.ReturnedPoints}), and how
 * many sit unspent in each grace lot, and how many debits took from grace lots and have not given
 * back (open holds, redemptions not cancelled), and how many the reversals of other credits took from
 * grace lots in place of those credits' points. A refund of a
 * purchase (or a reversal of a credit) does not take back the expired ones, which were lost once
 * already; the ones in grace lots are still the credit's points, which it takes back after those left
 * in the credit's lot, before the member's other points; and those held are neither: a refund that
 * needs them waits for the hold to be captured or voided, as for points a hold took from the credit's
 * lot; a return of such a debit after the credit's reversal gives them to the lots the reversal took
 * in their place; and those another credit's reversal took in place of that credit's held points come
 * back to the grace lot when the hold is voided, so they are held too. Read with {@link
 * Insights#issuedPointsOf}.
 *
 * @param credit the entry whose lot issued the points
 * @param expired the points that expired unused, wherever they sat
 * @param inGraceLots the points unspent per grace lot (keyed by the entry that created the lot), only
 *     grace lots that hold some
 * @param takenFromGraceLots the points debits took from grace lots and have not given back, per
 *     debit (keyed by its entry: an open {@code HOLD}, a {@code REDEEM} or {@code CAPTURE} not
 *     cancelled, a negative {@code ADJUST} not reversed) and per grace lot, only debits that took some
 * @param takenInPlace the points that the reversals of another credit took from grace lots in place
 *     of that credit's points and that no return has moved back yet, per credit reversed (keyed by
 *     its entry), only credits whose reversals took some
 */
public record IssuedPoints(EntryId credit, Points expired, SortedMap<EntryId, Points> inGraceLots,
    SortedMap<EntryId, SortedMap<EntryId, Points>> takenFromGraceLots, SortedMap<EntryId, Points> takenInPlace) {

  /**
   * Validates that no field is null.
   *
   * @param credit the entry whose lot issued the points
   * @param expired the points that expired unused, wherever they sat
   * @param inGraceLots the points unspent per grace lot, only grace lots that hold some
   * @param takenFromGraceLots the points debits took from grace lots and have not given back, per
   *     debit and per grace lot, only debits that took some
   * @param takenInPlace the points in grace lots that the reversals of another credit took in place of
   *     its points and no return has moved back yet, per credit reversed, only credits whose reversals
   *     took some
   * @throws NullPointerException if an argument is null
   */
  public IssuedPoints {
    Objects.requireNonNull(credit, "credit");
    Objects.requireNonNull(expired, "expired");
    Objects.requireNonNull(inGraceLots, "inGraceLots");
    Objects.requireNonNull(takenFromGraceLots, "takenFromGraceLots");
    Objects.requireNonNull(takenInPlace, "takenInPlace");
  }
}
