package io.github.loyaltyledger;

/**
 * Told as a {@link DailyRun} goes: the counts after each member with work due, and each failure.
 * Called on the thread running the run; a listener that throws stops the run.
 */
@FunctionalInterface
public interface RunProgress {

  /**
   * Receives the counts after a member's due work was processed.
   *
   * @param counts the counts so far, not null
   */
  void progress(RunCounts counts);

  /**
   * Receives a failure as soon as it happens; by default ignored here, since the counts and the
   * {@link RunReport} carry it too.
   *
   * @param failure what failed, not null
   */
  default void failed(MemberFailure failure) {}
}
