package io.github.loyaltyledger;

/**
 * How far a {@link DailyRun} has got: members found with work due, members whose work was all
 * done, members with a failure. {@code done + failed} members have been processed so far.
 *
 * @param due members found with work due so far
 * @param done members whose due work all succeeded
 * @param failed members with at least one failure
 */
public record RunCounts(int due, int done, int failed) {

  /**
   * Validates the counts.
   *
   * @param due members found with work due so far
   * @param done members whose due work all succeeded
   * @param failed members with at least one failure
   * @throws IllegalArgumentException if a count is negative or more were processed than were due
   */
  public RunCounts {
    if (due < 0 || done < 0 || failed < 0 || done + failed > due) {
      throw new IllegalArgumentException("inconsistent counts: due " + due + ", done " + done + ", failed " + failed);
    }
  }
}
