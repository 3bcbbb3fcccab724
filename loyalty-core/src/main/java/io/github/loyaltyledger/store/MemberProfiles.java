package io.github.loyaltyledger.store;

import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.vavr.control.Option;

/**
 * Member profiles: an optional port, implemented beside {@link LedgerStore} by stores that keep
 * members' personal data (see {@link MemberProfile}) apart from the ledger, so that it can be
 * erased while the hash-chained entries stay intact. {@link InMemoryLedgerStore} implements it.
 *
 * <p>Profiles are not versioned with the ledger: the last save wins. Implementations must delete
 * erased data for real (no soft delete), since erasure is the point of keeping it apart.
 */
public interface MemberProfiles {

  /**
   * Reads a member's profile.
   *
   * @param member the member, not null
   * @return the profile, or none if none is stored
   */
  Option<MemberProfile> profile(MemberId member);

  /**
   * Stores a profile, replacing any earlier one of the same member.
   *
   * @param profile the profile, not null
   * @throws ConcurrentWriteException if concurrent writers of the member's profile kept the save
   *     from completing (nothing was written; the same save may be made again), which the facade
   *     answers with {@code LoyaltyError.ConcurrentModification}
   */
  void saveProfile(MemberProfile profile);

  /**
   * Deletes a member's profile, if there is one.
   *
   * @param member the member, not null
   * @throws ConcurrentWriteException if concurrent writers of the member's profile kept the deletion
   *     from completing (nothing was deleted; the same deletion may be made again), which the facade
   *     answers with {@code LoyaltyError.ConcurrentModification}
   */
  void deleteProfile(MemberId member);
}
