package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.internal.Ids;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.HashSet;
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
 * {@link BaseRate} rules multiply their points. The member, when and where are the purchase's or
 * event's, and the currency a purchase's, as the engine gives them: a context that contradicts its
 * purchase or event, or that the facade would refuse before any rule runs (a program id no program
 * can have, a member who is not active, a time outside years 1 to 9999), is refused, so a rule's
 * table test cannot pass on a case that never happens.
 *
 * @param programId the program's id
 * @param programVersion the program version in force, 1 or more
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

  /** The first instant of year 1, the earliest the ledger supports. */
  private static final Instant FIRST_INSTANT = Instant.parse("0001-01-01T00:00:00Z");

  /** The last instant of year 9999, the latest the ledger supports. */
  private static final Instant LAST_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /**
   * Validates the context.
   *
   * @param programId the program's id
   * @param programVersion the program version in force, 1 or more
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
   * @throws NullPointerException if an argument is null, the tier option holds null, or a segment is null
   * @throws IllegalArgumentException unless exactly one of purchase and event is present; if the
   *     member, {@code occurredAt} or {@code channel} is not the purchase's or event's, or the
   *     currency not the purchase's (the engine gives a rule no such context); if
   *     {@code previousPurchases} is negative or {@code programVersion} below 1; if {@code programId} is not
   *     of the form a program's id takes, the member is not active, or {@code occurredAt} is outside years
   *     1 to 9999 (the facade refuses such a request before any rule runs); or if the multiplier is negative, or other than 1
   *     without a tier or with a tier that not every store can keep ({@link Fingerprint#isStorable})
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
    // Named here, before a rule's targeting compares them in a sorted set and fails there with
    // Vavr's comparator in the stack instead.
    tier.forEach(t -> Objects.requireNonNull(t, "tier holds null: a MemberTiers port answers none for a member without a tier"));
    segments.forEach(s -> Objects.requireNonNull(s, "segments holds null: a SegmentResolver answers segment ids only"));
    if (purchase.isDefined() == event.isDefined()) {
      throw new IllegalArgumentException("a context holds either a purchase or an event");
    }
    // The engine gives a rule only contexts whose facts are the purchase's or event's: one that
    // contradicts them would let a rule's table test pass for a case that never happens.
    String what = purchase.isDefined() ? "purchase" : "event";
    MemberId owner = purchase.isDefined() ? purchase.get().member() : event.get().member();
    if (!member.id().equals(owner)) {
      throw new IllegalArgumentException("the " + what + " is " + owner + "'s, not " + member.id()
          + "'s: give the member whose " + what + " it is");
    }
    requireAgrees("occurredAt", occurredAt, purchase.isDefined() ? purchase.get().occurredAt() : event.get().occurredAt(),
        what);
    requireAgrees("channel", channel, purchase.isDefined() ? purchase.get().channel() : event.get().channel(), what);
    if (purchase.isDefined()) {
      // The facade refuses a purchase in another currency than the program's before any rule runs.
      requireAgrees("currency", currency, purchase.get().currency(), what);
    }
    // Nor does it run a rule on what the facade refuses first: a program id no program has, a
    // member who may not earn, or a time outside years 1 to 9999 (where not every zone has a date).
    Ids.requireContextProgramId(programId);
    if (!member.isActive()) {
      throw new IllegalArgumentException("the member " + member.id() + " is " + member.status()
          + ", and only an active member earns (the facade refuses the others with MemberNotActive); give an active member");
    }
    if (occurredAt.isBefore(FIRST_INSTANT) || occurredAt.isAfter(LAST_INSTANT)) {
      throw new IllegalArgumentException("the " + what + "'s occurredAt must be between years 1 and 9999 (" + FIRST_INSTANT
          + " to " + LAST_INSTANT + "), as the facade requires before any rule runs; was " + occurredAt);
    }
    if (programVersion < 1) {
      throw new IllegalArgumentException("a program version starts at 1, as LoyaltyProgram's does; was "
          + programVersion);
    }
    if (previousPurchases < 0) {
      throw new IllegalArgumentException("previousPurchases counts the purchases before this one, 0 or more; was "
          + previousPurchases);
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
   * @param programVersion the program version in force, 1 or more
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
   * @throws IllegalArgumentException as the canonical constructor
   */
  public EarnContext(String programId, int programVersion, ZoneId programZone, CurrencyUnit currency, Member member,
      Instant occurredAt, Channel channel, Option<Purchase> purchase, Option<CustomEvent> event, Option<String> tier,
      Set<String> segments, long previousPurchases) {
    this(programId, programVersion, programZone, currency, member, occurredAt, channel, purchase, event, tier, segments,
        previousPurchases, BigDecimal.ONE);
  }

  /**
   * The context the engine gives a rule for a purchase, for a rule's own table tests: when, where
   * and in which currency are the purchase's, and the member has no tier, no segment and no purchase
   * before it (vary them with {@link #withTier}, {@link #withSegments} and
   * {@link #withPreviousPurchases}). E.g. {@code EarnContext.of("bean-club", 1, zone, member,
   * purchase).withPreviousPurchases(3)}; no facade or store is needed.
   *
   * @param programId the program's id, not null; 1 to 40 lower-case letters, digits or hyphens
   * @param programVersion the program version in force, 1 or more
   * @param programZone the program's zone, not null
   * @param member the member who earns, not null; the purchase's, and active
   * @param purchase the purchase, not null
   * @return the context
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the purchase is another member's, the version is below 1, the
   *     program id is not of a program's form, the member is not active, or the purchase is dated outside
   *     years 1 to 9999 (as the canonical constructor)
   */
  public static EarnContext of(String programId, int programVersion, ZoneId programZone, Member member,
      Purchase purchase) {
    Objects.requireNonNull(purchase, "purchase");
    return new EarnContext(programId, programVersion, programZone, purchase.currency(), member, purchase.occurredAt(),
        purchase.channel(), Option.some(purchase), Option.none(), Option.none(), HashSet.empty(), 0);
  }

  /**
   * The context the engine gives a rule for a custom event, for a rule's own table tests: when and
   * where are the event's, and the member has no tier, no segment and no purchase before it (vary
   * them with {@link #withTier}, {@link #withSegments} and {@link #withPreviousPurchases}).
   *
   * @param programId the program's id, not null
   * @param programVersion the program version in force, 1 or more
   * @param programZone the program's zone, not null
   * @param currency the program's currency, not null
   * @param member the member who earns, not null; the event's, and active
   * @param event the custom event, not null
   * @return the context
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the event is another member's, the version is below 1, the
   *     program id is not of a program's form, the member is not active, or the event is dated outside
   *     years 1 to 9999 (as the canonical constructor)
   */
  public static EarnContext of(String programId, int programVersion, ZoneId programZone, CurrencyUnit currency,
      Member member, CustomEvent event) {
    Objects.requireNonNull(event, "event");
    return new EarnContext(programId, programVersion, programZone, currency, member, event.occurredAt(), event.channel(),
        Option.none(), Option.some(event), Option.none(), HashSet.empty(), 0);
  }

  /** Refuses a fact of the context that is not its purchase's or event's. */
  private static void requireAgrees(String field, Object given, Object its, String what) {
    if (!given.equals(its)) {
      throw new IllegalArgumentException("the context's " + field + " is " + given + ", but the " + what + "'s is " + its
          + ": give the " + what + "'s (EarnContext.of takes it from the " + what + ")");
    }
  }

  /**
   * Returns a copy in which the member has this tier, with its earn multiplier, as the
   * {@link MemberTiers} port and the program's tier ladder would give it.
   *
   * @param value the tier's id, not null
   * @param multiplier the tier's earn multiplier, not null, zero or more; 1 for none
   * @return the changed context
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the multiplier is negative, or other than 1 for a tier that
   *     not every store can keep
   */
  public EarnContext withTier(String value, BigDecimal multiplier) {
    return new EarnContext(programId, programVersion, programZone, currency, member, occurredAt, channel, purchase, event,
        Option.some(Objects.requireNonNull(value, "tier")), segments, previousPurchases, multiplier);
  }

  /**
   * Returns a copy in which the member is in these segments, as the {@link SegmentResolver} port
   * would give them.
   *
   * @param values the segments, not null
   * @return the changed context
   * @throws NullPointerException if {@code values} is null
   */
  public EarnContext withSegments(Set<String> values) {
    return new EarnContext(programId, programVersion, programZone, currency, member, occurredAt, channel, purchase, event,
        tier, values, previousPurchases, earnMultiplier);
  }

  /**
   * Returns a copy in which the member earned on this many purchases before this one (a first
   * purchase has none before it).
   *
   * @param count how many purchases came before, 0 or more
   * @return the changed context
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public EarnContext withPreviousPurchases(long count) {
    return new EarnContext(programId, programVersion, programZone, currency, member, occurredAt, channel, purchase, event,
        tier, segments, count, earnMultiplier);
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
