package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.LedgerStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Rebuilds one member's lots from their entries recorded up to an instant, and tells where every
 * lot's points went: still there, redeemed, expired or otherwise taken (reversed, forfeited,
 * transferred, adjusted). Entries are read page by page, so memory is bounded by the member's lots.
 *
 * <p>Attribution: a lot's negative movements count by the kind of their entry ({@code EXPIRE} as
 * expired; {@code REDEEM} and {@code HOLD} as redeemed, the points of an open hold counting as
 * redeemed until it is released); a positive movement on an existing lot (a {@code CAPTURE} or
 * {@code RELEASE} giving back held points, a {@code REVERSAL} restoring spent points) takes back
 * from the category of the entry it references. Points that repay a deficit (a negative available
 * balance) when they are credited or vest count as taken back ({@link Outflow#OTHER}): the replay
 * keeps the running available balance to know it, since a {@code VEST} entry lists the points
 * vested, not what its lots kept. So for each lot, {@code original = remaining + redeemed + expired
 * + other}, whatever the history, and the lots left agree with the account's running state.
 */
final class LotReplay {

  static final int PAGE = 500;

  /** The category of points leaving a lot. */
  enum Outflow { REDEEMED, EXPIRED, OTHER }

  /** A lot as rebuilt: mutable, local to one replay. */
  static final class ReplayedLot {
    final EntryId id;
    final long original;
    final Instant earnedAt;
    final io.vavr.control.Option<Instant> expiresAt;
    long remaining;
    final long[] out = new long[Outflow.values().length];

    ReplayedLot(EntryId id, long original, Instant earnedAt, io.vavr.control.Option<Instant> expiresAt) {
      this.id = id;
      this.original = original;
      this.remaining = original;
      this.earnedAt = earnedAt;
      this.expiresAt = expiresAt;
    }

    long out(Outflow flow) {
      return out[flow.ordinal()];
    }
  }

  private final Map<EntryId, ReplayedLot> lots = new LinkedHashMap<>();
  private final Map<EntryId, Outflow> debits = new HashMap<>();
  private final Map<EntryId, Long> openHolds = new HashMap<>();
  /** What is left in the lots created pending and not vested yet (as {@code io.github.loyaltyledger.Replay} keeps it). */
  private final Map<EntryId, Long> pendingLots = new HashMap<>();
  /** The sum of the entries' points. */
  private long total;

  /**
   * Replays a member's entries recorded at or before an instant.
   *
   * @return the replay
   */
  static LotReplay of(LedgerStore store, MemberId member, Instant at) {
    LotReplay replay = new LotReplay();
    forEachEntry(store, member, e -> {
      if (!e.recordedAt().isAfter(at)) {
        replay.apply(e);
      }
    });
    return replay;
  }

  /** Visits a member's entries in sequence order, page by page. */
  static void forEachEntry(LedgerStore store, MemberId member, Consumer<Entry> visitor) {
    long from = 1;
    io.vavr.collection.List<Entry> page;
    do {
      page = store.entries(member, from, PAGE);
      page.forEach(visitor);
      from += page.size();
    } while (page.size() == PAGE);
  }

  void apply(Entry e) {
    if (e.kind() == EntryKind.VEST) {
      vest(e);
      return;
    }
    total += e.points().value();
    if (e.kind() == EntryKind.HOLD) {
      openHolds.put(e.id(), -e.movements().map(m -> m.points().value()).sum().longValue());
    } else if (e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE) {
      e.reference().forEach(openHolds::remove);
    }
    Outflow flow = switch (e.kind()) {
      case EXPIRE -> Outflow.EXPIRED;
      case REDEEM, HOLD -> Outflow.REDEEMED;
      case CAPTURE, RELEASE, REVERSAL -> e.reference().flatMap(r -> io.vavr.control.Option.of(debits.get(r)))
          .getOrElse(Outflow.OTHER);
      default -> Outflow.OTHER;
    };
    if (e.points().isNegative() || e.kind() == EntryKind.HOLD) {
      debits.put(e.id(), flow);
    }
    if (e.kind().createsLot() && e.points().isPositive()) {
      credit(e);
    }
    for (LotMovement m : e.movements()) {
      long p = m.points().value();
      if (m.lot().equals(e.id()) && p > 0) {
        if (!e.kind().createsLot()) {
          lots.put(e.id(), new ReplayedLot(e.id(), p, e.occurredAt(), e.expiresAt()));
        }
        continue;
      }
      pendingLots.computeIfPresent(m.lot(), (id, left) -> left + p == 0 ? null : left + p);
      ReplayedLot lot = lots.get(m.lot());
      if (lot == null) {
        continue;
      }
      lot.remaining += p;
      lot.out[flow.ordinal()] -= p;
    }
  }

  /**
   * A credit's new lot. Books repays a deficit (a negative available balance) out of a credit that
   * is not pending before the rest goes into the lot, and the entry lists only what the lot kept:
   * the lot is issued the credit's points, and what repaid the deficit counts as taken back.
   */
  private void credit(Entry e) {
    long issued = e.points().value();
    long kept = e.movements().filter(m -> m.lot().equals(e.id())).map(m -> m.points().value()).sum().longValue();
    ReplayedLot lot = new ReplayedLot(e.id(), issued, e.occurredAt(), e.expiresAt());
    lot.remaining = kept;
    lot.out[Outflow.OTHER.ordinal()] = issued - kept;
    lots.put(e.id(), lot);
    if (e.vestsAt().exists(v -> v.isAfter(e.recordedAt())) && kept > 0) {
      pendingLots.put(e.id(), kept);
    }
  }

  /**
   * A {@code VEST} entry lists the points each lot vested, but Books repays a deficit out of them
   * first, one lot after the other, leaving only the rest in the lot: the replay takes the repaid
   * points out of the lot as taken back, so that it agrees with the running state.
   */
  private void vest(Entry e) {
    long available = available();
    for (LotMovement m : e.movements()) {
      long vested = m.points().value();
      long repaid = Math.min(Math.max(0, -available), vested);
      available += vested;
      pendingLots.remove(m.lot());
      ReplayedLot lot = lots.get(m.lot());
      if (lot != null && repaid > 0) {
        lot.remaining -= repaid;
        lot.out[Outflow.OTHER.ordinal()] += repaid;
      }
    }
  }

  /** The available balance: the entries' total less the pending and held points (negative in a deficit). */
  private long available() {
    long pending = pendingLots.values().stream().mapToLong(Long::longValue).sum();
    return total - pending - held();
  }

  /** @return the rebuilt lots (including spent ones) in the order they were created */
  Iterable<ReplayedLot> lots() {
    return lots.values();
  }

  /** @return the points in open holds */
  long held() {
    return openHolds.values().stream().mapToLong(Long::longValue).sum();
  }
}
