package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.insight.BreakageCohort;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.MemberDirectory;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The figures the example reports agree with what the ledger says: the till counts (what the
 * simulation asked for), the members per tier and the points flows (which it learns from the
 * facade's events), and the read models it prints. The test reads every entry back from the store
 * and asks the facade, after a small year in memory, on the example's two lanes, that is long enough
 * for Green points to expire.
 */
class ReportFiguresTest {

  /** 100 members for 240 days from 5 January: January's Green points expire on 1 August, February's on 1 September. */
  static final YearSimulation.Settings YEAR =
      new YearSimulation.Settings(100, 240, CoffeeShop.SEED, LocalDate.of(2026, 1, 5), YearSimulation.LANES);

  /** The kinds whose points the report counts as redeemed: a reward captured, a bill paid with points. */
  static final Set<EntryKind> REDEEMING = EnumSet.of(EntryKind.CAPTURE, EntryKind.REDEEM);

  static ProgrammeReport report;
  static Loyalty loyalty;
  static List<MemberId> members;
  static List<Entry> entries;

  @BeforeAll
  static void simulate() {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    YearSimulation simulation = new YearSimulation(YEAR, store, ProgressBar.silent());
    report = simulation.run();
    loyalty = simulation.loyalty();
    members = List.empty();
    for (List<MemberId> page = store.members(Option.none(), MemberDirectory.MAX_PAGE); !page.isEmpty();
        page = store.members(page.lastOption(), MemberDirectory.MAX_PAGE)) {
      members = members.appendAll(page);
    }
    entries = members.flatMap(m -> store.entries(m, 1, Integer.MAX_VALUE));
  }

  static long count(EntryKind kind) {
    return entries.count(e -> e.kind() == kind);
  }

  /** The points of the entries of these kinds, as a positive number for debits. */
  static long points(Set<EntryKind> kinds) {
    return Math.abs(entries.filter(e -> kinds.contains(e.kind())).map(e -> e.points().value()).sum().longValue());
  }

  @Test
  void theYearIsLongAndBusyEnoughForEveryFigureToCount() {
    assertEquals(100, report.enrolments(), report.toText());
    assertTrue(report.visits() > 1_000 && report.redemptions() > 0 && report.payments() > 0 && report.refunds() > 0
        && report.expired() > 0, report.toText());
    assertTrue(report.tiers().values().count(n -> n > 0) >= 2, report.toText());
  }

  @Test
  void everyPurchaseIsOneEarnEntryFromABaseRule() {
    long earnedByBaseRules = entries.count(e -> e.kind() == EntryKind.EARN && e.ruleIds().exists(r -> r.startsWith("base-")));
    assertEquals(report.visits(), earnedByBaseRules);
  }

  @Test
  void everyRewardRedeemedAtTheTillIsOneCapture() {
    assertEquals(report.redemptions(), count(EntryKind.CAPTURE));
    assertEquals(count(EntryKind.HOLD), count(EntryKind.CAPTURE) + count(EntryKind.RELEASE));
  }

  @Test
  void everyBillPaidWithPointsIsOneRedeemEntry() {
    assertEquals(report.payments(), count(EntryKind.REDEEM));
  }

  @Test
  void theMembersPerTierAreTheTiersTheLibraryGivesThem() {
    Map<String, Long> byLibrary = TreeMap.empty();
    for (MemberId member : members) {
      byLibrary = byLibrary.put(loyalty.tierOf(member, report.asOf()).get(), 1L, Long::sum);
    }
    assertEquals(byLibrary, TreeMap.ofEntries(report.tiers().filterValues(n -> n > 0)));
    assertEquals(members.size(), report.tiers().values().sum().longValue());
  }

  @Test
  void pointsIssuedAreTheEarnAndBonusEntries() {
    assertEquals(points(EnumSet.of(EntryKind.EARN, EntryKind.BONUS)), report.issued());
  }

  @Test
  void pointsRedeemedAreTheCaptureAndRedeemEntries() {
    assertEquals(points(REDEEMING), report.redeemed());
    assertEquals(0, points(EnumSet.of(EntryKind.HOLD, EntryKind.RELEASE)), "holds and releases move no points");
  }

  @Test
  void pointsExpiredAreTheExpireEntriesAndTakenBackTheReversals() {
    assertEquals(points(EnumSet.of(EntryKind.EXPIRE)), report.expired());
    assertEquals(points(EnumSet.of(EntryKind.REVERSAL)), report.adjusted());
    long total = entries.map(e -> e.points().value()).sum().longValue();
    assertEquals(total, report.issued() - report.redeemed() - report.expired() - report.adjusted(),
        "no other kind of entry moved points");
  }

  @Test
  void eachMonthsFlowsAreThatMonthsEntries() {
    for (Tally.MonthFlow flow : report.flows()) {
      List<Entry> month = entries.filter(e -> YearMonth.from(e.recordedAt().atZone(BeanClub.ZONE)).equals(flow.month()));
      long issued = month.filter(e -> e.kind() == EntryKind.EARN || e.kind() == EntryKind.BONUS)
          .map(e -> e.points().value()).sum().longValue();
      long redeemed = -month.filter(e -> REDEEMING.contains(e.kind())).map(e -> e.points().value()).sum().longValue();
      long expired = -month.filter(e -> e.kind() == EntryKind.EXPIRE).map(e -> e.points().value()).sum().longValue();
      long net = month.map(e -> e.points().value()).sum().longValue();
      assertEquals(new Tally.MonthFlow(flow.month(), issued, redeemed, expired, issued - redeemed - expired - net), flow);
    }
    assertEquals(entries.map(e -> YearMonth.from(e.recordedAt().atZone(BeanClub.ZONE))).distinct().sorted().toList(),
        report.flows().map(Tally.MonthFlow::month));
  }

  @Test
  void issuedLessRedeemedExpiredAndTakenBackIsTheLiabilityAndWhatBreakageFindsOutstanding() {
    long outstanding = report.issued() - report.redeemed() - report.expired() - report.adjusted();
    long balances = members.map(m -> loyalty.balance(m).get().total().value()).sum().longValue();
    assertEquals(outstanding, balances);
    assertEquals(outstanding, report.liability().outstanding().value());
    assertEquals(outstanding, report.breakageTotal().outstanding().value());
    assertEquals(outstanding, report.weeks().last().outstanding() + entries
        .filter(e -> e.recordedAt().isAfter(report.weeks().last().day().plusDays(1).atStartOfDay(BeanClub.ZONE).toInstant()))
        .map(e -> e.points().value()).sum().longValue());
  }

  @Test
  void theBreakagePercentagesAddUpToAHundredAndAreEachWithinATenthOfTheirShare() {
    BreakageCohort b = report.breakageTotal();
    assertEquals(b.issued(), b.redeemed().plus(b.expired()).plus(b.other()).plus(b.outstanding()));
    List<String> shares = report.breakageShares();
    assertEquals(new BigDecimal("100.0"), shares.map(BigDecimal::new).fold(BigDecimal.ZERO, BigDecimal::add), report.toText());
    List<Points> parts = List.of(b.redeemed(), b.expired(), b.other(), b.outstanding());
    for (int i = 0; i < parts.size(); i++) {
      BigDecimal exact = BigDecimal.valueOf(parts.get(i).value() * 100.0 / b.issued().value());
      assertTrue(exact.subtract(new BigDecimal(shares.get(i))).abs().compareTo(new BigDecimal("0.1")) < 0, shares + " " + parts);
    }
    assertTrue(report.toText().contains(String.format(java.util.Locale.ROOT,
        "%s%% redeemed, %s%% expired, %s%% taken back, %s%% outstanding", shares.toJavaArray())), report.toText());
  }

  @Test
  void percentagesThatEachRoundDownStillAddUpToAHundred() {
    assertEquals(List.of("33.4", "33.3", "33.3", "0.0"),
        ProgrammeReport.percents(Points.of(3), List.of(Points.of(1), Points.of(1), Points.of(1), Points.ZERO)));
    assertEquals(List.of("16.7", "16.7", "66.6"),
        ProgrammeReport.percents(Points.of(6), List.of(Points.of(1), Points.of(1), Points.of(4))));
    assertEquals(List.of("0.0", "0.0"), ProgrammeReport.percents(Points.ZERO, List.of(Points.ZERO, Points.ZERO)));
  }

  @Test
  void theHtmlReportSaysWhereItsFiguresComeFrom() {
    String html = HtmlReport.render(report);
    assertTrue(html.contains("the tiers and points flows from the library&#39;s events, liability, breakage, RFM segments "
        + "and statements from its read models."), html);
    List<String> shares = report.breakageShares();
    assertTrue(html.contains("<td>breakage (expired share of points issued)</td><td>" + shares.get(1) + " %</td>"), html);
    assertTrue(html.contains("<td>redeemed share of points issued</td><td>" + shares.get(0) + " %</td>"), html);
  }

  @Test
  void everyMembersHashChainVerifies() {
    assertEquals(members.size(), report.members());
    assertEquals(report.members(), report.intact());
    assertTrue(members.forAll(m -> loyalty.verify(m).get().isIntact()));
  }
}
