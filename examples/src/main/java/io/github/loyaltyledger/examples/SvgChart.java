package io.github.loyaltyledger.examples;

import io.vavr.collection.List;
import java.util.Locale;

/**
 * Small hand-written SVG charts for the HTML report: stacked areas, grouped bars and a line, with
 * axes, a few gridlines and a legend. Coordinates are whole pixels computed with integer
 * arithmetic; every text is escaped.
 */
final class SvgChart {

  /** One named series of values, one per x position. */
  record Series(String name, String colour, List<Long> values) {}

  private static final int WIDTH = 760;
  private static final int HEIGHT = 280;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 60;
  private static final int PLOT_W = WIDTH - LEFT - RIGHT;
  private static final int PLOT_H = HEIGHT - TOP - BOTTOM;
  private static final int GRIDLINES = 4;

  private SvgChart() {}

  /** Series stacked on each other as filled areas (e.g. members per tier, week by week). */
  static String stackedArea(String id, String title, List<String> labels, List<Series> series) {
    int n = labels.size();
    List<Long> totals = List.range(0, n).map(i -> series.map(s -> s.values().get(i)).sum().longValue());
    long max = niceMax(totals.max().getOrElse(0L));
    StringBuilder svg = open(id, title, labels, max, n);
    long[] below = new long[n];
    for (Series s : series) {
      StringBuilder upper = new StringBuilder();
      StringBuilder lower = new StringBuilder();
      for (int i = 0; i < n; i++) {
        long top = below[i] + s.values().get(i);
        upper.append(i == 0 ? "" : " ").append(x(i, n)).append(',').append(y(top, max));
        lower.insert(0, " " + x(i, n) + "," + y(below[i], max));
        below[i] = top;
      }
      svg.append("<polygon class=\"series\" fill=\"").append(escape(s.colour())).append("\" points=\"")
          .append(upper).append(lower).append("\"><title>").append(escape(s.name())).append("</title></polygon>\n");
    }
    return close(svg, series);
  }

  /** Grouped bars, one group per label (e.g. points issued, redeemed and expired per month). */
  static String groupedBars(String id, String title, List<String> labels, List<Series> series) {
    int n = labels.size();
    long max = niceMax(series.flatMap(Series::values).max().getOrElse(0L));
    StringBuilder svg = open(id, title, labels, max, n);
    int slot = PLOT_W / Math.max(1, n);
    int bar = Math.max(1, (slot - 4) / series.size());
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < series.size(); k++) {
        Series s = series.get(k);
        long value = s.values().get(i);
        int top = y(value, max);
        svg.append(String.format(Locale.ROOT,
            "<rect class=\"series\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s: %,d</title></rect>%n",
            LEFT + i * slot + 2 + k * bar, top, bar, TOP + PLOT_H - top, escape(s.colour()), escape(labels.get(i)),
            escape(s.name()), value));
      }
    }
    return close(svg, series);
  }

  /** One or more lines (e.g. liability week by week). */
  static String lines(String id, String title, List<String> labels, List<Series> series) {
    int n = labels.size();
    long max = niceMax(series.flatMap(Series::values).max().getOrElse(0L));
    StringBuilder svg = open(id, title, labels, max, n);
    for (Series s : series) {
      String points = List.range(0, n).map(i -> x(i, n) + "," + y(s.values().get(i), max)).mkString(" ");
      svg.append("<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"").append(escape(s.colour()))
          .append("\" points=\"").append(points).append("\"><title>").append(escape(s.name()))
          .append("</title></polyline>\n");
    }
    return close(svg, series);
  }

  private static StringBuilder open(String id, String title, List<String> labels, long max, int n) {
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n",
        escape(id), WIDTH, HEIGHT, WIDTH, HEIGHT, escape(title)));
    svg.append("<title>").append(escape(title)).append("</title>\n");
    for (int g = 0; g <= GRIDLINES; g++) {
      long value = max * g / GRIDLINES;
      int y = y(value, max);
      svg.append(String.format(Locale.ROOT,
          "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
              + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%,d</text>%n",
          LEFT, y, LEFT + PLOT_W, y, LEFT - 6, y + 4, value));
    }
    int every = Math.max(1, (n + 11) / 12);
    for (int i = 0; i < n; i += every) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>%n",
          x(i, n), TOP + PLOT_H + 16, escape(labels.get(i))));
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
        LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H));
    return svg;
  }

  private static String close(StringBuilder svg, List<Series> series) {
    int x = LEFT;
    for (Series s : series) {
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n",
          x, HEIGHT - 22, escape(s.colour()), x + 16, HEIGHT - 12, escape(s.name())));
      x += 40 + 8 * s.name().length();
    }
    return svg.append("</svg>\n").toString();
  }

  private static int x(int i, int n) {
    return n <= 1 ? LEFT : LEFT + (int) ((long) PLOT_W * i / (n - 1));
  }

  private static int y(long value, long max) {
    return TOP + PLOT_H - (int) (PLOT_H * value / max);
  }

  /** The next round number at or above {@code max}, so that gridlines fall on round values. */
  static long niceMax(long max) {
    long step = 1;
    while (step * 10 <= max) {
      step *= 10;
    }
    for (long m : new long[] {1, 2, 4, 5, 8, 10}) {
      if (m * step >= max && m * step % GRIDLINES == 0) {
        return m * step;
      }
    }
    return Math.max(GRIDLINES, 10 * step);
  }

  /** Escapes text for XML content and attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
