package io.github.loyaltyledger.ledger;

/**
 * What a ledger entry records. The sign of an entry's points follows from its kind, as listed.
 */
public enum EntryKind {
  /** Points earned from a purchase or event: a credit that creates a lot. */
  EARN,
  /** Bonus points (campaigns, occasions, goodwill): a credit that creates a lot. */
  BONUS,
  /** Points spent on a reward or as payment: a debit that consumes lots. */
  REDEEM,
  /** Points reserved at the till: moves points from available to held; zero or negative. */
  HOLD,
  /** A hold turned into a spend: the held points leave the balance; negative. */
  CAPTURE,
  /** A hold released: held points return to the lots they came from; zero. */
  RELEASE,
  /** The correction of an earlier entry, which it references; the opposite sign of the original. */
  REVERSAL,
  /** Points whose lot passed its expiry date: a debit. */
  EXPIRE,
  /** A manual correction by an operator, signed, with a reason; a positive one creates a lot. */
  ADJUST,
  /** Points given to another member: a debit; the other side is a {@link #TRANSFER_IN}. */
  TRANSFER_OUT,
  /** Points received from another member: a credit that creates a lot. */
  TRANSFER_IN,
  /** Pending points that became available; zero points, the lots it vested are listed. */
  VEST,
  /** The balance given up when an account is closed: brings the total to zero. */
  FORFEIT,
  /**
   * A change of the member's tier status (qualification, review, override, override expired):
   * zero points, no lots, never reversible; its details record {@code tier.from}, {@code tier.to},
   * {@code tier.reason} and {@code tier.until}, so the member's tier history is append-only and
   * hash-chained like every other entry.
   */
  TIER;

  /**
   * Returns whether an entry of this kind adds points and creates a lot when its points are
   * positive.
   *
   * @return true for EARN, BONUS, ADJUST and TRANSFER_IN
   */
  public boolean createsLot() {
    return this == EARN || this == BONUS || this == ADJUST || this == TRANSFER_IN;
  }
}
