package io.github.loyaltyledger.ledger;

import java.util.Objects;

/**
 * How one entry changed one lot: the lot's id and the signed points added to it (a credit or a
 * restore) or taken from it (a debit, expiry or hold). For {@link EntryKind#VEST} entries the
 * points are the amount that moved from pending to available, and the remaining amount is
 * unchanged.
 *
 * @param lot the id of the lot (the id of the credit entry that created it)
 * @param points the signed change
 */
public record LotMovement(EntryId lot, Points points) {

  /**
   * Validates the movement.
   *
   * @param lot the id of the lot (the id of the credit entry that created it)
   * @param points the signed change
   * @throws NullPointerException if an argument is null
   */
  public LotMovement {
    Objects.requireNonNull(lot, "lot");
    Objects.requireNonNull(points, "points");
  }
}
