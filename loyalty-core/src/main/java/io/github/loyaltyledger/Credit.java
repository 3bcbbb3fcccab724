package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * A request to credit points to an active member: an {@code EARN} or {@code BONUS} entry that
 * creates a lot, optionally expiring and optionally pending until a vesting instant. The earning
 * engine builds these from purchases; applications can post them directly for one-off awards.
 *
 * <p>Its details are taken at their word, as a migration writes an earlier system's awards: the
 * keys the library writes mean on a credit what they mean on its own entries (the tier-qualifying
 * {@code qualifying.*}, an occasion's {@code occasion} and {@code occasion.year}, a purchase's
 * {@code purchase.*} with every rule's outcome, a custom event's {@code event.type}). So a refund
 * or reassignment under the key of a credit carrying {@code event.type} is refused as under an
 * event's key, advising {@code Loyalty.reverse}, which takes back any credit's points; it writes
 * nothing, as the {@code PurchaseNotFound} it would otherwise get. Only what would corrupt the
 * library's own work is refused: on a program with a tier ladder, a {@code tier.*} detail, and
 * qualifying details that are not whole numbers or exceed their bound. The keys the library reads
 * only on the entries it writes of other kinds ({@code shortfall}, {@code forgiven.settled} and
 * {@code reassigned.to} on a {@code REVERSAL}) mean nothing on a credit's {@code EARN} or
 * {@code BONUS} entry.
 *
 * @param member who receives the points
 * @param points how many, positive
 * @param kind {@link EntryKind#EARN} or {@link EntryKind#BONUS}
 * @param reason why, in plain language (shown on statements), 1 to 500 characters
 * @param key the request's idempotency key
 * @param occurredAt when the business event happened; the clock's instant if absent
 * @param channel where it came from
 * @param expiresAt when the points expire, if they do; after {@code occurredAt}
 * @param vestsAt when the points become available, if they are pending until then; not before
 *     {@code occurredAt}, and before {@code expiresAt}
 * @param ruleIds the rules that produced the award, if any
 * @param details structured facts explaining the award
 */
public record Credit(
    MemberId member,
    Points points,
    EntryKind kind,
    String reason,
    IdempotencyKey key,
    Option<Instant> occurredAt,
    Channel channel,
    Option<Instant> expiresAt,
    Option<Instant> vestsAt,
    List<String> ruleIds,
    SortedMap<String, String> details) {

  /** The order of a map made without a comparator: the details' key order. */
  private static final java.util.Comparator<String> KEY_ORDER = TreeMap.<String, String>empty().comparator();

  /**
   * Validates that no field is null (the facade refuses invalid values with
   * {@link LoyaltyError.InvalidRequest}).
   *
   * @param member who receives the points
   * @param points how many, positive
   * @param kind {@link EntryKind#EARN} or {@link EntryKind#BONUS}
   * @param reason why, in plain language (shown on statements), 1 to 500 characters
   * @param key the request's idempotency key
   * @param occurredAt when the business event happened; the clock's instant if absent
   * @param channel where it came from
   * @param expiresAt when the points expire, if they do; after {@code occurredAt}
   * @param vestsAt when the points become available, if they are pending until then; not before
   *     {@code occurredAt}, and before {@code expiresAt}
   * @param ruleIds the rules that produced the award, if any
   * @param details structured facts explaining the award, kept in key order whatever the map's own
   * @throws NullPointerException if an argument is null, or an option, a rule id or a detail holds null
   */
  public Credit {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(vestsAt, "vestsAt");
    Objects.requireNonNull(ruleIds, "ruleIds");
    Objects.requireNonNull(details, "details");
    // Option.some(null) and null elements pass the checks above; the facade would then throw on them.
    occurredAt.forEach(at -> Objects.requireNonNull(at, "occurredAt holds null"));
    expiresAt.forEach(at -> Objects.requireNonNull(at, "expiresAt holds null"));
    vestsAt.forEach(at -> Objects.requireNonNull(at, "vestsAt holds null"));
    ruleIds.forEach(id -> Objects.requireNonNull(id, "ruleIds holds null"));
    details.forEach((name, value) -> {
      Objects.requireNonNull(name, "details holds a null name");
      Objects.requireNonNull(value, "details holds a null value");
    });
    // In key order whatever order the caller's map sorts by, as the request is fingerprinted and
    // the entry hashed: the same credit sent again with its details in another map is the same.
    if (details.comparator() != KEY_ORDER) {
      details = TreeMap.ofEntries(details);
    }
  }

  /**
   * An {@code EARN} credit occurring now on the system channel, never expiring, available at once.
   *
   * @param member the member, not null
   * @param points the points, positive
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Credit of(MemberId member, Points points, String reason, IdempotencyKey key) {
    return new Credit(member, points, EntryKind.EARN, reason, key, Option.none(), Channel.system(),
        Option.none(), Option.none(), List.empty(), TreeMap.empty());
  }

  /**
   * @param entryKind {@code EARN} or {@code BONUS}, not null
   * @return a copy with this kind
   * @throws NullPointerException if the kind is null
   */
  public Credit ofKind(EntryKind entryKind) {
    return new Credit(member, points, entryKind, reason, key, occurredAt, channel, expiresAt, vestsAt, ruleIds, details);
  }

  /**
   * @param at when the business event happened, not null; between years 1 and 9999 (else the
   *     facade refuses it with {@link LoyaltyError.InvalidRequest})
   * @return a copy with this instant
   * @throws NullPointerException if the instant is null
   */
  public Credit occurredAt(Instant at) {
    return new Credit(member, points, kind, reason, key, Option.some(at), channel, expiresAt, vestsAt, ruleIds, details);
  }

  /**
   * @param from where the credit came from, not null
   * @return a copy with this channel
   * @throws NullPointerException if the channel is null
   */
  public Credit via(Channel from) {
    return new Credit(member, points, kind, reason, key, occurredAt, from, expiresAt, vestsAt, ruleIds, details);
  }

  /**
   * @param at when the points expire, not null; between years 1 and 9999 and after {@code occurredAt}
   *     (else refused: at or before it, the lot would be born expired); one after {@code occurredAt} but
   *     already past, as an import of history may bring, is kept and expires at the next expiry run
   * @return a copy whose lot expires then
   * @throws NullPointerException if the instant is null
   */
  public Credit expiringAt(Instant at) {
    return new Credit(member, points, kind, reason, key, occurredAt, channel, Option.some(at), vestsAt, ruleIds, details);
  }

  /**
   * @param at when the points become available, not null; if in the future, they are pending;
   *     between years 1 and 9999, not before {@code occurredAt} and before any {@code expiresAt}
   *     (else the facade refuses it with {@link LoyaltyError.InvalidRequest}); for points available
   *     at once, leave it out rather than passing the caller's "now": a credit without
   *     {@code occurredAt} occurs at the facade's clock, which may be ahead of the caller's
   * @return a copy whose lot vests then
   * @throws NullPointerException if the instant is null
   */
  public Credit vestingAt(Instant at) {
    return new Credit(member, points, kind, reason, key, occurredAt, channel, expiresAt, Option.some(at), ruleIds, details);
  }

  /**
   * @param rules the ids of the rules behind the award, not null
   * @param facts structured facts explaining it, not null
   * @return a copy with this explanation
   * @throws NullPointerException if an argument is null, or a rule id or a fact's name or value is null
   */
  public Credit explainedBy(List<String> rules, SortedMap<String, String> facts) {
    return new Credit(member, points, kind, reason, key, occurredAt, channel, expiresAt, vestsAt, rules, facts);
  }
}
