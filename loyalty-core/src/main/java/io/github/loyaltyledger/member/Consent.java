package io.github.loyaltyledger.member;

/**
 * What a member agreed to be offered, kept in their {@link MemberProfile}.
 *
 * <p>Members without a stored profile are governed by {@link #NOT_RECORDED}: the library then
 * behaves as it did before profiles existed (the application is taken to have obtained consent
 * when it enrolled the member with a birthday). Once a profile is stored, its flags decide. An
 * erased member, whose profile erasure deleted, is governed by {@link #NONE}: erasure at the
 * member's request withdraws every consent.
 *
 * @param marketing whether segment-targeted promotions may address the member
 * @param birthdayOffers whether the daily run may grant the member birthday rewards
 */
public record Consent(boolean marketing, boolean birthdayOffers) {

  /** Consent to nothing. */
  public static final Consent NONE = new Consent(false, false);

  /** Consent to everything. */
  public static final Consent ALL = new Consent(true, true);

  /** The consent assumed for a member without a stored profile: everything, as before profiles. */
  public static final Consent NOT_RECORDED = ALL;

  /**
   * @param allowed whether the member accepts marketing
   * @return a copy with this marketing flag
   */
  public Consent withMarketing(boolean allowed) {
    return new Consent(allowed, birthdayOffers);
  }

  /**
   * @param allowed whether the member accepts birthday offers
   * @return a copy with this birthday-offers flag
   */
  public Consent withBirthdayOffers(boolean allowed) {
    return new Consent(marketing, allowed);
  }
}
