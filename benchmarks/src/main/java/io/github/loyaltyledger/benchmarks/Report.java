package io.github.loyaltyledger.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints JMH's CSV result as one table: each benchmark's score, the baseline it is compared with,
 * and the ratio. The pairs are listed in {@link #BASELINES}. For throughput scores a ratio above 1
 * is faster than the baseline; for time scores (us/op, the import) it is slower.
 */
public final class Report {

  /** Benchmark method name → the benchmark it is measured against. */
  static final Map<String, String> BASELINES = Map.of(
      "LedgerBenchmark.credit", "LedgerBenchmark.floor",
      "EarningBenchmark.earn", "LedgerBenchmark.floor",
      "EarningBenchmark.quote", "LedgerBenchmark.floor",
      "JpaStoreBenchmark.earnH2File", "JpaStoreBenchmark.earnH2FileJdbc",
      "JpaStoreBenchmark.balanceOf100000Entries", "JpaStoreBenchmark.balanceOf10Entries",
      "ImportBenchmark.importH2File", "ImportBenchmark.importH2FileJdbc",
      "PostgresBenchmark.earnPostgres", "PostgresBenchmark.earnPostgresJdbc");

  private Report() {}

  /**
   * Prints the table.
   *
   * @param args the path of JMH's CSV result file
   * @throws IOException if the file cannot be read
   */
  public static void main(String[] args) throws IOException {
    List<String> lines = Files.readAllLines(Path.of(args[0]));
    Map<String, String[]> rows = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",");
      String name = unquote(cells[0]);
      rows.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), cells);
    }
    System.out.printf("%-40s %16s %-8s %-30s %8s%n", "benchmark", "score", "unit", "baseline", "ratio");
    rows.forEach((name, cells) -> {
      String score = cells[4];
      String unit = unquote(cells[6]);
      String baseline = BASELINES.get(name);
      String ratio = "";
      if (baseline != null && rows.containsKey(baseline)) {
        ratio = String.format("%.2f", Double.parseDouble(score) / Double.parseDouble(rows.get(baseline)[4]));
      }
      System.out.printf("%-40s %16.0f %-8s %-30s %8s%n", name, Double.parseDouble(score), unit,
          baseline == null ? "" : baseline, ratio);
    });
  }

  private static String unquote(String s) {
    return s.replace("\"", "");
  }
}
