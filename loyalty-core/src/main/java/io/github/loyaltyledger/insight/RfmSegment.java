package io.github.loyaltyledger.insight;

import java.util.Objects;

/**
 * A named customer segment derived from {@link RfmScore}s. The first matching row wins:
 *
 * <table>
 *   <caption>Segments</caption>
 *   <tr><th>segment</th><th>rule</th><th>reading</th></tr>
 *   <tr><td>{@link #CHAMPIONS}</td><td>R ≥ 4, F ≥ 4, M ≥ 4</td><td>bought recently, often, and spend most</td></tr>
 *   <tr><td>{@link #LOYAL}</td><td>R ≥ 3, F ≥ 4</td><td>buy often and still come</td></tr>
 *   <tr><td>{@link #AT_RISK}</td><td>R ≤ 2, F ≥ 3</td><td>used to buy often, not lately</td></tr>
 *   <tr><td>{@link #HIBERNATING}</td><td>R ≤ 2, F ≤ 2</td><td>few purchases, long ago</td></tr>
 *   <tr><td>{@link #NEW}</td><td>R ≥ 4, F = 1</td><td>a first purchase, recently</td></tr>
 *   <tr><td>{@link #PROMISING}</td><td>any other</td><td>recent, not yet frequent</td></tr>
 * </table>
 *
 * <p>Members without purchases are in no RFM segment.
 */
public enum RfmSegment {
  /** Bought recently, often, and spend most. */
  CHAMPIONS("champions"),
  /** Buy often and still come. */
  LOYAL("loyal"),
  /** Used to buy often, not lately. */
  AT_RISK("at-risk"),
  /** Few purchases, long ago. */
  HIBERNATING("hibernating"),
  /** A first purchase, recently. */
  NEW("new"),
  /** Recent, not yet frequent. */
  PROMISING("promising");

  private final String id;

  RfmSegment(String id) {
    this.id = id;
  }

  /** @return the segment id used by segment-targeted earning rules, e.g. {@code at-risk} */
  public String id() {
    return id;
  }

  /**
   * Classifies scores by the table above.
   *
   * @param s the scores, not null
   * @return the segment
   */
  public static RfmSegment of(RfmScore s) {
    Objects.requireNonNull(s, "s");
    if (s.recency() >= 4 && s.frequency() >= 4 && s.monetary() >= 4) {
      return CHAMPIONS;
    }
    if (s.recency() >= 3 && s.frequency() >= 4) {
      return LOYAL;
    }
    if (s.recency() <= 2) {
      return s.frequency() >= 3 ? AT_RISK : HIBERNATING;
    }
    return s.recency() >= 4 && s.frequency() == 1 ? NEW : PROMISING;
  }
}
