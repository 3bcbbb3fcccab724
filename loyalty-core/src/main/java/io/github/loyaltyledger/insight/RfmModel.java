package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.earning.SegmentResolver;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.Set;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * RFM segmentation of a programme's purchasing members, computed from the ledger at an instant,
 * and a {@link SegmentResolver} built on it so that promotions can target {@link RfmSegment}s by
 * their ids ({@code champions}, {@code at-risk}, …).
 *
 * <p>Building the model reads every member once, page by page, and keeps only the quintile
 * cut-offs of each dimension (three sorted arrays of longs while building: about 24 bytes per
 * purchasing member). A member is then scored on demand from their own entries against those
 * cut-offs: {@link #profile} as of the model's instant, {@link #segmentsOf} as of the instant it is
 * asked about (a purchase's), so a resolver stays current between rebuilds while the quintiles are
 * those of the last build. Rebuild it periodically (e.g. nightly).
 *
 * <p>Spend and purchases are summed exactly: a member whose spend in minor units (or number of
 * purchases) is beyond {@link Long#MAX_VALUE}, possible only on a program without a tier ladder,
 * makes the reads of them throw {@link ArithmeticException} rather than score a wrapped figure.
 *
 * <p>Scores: for each dimension the purchasing members' values are sorted, the four cut-offs are
 * the values at 1/5, 2/5, 3/5 and 4/5 of the way, and a member scores 1 plus the number of cut-offs
 * their value reaches (recency counted as fewer days since the last purchase being better); equal
 * values always score alike. No frequency cut-off is below two purchases: one purchase always
 * scores frequency 1, so a recent first purchase is {@link RfmSegment#NEW} even where most members
 * bought once (the lower cut-offs would otherwise be 1, which every purchasing member reaches).
 *
 * <p>A model built before any member purchased ({@link #purchasingMembers()} 0) has no quintiles:
 * it scores the purchases {@link #segmentsOf} is asked about as more recent than any it knew
 * (recency 5), a first purchase frequency 1 and more purchases 2, and every spend 1, so a member's
 * first purchase is {@link RfmSegment#NEW} and a later one {@link RfmSegment#PROMISING} until the
 * model is rebuilt over purchasing members. A model built over one purchasing member has that
 * member's values as all four cut-offs: whoever reaches them scores 5.
 */
public final class RfmModel implements SegmentResolver {

  /**
   * The cut-offs of a model with no purchasing members to rank against: every purchase is as recent
   * as any the model knew (recency 5), a first purchase scores frequency 1 and more purchases 2, and
   * no spend ranks above another's (monetary 1). So a first purchase is {@link RfmSegment#NEW} and a
   * member who came back {@link RfmSegment#PROMISING}, rather than 1/1/1, "few purchases, long ago".
   */
  private static final long[][] WITHOUT_PURCHASERS = {
    {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE},
    {2, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE},
    {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE}};

  private final Insights insights;
  private final LedgerStore store;
  private final Instant asOf;
  private final ZoneId zone;
  private final CurrencyUnit currency;
  private final long purchasing;
  private final long[][] cuts;
  private final Predicate<MemberId> targetable;
  private final java.util.function.Function<MemberId, Option<Instant>> enrolment;

  private RfmModel(Insights insights, LedgerStore store, Instant asOf, ZoneId zone, CurrencyUnit currency,
      long purchasing, long[][] cuts, Predicate<MemberId> targetable) {
    this.insights = insights;
    this.store = store;
    this.asOf = asOf;
    this.zone = zone;
    this.currency = currency;
    this.purchasing = purchasing;
    this.cuts = cuts;
    this.targetable = targetable;
    this.enrolment = m -> store.account(m).map(a -> a.member().enrolledAt());
  }

  /** Computes the cut-offs of every dimension from all members' purchases up to an instant. */
  static RfmModel build(Insights insights, LedgerStore store, Instant asOf, ZoneId zone, CurrencyUnit currency,
      Predicate<MemberId> targetable) {
    long[][] values = new long[3][1024];
    int[] n = {0};
    insights.forEachMember(member -> {
      PurchaseHistory h = PurchaseHistory.of(store, member, asOf);
      Option<Instant> last = h.lastPurchase();
      if (last.isDefined()) {
        if (n[0] == values[0].length) {
          for (int d = 0; d < 3; d++) {
            values[d] = Arrays.copyOf(values[d], n[0] * 2);
          }
        }
        long[] m = measures(h, last.get(), asOf, zone);
        for (int d = 0; d < 3; d++) {
          values[d][n[0]] = m[d];
        }
        n[0]++;
      }
    });
    if (n[0] == 0) {
      return new RfmModel(insights, store, asOf, zone, currency, 0, WITHOUT_PURCHASERS, targetable);
    }
    long[][] cuts = new long[3][4];
    for (int d = 0; d < 3; d++) {
      long[] sorted = Arrays.copyOf(values[d], n[0]);
      Arrays.sort(sorted);
      for (int k = 1; k <= 4; k++) {
        cuts[d][k - 1] = sorted[(int) ((long) k * n[0] / 5)];
      }
    }
    // One purchase is the least frequency there is: no frequency cut-off is below two, so a single
    // purchase scores 1 even where most members bought once (and NEW stays reachable).
    for (int k = 0; k < 4; k++) {
      cuts[1][k] = Math.max(cuts[1][k], 2);
    }
    return new RfmModel(insights, store, asOf, zone, currency, n[0], cuts, targetable);
  }

  /** Recency (negated days, higher is better), frequency and monetary value. */
  private static long[] measures(PurchaseHistory h, Instant last, Instant at, ZoneId zone) {
    long days = ChronoUnit.DAYS.between(last.atZone(zone).toLocalDate(), at.atZone(zone).toLocalDate());
    return new long[] {-days, h.purchases, h.spendMinor};
  }

  /** @return the instant the quintiles were computed at */
  public Instant asOf() {
    return asOf;
  }

  /** @return how many members had at least one purchase when the model was built */
  public long purchasingMembers() {
    return purchasing;
  }

  /**
   * Scores a member as of the model's instant.
   *
   * @param member the member, not null
   * @return their profile, or none if they are not enrolled or have no purchases
   * @throws ArithmeticException if the member's spend (in minor units) or number of purchases is
   *     beyond {@link Long#MAX_VALUE}: a figure is never reported wrapped around
   */
  public Option<RfmProfile> profile(MemberId member) {
    return profileAt(Objects.requireNonNull(member, "member"), asOf);
  }

  /**
   * Tells the RFM segment a member is in at an instant, as the earning engine's
   * {@link SegmentResolver}: their purchases up to {@code at} scored against the model's cut-offs.
   * Members without purchases, and members the model may not target (no marketing consent), are in
   * no segment.
   *
   * @param member the member, not null
   * @param at the instant of the purchase or event, not null; within years 1 to 9999, as the
   *     instants of purchases and reports are
   * @return the segment id as a one-element set, or empty
   * @throws IllegalArgumentException if {@code at} is outside years 1 to 9999 (it has no date in
   *     every zone to count days from)
   * @throws ArithmeticException if the member's spend (in minor units) or number of purchases is
   *     beyond {@link Long#MAX_VALUE}: a figure is never reported wrapped around
   */
  @Override
  public Set<String> segmentsOf(MemberId member, Instant at) {
    Objects.requireNonNull(member, "member");
    Insights.supported("at", at);
    if (!targetable.test(member)) {
      return TreeSet.empty();
    }
    return profileAt(member, at).map(p -> (Set<String>) TreeSet.of(p.segment().id())).getOrElse(TreeSet.empty());
  }

  /**
   * Counts the members in each segment as of the model's instant, reading every member page by page.
   *
   * @return the segment sizes (segments without members are absent)
   * @throws ArithmeticException if a member's spend (in minor units) or number of purchases is beyond
   *     {@link Long#MAX_VALUE} (possible only on a program without a tier ladder, which bounds no
   *     member's qualifying spend): a figure is never reported wrapped around
   */
  public SortedMap<RfmSegment, Long> segmentSizes() {
    java.util.Map<RfmSegment, Long> sizes = new java.util.EnumMap<>(RfmSegment.class);
    insights.forEachMember(m -> profile(m).forEach(p -> sizes.merge(p.segment(), 1L, Long::sum)));
    return TreeMap.ofAll(sizes);
  }

  private Option<RfmProfile> profileAt(MemberId member, Instant at) {
    return enrolment.apply(member).flatMap(enrolled -> {
      PurchaseHistory h = PurchaseHistory.of(store, member, at);
      return h.lastPurchase().map(last -> {
        long[] m = measures(h, last, at, zone);
        long tenure = Math.max(1, ChronoUnit.MONTHS.between(enrolled.atZone(zone).toLocalDate(), at.atZone(zone).toLocalDate()));
        return new RfmProfile(member, last, -m[0], h.purchases, Money.ofMinor(currency, h.spendMinor), tenure,
            new RfmScore(score(0, m[0]), score(1, m[1]), score(2, m[2])));
      });
    });
  }

  private int score(int dimension, long value) {
    int s = 1;
    for (long cut : cuts[dimension]) {
      if (value >= cut) {
        s++;
      }
    }
    return s;
  }
}
