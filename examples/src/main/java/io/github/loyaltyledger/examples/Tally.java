package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.event.LoyaltyEventListener;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.collection.LinkedHashMap;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows the programme through the facade's events, so that the simulation never reads the
 * ledger to learn what it just wrote: each member's available points and tier, and the points
 * issued, redeemed, expired and otherwise taken back in each month (by the month an entry was
 * recorded in). Every entry's points land in exactly one of the four flows, so their balance is the
 * points outstanding. Thread-safe: the simulation's lanes commit at the same time; a member's own
 * figures come from that member's lane, and the flows are sums, the same in any order.
 */
final class Tally implements LoyaltyEventListener {

  /** The points of one month, each flow as a positive number of points. */
  record MonthFlow(YearMonth month, long issued, long redeemed, long expired, long adjusted) {
    MonthFlow plus(MonthFlow other) {
      return new MonthFlow(month, issued + other.issued, redeemed + other.redeemed, expired + other.expired,
          adjusted + other.adjusted);
    }

    long net() {
      return issued - redeemed - expired - adjusted;
    }
  }

  private final ZoneId zone;
  private final String baseTier;
  private final Map<MemberId, Long> available = new ConcurrentHashMap<>();
  private final Map<MemberId, String> tiers = new ConcurrentHashMap<>();
  private SortedMap<YearMonth, MonthFlow> flows = TreeMap.empty();

  Tally(ZoneId zone, String baseTier) {
    this.zone = zone;
    this.baseTier = baseTier;
  }

  @Override
  public void on(LoyaltyEvent event) {
    if (event instanceof LoyaltyEvent.EntryEvent) {
      LoyaltyEvent.EntryEvent e = (LoyaltyEvent.EntryEvent) event;
      count(e.entry());
      available.put(e.entry().member(), e.balance().available().value());
    } else if (event instanceof LoyaltyEvent.MemberEnrolled) {
      tiers.put(event.member(), baseTier);
    } else if (event instanceof LoyaltyEvent.TierUpgraded) {
      tiers.put(event.member(), ((LoyaltyEvent.TierUpgraded) event).change().to().value());
    } else if (event instanceof LoyaltyEvent.TierDowngraded) {
      tiers.put(event.member(), ((LoyaltyEvent.TierDowngraded) event).change().to().value());
    } else if (event instanceof LoyaltyEvent.TierReassigned) {
      tiers.put(event.member(), ((LoyaltyEvent.TierReassigned) event).change().to().value());
    }
  }

  private synchronized void count(Entry entry) {
    long points = entry.points().value();
    YearMonth month = YearMonth.from(entry.recordedAt().atZone(zone));
    MonthFlow flow;
    switch (entry.kind()) {
      case EARN:
      case BONUS:
        flow = new MonthFlow(month, points, 0, 0, 0);
        break;
      case REDEEM:
      case HOLD:
      case CAPTURE:
      case RELEASE:
        flow = new MonthFlow(month, 0, -points, 0, 0);
        break;
      case EXPIRE:
        flow = new MonthFlow(month, 0, 0, -points, 0);
        break;
      default:
        flow = new MonthFlow(month, 0, 0, 0, -points);
    }
    flows = flows.put(month, flow, MonthFlow::plus);
  }

  long available(MemberId member) {
    return available.getOrDefault(member, 0L);
  }

  /** @return the members per tier id, every tier of {@code ladder} present */
  io.vavr.collection.Map<String, Long> membersPerTier(List<String> ladder) {
    io.vavr.collection.Map<String, Long> counts = LinkedHashMap.ofEntries(ladder.map(t -> io.vavr.Tuple.of(t, 0L)));
    for (String tier : tiers.values()) {
      counts = counts.put(tier, 1L, Long::sum);
    }
    return counts;
  }

  String tierOf(MemberId member) {
    return tiers.getOrDefault(member, baseTier);
  }

  synchronized List<MonthFlow> flows() {
    return flows.values().toList();
  }

  /** @return the points issued less those redeemed, expired and taken back, so far */
  synchronized long outstanding() {
    return flows.values().map(MonthFlow::net).sum().longValue();
  }
}
