package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Rebuilds one member's lots from their ledger as it stood at an instant, and tells where every
 * lot's points went: still there, redeemed, expired or otherwise taken (reversed, forfeited,
 * transferred, adjusted). Entries are read page by page; memory is bounded by the member's lots
 * and the points their holds, redemptions and credits' reversals took (kept to attribute what a
 * return gives back).
 *
 * <p>Attribution: a lot's negative movements count by the kind of their entry ({@code EXPIRE} as
 * expired; {@code REDEEM} and {@code HOLD} as redeemed, the points of an open hold counting as
 * redeemed until it is released); a positive movement on an existing lot (a {@code CAPTURE} or
 * {@code RELEASE} giving back held points, a {@code REVERSAL} restoring spent points) takes back
 * from the category of the entry it references, except the points of a reversed credit (a refunded
 * award, or a credit reversed by hand) that a return gives to the lot the reversal took them from
 * (on along a chain, when that lot's credit was reversed since), or, under a deficit its reversal
 * overdrew, to the lots that repaid it (as the shares whose points repaid it, first repaid first;
 * or to its grace lot, as shares of such a lot, if it expired meanwhile): they take back from
 * {@link Outflow#OTHER}, where the reversal counted them. Points that repay a deficit (a negative available
 * balance) when they are credited, vest or are given back count as taken back ({@link
 * Outflow#OTHER}): the replay keeps the running available balance to know it, since a {@code VEST}
 * entry lists the points vested, not what its lots kept. A return repays the deficit it finds with a
 * reversed credit's points first, then with the other points in the order they come back ({@code
 * deficit.repaid.<lot>}), those going back to their lots before those late for the grace lot (whose
 * first points then repay it), a lot's too, and the debit's own points before those a reversal took
 * in their place and that move back to a lot; only those left of a lot that expired since go to the
 * grace lot.
 *
 * <p>Points given back after their lot expired go, under a grace period, into a new lot owned by
 * the returning entry. That lot issues nothing: the return takes the points back from the
 * referenced entry's category on the lots they came from, and the new lot holds them as
 * {@linkplain Share shares} of those lots, so that whatever later leaves it (expiry at the end of
 * the grace, spending) counts for the lots, and the cohorts, that issued the points. So for each
 * lot that issues points, {@code original = redeemed + expired + other + its shares left anywhere},
 * whatever the history, and the lots left agree with the account's running state.
 */
final class LotReplay {

  static final int PAGE = 500;

  /** The category of points leaving a lot. */
  enum Outflow { REDEEMED, EXPIRED, OTHER }

  /** A lot as rebuilt: mutable, local to one replay. */
  static final class ReplayedLot {
    final EntryId id;
    /** The points this lot issued: a credit's, none for a lot of returned points. */
    final long original;
    final Instant earnedAt;
    final Option<Instant> expiresAt;
    /** The points in the lot. */
    long remaining;
    /** Where the points this lot issued went, by category. */
    final long[] out = new long[Outflow.values().length];
    /** Whose points are in the lot, in the order they are spent (a credit's reversal takes the credit's first). */
    final java.util.List<Share> shares = new ArrayList<>(1);
    /** Whether the lot is a grace lot: one an entry giving points back created, not a credit. */
    final boolean grace;

    ReplayedLot(EntryId id, long original, long remaining, Instant earnedAt, Option<Instant> expiresAt, boolean grace) {
      this.id = id;
      this.grace = grace;
      this.original = original;
      this.remaining = remaining;
      this.earnedAt = earnedAt;
      this.expiresAt = expiresAt;
    }

    long out(Outflow flow) {
      return out[flow.ordinal()];
    }
  }

  /** Points that a lot issued and that sit in a lot: its own, or points given back into a grace lot. */
  static final class Share {
    final ReplayedLot issuer;
    long left;

    Share(ReplayedLot issuer, long left) {
      this.issuer = issuer;
      this.left = left;
    }
  }

  /** Points a debit took from one share, not given back yet. */
  private static final class Charge {
    final Share share;
    long points;

    Charge(Share share, long points) {
      this.share = share;
      this.points = points;
    }
  }

  /**
   * A debit as the replay remembers it: its category and, for the entries points can be given back
   * to (holds, redemptions, negative adjustments, captures), the points taken in order, when, and
   * from which shares (only the shares for a credit's reversal, whose points taken from other lots a
   * return gives back there).
   */
  private static final class Debit {
    final Outflow flow;
    final List<LotMovement> taken;
    final Instant takenAt;
    /** Null for a debit nothing is given back to (an expiry, a forfeit, a transfer). */
    final Map<EntryId, ArrayDeque<Charge>> charges;

    Debit(Outflow flow, List<LotMovement> taken, Instant takenAt, Map<EntryId, ArrayDeque<Charge>> charges) {
      this.flow = flow;
      this.taken = taken;
      this.takenAt = takenAt;
      this.charges = charges;
    }
  }

  /**
   * Points a reversal took from another lot in place of its credit's ({@code movement}, negative),
   * and when: a return that moves points there judges from it whether that lot expired since. {@code
   * charges}: the shares it took them from, in order (for a lot that repaid a deficit, the shares
   * whose points repaid it; fewer when unknown), to which a return gives them back.
   */
  private record Substitute(LotMovement movement, Instant takenAt, java.util.List<Charge> charges) {}

  /**
   * A lot that repaid {@code points} of a deficit ({@code lot}), by the entry at {@code sequence}
   * recorded at {@code at}: a credit into a deficit, or a return whose points for that lot repaid one
   * ({@code deficit.repaid.<lot>}). A return that gives back a reversed credit's points gives them to
   * these lots ({@code deficit.returned.<lot>}), into a grace lot if the lot expired since it repaid.
   */
  private record Repayment(EntryId lot, long points, long sequence, Instant at) {}

  private static final Set<EntryKind> RETURNABLE = EnumSet.of(EntryKind.HOLD, EntryKind.REDEEM, EntryKind.ADJUST);

  /**
   * The detail prefix, followed by a reversed credit's lot (a refunded award's, or one reversed by
   * hand), of how many of the points a return gives back for that lot go to the lots its reversals
   * took them from instead ({@code Loyalty.pastRefunds}).
   */
  private static final String REFUND_RETURNED = "refund.returned.";

  /**
   * The detail prefix, followed by a reversed credit's lot, of how many of the points a return gives
   * back for that lot go to the lots of credits that repaid the deficit its reversal overdrew
   * ({@code Loyalty.pastRefunds}).
   */
  private static final String REFUND_DEFICIT = "refund.deficit.";

  /**
   * The detail prefix, followed by a lot, of how many of the points a return gave back for that lot
   * repaid a deficit instead ({@code Loyalty.repaidBy}).
   */
  private static final String DEFICIT_REPAID = "deficit.repaid.";

  /**
   * The detail prefix, followed by a lot that repaid a deficit, of how many of the points a return
   * gives back for reversed credits' lots go to that lot ({@code Loyalty.toRepayers}).
   */
  private static final String DEFICIT_RETURNED = "deficit.returned.";

  /**
   * The detail prefix, followed by a grace lot, of how many of a reversed credit's own points its
   * reversal took back from that grace lot ({@code Loyalty.clawBack}): not points taken in place of
   * the credit's, so no return moves its points there.
   */
  private static final String GRACE_TAKEN = "grace.taken.";

  /** The detail of a payment's return, in part or of the rest: the money it gave back. */
  private static final String PAYMENT_RETURNED = "payment.returned";

  private final Map<EntryId, ReplayedLot> lots = new LinkedHashMap<>();
  private final Map<EntryId, Debit> debits = new HashMap<>();
  private final Map<EntryId, Long> openHolds = new HashMap<>();
  /** Every hold, open or resolved: a resolved one's points are given back or its capture's. */
  private final Set<EntryId> holds = new java.util.HashSet<>();
  /**
   * Per hold, when it lapses: a release after that gives back points it kept from the member only
   * until then ({@code Loyalty.voidHold}, {@code Loyalty.releaseExpiredHolds}).
   */
  private final Map<EntryId, Instant> lapses = new HashMap<>();
  /** What is left in the lots created pending and not vested yet (as {@code io.github.loyaltyledger.Replay} keeps it). */
  private final Map<EntryId, Long> pendingLots = new HashMap<>();
  /** The sum of the entries' points. */
  private long total;
  /** Per reversed credit (its lot's id), what its reversals (refunds or by hand) took from other lots, in order. */
  private final Map<EntryId, java.util.List<Substitute>> refundedElsewhere = new HashMap<>();
  /** Per refunded award, how many of those points returns gave back to those lots so far. */
  private final Map<EntryId, Long> returnedElsewhere = new HashMap<>();
  /** Per reversed credit (its lot's id), the sequence of its first reversal. */
  private final Map<EntryId, Long> reversedSince = new HashMap<>();
  /** The lots that repaid a deficit, in ledger order. */
  private final java.util.List<Repayment> repayments = new ArrayList<>();
  /** Per lot that repaid a deficit, the points returns gave it back so far ({@code deficit.returned.<lot>}). */
  private final Map<EntryId, Long> returnedToRepayers = new HashMap<>();
  /**
   * Per lot that repaid a deficit, the shares whose points repaid it, in order: a return that gives
   * the lot back points it repaid gives them to those shares, first repaid first.
   */
  private final Map<EntryId, ArrayDeque<Charge>> repaidShares = new HashMap<>();

  /**
   * Replays a member's ledger as it stood at an instant, as {@code Loyalty.balanceAsOf} reads it:
   * the entries up to the last one recorded at or before it ({@link #forEachEntryUntilLast}).
   *
   * @return the replay
   */
  static LotReplay of(LedgerStore store, MemberId member, Instant at) {
    LotReplay replay = new LotReplay();
    forEachEntryUntilLast(store, member, e -> !e.recordedAt().isAfter(at), replay::apply);
    return replay;
  }

  /** Visits a member's entries in sequence order, page by page. */
  static void forEachEntry(LedgerStore store, MemberId member, Consumer<Entry> visitor) {
    long from = 1;
    List<Entry> page;
    do {
      page = store.entries(member, from, PAGE);
      page.forEach(visitor);
      from += page.size();
    } while (page.size() == PAGE);
  }

  /**
   * Visits, in sequence order, a member's entries up to the last one {@code inTime} accepts: the
   * ledger as it stood when that entry was recorded. With one clock those are the entries it
   * accepts; when nodes' clocks disagree, an entry it refuses (recorded "later" by a node whose
   * clock is ahead) that comes before an accepted one is visited too, since the ledger committed it
   * first ({@code Loyalty.balanceAsOf} reads the ledger so). Refused entries are read again only
   * when an accepted one follows them, so memory stays one page.
   */
  static void forEachEntryUntilLast(LedgerStore store, MemberId member, Predicate<Entry> inTime,
      Consumer<Entry> visitor) {
    long[] next = {1};
    forEachEntry(store, member, e -> {
      if (inTime.test(e)) {
        long from = next[0];
        while (from < e.sequence()) {
          List<Entry> page = store.entries(member, from, (int) Math.min(PAGE, e.sequence() - from));
          if (page.isEmpty()) {
            break;
          }
          page.forEach(visitor);
          from += page.size();
        }
        visitor.accept(e);
        next[0] = e.sequence() + 1;
      }
    });
  }

  void apply(Entry e) {
    if (e.kind() == EntryKind.VEST) {
      vest(e);
      return;
    }
    // The deficit the entry finds, before it changes anything: the points of reversed credits it
    // gives back repay it first (Loyalty.pastRefunds).
    long deficit = e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE
        || e.kind() == EntryKind.REVERSAL && e.points().isPositive() ? Math.max(0, -available()) : 0;
    total += e.points().value();
    if (e.kind() == EntryKind.HOLD) {
      openHolds.put(e.id(), -e.movements().map(m -> m.points().value()).sum().longValue());
      holds.add(e.id());
      e.expiresAt().forEach(lapse -> lapses.put(e.id(), lapse));
    } else if (e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE) {
      e.reference().forEach(openHolds::remove);
    }
    Debit referenced = e.reference().map(debits::get).getOrNull();
    Outflow flow = switch (e.kind()) {
      case EXPIRE -> Outflow.EXPIRED;
      case REDEEM, HOLD -> Outflow.REDEEMED;
      case CAPTURE, RELEASE, REVERSAL -> referenced == null ? Outflow.OTHER : referenced.flow;
      default -> Outflow.OTHER;
    };
    Debit debit = null;
    if (e.kind() == EntryKind.CAPTURE && referenced != null) {
      // The captured points stay taken by the hold: a cancellation gives back the first of them.
      debit = new Debit(flow, first(referenced.taken, -e.points().value()), referenced.takenAt, referenced.charges);
    } else if (e.points().isNegative() || e.kind() == EntryKind.HOLD) {
      debit = RETURNABLE.contains(e.kind())
          ? new Debit(flow, e.movements().filter(m -> m.points().isNegative()), e.recordedAt(), new HashMap<>())
          // A credit's reversal: a return gives the points it took from other lots back to their shares.
          : new Debit(flow, List.empty(), e.recordedAt(), reversesACredit(e) ? new HashMap<>() : null);
    }
    if (e.kind().createsLot() && e.points().isPositive()) {
      credit(e);
    }
    boolean returns = referenced != null && (e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE
        || e.kind() == EntryKind.REVERSAL && e.points().isPositive());
    if (returns) {
      if (e.kind() == EntryKind.REVERSAL && e.details().containsKey(PAYMENT_RETURNED)) {
        // A payment given back in part gives back the first points it took, from the first shares it
        // took them from (ADR 0006, "partial return"); the next return gives back the points after
        // these, as the ledger does (Loyalty.cancelRedemption with money), not the first ones again.
        giveBack(e, firstPart(referenced, e.points().value()), deficit);
        debits.put(e.reference().get(), new Debit(referenced.flow, rest(referenced.taken, e.points().value()),
            referenced.takenAt, referenced.charges));
      } else {
        giveBack(e, referenced, deficit);
      }
    } else {
      // A credit's reversal takes the credit's own points first, from a grace lot too (Loyalty.clawBack).
      Option<EntryId> owner = reversesACredit(e) ? e.reference() : Option.none();
      for (LotMovement m : e.movements()) {
        if (!m.lot().equals(e.id())) {
          move(m, flow, debit, owner);
        }
      }
    }
    // A refund's reversal of an award, or a reversal of a credit by hand (Loyalty.pastRefunds).
    if (reversesACredit(e)) {
      EntryId award = e.reference().get();
      reversedSince.putIfAbsent(award, e.sequence());
      Map<EntryId, ArrayDeque<Charge>> charges = debit.charges;
      // A lot can be taken from twice (a grace lot: the credit's own points, then others'): each
      // movement's points are the charges after those of the movements before it on that lot. The
      // credit's own points it took from a grace lot ({@code grace.taken.<lot>}, the first there)
      // were not taken in place of others: a return moves none there.
      Map<EntryId, Long> before = new HashMap<>();
      Map<EntryId, Long> own = new HashMap<>();
      for (LotMovement m : e.movements().filter(o -> !o.lot().equals(award))) {
        long from = before.getOrDefault(m.lot(), 0L);
        long to = before.merge(m.lot(), -m.points().value(), Long::sum);
        long skip = Math.min(to - from, own.computeIfAbsent(m.lot(), id -> detail(e, GRACE_TAKEN + id)));
        own.merge(m.lot(), -skip, Long::sum);
        if (to - from > skip) {
          refundedElsewhere.computeIfAbsent(award, id -> new ArrayList<>()).add(new Substitute(
              new LotMovement(m.lot(), io.github.loyaltyledger.ledger.Points.of(from + skip - to)), e.recordedAt(),
              slice(java.util.List.copyOf(charges.getOrDefault(m.lot(), new ArrayDeque<>())), from + skip, to)));
        }
      }
    }
    if (debit != null) {
      debits.put(e.id(), debit);
    }
    if (e.kind().createsLot() && e.points().isPositive() && !e.vestsAt().exists(v -> v.isAfter(e.recordedAt()))
        && kept(e) < e.points().value()) {
      repayments.add(new Repayment(e.id(), e.points().value() - kept(e), e.sequence(), e.recordedAt()));
    }
    if (e.kind() == EntryKind.REVERSAL || e.kind() == EntryKind.RELEASE || e.kind() == EntryKind.CAPTURE) {
      e.details().keySet().filter(k -> k.startsWith(DEFICIT_REPAID)).forEach(k -> repayments.add(new Repayment(
          EntryId.parse(k.substring(DEFICIT_REPAID.length())), detail(e, k), e.sequence(), e.recordedAt())));
      e.details().keySet().filter(k -> k.startsWith(DEFICIT_RETURNED)).forEach(k -> returnedToRepayers.merge(
          EntryId.parse(k.substring(DEFICIT_RETURNED.length())), detail(e, k), Long::sum));
    }
  }

  /**
   * A credit's new lot. Books repays a deficit (a negative available balance) out of a credit that
   * is not pending before the rest goes into the lot, and the entry lists only what the lot kept:
   * the lot is issued the credit's points, and what repaid the deficit counts as taken back.
   */
  private void credit(Entry e) {
    long issued = e.points().value();
    long kept = kept(e);
    ReplayedLot lot = new ReplayedLot(e.id(), issued, kept, e.occurredAt(), e.expiresAt(), false);
    lot.shares.add(new Share(lot, kept));
    lot.out[Outflow.OTHER.ordinal()] = issued - kept;
    if (issued > kept) {
      repaidShares.computeIfAbsent(lot.id, id -> new ArrayDeque<>()).add(new Charge(lot.shares.get(0), issued - kept));
    }
    lots.put(e.id(), lot);
    if (e.vestsAt().exists(v -> v.isAfter(e.recordedAt())) && kept > 0) {
      pendingLots.put(e.id(), kept);
    }
  }

  /** The points an entry put in a lot of its own. */
  private static long kept(Entry e) {
    return e.movements().filter(m -> m.lot().equals(e.id())).map(m -> m.points().value()).sum().longValue();
  }

  /**
   * An entry that gives back points a debit took ({@code CAPTURE}, {@code RELEASE}, a positive
   * {@code REVERSAL}). Of what the debit took and this entry returns, a lot that got its points
   * back has them back; points of a lot that expired since they were taken went into this entry's
   * own (grace) lot, as shares of the lots they came from; any other point not given back repaid a
   * deficit ({@code deficit}, the one the entry found) and counts as taken back.
   */
  private void giveBack(Entry e, Debit debit, long deficit) {
    long points = e.points().value();
    List<LotMovement> taken = switch (e.kind()) {
      case CAPTURE -> rest(debit.taken, -points);
      case RELEASE -> debit.taken;
      default -> first(debit.taken, points);
    };
    Map<EntryId, Long> back = new LinkedHashMap<>();
    e.movements().filter(m -> !m.lot().equals(e.id())).forEach(m -> back.merge(m.lot(), m.points().value(), Long::sum));
    long graceLeft = kept(e);
    java.util.List<Share> graceShares = new ArrayList<>();
    // Until when the points were kept from the member (Books.unhold): a lot that expired after that
    // gets them back without grace, as one expired when they were taken does.
    Instant heldUntil = e.recordedAt();
    if (e.kind() == EntryKind.RELEASE) {
      Instant lapse = e.reference().map(lapses::get).getOrNull();
      heldUntil = lapse != null && lapse.isBefore(heldUntil) ? lapse : heldUntil;
    }
    Instant until = heldUntil;
    // Of the points a refunded award's lot gets back, as many as its refunds took from other lots
    // went to those lots instead (the first ones earlier returns did not move), or into this
    // entry's grace lot for those that expired since the debit: the refund counted them as taken
    // back there, and the award's lot keeps them as taken back.
    // Under ALLOW_NEGATIVE, points of a reversed credit's lot can also go to the lots that repaid
    // the deficit its reversal overdrew ({@code refund.deficit.<lot>}): the entry gives those lots
    // the points ({@code deficit.returned.<lot>}), which then no longer count as taken back there,
    // or into its grace lot, as their shares, for a lot that expired since it repaid; the reversed
    // lot keeps them as taken back.
    Map<EntryId, Long> redirected = new HashMap<>();
    Map<EntryId, Long> toRepayers = new HashMap<>();
    long[] owedLeft = {deficit};
    Map<EntryId, Long> repayingDeficit = new HashMap<>();
    Map<EntryId, Long> repayersLeft = new HashMap<>();
    e.details().keySet().filter(k -> k.startsWith(DEFICIT_RETURNED)).forEach(k ->
        repayersLeft.put(EntryId.parse(k.substring(DEFICIT_RETURNED.length())), detail(e, k)));
    ArrayDeque<Substitute> targets = new ArrayDeque<>();
    // Points of reversed credits the debit took from a grace lot, when all its points come back (not
    // a capture's rest): per grace lot and credit, those that go where its reversals took others
    // (Loyalty.pastRefunds), credit by credit in ledger order.
    Map<EntryId, Map<EntryId, Long>> graceAway = new HashMap<>();
    Map<EntryId, Map<EntryId, Long>> inGrace = e.kind() == EntryKind.CAPTURE ? Map.of() : reversedInGrace(debit);
    for (LotMovement m : taken) {
      long kept = -m.points().value();
      for (Map.Entry<EntryId, Long> credit : inGrace.getOrDefault(m.lot(), Map.of()).entrySet()) {
        long part = Math.min(kept, credit.getValue());
        credit.setValue(credit.getValue() - part);
        long moved = Math.max(0, Math.min(part, detail(e, REFUND_RETURNED + credit.getKey())
            - redirected.getOrDefault(credit.getKey(), 0L)));
        if (moved > 0) {
          redirected.merge(credit.getKey(), moved, Long::sum);
          elsewhere(credit.getKey(), moved).forEach(targets::add);
          graceAway.computeIfAbsent(m.lot(), id -> new java.util.TreeMap<>()).merge(credit.getKey(), moved, Long::sum);
          kept -= moved;
        }
      }
    }
    for (LotMovement m : taken) {
      long moved = e.details().get(REFUND_RETURNED + m.lot()).map(Long::parseLong).getOrElse(0L)
          - redirected.getOrDefault(m.lot(), 0L);
      moved = Math.max(0, Math.min(-m.points().value(), moved));
      if (moved > 0) {
        redirected.merge(m.lot(), moved, Long::sum);
        elsewhere(m.lot(), moved).forEach(targets::add);
      }
      long repaid = Math.max(0, Math.min(-m.points().value() - moved, detail(e, REFUND_DEFICIT + m.lot())
          - toRepayers.getOrDefault(m.lot(), 0L)));
      if (repaid > 0) {
        toRepayers.merge(m.lot(), repaid, Long::sum);
        repayers(e, m.lot(), repaid, repayersLeft).forEach(targets::add);
      }
      // Those left of a reversed credit's points repay the deficit the entry found, before any
      // other point, and never into the grace lot: they stay taken back.
      long owed = reversedSince.containsKey(m.lot()) ? Math.min(owedLeft[0], -m.points().value() - moved - repaid) : 0;
      if (owed > 0) {
        owedLeft[0] -= owed;
        repayingDeficit.merge(m.lot(), owed, Long::sum);
      }
    }
    Map<EntryId, Long> redirectLeft = new HashMap<>(redirected);
    toRepayers.forEach((id, n) -> redirectLeft.merge(id, n, Long::sum));
    repayingDeficit.forEach((id, n) -> redirectLeft.merge(id, n, Long::sum));
    // A chain, as Loyalty.pastRefunds follows it after the points taken: points moved to a lot whose
    // own credit was reversed since move on to the lots that reversal took from.
    Map<EntryId, Long> chained = new HashMap<>();
    Map<EntryId, Long> repaidHere = new HashMap<>();
    // Books.giveBack repays a deficit with the points in the order Loyalty.pastRefunds gives them,
    // the debit's own points going back to a lot before those moved there: of a lot's {@code
    // deficit.repaid.<lot>}, the points moved there repay only what the debit's points back in time
    // leave (in a grace lot, whose shares differ, this decides whose point repaid).
    Map<EntryId, Long> repaidByTaken = new HashMap<>();
    Map<EntryId, Long> awayLeft = new HashMap<>(redirectLeft);
    graceAway.forEach((id, byCredit) -> awayLeft.merge(id,
        byCredit.values().stream().mapToLong(Long::longValue).sum(), Long::sum));
    for (LotMovement m : taken) {
      ReplayedLot lot = lots.get(m.lot());
      if (lot == null || !lot.grace && lot.expiresAt.exists(x -> x.isAfter(debit.takenAt) && !x.isAfter(until))) {
        continue;
      }
      long away = Math.min(-m.points().value(), awayLeft.getOrDefault(lot.id, 0L));
      awayLeft.merge(lot.id, -away, Long::sum);
      repaidByTaken.merge(lot.id, -m.points().value() - away, Long::sum);
    }
    repaidByTaken.replaceAll((id, n) -> Math.min(n, detail(e, DEFICIT_REPAID + id)));
    // The points moved to lots that expired since they were taken there, for the grace lot.
    java.util.List<LotMovement> lateTargets = new ArrayList<>();
    // The points moved to lots that repaid a deficit there ({@code deficit.repaid.<lot>}), and the shares they came from.
    java.util.List<Substitute> movedRepaid = new ArrayList<>();
    while (!targets.isEmpty()) {
      Substitute next = targets.poll();
      LotMovement target = next.movement();
      long onward = Math.max(0, Math.min(-target.points().value(),
          e.details().get(REFUND_RETURNED + target.lot()).map(Long::parseLong).getOrElse(0L)
              - redirected.getOrDefault(target.lot(), 0L) - chained.getOrDefault(target.lot(), 0L)));
      if (onward > 0) {
        chained.merge(target.lot(), onward, Long::sum);
        elsewhere(target.lot(), onward).forEach(targets::add);
      }
      long repaid = Math.max(0, Math.min(-target.points().value() - onward, detail(e, REFUND_DEFICIT + target.lot())
          - toRepayers.getOrDefault(target.lot(), 0L)));
      toRepayers.merge(target.lot(), repaid, Long::sum);
      repayers(e, target.lot(), repaid, repayersLeft).forEach(targets::add);
      ReplayedLot lot = lots.get(target.lot());
      // Judged from when the reversal took the points there (or the lot repaid), not from the debit:
      // points it took from a lot already expired get no grace, nor do a grace lot's (Books.giveBack).
      boolean late = lot != null && !lot.grace
          && lot.expiresAt.exists(x -> x.isAfter(next.takenAt()) && !x.isAfter(until));
      // Points the return gave to a deficit instead of this lot ({@code deficit.repaid.<lot>}): they
      // stay taken back here. Late points repay only what the points back in time leave (below).
      long toDeficit = late ? 0 : Math.max(0, Math.min(-target.points().value() - onward - repaid,
          detail(e, DEFICIT_REPAID + target.lot()) - repaidByTaken.getOrDefault(target.lot(), 0L)
              - repaidHere.getOrDefault(target.lot(), 0L)));
      repaidHere.merge(target.lot(), toDeficit, Long::sum);
      if (toDeficit > 0) {
        // The first of those left repaid it: the shares the reversal took them from, which a return
        // giving the lot back what it repaid gives them to, after the debit's own (below).
        long from = onward + repaid;
        movedRepaid.add(new Substitute(target, next.takenAt(), slice(next.charges(), from, from + toDeficit)));
      }
      long owed = reversedSince.containsKey(target.lot())
          ? Math.min(owedLeft[0], -target.points().value() - onward - repaid - toDeficit) : 0;
      owedLeft[0] -= owed;
      long p = -target.points().value() - onward - repaid - toDeficit - owed;
      if (lot == null || p == 0) {
        continue;
      }
      if (late) {
        lateTargets.add(new LotMovement(lot.id, io.github.loyaltyledger.ledger.Points.of(p)));
      } else {
        // Those the entry did not give the lot repaid a deficit (one its own reversal overdrew, as
        // Loyalty.pastRefunds repays it out of what no other lot is owed): they stay taken back.
        long given = Math.min(p, back.getOrDefault(lot.id, 0L));
        back.computeIfPresent(lot.id, (id, left) -> left == given ? null : left - given);
        if (given > 0) {
          // To the shares the reversal took them from: the last points moved there.
          long size = -target.points().value();
          Debit took = new Debit(Outflow.OTHER, List.empty(), next.takenAt(),
              Map.of(lot.id, new ArrayDeque<>(slice(next.charges(), size - given, size))));
          move(new LotMovement(lot.id, io.github.loyaltyledger.ledger.Points.of(given)), Outflow.OTHER, took);
        }
      }
    }
    for (LotMovement m : taken) {
      ReplayedLot lot = lots.get(m.lot());
      if (lot == null) {
        continue;
      }
      long took = -m.points().value();
      // The reversed credits' points that went where their reversals took others: taken back.
      for (Map.Entry<EntryId, Long> credit : graceAway.getOrDefault(lot.id, Map.of()).entrySet()) {
        long part = Math.min(took, credit.getValue());
        credit.setValue(credit.getValue() - part);
        took -= part;
        untakeOf(lot, part, debit, credit.getKey()).forEach(c -> c.share.issuer.out[Outflow.OTHER.ordinal()] += c.points);
      }
      long away = Math.min(took, redirectLeft.getOrDefault(lot.id, 0L));
      redirectLeft.computeIfPresent(lot.id, (id, left) -> left == away ? null : left - away);
      untake(lot, away, debit).forEach(c -> c.share.issuer.out[Outflow.OTHER.ordinal()] += c.points);
      took -= away;
      long returned = Math.max(0, Math.min(took, back.getOrDefault(lot.id, 0L)));
      back.computeIfPresent(lot.id, (id, left) -> left == returned ? null : left - returned);
      pendingLots.computeIfPresent(lot.id, (id, left) -> left + returned);
      lot.remaining += returned;
      untake(lot, returned, debit).forEach(c -> c.share.left += c.points);
      // Those the entry gave to a deficit ({@code deficit.repaid.<lot>}; from the grace lot, the
      // first points late) stay taken back; only the rest of a lot expired since went to the grace lot.
      long toDeficit = Math.max(0, Math.min(took - returned, detail(e, DEFICIT_REPAID + lot.id)
          - repaidHere.getOrDefault(lot.id, 0L)));
      repaidHere.merge(lot.id, toDeficit, Long::sum);
      // Untaken last first: in the order taken, the first of them repaid first, and come back first.
      java.util.List<Charge> repaying = untake(lot, toDeficit, debit);
      java.util.Collections.reverse(repaying);
      for (Charge c : repaying) {
        c.share.issuer.out[Outflow.OTHER.ordinal()] += c.points;
        repaidShares.computeIfAbsent(lot.id, id -> new ArrayDeque<>()).add(c);
      }
      boolean late = lot.expiresAt.exists(x -> x.isAfter(debit.takenAt) && !x.isAfter(until));
      graceLeft -= toGrace(untake(lot, took - returned - toDeficit, debit), late ? graceLeft : 0, graceShares);
    }
    movedRepaid.forEach(r -> repaidShares.computeIfAbsent(r.movement().lot(), id -> new ArrayDeque<>()).addAll(r.charges()));
    // Books.giveBack repays a deficit with the points going back to their lots before the late ones,
    // so the late points moved to a lot repay only what those left of its {@code deficit.repaid.<lot>},
    // after the debit's own late points; the rest go first in the grace lot.
    java.util.List<Share> movedShares = new ArrayList<>();
    for (LotMovement m : lateTargets) {
      ReplayedLot lot = lots.get(m.lot());
      long p = m.points().value();
      long toDeficit = Math.max(0, Math.min(p, detail(e, DEFICIT_REPAID + lot.id) - repaidHere.getOrDefault(lot.id, 0L)));
      repaidHere.merge(lot.id, toDeficit, Long::sum);
      graceLeft -= toGrace(untake(lot, p - toDeficit, null), graceLeft, movedShares);
    }
    graceShares.addAll(0, movedShares);
    // Not expected: points given back to a lot the debit did not take from and no refund took
    // from. Like those of a refunded award above, they no longer count as taken back there.
    back.forEach((id, p) -> move(new LotMovement(id, io.github.loyaltyledger.ledger.Points.of(p)), Outflow.OTHER, null));
    long kept = kept(e);
    if (kept > 0) {
      // Not expected either: grace points not traced to a lot are issued by the grace lot itself.
      ReplayedLot grace = new ReplayedLot(e.id(), graceLeft, kept, e.occurredAt(), e.expiresAt(), true);
      if (graceLeft > 0) {
        grace.shares.add(new Share(grace, graceLeft));
      }
      grace.shares.addAll(graceShares);
      lots.put(e.id(), grace);
    }
  }

  /**
   * The movements of {@code points} of a reversed credit's lot that a return ({@code e}) gives to the
   * lots that repaid the deficit its reversal overdrew, as {@code Loyalty.toRepayers} chose them: the
   * lots that repaid since its first reversal, in the order they first did, each up to what it repaid
   * since less what returns gave it beyond what it repaid before, and up to what the return gives it
   * ({@code left}, the {@code deficit.returned.<lot>} details not assigned yet, counted down), with the
   * instant it first repaid since.
   */
  private java.util.List<Substitute> repayers(Entry e, EntryId reversedLot, long points, Map<EntryId, Long> left) {
    long since = reversedSince.getOrDefault(reversedLot, Long.MAX_VALUE);
    Map<EntryId, Long> repaid = new LinkedHashMap<>();
    Map<EntryId, Instant> when = new HashMap<>();
    Map<EntryId, Long> before = new HashMap<>();
    for (Repayment r : repayments) {
      if (r.sequence() > since) {
        repaid.merge(r.lot(), r.points(), Long::sum);
        when.putIfAbsent(r.lot(), r.at());
      }
    }
    repayments.stream().filter(r -> r.sequence() <= since && repaid.containsKey(r.lot()))
        .forEach(r -> before.merge(r.lot(), r.points(), Long::sum));
    java.util.List<Substitute> to = new ArrayList<>();
    long rest = points;
    for (Map.Entry<EntryId, Long> r : repaid.entrySet()) {
      if (rest == 0) {
        break;
      }
      EntryId lot = r.getKey();
      long returned = returnedToRepayers.getOrDefault(lot, 0L)
          + detail(e, DEFICIT_RETURNED + lot) - left.getOrDefault(lot, 0L);
      long room = r.getValue() - Math.max(0, returned - before.getOrDefault(lot, 0L));
      long give = Math.min(Math.min(rest, room), left.getOrDefault(lot, 0L));
      if (give > 0) {
        left.merge(lot, -give, Long::sum);
        to.add(new Substitute(new LotMovement(lot, io.github.loyaltyledger.ledger.Points.of(-give)), when.get(lot),
            repaid(lot, give)));
        rest -= give;
      }
    }
    return to;
  }

  /**
   * The shares whose points, the first {@code points} not given back yet, repaid a deficit out of a
   * lot, counting them as given back; fewer when the replay does not know them (the rest then come
   * from the lot's last share).
   */
  private java.util.List<Charge> repaid(EntryId lot, long points) {
    java.util.List<Charge> from = new ArrayList<>();
    ArrayDeque<Charge> queue = repaidShares.get(lot);
    if (queue != null) {
      drain(queue, points, true, from);
    }
    return from;
  }

  /**
   * Takes up to {@code points} out of a queue of charges, from its first charge or its last, adding
   * what each gave (its share and points) to {@code into}; returns the points the queue could not give.
   */
  private static long drain(ArrayDeque<Charge> queue, long points, boolean first, java.util.List<Charge> into) {
    long left = points;
    while (left > 0 && !queue.isEmpty()) {
      Charge c = first ? queue.peekFirst() : queue.peekLast();
      long t = Math.min(c.points, left);
      c.points -= t;
      if (c.points == 0) {
        if (first) {
          queue.pollFirst();
        } else {
          queue.pollLast();
        }
      }
      into.add(new Charge(c.share, t));
      left -= t;
    }
    return left;
  }

  /** A numeric detail of an entry, zero when absent. */
  private static long detail(Entry e, String key) {
    return e.details().get(key).map(Long::parseLong).getOrElse(0L);
  }

  /**
   * The movements of the {@code moved} points that the reversals of a credit (its lot's id) took
   * from other lots after those that earlier returns moved there, counting them as moved.
   */
  private java.util.List<Substitute> elsewhere(EntryId reversedLot, long moved) {
    long before = returnedElsewhere.merge(reversedLot, moved, Long::sum) - moved;
    java.util.List<Substitute> part = new ArrayList<>();
    long position = 0;
    for (Substitute t : refundedElsewhere.getOrDefault(reversedLot, java.util.List.of())) {
      long took = -t.movement().points().value();
      long start = Math.max(position, before);
      long end = Math.min(position + took, before + moved);
      if (end > start) {
        part.add(new Substitute(new LotMovement(t.movement().lot(), io.github.loyaltyledger.ledger.Points.of(start - end)),
            t.takenAt(), slice(t.charges(), start - position, end - position)));
      }
      position += took;
    }
    return part;
  }

  /**
   * Puts the points of charges taken back into the returning entry's grace lot, up to {@code grace}
   * of them, as shares of the lots that issued them ({@code graceShares}); the rest count as taken
   * back ({@link Outflow#OTHER}).
   *
   * @return how many points went to the grace lot
   */
  private static long toGrace(java.util.List<Charge> charges, long grace, java.util.List<Share> graceShares) {
    long given = 0;
    for (Charge c : charges) {
      long toGrace = Math.min(grace - given, c.points);
      given += toGrace;
      if (toGrace > 0) {
        graceShares.add(new Share(c.share.issuer, toGrace));
      }
      c.share.issuer.out[Outflow.OTHER.ordinal()] += c.points - toGrace;
    }
    return given;
  }

  /** A movement on an existing lot: points taken ({@code debit} records from which shares) or given back. */
  private void move(LotMovement m, Outflow flow, Debit debit) {
    move(m, flow, debit, Option.none());
  }

  /** A movement on an existing lot, taking the shares of {@code owner}'s lot first. */
  private void move(LotMovement m, Outflow flow, Debit debit, Option<EntryId> owner) {
    long p = m.points().value();
    pendingLots.computeIfPresent(m.lot(), (id, left) -> left + p == 0 ? null : left + p);
    ReplayedLot lot = lots.get(m.lot());
    if (lot == null) {
      return;
    }
    lot.remaining += p;
    if (p < 0) {
      take(lot, -p, flow, debit, owner);
    } else {
      untake(lot, p, debit).forEach(c -> c.share.left += c.points);
    }
  }

  /**
   * Takes points out of a lot's shares in order, counting them for their issuers under {@code flow}:
   * those {@code owner}'s lot issued first (a credit's reversal takes back the credit's own points
   * where they sit, as it takes its own lot's before others'), then the others.
   */
  private static void take(ReplayedLot lot, long points, Outflow flow, Debit debit, Option<EntryId> owner) {
    java.util.List<Share> order = lot.shares;
    if (owner.isDefined() && order.size() > 1) {
      // Stable: each group keeps the order the points are spent in.
      order = new ArrayList<>(order);
      order.sort(java.util.Comparator.comparing(share -> !owner.contains(share.issuer.id)));
    }
    long left = points;
    for (int i = 0; i < order.size() && left > 0; i++) {
      Share share = order.get(i);
      // The last share takes what the others cannot hold, so that nothing goes unaccounted.
      long t = i == order.size() - 1 ? left : Math.min(share.left, left);
      if (t > 0) {
        share.left -= t;
        share.issuer.out[flow.ordinal()] += t;
        left -= t;
        if (debit != null && debit.charges != null) {
          debit.charges.computeIfAbsent(lot.id, id -> new ArrayDeque<>()).add(new Charge(share, t));
        }
      }
    }
  }

  /**
   * Takes back up to {@code points} that a debit took from a lot, last taken first, from the
   * category they counted in; returns the shares they came from (the caller decides where they go).
   */
  private static java.util.List<Charge> untake(ReplayedLot lot, long points, Debit debit) {
    java.util.List<Charge> from = new ArrayList<>();
    ArrayDeque<Charge> charges = debit == null || debit.charges == null ? null : debit.charges.get(lot.id);
    long left = charges == null ? points : drain(charges, points, false, from);
    if (left > 0 && !lot.shares.isEmpty()) {
      from.add(new Charge(lot.shares.get(lot.shares.size() - 1), left));
    }
    Outflow flow = debit == null ? Outflow.OTHER : debit.flow;
    from.forEach(c -> c.share.issuer.out[flow.ordinal()] -= c.points);
    return from;
  }

  /**
   * Takes back up to {@code points} of {@code issuer}'s that a debit took from a lot, last taken
   * first, from the category they counted in; returns the shares they came from.
   */
  private static java.util.List<Charge> untakeOf(ReplayedLot lot, long points, Debit debit, EntryId issuer) {
    java.util.List<Charge> from = new ArrayList<>();
    long left = points;
    java.util.Iterator<Charge> last = debit.charges.getOrDefault(lot.id, new ArrayDeque<>()).descendingIterator();
    while (left > 0 && last.hasNext()) {
      Charge c = last.next();
      if (c.share.issuer.id.equals(issuer)) {
        long t = Math.min(c.points, left);
        c.points -= t;
        if (c.points == 0) {
          last.remove();
        }
        from.add(new Charge(c.share, t));
        left -= t;
      }
    }
    from.forEach(c -> c.share.issuer.out[debit.flow.ordinal()] -= c.points);
    return from;
  }

  /**
   * Per credit and per reversed credit, the first's points in grace lots that the reversals of the
   * second took in place of its points and that no return has moved back yet: a return gives the
   * reversals' substitutes back in order, so those after the first {@code returnedElsewhere}.
   */
  Map<EntryId, Map<EntryId, Long>> takenInPlace() {
    Map<EntryId, Map<EntryId, Long>> taken = new HashMap<>();
    refundedElsewhere.forEach((reversed, substitutes) -> {
      long position = 0;
      long moved = returnedElsewhere.getOrDefault(reversed, 0L);
      for (Substitute t : substitutes) {
        long took = -t.movement().points().value();
        ReplayedLot lot = lots.get(t.movement().lot());
        if (lot != null && lot.grace && position + took > moved) {
          for (Charge c : slice(t.charges(), Math.max(0, moved - position), took)) {
            taken.computeIfAbsent(c.share.issuer.id, id -> new HashMap<>()).merge(reversed, c.points, Long::sum);
          }
        }
        position += took;
      }
    });
    return taken;
  }

  /**
   * Per grace lot, the points of each reversed credit (in ledger order) that a debit took there and
   * has not given back.
   */
  private Map<EntryId, Map<EntryId, Long>> reversedInGrace(Debit debit) {
    Map<EntryId, Map<EntryId, Long>> byLot = new HashMap<>();
    if (debit.charges != null) {
      debit.charges.forEach((lot, charges) -> {
        if (lots.containsKey(lot) && lots.get(lot).grace) {
          charges.stream().filter(c -> reversedSince.containsKey(c.share.issuer.id)).forEach(c ->
              byLot.computeIfAbsent(lot, l -> new java.util.TreeMap<>()).merge(c.share.issuer.id, c.points, Long::sum));
        }
      });
    }
    return byLot;
  }

  /**
   * New charges for the points of {@code charges} (in order) after the first {@code from} and up to
   * the {@code to}th.
   */
  private static java.util.List<Charge> slice(java.util.List<Charge> charges, long from, long to) {
    java.util.List<Charge> part = new ArrayList<>();
    long position = 0;
    for (Charge c : charges) {
      long start = Math.max(position, from);
      long end = Math.min(position + c.points, to);
      if (end > start) {
        part.add(new Charge(c.share, end - start));
      }
      position += c.points;
    }
    return part;
  }

  /** Whether an entry takes back a credit's points: a refund's reversal of an award, or a reversal by hand. */
  private static boolean reversesACredit(Entry e) {
    return e.kind() == EntryKind.REVERSAL && e.points().isNegative() && e.reference().isDefined();
  }

  /**
   * The first {@code n} points a debit took, as a debit of their own: their movements and, lot by
   * lot, the charges of the first shares they came from, which leave the debit's charges (those left
   * are the charges of the points after them). Returning them all, {@link #giveBack} gives back
   * these shares, not the last ones the debit took.
   */
  private static Debit firstPart(Debit debit, long n) {
    List<LotMovement> part = first(debit.taken, n);
    Map<EntryId, ArrayDeque<Charge>> charges = debit.charges == null ? null : new HashMap<>();
    if (charges != null) {
      for (LotMovement m : part) {
        ArrayDeque<Charge> queue = debit.charges.get(m.lot());
        if (queue != null) {
          java.util.List<Charge> taken = new ArrayList<>();
          drain(queue, -m.points().value(), true, taken);
          charges.computeIfAbsent(m.lot(), id -> new ArrayDeque<>()).addAll(taken);
        }
      }
    }
    return new Debit(debit.flow, part, debit.takenAt, charges);
  }

  /** The movements of the first {@code n} points taken. */
  private static List<LotMovement> first(List<LotMovement> taken, long n) {
    return split(taken, n, true);
  }

  /** The movements of the points taken after the first {@code n}. */
  private static List<LotMovement> rest(List<LotMovement> taken, long n) {
    return split(taken, n, false);
  }

  private static List<LotMovement> split(List<LotMovement> taken, long n, boolean first) {
    java.util.List<LotMovement> part = new ArrayList<>();
    long left = n;
    for (LotMovement m : taken) {
      long took = -m.points().value();
      long head = Math.min(left, took);
      left -= head;
      long p = first ? head : took - head;
      if (p > 0) {
        part.add(new LotMovement(m.lot(), io.github.loyaltyledger.ledger.Points.of(-p)));
      }
    }
    return List.ofAll(part);
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
        take(lot, repaid, Outflow.OTHER, null, Option.none());
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

  /**
   * The points debits took from grace lots and have not given back (open holds, redemptions and
   * captures not cancelled, negative adjustments not reversed), per debit, grace lot and lot that
   * issued them: points given back to a grace lot are still their issuer's, and a debit of them took
   * that issuer's points. A captured hold's points are its capture's.
   */
  Map<EntryId, Map<EntryId, Map<EntryId, Long>>> takenFromGraceLots() {
    Map<EntryId, Map<EntryId, Map<EntryId, Long>>> taken = new HashMap<>();
    debits.forEach((id, debit) -> {
      if (debit.charges != null && !debit.taken.isEmpty() && (openHolds.containsKey(id) || !holds.contains(id))) {
        debit.charges.forEach((lot, charges) -> {
          if (lots.containsKey(lot) && lots.get(lot).grace) {
            charges.forEach(c -> taken.computeIfAbsent(id, d -> new HashMap<>()).computeIfAbsent(lot, l -> new HashMap<>())
                .merge(c.share.issuer.id, c.points, Long::sum));
          }
        });
      }
    });
    return taken;
  }
}
