package io.github.loyaltyledger.occasion;

import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.member.Member;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.Objects;

/**
 * Rewards each anniversary of a member's enrolment (the first one a year after enrolling), once a
 * year, to active members, evaluated in the member's zone. A member enrolled on 29 February is
 * celebrated on 28 February in non-leap years unless {@code leapDay} says otherwise.
 *
 * @param id the rule's id, recorded on the entries it produces
 * @param terms the window and reward
 * @param leapDay where a 29 February anniversary falls in non-leap years
 */
public record AnniversaryRule(String id, OccasionTerms terms, LeapDayPolicy leapDay) {

  /**
   * Validates the rule.
   *
   * @param id the rule's id, recorded on the entries it produces
   * @param terms the window and reward
   * @param leapDay where a 29 February anniversary falls in non-leap years
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the id is blank or has an unpaired surrogate or a NUL
   *     ({@link Fingerprint#isStorable})
   */
  public AnniversaryRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(terms, "terms");
    Objects.requireNonNull(leapDay, "leapDay");
    OccasionCalendar.requireId("an anniversary rule", id);
  }

  /**
   * @param id the rule's id, not blank
   * @param terms the window and reward, not null
   * @return the rule, with 29 February anniversaries on 28 February in non-leap years
   */
  public static AnniversaryRule of(String id, OccasionTerms terms) {
    return new AnniversaryRule(id, terms, LeapDayPolicy.FEBRUARY_28);
  }

  /**
   * Decides whether a member's anniversary reward is due at an instant.
   *
   * @param member the member, not null
   * @param asOf the instant of the run, not null
   * @return the grant (its year is the anniversary's), or none if the member is not active, not
   *     inside a window, or enrolled less than a year before
   */
  public Option<OccasionGrant> dueOn(Member member, Instant asOf) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(asOf, "asOf");
    if (!member.isActive()) {
      return Option.none();
    }
    LocalDate enrolled = LocalDate.ofInstant(member.enrolledAt(), member.zone());
    LocalDate today = LocalDate.ofInstant(asOf, member.zone());
    return OccasionCalendar.occurrenceCovering(MonthDay.from(enrolled), leapDay, terms.window(), today, member.zone())
        .filter(date -> date.getYear() > enrolled.getYear())
        .map(date -> new OccasionGrant(Occasion.ANNIVERSARY, member.id(), date.getYear(), date,
            terms.window().start(date), terms.reward(), id));
  }
}
