package io.github.loyaltyledger.occasion;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.DueWork;
import io.vavr.collection.TreeMap;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A reward a rule found due: which occasion of which year, for whom, and what. Its
 * {@linkplain #key() key} depends only on the occasion, the member and the year, so the reward is
 * granted at most once per member and year, however often the run is repeated and even if the
 * member's birthday is edited after the grant.
 *
 * @param occasion the occasion
 * @param member the member
 * @param year the year of the occasion being celebrated
 * @param date the occasion's date that year (after the leap-day policy)
 * @param opens the first day of the window the reward is granted in
 * @param reward what the member gets
 * @param ruleId the id of the rule that granted it
 */
public record OccasionGrant(
    Occasion occasion, MemberId member, int year, LocalDate date, LocalDate opens, OccasionReward reward, String ruleId) {

  /**
   * Validates the grant.
   *
   * @param occasion the occasion
   * @param member the member
   * @param year the year of the occasion being celebrated
   * @param date the occasion's date that year (after the leap-day policy)
   * @param opens the first day of the window the reward is granted in
   * @param reward what the member gets
   * @param ruleId the id of the rule that granted it
   * @throws NullPointerException if an argument is null
   */
  public OccasionGrant {
    Objects.requireNonNull(occasion, "occasion");
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(date, "date");
    Objects.requireNonNull(opens, "opens");
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(ruleId, "ruleId");
  }

  /**
   * The deterministic key of the grant, e.g. {@code birthday:M-1001:2027}.
   *
   * @param occasion the occasion, not null
   * @param member the member, not null
   * @param year the year
   * @return the key
   */
  public static IdempotencyKey key(Occasion occasion, MemberId member, int year) {
    Objects.requireNonNull(occasion, "occasion");
    Objects.requireNonNull(member, "member");
    return IdempotencyKey.of(occasion.tag() + ":" + member.value() + ":" + year);
  }

  /** @return the deterministic key of this grant */
  public IdempotencyKey key() {
    return key(occasion, member, year);
  }

  /** @return the details recorded on the entry that rewards it: the occasion and the year, which the due-work index reads */
  public TreeMap<String, String> details() {
    return TreeMap.of(DueWork.OCCASION_DETAIL, occasion.tag(), DueWork.YEAR_DETAIL, Integer.toString(year));
  }
}
