package io.github.loyaltyledger.member;

import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A loyalty member as the ledger knows them: id, when they enrolled, their birthday if known, the
 * time zone their calendar rules are evaluated in, and their lifecycle status.
 *
 * @param id the member's pseudonymous id
 * @param enrolledAt when they enrolled
 * @param birthday their birthday (month and day only), if known
 * @param zone the zone for calendar rules (birthdays, windows, expiry dates)
 * @param status where they are in their lifecycle
 */
public record Member(
    MemberId id, Instant enrolledAt, Option<MonthDay> birthday, ZoneId zone, MemberStatus status) {

  /**
   * Validates that no field is null.
   *
   * @param id the member's pseudonymous id
   * @param enrolledAt when they enrolled
   * @param birthday their birthday (month and day only), if known
   * @param zone the zone for calendar rules (birthdays, windows, expiry dates)
   * @param status where they are in their lifecycle
   * @throws NullPointerException if an argument is null
   */
  public Member {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(enrolledAt, "enrolledAt");
    Objects.requireNonNull(birthday, "birthday");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(status, "status");
  }

  /**
   * Returns a copy in another status.
   *
   * @param newStatus the status, not null
   * @return the changed member
   */
  public Member withStatus(MemberStatus newStatus) {
    return new Member(id, enrolledAt, birthday, zone, newStatus);
  }

  /** @return true if the member is {@link MemberStatus#ACTIVE} */
  public boolean isActive() {
    return status == MemberStatus.ACTIVE;
  }
}
