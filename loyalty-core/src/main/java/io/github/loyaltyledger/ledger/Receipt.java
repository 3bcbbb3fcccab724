package io.github.loyaltyledger.ledger;

import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.List;
import java.util.Objects;

/**
 * The result of an accepted state-changing request: the entries it wrote and the member's balance
 * and status right after it. A replay of the same request with the same idempotency key returns
 * an equal receipt and writes nothing.
 *
 * @param key the idempotency key of the request
 * @param member the member the request was about (for a transfer, the sender)
 * @param status the member's status after the request
 * @param entries the entries written, in order (empty for changes that write none, such as a
 *     suspension or an expiry run with nothing due)
 * @param balance the member's balance after the request
 */
public record Receipt(
    IdempotencyKey key, MemberId member, MemberStatus status, List<Entry> entries, Balance balance) {

  /**
   * Validates that no field is null.
   *
   * @param key the idempotency key of the request
   * @param member the member the request was about (for a transfer, the sender)
   * @param status the member's status after the request
   * @param entries the entries written, in order (empty for changes that write none, such as a
   *     suspension or an expiry run with nothing due)
   * @param balance the member's balance after the request
   * @throws NullPointerException if an argument is null
   */
  public Receipt {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(balance, "balance");
  }

  /**
   * Returns the sum of the points of the entries written for the receipt's member.
   *
   * @return the net change to the member's total
   */
  public Points netPoints() {
    return entries.filter(e -> e.member().equals(member))
        .map(Entry::points)
        .foldLeft(Points.ZERO, Points::plus);
  }
}
