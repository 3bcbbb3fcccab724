package io.github.loyaltyledger.ledger;

import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;

/**
 * The canonical encoding of an entry and its SHA-256 (see docs/adr/0002-hash-chain.md): the
 * {@link Fingerprint} of the format tag {@value #FORMAT} followed by every field of the entry in
 * declaration order, ending with the previous entry's hash. It is computed from the draft, so
 * sealing an entry builds it once.
 */
final class EntryHash {

  static final String FORMAT = "loyalty-ledger/entry/v1";

  /** The order of a map made without a comparator, which most details maps are. */
  private static final java.util.Comparator<String> KEY_ORDER = TreeMap.<String, String>empty().comparator();

  private EntryHash() {}

  static String of(EntryDraft e, String previousHash) {
    // About 300 bytes of fixed fields, the reason (a BONUS entry's lists its rules' descriptions),
    // 40 per movement, 100 per detail: one buffer, no regrowth.
    Fingerprint out = Fingerprint.of(FORMAT, 320 + e.reason().length() + 40 * e.movements().size() + 100 * e.details().size())
        .value(e.id().member())
        .value(e.id().sequence())
        .value(e.kind())
        .value(e.points())
        .count(e.movements().size());
    for (LotMovement m : e.movements()) {
      out.value(m.lot()).value(m.points());
    }
    out.value(e.occurredAt())
        .value(e.recordedAt())
        .value(e.channel())
        .value(e.idempotencyKey())
        .text(e.reason())
        .value(e.programVersion())
        .values(e.ruleIds())
        .optional(e.reference())
        .optional(e.counterparty())
        .optional(e.operator())
        .optional(e.expiresAt())
        .optional(e.vestsAt())
        .count(e.details().size());
    for (io.vavr.Tuple2<String, String> detail : inKeyOrder(e.details())) {
      out.text(detail._1).text(detail._2);
    }
    return out.text(previousHash).sha256();
  }

  /**
   * The details in key order, as the encoding takes them, whatever order their map keeps: a caller's
   * map may sort its keys otherwise, and a store that keeps the details as text reads them back in
   * key order, where the entry must still verify.
   */
  private static Iterable<io.vavr.Tuple2<String, String>> inKeyOrder(SortedMap<String, String> details) {
    return details.comparator() == KEY_ORDER ? details : TreeMap.ofEntries(details);
  }
}
