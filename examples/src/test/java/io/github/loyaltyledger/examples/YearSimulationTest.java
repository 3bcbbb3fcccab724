package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.insight.BreakageCohort;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class YearSimulationTest {

  static final YearSimulation.Settings SMALL = new YearSimulation.Settings(50, 60, 13L, LocalDate.of(2026, 1, 5), 1);
  static ProgrammeReport report;

  @BeforeAll
  static void simulate() {
    report = new YearSimulation(SMALL, new InMemoryLedgerStore(), ProgressBar.silent()).run();
  }

  @Test
  void theSameSeedGivesTheSameYear() {
    ProgrammeReport again = new YearSimulation(SMALL, new InMemoryLedgerStore(), ProgressBar.silent()).run();
    assertEquals(report.toText(), again.toText());
    assertEquals(report.flows(), again.flows());
    assertEquals(HtmlReport.render(report), HtmlReport.render(again));
  }

  @Test
  void twoLanesGiveTheSameYearAsOne() {
    ProgrammeReport onTwo = new YearSimulation(SMALL.onLanes(2), new InMemoryLedgerStore(), ProgressBar.silent()).run();
    assertEquals(report.toText(), onTwo.toText());
    assertEquals(report.flows(), onTwo.flows());
    assertEquals(report.weeks(), onTwo.weeks());
    assertEquals(report.statements().map(s -> s.toText()), onTwo.statements().map(s -> s.toText()));
  }

  @Test
  void theShopIsBusyEnoughToExerciseTheProgramme() {
    assertEquals(50, report.enrolments(), report.toText());
    assertTrue(report.visits() > 100 && report.redemptions() > 0 && report.payments() > 0 && report.surveys() > 0
        && report.refunds() > 0, report.toText());
  }

  @Test
  void everyMembersHashChainVerifies() {
    assertTrue(report.members() > 0);
    assertEquals(report.members(), report.intact());
  }

  @Test
  void issuedLessRedeemedExpiredAndTakenBackIsTheLiability() {
    long outstanding = report.issued() - report.redeemed() - report.expired() - report.adjusted();
    assertEquals(outstanding, report.liability().outstanding().value());
    BreakageCohort total = report.breakageTotal();
    assertEquals(total.issued(), total.redeemed().plus(total.expired()).plus(total.other()).plus(total.outstanding()));
    assertEquals(outstanding, total.outstanding().value());
  }

  @Test
  void theHtmlReportIsWellFormedAndHasItsThreeCharts() throws Exception {
    String html = HtmlReport.render(report);
    Document page = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    NodeList charts = page.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg");
    assertEquals(3, charts.getLength());
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (int i = 0; i < charts.getLength(); i++) {
      Element chart = (Element) charts.item(i);
      ids.add(chart.getAttribute("id"));
      assertTrue(chart.getElementsByTagNameNS("http://www.w3.org/2000/svg", "*").getLength() > 10, chart.getAttribute("id"));
    }
    assertEquals(java.util.Set.of("tiers-chart", "flows-chart", "liability-chart"), ids);
    assertEquals(report.statements().size(), page.getElementsByTagName("pre").getLength());
  }

  @Test
  void textInTheReportIsEscaped() {
    assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", SvgChart.escape("a <b> & \"c\" 'd'"));
  }
}
