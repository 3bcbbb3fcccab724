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
 * vested; available is the rest. Used for balances as of a past instant.
 */
final class Replay {

  private final Map<EntryId, Points> pendingLots = new HashMap<>();
  private Points total = Points.ZERO;

  void apply(Entry e) {
    total = total.plus(e.points());
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

  Balance balance() {
    Points pending = pendingLots.values().stream().reduce(Points.ZERO, Points::plus);
    return new Balance(total.minus(pending), pending, Points.ZERO);
  }
}
