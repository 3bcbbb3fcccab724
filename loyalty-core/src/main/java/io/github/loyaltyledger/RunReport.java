package io.github.loyaltyledger;

import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.Partition;
import io.vavr.collection.List;
import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link DailyRun} did: for which instant and partition, the final counts, the members it
 * touched (those with work due, in member-id order) and the failures.
 *
 * @param asOf the instant of the run
 * @param partition the share of the members it ran for
 * @param counts due, done and failed members
 * @param touched the members with work due, which the run processed
 * @param failures what failed
 */
public record RunReport(Instant asOf, Partition partition, RunCounts counts, List<MemberId> touched,
    List<MemberFailure> failures) {

  /**
   * Validates that no field is null.
   *
   * @param asOf the instant of the run
   * @param partition the share of the members it ran for
   * @param counts due, done and failed members
   * @param touched the members with work due, which the run processed
   * @param failures what failed
   * @throws NullPointerException if an argument is null
   */
  public RunReport {
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(counts, "counts");
    Objects.requireNonNull(touched, "touched");
    Objects.requireNonNull(failures, "failures");
  }
}
