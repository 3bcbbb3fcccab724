package io.github.loyaltyledger.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static String metric(double... iterations) {
    StringBuilder raw = new StringBuilder();
    double[] sorted = iterations.clone();
    Arrays.sort(sorted);
    for (double d : iterations) {
      raw.append(raw.length() == 0 ? "" : ", ").append(d);
    }
    return "{\"score\": 0, \"scorePercentiles\": {\"0.0\": " + sorted[0] + ", \"50.0\": " + sorted[sorted.length / 2]
        + ", \"100.0\": " + sorted[sorted.length - 1] + "}, \"scoreUnit\": \"ops/s\", \"rawData\": [[" + raw + "]]}";
  }

  @Test
  void theCompiledBenchmarksAreReadFromJmhsListByClassAndMethodOrGroup() throws IOException {
    Set<String> compiled = Report.compiled();

    assertTrue(compiled.containsAll(Set.of("PostgresBenchmark.earnPostgres", "PostgresBenchmark.earnPostgresJdbcThreeTrips",
        "PostgresBenchmark.sideBySide", "EarningBenchmark.earn", "LedgerBenchmark.floor")), compiled::toString);
    assertTrue(compiled.stream().noneMatch(name -> name.contains("jmh_generated") || name.contains("_jmhTest")),
        compiled::toString);
  }

  @Test
  void everyCompiledBenchmarkHasAFigureWithABaselineOrANote() throws IOException {
    assertEquals(List.of(), Report.uncovered());
  }

  @Test
  void eachMethodOfTheSideBySideGroupBecomesARowJudgedAgainstTheOtherSide() {
    String json = "[{\"benchmark\": \"io.github.loyaltyledger.benchmarks.PostgresBenchmark.sideBySide\","
        + " \"primaryMetric\": " + metric(2000, 2100, 1900) + ","
        + " \"secondaryMetrics\": {\"sideBySideJdbcThreeTrips\": " + metric(1000, 1100, 900) + ","
        + " \"sideBySideStore\": " + metric(800, 1000, 1200) + ","
        + " \"gc.alloc.rate\": " + metric(20, 25, 30) + "}}]";

    Map<String, Report.Row> rows = Report.read(json);

    assertEquals(Set.of("PostgresBenchmark.sideBySide", "PostgresBenchmark.sideBySide:sideBySideJdbcThreeTrips",
        "PostgresBenchmark.sideBySide:sideBySideStore"), rows.keySet());
    assertEquals(new Report.Row(2000, "ops/s", 1900, 2100), rows.get("PostgresBenchmark.sideBySide"));
    assertEquals(new Report.Row(1000, "ops/s", 900, 1100), rows.get("PostgresBenchmark.sideBySide:sideBySideJdbcThreeTrips"));
    assertEquals(new Report.Row(1000, "ops/s", 800, 1200), rows.get("PostgresBenchmark.sideBySide:sideBySideStore"));
    Report.Figure store = Report.FIGURES.get("PostgresBenchmark.sideBySide:sideBySideStore");
    assertEquals("PostgresBenchmark.sideBySide:sideBySideJdbcThreeTrips", store.baseline());
    assertEquals(Report.Check.RATIO_AT_LEAST, store.check());
    assertEquals(0.8, store.target());
  }

  @Test
  void aBenchmarkOutsideTheGroupKeepsItsSecondaryMetricsOutOfTheRows() {
    String json = "[{\"benchmark\": \"io.github.loyaltyledger.benchmarks.LedgerBenchmark.floor\","
        + " \"primaryMetric\": " + metric(5, 6, 7) + ","
        + " \"secondaryMetrics\": {\"gc.alloc.rate\": " + metric(1, 2, 3) + "}}]";

    assertEquals(Set.of("LedgerBenchmark.floor"), Report.read(json).keySet());
  }

  @Test
  void earnsBoundIsTheThroughputOfAQuoteFollowedByTheEntryHashesRightAfterTheQuote() {
    String json = "[{\"benchmark\": \"io.github.loyaltyledger.benchmarks.EarningBenchmark.entryHashes\","
        + " \"primaryMetric\": " + metric(200, 250, 300) + "},"
        + " {\"benchmark\": \"io.github.loyaltyledger.benchmarks.EarningBenchmark.quote\","
        + " \"primaryMetric\": " + metric(600, 1000, 1200) + "},"
        + " {\"benchmark\": \"io.github.loyaltyledger.benchmarks.LedgerBenchmark.floor\","
        + " \"primaryMetric\": " + metric(400, 500, 600) + "}]";

    Map<String, Report.Row> rows = Report.read(json);

    assertEquals(List.of("EarningBenchmark.entryHashes", "EarningBenchmark.quote", Report.EARN_BOUND,
        "LedgerBenchmark.floor"), List.copyOf(rows.keySet()));
    // 1 / (1/1000 + 1/250) = 200 ops/s; slowest 1 / (1/600 + 1/200) = 150; fastest 1 / (1/1200 + 1/300) = 240
    Report.Row bound = rows.get(Report.EARN_BOUND);
    assertEquals(200, bound.score(), 1e-9);
    assertEquals(150, bound.min(), 1e-9);
    assertEquals(240, bound.max(), 1e-9);
    assertEquals("ops/s", bound.unit());
    assertEquals("LedgerBenchmark.floor", Report.FIGURES.get(Report.EARN_BOUND).baseline());
  }

  @Test
  void withoutTheEntryHashesThereIsNoBound() {
    String json = "[{\"benchmark\": \"io.github.loyaltyledger.benchmarks.EarningBenchmark.quote\","
        + " \"primaryMetric\": " + metric(600, 1000, 1200) + "}]";

    assertEquals(Set.of("EarningBenchmark.quote"), Report.read(json).keySet());
  }
}
