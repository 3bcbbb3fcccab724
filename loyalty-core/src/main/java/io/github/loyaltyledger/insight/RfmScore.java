package io.github.loyaltyledger.insight;

/**
 * A member's recency, frequency and monetary scores, each a quintile from 1 (the lowest fifth of
 * the programme's purchasing members) to 5 (the highest fifth); for recency, 5 is the most recent.
 *
 * @param recency 1 to 5
 * @param frequency 1 to 5
 * @param monetary 1 to 5
 */
public record RfmScore(int recency, int frequency, int monetary) {

  /**
   * Validates the scores.
   *
   * @param recency 1 to 5
   * @param frequency 1 to 5
   * @param monetary 1 to 5
   * @throws IllegalArgumentException if a score is outside 1 to 5
   */
  public RfmScore {
    if (recency < 1 || recency > 5 || frequency < 1 || frequency > 5 || monetary < 1 || monetary > 5) {
      throw new IllegalArgumentException("RFM scores are 1 to 5, were recency " + recency + ", frequency " + frequency
          + ", monetary " + monetary);
    }
  }

  /** @return the segment these scores fall in */
  public RfmSegment segment() {
    return RfmSegment.of(this);
  }
}
