package io.github.loyaltyledger.ledger;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * The fields of an entry about to be written, before it is chained and hashed by
 * {@link Entry#seal}. Immutable; each {@code withX} method returns a changed copy.
 *
 * @param id the entry's id
 * @param kind what it records
 * @param points the signed change to the total
 * @param movements the lots it touches
 * @param occurredAt when the business event happened
 * @param recordedAt when the ledger records it
 * @param channel where the change came from
 * @param idempotencyKey the request's key
 * @param reason the plain-language reason
 * @param programVersion the program version in force
 * @param ruleIds the rules that produced it
 * @param reference the entry it corrects, if any
 * @param counterparty the other member of a transfer, if any
 * @param operator who made a manual change, if any
 * @param expiresAt the expiry of the lot it creates, if any
 * @param vestsAt the vesting instant of the lot it creates, if pending
 * @param details structured facts explaining it
 */
public record EntryDraft(
    EntryId id,
    EntryKind kind,
    Points points,
    List<LotMovement> movements,
    Instant occurredAt,
    Instant recordedAt,
    Channel channel,
    IdempotencyKey idempotencyKey,
    String reason,
    int programVersion,
    List<String> ruleIds,
    Option<EntryId> reference,
    Option<MemberId> counterparty,
    Option<String> operator,
    Option<Instant> expiresAt,
    Option<Instant> vestsAt,
    SortedMap<String, String> details) {

  /**
   * Validates that no field is null.
   *
   * @param id the entry's id
   * @param kind what it records
   * @param points the signed change to the total
   * @param movements the lots it touches
   * @param occurredAt when the business event happened
   * @param recordedAt when the ledger records it
   * @param channel where the change came from
   * @param idempotencyKey the request's key
   * @param reason the plain-language reason
   * @param programVersion the program version in force
   * @param ruleIds the rules that produced it
   * @param reference the entry it corrects, if any
   * @param counterparty the other member of a transfer, if any
   * @param operator who made a manual change, if any
   * @param expiresAt the expiry of the lot it creates, if any
   * @param vestsAt the vesting instant of the lot it creates, if pending
   * @param details structured facts explaining it
   * @throws NullPointerException if an argument is null
   */
  public EntryDraft {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(movements, "movements");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(ruleIds, "ruleIds");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(counterparty, "counterparty");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(vestsAt, "vestsAt");
    Objects.requireNonNull(details, "details");
  }

  /**
   * Starts a draft with the required fields; the optional ones are empty.
   *
   * @param id the entry id, not null
   * @param kind the kind, not null
   * @param points the signed points, not null
   * @param occurredAt when it happened, not null
   * @param recordedAt when it is recorded, not null
   * @param channel the channel, not null
   * @param key the request's idempotency key, not null
   * @param reason the reason, not blank
   * @param programVersion the program version, at least 1
   * @return the draft
   */
  public static EntryDraft of(
      EntryId id,
      EntryKind kind,
      Points points,
      Instant occurredAt,
      Instant recordedAt,
      Channel channel,
      IdempotencyKey key,
      String reason,
      int programVersion) {
    return new EntryDraft(id, kind, points, List.empty(), occurredAt, recordedAt, channel, key,
        reason, programVersion, List.empty(), Option.none(), Option.none(), Option.none(),
        Option.none(), Option.none(), TreeMap.empty());
  }

  /**
   * @param newMovements the lots touched, not null
   * @return a copy with these movements
   */
  public EntryDraft withMovements(List<LotMovement> newMovements) {
    return new EntryDraft(id, kind, points, newMovements, occurredAt, recordedAt, channel,
        idempotencyKey, reason, programVersion, ruleIds, reference, counterparty, operator,
        expiresAt, vestsAt, details);
  }

  /**
   * @param newRuleIds the rules that produced the entry, not null
   * @return a copy with these rule ids
   */
  public EntryDraft withRuleIds(List<String> newRuleIds) {
    return new EntryDraft(id, kind, points, movements, occurredAt, recordedAt, channel,
        idempotencyKey, reason, programVersion, newRuleIds, reference, counterparty, operator,
        expiresAt, vestsAt, details);
  }

  /**
   * @param corrected the entry this one corrects, not null
   * @return a copy referencing it
   */
  public EntryDraft withReference(EntryId corrected) {
    return new EntryDraft(id, kind, points, movements, occurredAt, recordedAt, channel,
        idempotencyKey, reason, programVersion, ruleIds, Option.some(corrected), counterparty,
        operator, expiresAt, vestsAt, details);
  }

  /**
   * @param other the other member of a transfer, not null
   * @return a copy naming it
   */
  public EntryDraft withCounterparty(MemberId other) {
    return new EntryDraft(id, kind, points, movements, occurredAt, recordedAt, channel,
        idempotencyKey, reason, programVersion, ruleIds, reference, Option.some(other), operator,
        expiresAt, vestsAt, details);
  }

  /**
   * @param who the operator who made a manual change, not null
   * @return a copy naming the operator
   */
  public EntryDraft withOperator(String who) {
    return new EntryDraft(id, kind, points, movements, occurredAt, recordedAt, channel,
        idempotencyKey, reason, programVersion, ruleIds, reference, counterparty,
        Option.some(who), expiresAt, vestsAt, details);
  }

  /**
   * @param expiry when the created lot expires, if it does; not null
   * @param vesting when the created lot vests, if it is pending; not null
   * @return a copy with these lot terms
   */
  public EntryDraft withLotTerms(Option<Instant> expiry, Option<Instant> vesting) {
    return new EntryDraft(id, kind, points, movements, occurredAt, recordedAt, channel,
        idempotencyKey, reason, programVersion, ruleIds, reference, counterparty, operator,
        expiry, vesting, details);
  }

  /**
   * @param newDetails structured facts explaining the entry, not null
   * @return a copy with these details
   */
  public EntryDraft withDetails(SortedMap<String, String> newDetails) {
    return new EntryDraft(id, kind, points, movements, occurredAt, recordedAt, channel,
        idempotencyKey, reason, programVersion, ruleIds, reference, counterparty, operator,
        expiresAt, vestsAt, newDetails);
  }

  Entry toEntry(String previousHash, String hash) {
    return new Entry(id, kind, points, movements, occurredAt, recordedAt, channel, idempotencyKey,
        reason, programVersion, ruleIds, reference, counterparty, operator, expiresAt, vestsAt,
        details, previousHash, hash);
  }
}
