package io.github.loyaltyledger.ledger;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * One immutable line of a member's points ledger.
 *
 * <p>Entries are only ever appended. A mistake is corrected by a new entry that
 * {@linkplain #reference() references} the one it corrects. Each entry is chained to the previous
 * entry of the same member by SHA-256: {@link #hash()} covers every other field, including
 * {@link #previousHash()}, in the canonical encoding described in {@code docs/adr/0002-hash-chain.md},
 * so editing, deleting or reordering stored entries is detectable.
 *
 * <p>Create new entries with {@link #seal}, which computes the hash; the canonical constructor is
 * for stores that rebuild stored entries and keeps the stored hash as it is, so that
 * {@link #hasValidHash()} can detect tampering.
 *
 * @param id the member and the 1-based, gap-free sequence number
 * @param kind what the entry records
 * @param points the signed change to the member's total
 * @param movements the lots the entry created, consumed or restored
 * @param occurredAt when the business event happened (supplied by the caller or the clock)
 * @param recordedAt when the ledger recorded it (always the injected clock)
 * @param channel where the change came from
 * @param idempotencyKey the key of the request that wrote the entry
 * @param reason a plain-language reason, shown on statements
 * @param programVersion the version of the loyalty program in force
 * @param ruleIds the ids of the rules that produced the entry, if any
 * @param reference the entry this one corrects (reversals), if any
 * @param counterparty the other member of a transfer, if any
 * @param operator who made a manual change (adjustments), if any
 * @param expiresAt when the lot this entry creates expires, if it creates one that expires
 * @param vestsAt when the lot this entry creates vests, if it is created pending
 * @param details structured facts that explain the entry (e.g. an earning breakdown), sorted by key
 * @param previousHash the hash of the previous entry of the member, or {@link #GENESIS_HASH}
 * @param hash the SHA-256 of this entry's canonical encoding, as 64 lower-case hex digits
 */
public record Entry(
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
    SortedMap<String, String> details,
    String previousHash,
    String hash) {

  /** The {@link #previousHash()} of a member's first entry: 64 zeros. */
  public static final String GENESIS_HASH = "0".repeat(64);


  /**
   * Validates the fields (but not the hash; see {@link #hasValidHash()}).
   *
   * @param id the member and the 1-based, gap-free sequence number
   * @param kind what the entry records
   * @param points the signed change to the member's total
   * @param movements the lots the entry created, consumed or restored
   * @param occurredAt when the business event happened (supplied by the caller or the clock)
   * @param recordedAt when the ledger recorded it (always the injected clock)
   * @param channel where the change came from
   * @param idempotencyKey the key of the request that wrote the entry
   * @param reason a plain-language reason, shown on statements
   * @param programVersion the version of the loyalty program in force
   * @param ruleIds the ids of the rules that produced the entry, if any
   * @param reference the entry this one corrects (reversals), if any
   * @param counterparty the other member of a transfer, if any
   * @param operator who made a manual change (adjustments), if any
   * @param expiresAt when the lot this entry creates expires, if it creates one that expires
   * @param vestsAt when the lot this entry creates vests, if it is created pending
   * @param details structured facts that explain the entry (e.g. an earning breakdown), sorted by key
   * @param previousHash the hash of the previous entry of the member, or {@link #GENESIS_HASH}
   * @param hash the SHA-256 of this entry's canonical encoding, as 64 lower-case hex digits
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a hash is not 64 lower-case hex digits, the reason is
   *     blank or the program version is below 1
   */
  public Entry {
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
    Objects.requireNonNull(previousHash, "previousHash");
    Objects.requireNonNull(hash, "hash");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("an entry needs a reason");
    }
    if (programVersion < 1) {
      throw new IllegalArgumentException("program version starts at 1, was " + programVersion);
    }
    if (!isHexHash(previousHash) || !isHexHash(hash)) {
      throw new IllegalArgumentException("hashes must be 64 lower-case hex digits");
    }
  }

  /**
   * Creates a new entry and computes its hash from its fields and the previous entry's hash.
   *
   * @param draft the entry's fields, not null
   * @param previousHash the hash of the member's previous entry, or {@link #GENESIS_HASH}
   * @return the sealed entry
   */
  public static Entry seal(EntryDraft draft, String previousHash) {
    Objects.requireNonNull(draft, "draft");
    Objects.requireNonNull(previousHash, "previousHash");
    return draft.toEntry(previousHash, EntryHash.of(draft, previousHash));
  }

  /** 64 lower-case hex digits; a loop rather than a regular expression, as every entry is checked. */
  private static boolean isHexHash(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  /** @return the member whose ledger holds this entry */
  public MemberId member() {
    return id.member();
  }

  /** @return the entry's 1-based position in its member's ledger */
  public long sequence() {
    return id.sequence();
  }

  /**
   * Recomputes the hash from the other fields and compares it with the stored one.
   *
   * @return true if the stored hash matches the entry's content
   */
  public boolean hasValidHash() {
    return EntryHash.of(new EntryDraft(id, kind, points, movements, occurredAt, recordedAt, channel, idempotencyKey,
        reason, programVersion, ruleIds, reference, counterparty, operator, expiresAt, vestsAt, details), previousHash)
        .equals(hash);
  }
}
