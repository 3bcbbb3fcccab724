package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.AccountChange;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import io.vavr.collection.List;
import io.vavr.collection.Seq;
import io.vavr.collection.SortedMap;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The working copy of one account while a request is planned: it applies credits, debits and
 * lot movements to the running state and seals the entries that record them. Nothing is stored
 * until the facade commits {@link #change()}. One instance per account per attempt; not
 * thread-safe.
 *
 * <p>The lots stay in the persistent {@link Vector} the account holds them in, changed in place
 * of a copy: adding the newest lot appends it, and taking points from the first lots drops them,
 * so a credit or an earn costs the same whatever a member's live lots (scanning them by id, for
 * holds and refunds, and the daily run's expiry and vesting still visit them all).
 *
 * <p>Invariants kept: {@code available + pending + held} equals the sum of the entries; the
 * remaining points of non-pending lots add up to {@code max(available, 0)}; those of pending lots
 * add up to {@code pending}; held points are in no lot (the {@code HOLD} entries' movements took
 * them out, and their resolution puts back what is not captured).
 */
final class Books {

  private final Account start;
  private final LoyaltyProgram program;
  private final Instant now;
  private Vector<Lot> lots;
  private final java.util.List<Entry> written = new ArrayList<>();
  private Member member;
  private Points available;
  private Points pending;
  private Points held;
  private long sequence;
  private String lastHash;
  /** What the last {@link #restore} or {@link #giveBack} gave to a deficit instead of lots (see {@link #lastRepaid}). */
  private List<LotMovement> lastRepaid = List.empty();
  /** The member's stored {@code REVERSAL} entries (at least those forgiving), once {@link #storedReversals} read them. */
  private Option<List<Entry>> storedReversals = Option.none();

  Books(Account account, LoyaltyProgram program, Instant now) {
    this.start = account;
    this.program = program;
    this.now = now;
    this.member = account.member();
    this.lots = Vector.ofAll(account.lots());
    this.available = account.balance().available();
    this.pending = account.balance().pending();
    this.held = account.balance().held();
    this.sequence = account.lastSequence();
    this.lastHash = account.lastHash();
  }

  Member member() {
    return member;
  }

  void member(Member changed) {
    this.member = changed;
  }

  Points available() {
    return available;
  }

  Points total() {
    return available.plus(pending).plus(held);
  }

  Balance balance() {
    return new Balance(available, pending, held);
  }

  Seq<Lot> lots() {
    return lots;
  }

  /** @return true if crediting {@code points} keeps every running figure within a long */
  boolean canCredit(Points points) {
    return canCredit(available, pending, total(), points);
  }

  /**
   * Whether a balance takes these points credited, available or pending: what {@link
   * #canCredit(Points)} answers for books opened on an account of that balance, for a quote, which
   * opens none.
   */
  static boolean canCredit(Balance balance, Points points) {
    return canCredit(balance.available(), balance.pending(), balance.total(), points);
  }

  private static boolean canCredit(Points available, Points pending, Points total, Points points) {
    return total.canAdd(points) && available.canAdd(points) && pending.canAdd(points);
  }

  EntryId nextId() {
    return EntryId.of(member.id(), sequence + 1);
  }

  EntryDraft draft(EntryKind kind, Points points, Instant occurredAt, Channel channel, IdempotencyKey key, String reason) {
    return EntryDraft.of(nextId(), kind, points, occurredAt, now, channel, key, reason, program.version());
  }

  /**
   * The draft of an entry that credits a new lot ({@link #addLot}, when the points are positive),
   * made with all its fields at once: an earn or credit built it field by field, as five drafts of
   * which four were thrown away, on every posting.
   */
  EntryDraft crediting(EntryKind kind, Points points, Instant occurredAt, Channel channel, IdempotencyKey key,
      String reason, List<String> ruleIds, SortedMap<String, String> details, Option<Instant> expiresAt,
      Option<Instant> vestsAt) {
    EntryId id = nextId();
    List<LotMovement> movements = points.isPositive() ? addLot(points, occurredAt, expiresAt, vestsAt) : List.empty();
    return new EntryDraft(id, kind, points, movements, occurredAt, now, channel, key, reason, program.version(),
        ruleIds, Option.none(), Option.none(), Option.none(), expiresAt, vestsAt, details);
  }

  Entry post(EntryDraft draft) {
    Entry entry = Entry.seal(draft, lastHash);
    sequence = entry.sequence();
    lastHash = entry.hash();
    written.add(entry);
    return entry;
  }

  /**
   * Credits a new lot identified by the next entry id. Non-pending points first repay a deficit
   * (negative available balance); only what is left stays in the lot.
   */
  List<LotMovement> addLot(Points points, Instant earnedAt, Option<Instant> expiresAt, Option<Instant> vestsAt) {
    EntryId id = nextId();
    boolean isPending = vestsAt.isDefined() && vestsAt.get().isAfter(now);
    if (isPending) {
      insert(new Lot(id, points, points, earnedAt, expiresAt, vestsAt, true));
      pending = pending.plus(points);
      return List.of(new LotMovement(id, points));
    }
    Points repaid = deficit().min(points);
    Points kept = points.minus(repaid);
    available = available.plus(points);
    if (!kept.isPositive()) {
      return List.empty();
    }
    insert(new Lot(id, points, kept, earnedAt, expiresAt, vestsAt, false));
    return List.of(new LotMovement(id, kept));
  }

  Points deficit() {
    return available.isNegative() ? available.negated() : Points.ZERO;
  }

  /** Takes {@code amount} (at most the positive available balance) from vested lots in consumption order. */
  List<LotMovement> takeAvailable(Points amount) {
    if (amount.isGreaterThan(available.max(Points.ZERO))) {
      throw new IllegalStateException("cannot take " + amount + " from " + available + " available");
    }
    java.util.List<LotMovement> moved = new ArrayList<>();
    // The lots before the first one left untouched: the pending ones skipped, and the last one
    // taken from if points remain in it; the others were emptied.
    java.util.List<Lot> kept = new ArrayList<>();
    Points left = amount;
    int i = 0;
    for (; i < lots.size() && left.isPositive(); i++) {
      Lot lot = lots.get(i);
      if (lot.pending()) {
        kept.add(lot);
        continue;
      }
      Points take = lot.remaining().min(left);
      left = left.minus(take);
      moved.add(new LotMovement(lot.id(), take.negated()));
      if (lot.remaining().isGreaterThan(take)) {
        kept.add(lot.withRemaining(lot.remaining().minus(take)));
      }
    }
    lots = lots.drop(i).prependAll(kept);
    available = available.minus(amount);
    return List.ofAll(moved);
  }

  /**
   * The points that {@link #takeAvailable}{@code (amount)} would take, per expiry of the lots they
   * would come from (none: lots that never expire), in the order it would take them. Lots of one
   * expiry sit together in consumption order, so each expiry appears once.
   */
  List<Tuple2<Option<Instant>, Points>> availableByExpiry(Points amount) {
    java.util.List<Tuple2<Option<Instant>, Points>> parts = new ArrayList<>();
    Points left = amount;
    for (int i = 0; i < lots.size() && left.isPositive(); i++) {
      Lot lot = lots.get(i);
      if (lot.pending()) {
        continue;
      }
      Points take = lot.remaining().min(left);
      left = left.minus(take);
      int last = parts.size() - 1;
      if (last >= 0 && parts.get(last)._1.equals(lot.expiresAt())) {
        parts.set(last, Tuple.of(lot.expiresAt(), parts.get(last)._2.plus(take)));
      } else {
        parts.add(Tuple.of(lot.expiresAt(), take));
      }
    }
    return List.ofAll(parts);
  }

  /** Takes up to {@code max} points from one lot, pending or not; none if the lot is gone. */
  Option<LotMovement> takeFromLot(EntryId lotId, Points max) {
    for (int i = 0; i < lots.size(); i++) {
      Lot lot = lots.get(i);
      if (lot.id().equals(lotId)) {
        Points take = lot.remaining().min(max);
        if (take.isZero()) {
          return Option.none();
        }
        if (lot.pending()) {
          pending = pending.minus(take);
        } else {
          available = available.minus(take);
        }
        lots = lot.remaining().isGreaterThan(take) ? lots.update(i, lot.withRemaining(lot.remaining().minus(take)))
            : lots.removeAt(i);
        return Option.some(new LotMovement(lotId, take.negated()));
      }
    }
    return Option.none();
  }

  /** Lowers the available balance below what lots cover (a clawback under ALLOW_NEGATIVE). */
  /**
   * @return true if taking {@code amount} (positive) below zero keeps the available balance and
   *     the total above {@code Long.MIN_VALUE}, so that every running figure can still be negated
   */
  boolean canOverdraw(Points amount) {
    Points floor = Points.of(Long.MIN_VALUE + amount.value());
    return available.isGreaterThan(floor) && total().isGreaterThan(floor);
  }

  void overdraw(Points amount) {
    available = available.minus(amount);
  }

  /**
   * Gives back points that a debit took, to the lots they came from. A lot no longer held (spent
   * to zero) is rebuilt from the credit entry that created it. A deficit is repaid first.
   */
  List<LotMovement> restore(List<LotMovement> taken, Function<EntryId, Option<Entry>> credits) {
    Points total = taken.map(m -> m.points().negated()).foldLeft(Points.ZERO, Points::plus);
    Points repay = deficit().min(total);
    available = available.plus(total);
    java.util.List<LotMovement> restored = new ArrayList<>();
    java.util.List<LotMovement> repaid = new ArrayList<>();
    for (LotMovement m : taken) {
      Points back = m.points().negated();
      Points skip = repay.min(back);
      repay = repay.minus(skip);
      back = back.minus(skip);
      if (skip.isPositive()) {
        repaid.add(new LotMovement(m.lot(), skip));
      }
      if (!back.isPositive()) {
        continue;
      }
      restored.add(new LotMovement(m.lot(), back));
      int at = indexOf(m.lot());
      if (at >= 0) {
        Lot lot = lots.get(at);
        lots = lots.update(at, lot.withRemaining(lot.remaining().plus(back)));
      } else {
        Entry credit = credits.apply(m.lot()).getOrElseThrow(
            () -> new IllegalStateException("lot " + m.lot() + " has no credit entry"));
        insert(new Lot(m.lot(), lotOriginal(credit), back, credit.occurredAt(), credit.expiresAt(), credit.vestsAt(), false));
      }
    }
    lastRepaid = List.ofAll(repaid);
    return List.ofAll(restored);
  }

  /**
   * The points of each lot that the last {@link #restore} (or {@link #giveBack}) gave to a deficit
   * instead of the lot: positive, per lot, in the order given.
   */
  List<LotMovement> lastRepaid() {
    return lastRepaid;
  }

  /** Removes what is left in lots expired at {@code asOf}. */
  List<LotMovement> expire(Instant asOf) {
    return expireWhere(lot -> lot.isExpiredAt(asOf));
  }

  /** Expires what is left of the lots that match, pending or not (inactivity expires them all). */
  List<LotMovement> expireWhere(java.util.function.Predicate<Lot> due) {
    java.util.List<LotMovement> moved = new ArrayList<>();
    for (Lot lot : lots) {
      if (due.test(lot)) {
        moved.add(new LotMovement(lot.id(), lot.remaining().negated()));
        if (lot.pending()) {
          pending = pending.minus(lot.remaining());
        } else {
          available = available.minus(lot.remaining());
        }
      }
    }
    if (!moved.isEmpty()) {
      lots = lots.reject(due);
    }
    return List.ofAll(moved);
  }

  /**
   * Makes pending lots whose vesting instant is at or before {@code asOf} available; they repay
   * a deficit first. The movements list the points vested per lot.
   */
  List<LotMovement> vest(Instant asOf) {
    java.util.List<LotMovement> moved = new ArrayList<>();
    // Whether a lot vested wholly into a deficit, leaving nothing in it.
    boolean emptied = false;
    for (int i = 0; i < lots.size(); i++) {
      Lot lot = lots.get(i);
      if (lot.pending() && lot.vestsAt().exists(v -> !v.isAfter(asOf))) {
        moved.add(new LotMovement(lot.id(), lot.remaining()));
        Points repaid = deficit().min(lot.remaining());
        pending = pending.minus(lot.remaining());
        available = available.plus(lot.remaining());
        lots = lots.update(i, lot.vested().withRemaining(lot.remaining().minus(repaid)));
        emptied |= repaid.equals(lot.remaining());
      }
    }
    if (emptied) {
      lots = lots.reject(l -> l.remaining().isZero());
    }
    return List.ofAll(moved);
  }

  // ---------------------------------------------------------------- holds

  /**
   * Moves {@code amount} available points into held, taking them from lots in consumption order;
   * the movements are the {@code HOLD} entry's.
   */
  List<LotMovement> hold(Points amount) {
    List<LotMovement> taken = takeAvailable(amount);
    held = held.plus(amount);
    return taken;
  }

  /**
   * Resolves an open {@code HOLD} entry: its points leave the held balance, and {@code back}, the
   * movements of those it took that are not captured (see {@link #split}), are given back (see
   * {@link #giveBack}). Returns the movements of the points given back.
   */
  List<LotMovement> unhold(Entry hold, List<Taken> back, Function<EntryId, Option<Entry>> credits, Option<Duration> grace) {
    return unhold(hold, back, credits, grace, now);
  }

  /**
   * {@link #unhold} of a hold whose points were kept from the member until {@code heldUntil} (not
   * after {@code now}; a hold that timed out, released by the daily run hours later, held them
   * until it lapsed): a lot that expired after that gives them no grace, or whether they expired
   * would depend on the hour of the run.
   */
  List<LotMovement> unhold(Entry hold, List<Taken> back, Function<EntryId, Option<Entry>> credits, Option<Duration> grace,
      Instant heldUntil) {
    held = held.minus(heldBy(hold));
    return giveBack(back, credits, grace, heldUntil);
  }

  /** The points a {@code HOLD} entry holds: what its movements took. */
  static Points heldBy(Entry hold) {
    return hold.movements().map(LotMovement::points).foldLeft(Points.ZERO, Points::minus);
  }

  /** Splits movements that took points into those of the first {@code n} points taken and the rest. */
  static Tuple2<List<LotMovement>, List<LotMovement>> split(List<LotMovement> taken, Points n) {
    java.util.List<LotMovement> first = new ArrayList<>();
    java.util.List<LotMovement> rest = new ArrayList<>();
    Points left = n;
    for (LotMovement m : taken) {
      Points part = left.min(m.points().negated());
      left = left.minus(part);
      if (part.isPositive()) {
        first.add(new LotMovement(m.lot(), part.negated()));
      }
      if (m.points().negated().isGreaterThan(part)) {
        rest.add(new LotMovement(m.lot(), m.points().plus(part)));
      }
    }
    return Tuple.of(List.ofAll(first), List.ofAll(rest));
  }

  /**
   * Points taken from a lot ({@code movement}, negative) and when they were taken ({@code at}): by
   * the debit that a return undoes, or, for points a return moves to other lots, by the reversal
   * that took those in their place. {@code repays}: points of a reversed credit that go to the
   * deficit its reversal overdrew, listed first, whether or not its lot expired meanwhile.
   */
  record Taken(LotMovement movement, Instant at, boolean repays) {

    /** Points taken that go back to their lot (or a grace lot). */
    Taken(LotMovement movement, Instant at) {
      this(movement, at, false);
    }

    /** The movements of the points taken after the first {@code from} and up to the {@code to}th. */
    static List<Taken> between(List<Taken> taken, long from, long to) {
      java.util.List<Taken> part = new ArrayList<>();
      long position = 0;
      for (Taken t : taken) {
        long took = t.movement().points().negated().value();
        long start = Math.max(position, from);
        long end = Math.min(position + took, to);
        if (end > start) {
          part.add(new Taken(new LotMovement(t.movement().lot(), Points.of(start - end)), t.at()));
        }
        position += took;
      }
      return List.ofAll(part);
    }
  }

  /**
   * Gives back points that {@code taken} took from lots, each at its instant. Points go back to their
   * lots, except, with a grace period, those of lots that expired since they were taken: these go
   * to a new lot identified by the next entry, expiring at {@code now + grace} ({@link #graceEnd}). (Points taken from a
   * lot already expired when they were taken get no grace: that would let a hold and a void extend
   * an expiry. Nor do points of a grace lot: a hold before it expires and a void after would
   * otherwise give them grace after grace, and they would never expire.) Without a grace period, {@link #expireReturned} expires what went back to expired
   * lots in the same request.
   */
  List<LotMovement> giveBack(List<Taken> taken, Function<EntryId, Option<Entry>> credits, Option<Duration> grace) {
    return giveBack(taken, credits, grace, now);
  }

  /**
   * {@link #giveBack} of points kept from the member until {@code heldUntil} (not after {@code now}):
   * only a lot that expired by then gives them grace; those of a lot that expired since go back to
   * it without grace, as points of a lot expired when taken do.
   */
  private List<LotMovement> giveBack(List<Taken> taken, Function<EntryId, Option<Entry>> credits, Option<Duration> grace,
      Instant heldUntil) {
    if (grace.isEmpty()) {
      return restore(taken.map(Taken::movement), credits);
    }
    Tuple2<List<Taken>, List<Taken>> expired = taken.partition(t -> !t.repays() && lotExpiry(t.movement().lot(), credits)
        .exists(e -> e.isAfter(t.at()) && !e.isAfter(heldUntil)) && !isGraceLot(t.movement().lot(), credits));
    List<LotMovement> restored = restore(expired._2.map(Taken::movement), credits);
    Points late = expired._1.map(t -> t.movement().points().negated()).foldLeft(Points.ZERO, Points::plus);
    // The grace lot repays a deficit first: those points, too, went to it instead of their lots.
    Points repay = deficit().min(late);
    for (Taken t : expired._1) {
      Points skip = repay.min(t.movement().points().negated());
      repay = repay.minus(skip);
      if (skip.isPositive()) {
        lastRepaid = lastRepaid.append(new LotMovement(t.movement().lot(), skip));
      }
    }
    return late.isPositive()
        ? restored.appendAll(addLot(late, now, Option.some(graceEnd(grace.get())), Option.none()))
        : restored;
  }

  /**
   * When a grace lot created now expires: after the grace period, or at the last supported instant
   * if the period reaches past it (a grace of {@code ChronoUnit.FOREVER} would not even be an
   * {@link Instant}).
   */
  Instant graceEnd(Duration grace) {
    return grace.compareTo(Duration.between(now, SupportedInstants.LATEST)) > 0 ? SupportedInstants.LATEST : now.plus(grace);
  }

  /**
   * Expires what was just given back ({@code returned}) to lots that are already expired (see
   * {@link #giveBack}): those points only. What else is left in such a lot stays for the expiry run,
   * as it would have without the return: giving points back must not take the member's others.
   */
  List<LotMovement> expireReturned(List<LotMovement> returned) {
    java.util.Map<EntryId, Points> back = new java.util.LinkedHashMap<>();
    returned.forEach(m -> back.merge(m.lot(), m.points(), Points::plus));
    java.util.List<LotMovement> moved = new ArrayList<>();
    for (java.util.Map.Entry<EntryId, Points> lot : back.entrySet()) {
      int at = indexOf(lot.getKey());
      if (at >= 0 && lots.get(at).isExpiredAt(now)) {
        takeFromLot(lot.getKey(), lot.getValue()).forEach(moved::add);
      }
    }
    return List.ofAll(moved);
  }

  /** Whether a lot is a grace lot: one that an entry giving points back created, not a credit. */
  private static boolean isGraceLot(EntryId lotId, Function<EntryId, Option<Entry>> credits) {
    return credits.apply(lotId).exists(creator -> !creator.kind().createsLot());
  }

  private Option<Instant> lotExpiry(EntryId lotId, Function<EntryId, Option<Entry>> credits) {
    int at = indexOf(lotId);
    return at >= 0 ? lots.get(at).expiresAt() : credits.apply(lotId).flatMap(Entry::expiresAt);
  }

  /** The points a lot was created with: a credit's points, or what another entry put in its own new lot. */
  private static Points lotOriginal(Entry creator) {
    return creator.kind().createsLot()
        ? creator.points()
        : creator.movements().find(m -> m.lot().equals(creator.id())).map(LotMovement::points).getOrElse(creator.points());
  }

  /** Empties every lot and brings the total to zero (closing an account). */
  List<LotMovement> forfeitAll() {
    List<LotMovement> moved = List.ofAll(lots).map(l -> new LotMovement(l.id(), l.remaining().negated()));
    lots = Vector.empty();
    available = Points.ZERO;
    pending = Points.ZERO;
    return moved;
  }

  boolean changed() {
    return !written.isEmpty() || !member.equals(start.member());
  }

  List<Entry> written() {
    return List.ofAll(written);
  }

  /** The account these books were opened on, as the attempt read it. */
  Account opened() {
    return start;
  }

  /**
   * The member's stored {@code REVERSAL} entries, or at least those that forgave or settled points
   * under {@code CLAMP} (what the facade's kept tier facts hold), read with {@code read} the first
   * time and kept for the rest of the attempt: what the store holds does not change under it (the commit is refused if
   * another commit changed the account), and what the request writes is in {@link #written()}. A
   * return reads them before and after it gives points back, and a daily run once per hold it
   * releases: on a database, a query per page of them each time.
   */
  List<Entry> storedReversals(java.util.function.Supplier<List<Entry>> read) {
    if (storedReversals.isEmpty()) {
      storedReversals = Option.some(read.get());
    }
    return storedReversals.get();
  }

  Account account() {
    return new Account(member, start.version() + 1, sequence, lastHash, balance(), lots());
  }

  AccountChange change() {
    return new AccountChange(start.version(), account(), written());
  }

  /**
   * Inserts in consumption order. A new lot usually goes last (the newest, without expiry or with
   * the latest), an append; otherwise where the vector's binary search puts it.
   */
  private void insert(Lot lot) {
    if (lots.isEmpty() || Lot.CONSUMPTION_ORDER.compare(lots.last(), lot) < 0) {
      lots = lots.append(lot);
      return;
    }
    int at = lots.search(lot, Lot.CONSUMPTION_ORDER);
    lots = lots.insert(at < 0 ? -at - 1 : at, lot);
  }

  private int indexOf(EntryId lotId) {
    for (int i = 0; i < lots.size(); i++) {
      if (lots.get(i).id().equals(lotId)) {
        return i;
      }
    }
    return -1;
  }
}
