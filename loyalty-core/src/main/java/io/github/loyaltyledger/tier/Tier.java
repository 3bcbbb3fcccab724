package io.github.loyaltyledger.tier;

import io.github.loyaltyledger.ledger.Fingerprint;
import java.util.Objects;

/**
 * One rung of a {@link TierLadder}: its id and display name, what qualifies a member for it, what
 * it gives, and whether it is held for life once reached.
 *
 * <p>A lifetime tier is a floor: once a member's qualifying activity has reached it, or a tier
 * above it, no review (under any {@link DowngradePolicy}), no return and no end of an override puts
 * them below it, and it has no end date. Two exceptions, both explicit: an operator's override may
 * set a lower tier until its end date (and setting a lifetime tier by hand does not grant it for
 * life), and on a ladder that {@linkplain TierLadder#returnsRevokeUpgrades() revokes upgrades on
 * returns} a revoked upgrade takes back the lifetime tier that only it reached.
 *
 * @param id the tier's id
 * @param name the name shown to members, 1 to 100 characters
 * @param qualification what qualifies a member within a window
 * @param benefits what the tier gives
 * @param lifetime true if a member who reaches it keeps it for good
 */
public record Tier(TierId id, String name, Qualification qualification, TierBenefits benefits, boolean lifetime) {

  /**
   * Validates the tier.
   *
   * @param id the tier's id
   * @param name the name shown to members, 1 to 100 characters
   * @param qualification what qualifies a member within a window
   * @param benefits what the tier gives
   * @param lifetime true if a member who reaches it keeps it for good
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is blank, longer than 100 characters or has an
   *     unpaired surrogate or a NUL ({@link Fingerprint#isStorable})
   */
  public Tier {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(qualification, "qualification");
    Objects.requireNonNull(benefits, "benefits");
    if (name.isBlank() || name.length() > 100 || !Fingerprint.isStorable(name)) {
      throw new IllegalArgumentException("tier name must be 1 to 100 characters without an unpaired surrogate or NUL, was '" + name + "'");
    }
  }

  /**
   * A tier with standard benefits that can be lost at a review.
   *
   * @param id the id, e.g. {@code "gold"}, not null
   * @param name the display name, not blank
   * @param qualification what qualifies, not null
   * @return the tier
   * @throws IllegalArgumentException if the id or name is malformed
   */
  public static Tier of(String id, String name, Qualification qualification) {
    return new Tier(TierId.of(id), name, qualification, TierBenefits.standard(), false);
  }

  /**
   * @param given the benefits, not null
   * @return a copy with these benefits
   */
  public Tier withBenefits(TierBenefits given) {
    return new Tier(id, name, qualification, given, lifetime);
  }

  /**
   * A lifetime tier. A member who reached it keeps it for good, also when a later program version
   * takes {@code forLife()} off it: their status was recorded without end, and stays the floor.
   *
   * @return a copy that, once reached (or passed on the way up), the member keeps for good
   */
  public Tier forLife() {
    return new Tier(id, name, qualification, benefits, true);
  }
}
