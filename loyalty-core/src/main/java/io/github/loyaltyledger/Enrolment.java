package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A request to enrol a member. Start with {@link #of} and add what is known.
 *
 * @param member the new member's id
 * @param key the request's idempotency key
 * @param enrolledAt when the member enrolled; the clock's instant if absent; not in the future
 * @param birthday the member's birthday (month and day), if known
 * @param zone the member's zone for calendar rules; if absent, the program's zone at enrolment, which the
 *     member keeps when a later program version changes the program's zone
 */
public record Enrolment(
    MemberId member,
    IdempotencyKey key,
    Option<Instant> enrolledAt,
    Option<MonthDay> birthday,
    Option<ZoneId> zone) {

  /**
   * Validates that no field is null.
   *
   * @param member the new member's id
   * @param key the request's idempotency key
   * @param enrolledAt when the member enrolled; the clock's instant if absent; not in the future
   * @param birthday the member's birthday (month and day), if known
   * @param zone the member's zone for calendar rules; if absent, the program's zone at enrolment, which the
   *     member keeps when a later program version changes the program's zone
   * @throws NullPointerException if an argument is null, or an option holds null
   */
  public Enrolment {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(enrolledAt, "enrolledAt");
    Objects.requireNonNull(birthday, "birthday");
    Objects.requireNonNull(zone, "zone");
    // Option.some(null) passes the checks above; the facade would then throw on it.
    enrolledAt.forEach(at -> Objects.requireNonNull(at, "enrolledAt holds null"));
    birthday.forEach(day -> Objects.requireNonNull(day, "birthday holds null"));
    zone.forEach(z -> Objects.requireNonNull(z, "zone holds null"));
  }

  /**
   * Enrols a member now, with no birthday and the program's zone.
   *
   * @param member the member id, not null
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Enrolment of(MemberId member, IdempotencyKey key) {
    return new Enrolment(member, key, Option.none(), Option.none(), Option.none());
  }

  /**
   * @param day the member's birthday, not null
   * @return a copy with the birthday
   * @throws NullPointerException if the day is null
   */
  public Enrolment withBirthday(MonthDay day) {
    return new Enrolment(member, key, enrolledAt, Option.some(day), zone);
  }

  /**
   * @param memberZone the member's zone, not null
   * @return a copy with the zone
   * @throws NullPointerException if the zone is null
   */
  public Enrolment withZone(ZoneId memberZone) {
    return new Enrolment(member, key, enrolledAt, birthday, Option.some(memberZone));
  }

  /**
   * @param at when the member enrolled, not null (e.g. when migrating an existing program);
   *     between years 1 and 9999 (else the facade refuses it with {@link LoyaltyError.InvalidRequest})
   * @return a copy with the enrolment instant
   * @throws NullPointerException if the instant is null
   */
  public Enrolment enrolledAt(Instant at) {
    return new Enrolment(member, key, Option.some(at), birthday, zone);
  }
}
