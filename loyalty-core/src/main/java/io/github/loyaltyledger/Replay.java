package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import java.util.HashMap;
import java.util.Map;

/**
 * Rebuilds a balance from entries alone, in sequence order: the total is the sum of the entries;
 * pending is what remains in lots created pending (vesting after they were recorded) and not yet
 * vested; held is the sum of the open holds ({@code HOLD} entries, zero points, holding the points
 * their movements took, until a {@code CAPTURE} or {@code RELEASE} references them); available is
 * the rest. Used for balances as of a past instant.
 */
final class Replay {

  private final Map<EntryId, Points> pendingLots = new HashMap<>();
  private final Map<EntryId, Points> openHolds = new HashMap<>();
  private Points total = Points.ZERO;

  void apply(Entry e) {
    total = total.plus(e.points());
    if (e.kind() == EntryKind.HOLD) {
      openHolds.put(e.id(), e.movements().map(LotMovement::points).foldLeft(Points.ZERO, Points::minus));
    } else if (e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE) {
      e.reference().forEach(openHolds::remove);
    }
    boolean createsPendingLot = e.kind().createsLot() && e.points().isPositive()
        && e.vestsAt().exists(v -> v.isAfter(e.recordedAt()));
    for (LotMovement m : e.movements()) {
      if (e.kind() == EntryKind.VEST) {
        pendingLots.remove(m.lot());
      } else if (createsPendingLot && m.lot().equals(e.id())) {
        pendingLots.put(m.lot(), m.points());
      } else {
        pendingLots.computeIfPresent(m.lot(), (lot, left) -> {
          Points after = left.plus(m.points());
          return after.isZero() ? null : after;
        });
      }
    }
  }

  /** Whether the entries applied leave the lot {@code lot} pending (created pending, not vested, not emptied). */
  boolean isPending(EntryId lot) {
    return pendingLots.containsKey(lot);
  }

  Balance balance() {
    Points pending = pendingLots.values().stream().reduce(Points.ZERO, Points::plus);
    Points held = openHolds.values().stream().reduce(Points.ZERO, Points::plus);
    return new Balance(total.minus(pending).minus(held), pending, held);
  }
}
