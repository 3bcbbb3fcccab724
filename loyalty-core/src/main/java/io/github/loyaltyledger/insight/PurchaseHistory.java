package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One member's purchases up to an instant, read from the qualifying activity the earning engine
 * records on its entries: the last purchase not wholly returned, the number of purchases (visits,
 * net of full refunds) and the spend in minor units (net of refunds).
 *
 * <p>A refund carries the negated activity it takes back. A return through {@code Loyalty.reverse}
 * writes a {@code REVERSAL} without qualifying keys: it takes back the whole activity of the entry
 * it references, as the tier engine counts it. Either takes back only activity counted up to the
 * instant: when nodes' clocks disagree, a refund recorded "earlier" than its purchase counts with it.
 *
 * <p>The sums are exact: a program without a tier ladder bounds no member's qualifying spend, and a
 * spend (or a number of purchases) beyond what a {@code long} counts fails with an
 * {@link ArithmeticException} rather than wrap around into a wrong figure.
 */
final class PurchaseHistory {

  /** A purchase's visits, and how many of them are not taken back yet. */
  private static final class Purchase {
    final Instant at;
    final long visits;
    final long spend;
    long visitsLeft;

    Purchase(Instant at, long visits, long spend) {
      this.at = at;
      this.visits = visits;
      this.spend = spend;
      this.visitsLeft = visits;
    }
  }

  /**
   * The entries counted that carry qualifying activity, those a return may take back: a purchase,
   * and any other entry with qualifying keys (a credit may record spend without a visit), whose
   * reversal takes back what it recorded, as the tier engine's does.
   */
  private final Map<EntryId, Purchase> bought = new HashMap<>();
  private final MemberId member;
  long purchases;
  long spendMinor;

  private PurchaseHistory(MemberId member) {
    this.member = member;
  }

  /**
   * Reads a member's purchases up to an instant.
   *
   * @throws ArithmeticException if their spend, or their number of purchases, is beyond what a
   *     {@code long} counts
   */
  static PurchaseHistory of(LedgerStore store, MemberId member, Instant at) {
    PurchaseHistory h = new PurchaseHistory(member);
    LotReplay.forEachEntry(store, member, e -> {
      if (!e.recordedAt().isAfter(at) && !e.occurredAt().isAfter(at)) {
        h.add(e);
      }
    });
    return h;
  }

  private void add(Entry e) {
    if (e.kind() == EntryKind.REVERSAL && e.reference().exists(r -> !bought.containsKey(r))) {
      // A return takes back only activity counted here: with nodes whose clocks disagree, a refund
      // may be recorded (or occur) "before" its purchase, and it cannot take back what is not counted.
      return;
    }
    Purchase referenced = e.kind() == EntryKind.REVERSAL ? e.reference().map(bought::get).getOrNull() : null;
    long visit;
    long spend;
    if (e.kind() == EntryKind.REVERSAL && !QualifyingActivity.isRecordedOn(e)) {
      visit = referenced == null ? 0 : -referenced.visits;
      spend = referenced == null ? 0 : -referenced.spend;
    } else {
      visit = number(e, QualifyingActivity.VISIT);
      spend = number(e, QualifyingActivity.SPEND);
    }
    purchases = sum(purchases, visit, "number of purchases");
    spendMinor = sum(spendMinor, spend, "spend (in minor units)");
    if (referenced != null) {
      referenced.visitsLeft += visit;
    } else if (e.kind() != EntryKind.REVERSAL && QualifyingActivity.isRecordedOn(e)) {
      bought.put(e.id(), new Purchase(e.occurredAt(), visit, spend));
    }
  }

  /** @return when the newest purchase not wholly returned occurred, none without one */
  Option<Instant> lastPurchase() {
    if (purchases <= 0) {
      return Option.none();
    }
    Instant last = null;
    for (Purchase p : bought.values()) {
      if (p.visitsLeft > 0 && (last == null || p.at.isAfter(last))) {
        last = p.at;
      }
    }
    return Option.of(last);
  }

  /**
   * A sum of the member's purchases, exact: a report never shows a figure that wrapped around.
   *
   * @throws ArithmeticException if the sum is beyond what a {@code long} counts
   */
  private long sum(long total, long more, String figure) {
    try {
      return Math.addExact(total, more);
    } catch (ArithmeticException e) {
      throw new ArithmeticException("Member " + member + "'s " + figure + " is beyond what a report counts ("
          + Long.MAX_VALUE + "); no RFM figures can be reported for them");
    }
  }

  private static long number(Entry e, String key) {
    return e.details().get(key).map(Long::parseLong).getOrElse(0L);
  }
}
