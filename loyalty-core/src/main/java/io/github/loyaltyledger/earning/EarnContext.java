package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.member.Member;
import io.vavr.collection.Set;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Objects;
import org.joda.money.CurrencyUnit;

/**
 * The immutable facts a rule may look at: the program (id, version, zone, currency), the member,
 * the purchase or the custom event, when and where it happened, the member's tier and segments
 * (through the {@link MemberTiers} and {@link SegmentResolver} ports), how many purchases the
 * member made before this purchase or event, and the earn multiplier of the member's tier, by which
 * {@link BaseRate} rules multiply their points.
 *
 * @param programId the program's id
 * @param programVersion the program version in force
 * @param programZone the program's zone
 * @param currency the program's currency
 * @param member the member who earns
 * @param occurredAt when the purchase or event happened
 * @param channel where it happened
 * @param purchase the purchase, if this is one
 * @param event the custom event, if this is one
 * @param tier the member's tier then, if any
 * @param segments the member's segments then
 * @param previousPurchases how many purchases the member earned on before this purchase or event
 * @param earnMultiplier the earn multiplier of the member's tier then, from the program's tier
 *     ladder ({@link io.github.loyaltyledger.tier.TierBenefits#earnMultiplier()}); 1 when the member
 *     has no tier, the ladder does not know it or there is no ladder
 */
public record EarnContext(
    String programId,
    int programVersion,
    ZoneId programZone,
    CurrencyUnit currency,
    Member member,
    Instant occurredAt,
    Channel channel,
    Option<Purchase> purchase,
    Option<CustomEvent> event,
    Option<String> tier,
    Set<String> segments,
    long previousPurchases,
    BigDecimal earnMultiplier) {

  /**
   * Validates the context.
   *
   * @param programId the program's id
   * @param programVersion the program version in force
   * @param programZone the program's zone
   * @param currency the program's currency
   * @param member the member who earns
   * @param occurredAt when the purchase or event happened
   * @param channel where it happened
   * @param purchase the purchase, if this is one
   * @param event the custom event, if this is one
   * @param tier the member's tier then, if any
   * @param segments the member's segments then
   * @param previousPurchases how many purchases the member earned on before this purchase or event
   * @param earnMultiplier the earn multiplier of the member's tier then; 1 when the member has no
   *     tier, the ladder does not know it or there is no ladder
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException unless exactly one of purchase and event is present, or if
   *     the multiplier is negative, or other than 1 without a tier or with a tier that not every
   *     store can keep ({@link Fingerprint#isStorable})
   */
  public EarnContext {
    Objects.requireNonNull(programId, "programId");
    Objects.requireNonNull(programZone, "programZone");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(purchase, "purchase");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(segments, "segments");
    Objects.requireNonNull(earnMultiplier, "earnMultiplier");
    if (purchase.isDefined() == event.isDefined()) {
      throw new IllegalArgumentException("a context holds either a purchase or an event");
    }
    // The base rate's explanation names the tier whose multiplier it applies, so there must be one
    // that every store can keep.
    if (earnMultiplier.signum() < 0 || (earnMultiplier.compareTo(BigDecimal.ONE) != 0
        && !tier.exists(Fingerprint::isStorable))) {
      throw new IllegalArgumentException("the earn multiplier must not be negative, and is 1 without a tier"
          + " (one that every store can keep); was " + earnMultiplier + " for " + (tier.isEmpty() ? "no tier" : "a tier"));
    }
  }

  /**
   * A context whose member's tier, if any, has no earn multiplier (1).
   *
   * @param programId the program's id
   * @param programVersion the program version in force
   * @param programZone the program's zone
   * @param currency the program's currency
   * @param member the member who earns
   * @param occurredAt when the purchase or event happened
   * @param channel where it happened
   * @param purchase the purchase, if this is one
   * @param event the custom event, if this is one
   * @param tier the member's tier then, if any
   * @param segments the member's segments then
   * @param previousPurchases how many purchases the member earned on before this purchase or event
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException unless exactly one of purchase and event is present
   */
  public EarnContext(String programId, int programVersion, ZoneId programZone, CurrencyUnit currency, Member member,
      Instant occurredAt, Channel channel, Option<Purchase> purchase, Option<CustomEvent> event, Option<String> tier,
      Set<String> segments, long previousPurchases) {
    this(programId, programVersion, programZone, currency, member, occurredAt, channel, purchase, event, tier, segments,
        previousPurchases, BigDecimal.ONE);
  }

  /**
   * The zone a calendar rule reads the purchase or event in: the member's (a birthday week, the
   * member's own evening) or the program's (a campaign of the shop's).
   *
   * @param basis the program's or the member's zone, not null
   * @return that zone
   */
  public ZoneId zone(Schedule.Zone basis) {
    return basis == Schedule.Zone.MEMBER ? member.zone() : programZone;
  }

  /**
   * When the purchase or event happened, on the clock of that zone: what a rule of days or hours
   * compares, e.g. {@code context.localTime(Schedule.Zone.MEMBER).toLocalDate()} for the member's
   * calendar day. {@link #occurredAt()} is the instant itself, as the till sent it.
   *
   * @param basis the program's or the member's zone, not null
   * @return the wall-clock time of the purchase or event in that zone
   */
  public LocalDateTime localTime(Schedule.Zone basis) {
    return LocalDateTime.ofInstant(occurredAt, zone(basis));
  }
}
