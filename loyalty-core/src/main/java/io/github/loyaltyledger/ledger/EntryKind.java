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
  /**
   * Points reserved at the till: zero points (the total is unchanged); its movements take the held
   * points from lots, moving them from available to held; its {@code expiresAt} is the hold's
   * expiry and its id the hold's id. Open until a {@link #CAPTURE} or {@link #RELEASE} references it.
   */
  HOLD,
  /**
   * A hold turned into a spend: negative (the points captured); the whole hold leaves held and
   * what was not captured returns to available (its movements put it back into lots).
   */
  CAPTURE,
  /** A hold released: zero points; the held points return to available and to their lots. */
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
   * hash-chained like every other entry. One with none of the first three records no change: it only
   * schedules the member's next review ({@code tier.review}, or none without it).
   */
  TIER,
  /**
   * The member's personal data was erased at their request: zero points, no lots; records that the
   * erasure happened (when, under which key), never what was erased.
   */
  ERASURE;

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
