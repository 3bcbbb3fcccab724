package io.github.loyaltyledger.member;

/**
 * Where a member is in their lifecycle.
 *
 * <ul>
 *   <li>{@link #ACTIVE}: earns and redeems;
 *   <li>{@link #SUSPENDED}: can neither earn nor redeem, but operators can still adjust and reverse,
 *       and points still vest and expire; can be reactivated;
 *   <li>{@link #CLOSED}: final; the balance was forfeited and nothing more is written but the
 *       erasure of the member's personal data ({@code Loyalty.erase}), on request.
 * </ul>
 */
public enum MemberStatus {
  /** Earns and redeems. */
  ACTIVE,
  /** Temporarily barred from earning and redeeming. */
  SUSPENDED,
  /** Closed for good; the balance was forfeited. */
  CLOSED
}
