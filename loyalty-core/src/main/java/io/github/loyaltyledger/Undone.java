package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.vavr.control.Option;
import java.util.HashMap;
import java.util.Map;

/**
 * How much of each reversible entry of one member's chain its {@code REVERSAL}s undid, counted from
 * the entries alone, in sequence order, for {@link Loyalty#verify}: no entry may be undone beyond
 * its own points. The facade refuses a second reversal through the store's index of referencing
 * entries, which lies outside the chain; this is the chain's own witness that the index kept it.
 *
 * <p>A reversal of a debit (a {@code REDEEM}, a {@code CAPTURE}, or an {@code ADJUST} that took
 * points) undoes the points it gives back (a payment's partial returns add up; one worth less than a
 * point gives back none). A reversal of a credit (or a refund of an award) undoes
 * the points it took back, those it forgave under {@code CLAMP} ({@code shortfall}) and those it
 * spared because they expired unused ({@code expired}, {@code refund.expired}); a settlement of what
 * was forgiven ({@code forgiven.settled}) takes points back for a shortfall already counted, so it
 * undoes nothing more. Likewise a {@code HOLD} is resolved at most once: the facade finds a hold's
 * {@code CAPTURE} or {@code RELEASE} through the same index, so with a row removed it would capture or
 * release the hold again. Memory: one counter per reversible entry and one slot per hold.
 */
final class Undone {

  /** Per reversible entry: its points (as a positive number) and how many of them reversals undid. */
  private final Map<EntryId, long[]> undoable = new HashMap<>();

  /** Per hold: the entry that resolved it, none while it is open. */
  private final Map<EntryId, Option<EntryId>> holds = new HashMap<>();

  /**
   * Counts {@code e}: remembers a reversible entry or a hold, adds what a reversal undoes to its
   * original, or marks the hold a capture or release resolves.
   *
   * @return a description of the excess if {@code e} undoes its original beyond the original's points,
   *     or of the second resolution if {@code e} resolves a hold already resolved
   * @throws ArithmeticException if forged points or details take a sum beyond a long
   * @throws NumberFormatException if a forged detail is not a number
   */
  Option<String> apply(Entry e) {
    EntryKind kind = e.kind();
    if (kind == EntryKind.EARN || kind == EntryKind.BONUS || kind == EntryKind.REDEEM || kind == EntryKind.ADJUST) {
      undoable.put(e.id(), new long[] {Math.absExact(e.points().value()), 0});
      return Option.none();
    }
    if (kind == EntryKind.HOLD) {
      holds.put(e.id(), Option.none());
      return Option.none();
    }
    if ((kind == EntryKind.CAPTURE || kind == EntryKind.RELEASE) && e.reference().isDefined()) {
      if (kind == EntryKind.CAPTURE) {
        // A capture spent the points as a redemption does: its cancellations give them back.
        undoable.put(e.id(), new long[] {Math.absExact(e.points().value()), 0});
      }
      return resolve(e.reference().get(), e.id());
    }
    if (kind != EntryKind.REVERSAL || e.reference().isEmpty()) {
      return Option.none();
    }
    long[] original = undoable.get(e.reference().get());
    if (original == null) {
      return Option.none();
    }
    long undoes = e.points().isPositive() ? e.points().value()
        : Math.addExact(Math.addExact(Math.subtractExact(Math.negateExact(e.points().value()),
            detail(e, Loyalty.FORGIVEN_SETTLED)), detail(e, Loyalty.SHORTFALL)),
            Math.addExact(detail(e, Loyalty.EXPIRED), detail(e, Loyalty.REFUND_EXPIRED)));
    original[1] = Math.addExact(original[1], undoes);
    if (original[1] <= original[0]) {
      return Option.none();
    }
    return Option.some("with the reversals before it, it undoes " + original[1] + " points of entry "
        + e.reference().get() + ", which has only " + original[0] + ": that entry was reversed more than its points"
        + " allow (the store's index of reversals, which refuses a second one, was changed)");
  }

  /** Marks {@code hold} resolved by {@code resolution}, or describes the second resolution. */
  private Option<String> resolve(EntryId hold, EntryId resolution) {
    Option<EntryId> before = holds.get(hold);
    if (before == null || before.isEmpty()) {
      holds.put(hold, Option.some(resolution));
      return Option.none();
    }
    return Option.some("it resolves hold " + hold + ", which entry " + before.get() + " already resolved: a hold is"
        + " captured or released once (the store's index of entries that reference another, which refuses a"
        + " second resolution, was changed)");
  }

  private static long detail(Entry e, String key) {
    return Long.parseLong(e.details().get(key).getOrElse("0"));
  }
}
