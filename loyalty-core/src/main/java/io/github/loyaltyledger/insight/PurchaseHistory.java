package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.vavr.control.Option;
import java.time.Instant;

/**
 * One member's purchases up to an instant, read from the qualifying activity the earning engine
 * records on its entries: the last purchase, the number of purchases (visits, net of full refunds)
 * and the spend in minor units (net of refunds).
 */
final class PurchaseHistory {

  Instant last;
  long purchases;
  long spendMinor;

  static PurchaseHistory of(LedgerStore store, MemberId member, Instant at) {
    PurchaseHistory h = new PurchaseHistory();
    LotReplay.forEachEntry(store, member, e -> {
      if (!e.recordedAt().isAfter(at) && !e.occurredAt().isAfter(at)) {
        h.add(e);
      }
    });
    return h;
  }

  private void add(Entry e) {
    long visit = number(e, QualifyingActivity.VISIT);
    purchases += visit;
    spendMinor += number(e, QualifyingActivity.SPEND);
    if (visit > 0 && (last == null || e.occurredAt().isAfter(last))) {
      last = e.occurredAt();
    }
  }

  Option<Instant> lastPurchase() {
    return purchases > 0 ? Option.of(last) : Option.none();
  }

  private static long number(Entry e, String key) {
    return e.details().get(key).map(Long::parseLong).getOrElse(0L);
  }
}
