package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.insight.Breakage;
import io.github.loyaltyledger.insight.BreakageCohort;
import io.github.loyaltyledger.insight.ExpiryBucket;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RfmSegment;
import io.github.loyaltyledger.insight.Statement;
import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.collection.SortedMap;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a simulated year of Bean Club adds up to: activity at the till, members per tier, the points
 * flows, liability, breakage and RFM segments from the library's read models, week-by-week series
 * for the charts, and a few member statements.
 *
 * @param settings what was simulated
 * @param asOf when the report was taken (the morning after the last day)
 * @param enrolments members enrolled
 * @param visits purchases earned on
 * @param redemptions rewards redeemed at the till (hold, then capture)
 * @param payments bills paid in part with points
 * @param surveys surveys answered
 * @param refunds purchases partly refunded
 * @param refusals till requests the programme refused (reward sold out, limit reached)
 * @param weeks the members per tier and the points outstanding at the end of each week
 * @param flows the points issued, redeemed, expired and taken back in each month
 * @param tiers members per tier at the end
 * @param liability the library's liability report at the end
 * @param breakage the library's breakage report at the end
 * @param segments members per RFM segment at the end
 * @param members members whose hash chains were verified
 * @param intact how many of those chains verified
 * @param statements the last month's statements of a few members
 */
record ProgrammeReport(
    YearSimulation.Settings settings,
    Instant asOf,
    long enrolments,
    long visits,
    long redemptions,
    long payments,
    long surveys,
    long refunds,
    long refusals,
    List<Week> weeks,
    List<Tally.MonthFlow> flows,
    Map<String, Long> tiers,
    Liability liability,
    Breakage breakage,
    SortedMap<RfmSegment, Long> segments,
    long members,
    long intact,
    List<Statement> statements) {

  /**
   * The state of the programme at the end of a week.
   *
   * @param day the last day of the week
   * @param tiers members per tier
   * @param outstanding points outstanding
   */
  record Week(LocalDate day, Map<String, Long> tiers, long outstanding) {}

  long issued() {
    return flows.map(Tally.MonthFlow::issued).sum().longValue();
  }

  long redeemed() {
    return flows.map(Tally.MonthFlow::redeemed).sum().longValue();
  }

  long expired() {
    return flows.map(Tally.MonthFlow::expired).sum().longValue();
  }

  long adjusted() {
    return flows.map(Tally.MonthFlow::adjusted).sum().longValue();
  }

  /** @return the breakage cohorts' totals, as one cohort */
  BreakageCohort breakageTotal() {
    Function<Function<BreakageCohort, Points>, Points> sum = f -> breakage.cohorts().map(f).foldLeft(Points.ZERO, Points::plus);
    return new BreakageCohort(YearMonth.from(settings.firstDay()), sum.apply(BreakageCohort::issued),
        sum.apply(BreakageCohort::redeemed), sum.apply(BreakageCohort::expired), sum.apply(BreakageCohort::other),
        sum.apply(BreakageCohort::outstanding));
  }

  /**
   * @return the per cent of the points issued that were redeemed, expired, taken back and are
   *     outstanding, in that order, adding up to 100.0 ({@link #percents})
   */
  List<String> breakageShares() {
    BreakageCohort b = breakageTotal();
    return percents(b.issued(), List.of(b.redeemed(), b.expired(), b.other(), b.outstanding()));
  }

  /** @return the figures as console text, without the statements */
  String toText() {
    BreakageCohort b = breakageTotal();
    List<String> shares = breakageShares();
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "Bean Club, %s to %s, %,d members (seed %d)%n", settings.firstDay(),
        settings.firstDay().plusDays(settings.days() - 1L), enrolments, settings.seed()));
    text.append(String.format(Locale.ROOT,
        "  Till:        %,d purchases, %,d rewards redeemed, %,d bills paid with points, %,d surveys, %,d refunds, %,d refused%n",
        visits, redemptions, payments, surveys, refunds, refusals));
    text.append("  Tiers:      ");
    tiers.forEach((tier, count) -> text.append(String.format(Locale.ROOT, " %s %,d", tier, count)));
    text.append(String.format(Locale.ROOT,
        "%n  Points:      %,d issued, %,d redeemed, %,d expired, %,d taken back (refunds); %,d outstanding%n",
        issued(), redeemed(), expired(), adjusted(), issued() - redeemed() - expired() - adjusted()));
    text.append(String.format(Locale.ROOT, "  Liability:   %,d points worth %s", liability.outstanding().value(),
        liability.value()));
    liability.byExpiry().filter((bucket, points) -> points.isPositive()).forEach((bucket, points) ->
        text.append(String.format(Locale.ROOT, "; %s %,d", label(bucket), points.value())));
    text.append(String.format(Locale.ROOT,
        "%n  Breakage:    of %,d points issued, %s%% redeemed, %s%% expired, %s%% taken back, %s%% outstanding%n",
        b.issued().value(), shares.get(0), shares.get(1), shares.get(2), shares.get(3)));
    text.append("  RFM:        ");
    segments.forEach((segment, count) -> text.append(String.format(Locale.ROOT, " %s %,d", segment.id(), count)));
    text.append(String.format(Locale.ROOT, "%n  Hash chains: %,d of %,d verified%n", intact, members));
    return text.toString();
  }

  static String label(ExpiryBucket bucket) {
    return bucket.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /**
   * The parts of a whole in per cent to one decimal, rounded so that they add up to exactly 100.0
   * (largest remainder): each part is rounded down to a tenth, and the tenths still missing go to
   * the parts with the largest remainders, the earlier part first on a tie. Rounding each part on
   * its own can print shares that add up to 99.9 or 100.1 (three thirds: 33.3 each).
   *
   * @param whole the whole, not negative
   * @param parts the parts, not negative, adding up to the whole
   * @return each part's per cent, e.g. "33.4"; all "0.0" when the whole is zero
   * @throws IllegalArgumentException if the parts do not add up to the whole
   */
  static List<String> percents(Points whole, List<Points> parts) {
    long sum = parts.map(Points::value).sum().longValue();
    if (sum != whole.value() || parts.exists(Points::isNegative)) {
      throw new IllegalArgumentException("parts " + parts + " do not make up " + whole);
    }
    if (!whole.isPositive()) {
      return parts.map(p -> "0.0");
    }
    BigInteger w = BigInteger.valueOf(whole.value());
    List<BigInteger[]> split = parts.map(p -> BigInteger.valueOf(p.value()).multiply(BigInteger.valueOf(1_000)).divideAndRemainder(w));
    long missing = 1_000 - split.map(q -> q[0].longValue()).sum().longValue();
    List<Integer> byRemainder = List.range(0, parts.size()).sorted(
        java.util.Comparator.comparing((Integer i) -> split.get(i)[1]).reversed().thenComparing(i -> i));
    List<Integer> roundedUp = byRemainder.take((int) missing);
    return List.range(0, parts.size())
        .map(i -> BigDecimal.valueOf(split.get(i)[0].longValue() + (roundedUp.contains(i) ? 1 : 0), 1).toPlainString());
  }
}
