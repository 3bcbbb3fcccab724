package io.github.loyaltyledger;

import io.github.loyaltyledger.member.MemberId;
import java.util.Objects;

/**
 * A piece of a member's due work that failed in a {@link DailyRun}; the run goes on with the
 * member's other work and the other members, and the next run tries again.
 *
 * @param member the member
 * @param work what failed, e.g. {@code expire}, {@code birthday} or a task's name
 * @param problem the refusal's message or the exception, in plain language
 */
public record MemberFailure(MemberId member, String work, String problem) {

  /**
   * Validates that no field is null.
   *
   * @param member the member
   * @param work what failed, e.g. {@code expire}, {@code birthday} or a task's name
   * @param problem the refusal's message or the exception, in plain language
   * @throws NullPointerException if an argument is null
   */
  public MemberFailure {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(work, "work");
    Objects.requireNonNull(problem, "problem");
  }
}
