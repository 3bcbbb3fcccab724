package io.github.loyaltyledger;

import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import java.util.Objects;

/**
 * A support desk's request to move a purchase earned on the wrong member's card to the member who
 * made it ({@link Loyalty#reassign}): in one commit, the purchase is returned in full on the member
 * who has it and earned again on {@code to}, by the rules in force now, as of its {@code occurredAt}
 * (what a quote of the purchase for {@code to} says, not a copy of the first award). Later refunds
 * under the purchase's transaction id (the POS id) follow it to {@code to}.
 *
 * @param purchase the purchase exactly as it was earned (its member, transaction id, time, channel
 *     and lines): the facade checks it against what was recorded under its transaction id
 * @param to the member who made the purchase
 * @param reason why, 1 to 500 characters; the reason of the {@code REVERSAL} entries
 * @param key the request's idempotency key, not the purchase's transaction id
 */
public record Reassignment(Purchase purchase, MemberId to, String reason, IdempotencyKey key) {

  /**
   * The detail on each {@code REVERSAL} entry a reassignment writes: the member the purchase went to.
   * The entry's idempotency key is the reassignment's, under which that member's award entries are.
   */
  public static final String TO_DETAIL = "reassigned.to";

  /**
   * The detail on the first award entry a reassignment writes for the member it goes to: the member
   * the purchase was taken from.
   */
  public static final String FROM_DETAIL = "reassigned.from";

  /**
   * The detail on the first award entry a reassignment writes: the purchase's transaction id (the
   * POS id), under which it is still refunded.
   */
  public static final String OF_DETAIL = "reassigned.of";

  /**
   * Validates that no field is null.
   *
   * @param purchase the purchase exactly as it was earned
   * @param to the member who made the purchase
   * @param reason why, 1 to 500 characters
   * @param key the request's idempotency key
   * @throws NullPointerException if an argument is null
   */
  public Reassignment {
    Objects.requireNonNull(purchase, "purchase");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
  }

  /**
   * A reassignment with the reason {@code "Reassigned to <to>"}.
   *
   * @param purchase the purchase exactly as it was earned, not null
   * @param to the member who made the purchase, not null
   * @param key the request's idempotency key, not null
   * @return the request
   * @throws NullPointerException if an argument is null
   */
  public static Reassignment of(Purchase purchase, MemberId to, IdempotencyKey key) {
    return new Reassignment(purchase, to, "Reassigned to " + Objects.requireNonNull(to, "to"), key);
  }

  /**
   * The same request with another reason, which the {@code REVERSAL} entries carry.
   *
   * @param why why, 1 to 500 characters (else the facade refuses it with {@link LoyaltyError.InvalidRequest})
   * @return a copy with this reason
   * @throws NullPointerException if the reason is null
   */
  public Reassignment because(String why) {
    return new Reassignment(purchase, to, why, key);
  }
}
