package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.member.Member;
import io.vavr.collection.Set;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Objects;
import org.joda.money.CurrencyUnit;

/**
 * The immutable facts a rule may look at: the program (id, version, zone, currency), the member,
 * the purchase or the custom event, when and where it happened, the member's tier and segments
 * (through the {@link MemberTiers} and {@link SegmentResolver} ports), and how many purchases the
 * member made before this purchase or event.
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
    long previousPurchases) {

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
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException unless exactly one of purchase and event is present
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
    if (purchase.isDefined() == event.isDefined()) {
      throw new IllegalArgumentException("a context holds either a purchase or an event");
    }
  }

  /**
   * @param basis the program's or the member's zone, not null
   * @return that zone
   */
  public ZoneId zone(Schedule.Zone basis) {
    return basis == Schedule.Zone.MEMBER ? member.zone() : programZone;
  }

  /**
   * @param basis the program's or the member's zone, not null
   * @return the wall-clock time of the purchase or event in that zone
   */
  public LocalDateTime localTime(Schedule.Zone basis) {
    return LocalDateTime.ofInstant(occurredAt, zone(basis));
  }
}
