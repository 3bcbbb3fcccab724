package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * Points reserved at the till by {@code Loyalty.authorize}: they left the member's available
 * balance at once and are held until the hold is captured, voided or released at expiry — at most
 * one of these, once. The hold is the {@code HOLD} entry; its id is the hold's id. The key and
 * channel it was made with are its receipt's {@link Receipt#key() key} and the channel of the
 * receipt's {@code HOLD} entry. {@code Loyalty.openHolds} lists a member's open holds, as
 * {@code authorize} answered them, for a till that lost a hold's id.
 *
 * @param id the id of the {@code HOLD} entry
 * @param points the points held
 * @param expiresAt when the hold can no longer be captured
 * @param reward the reward held for, if any (its stock and the member's limit are reserved too)
 * @param receipt the receipt of the authorization
 */
public record Hold(EntryId id, Points points, Instant expiresAt, Option<RewardId> reward, Receipt receipt) {

  /**
   * Validates that no field is null.
   *
   * @param id the id of the {@code HOLD} entry
   * @param points the points held
   * @param expiresAt when the hold can no longer be captured
   * @param reward the reward held for, if any (its stock and the member's limit are reserved too)
   * @param receipt the receipt of the authorization
   * @throws NullPointerException if an argument is null
   */
  public Hold {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(receipt, "receipt");
  }
}
