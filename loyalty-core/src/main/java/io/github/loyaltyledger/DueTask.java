package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.DueTrack;
import io.vavr.control.Either;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A plug-in piece of daily work that another engine owns, registered on the {@link DailyRun}: the
 * run calls its {@link Operation} for each member whose next instant on the task's
 * {@link DueTrack} (kept by the store's due-work index) is at or before the run's instant.
 *
 * <p>The operation must be idempotent under the key it is given,
 * {@code <name>:<member>:<asOf>}, and must write, in the same commit, what moves the member's due
 * instant on (a {@code RELEASE} entry for each expired hold; a tier entry with a new
 * {@code tier.until}, and {@code tier.review} when a grace period puts the review later); otherwise the member stays due and is visited again by the next run.
 * With a tier ladder, the tier engine's {@link Loyalty#reviewTier} writes those entries; an
 * application's own tier engine, on a program without a ladder, writes them as details of a
 * {@link Loyalty#credit} (which refuses {@code tier.*} details on a program with a ladder).
 *
 * <p>The run cannot know whether a task writes activity (a credit that ends a member's inactivity):
 * when the member's points were to expire for inactivity in the same run and that expiry (or a hold
 * timeout before it) failed, a task is not run for that member but reported as the member's failure,
 * as the run's own birthday and anniversary gifts are, so that it cannot save the points the expiry
 * was to take; the next run expires them first, then runs the task (the member is still due on its
 * track). Tasks on {@link DueTrack#HOLD_EXPIRY} and the standard tier review the run adds
 * ({@link Loyalty#reviewTier}, which writes no activity) run regardless.
 *
 * @param name a short name used in keys and reports: 1 to 20 lower-case letters and hyphens,
 *     starting with a letter
 * @param track the track whose instant says when the task is due for a member
 * @param operation what to do for one member
 */
public record DueTask(String name, DueTrack track, Operation operation) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z-]{0,19}");

  /** What a task does for one member. */
  @FunctionalInterface
  public interface Operation {
    /**
     * Does the member's due work.
     *
     * @param member the member, not null
     * @param asOf the instant of the run, not null
     * @param key the deterministic idempotency key to write under, not null
     * @return any result on success, or the refusal (reported as the member's failure)
     */
    Either<LoyaltyError, ?> run(MemberId member, Instant asOf, IdempotencyKey key);
  }

  /**
   * Validates the task.
   *
   * @param name a short name used in keys and reports: 1 to 20 lower-case letters and hyphens,
   *     starting with a letter
   * @param track the track whose instant says when the task is due for a member
   * @param operation what to do for one member
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is not 1 to 20 lower-case letters and hyphens,
   *     starting with a letter
   */
  public DueTask {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(track, "track");
    Objects.requireNonNull(operation, "operation");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a task name is 1 to 20 lower-case letters and hyphens, starting with a letter, was '" + name + "'");
    }
  }

  /**
   * Releasing expired holds: due at the member's earliest open-hold expiry
   * ({@link DueTrack#HOLD_EXPIRY}); the redemption engine supplies the operation ("release every
   * hold of the member that expired at or before {@code asOf}").
   *
   * @param releaseExpiredHolds the operation, not null
   * @return the task, named {@code hold-timeout}
   */
  public static DueTask holdTimeouts(Operation releaseExpiredHolds) {
    return new DueTask("hold-timeout", DueTrack.HOLD_EXPIRY, releaseExpiredHolds);
  }

  /**
   * Reviewing a member's tier: due at the member's next review instant
   * ({@link DueTrack#TIER_REVIEW}); the tier engine supplies the operation ("review the member's
   * tier as of {@code asOf}").
   *
   * @param reviewTier the operation, not null
   * @return the task, named {@code tier-review}
   */
  public static DueTask tierReviews(Operation reviewTier) {
    return new DueTask("tier-review", DueTrack.TIER_REVIEW, reviewTier);
  }

  /**
   * @param member the member, not null
   * @param asOf the instant of the run, not null
   * @return the key the operation runs under: {@code <name>:<member>:<asOf>}
   */
  public IdempotencyKey key(MemberId member, Instant asOf) {
    return IdempotencyKey.of(name + ":" + member.value() + ":" + asOf);
  }
}
