package io.github.loyaltyledger;

import io.github.loyaltyledger.expiry.InactivityExpiry;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.Occasion;
import io.github.loyaltyledger.occasion.OccasionGrant;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.TierLookup;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueTrack;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.DueWorkIndex;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.Partition;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The daily (or hourly) job: does all the work due for the members who have some, and touches no
 * other member. For each member the store's {@link DueWorkIndex} finds, in this order: the
 * registered {@link DueTask}s on {@link DueTrack#HOLD_EXPIRY} (expired holds released), pending
 * points vested, expired lots expired, everything expired after inactivity, the birthday and
 * anniversary rewards, the other tasks (tier reviews), and a {@code PointsExpiringSoon} notice
 * ahead of each expiry.
 *
 * <p>Idempotent and resumable: every write carries a deterministic key (e.g.
 * {@code vest:<member>:<asOf>}, {@code inactivity:<member>:<expiry instant>} (or {@code <asOf>} for
 * points credited without activity after that instant, or the instant the last of them arrived when
 * a late run finds some that arrived after its own), {@code birthday:<member>:<year>},
 * {@code expiry-notice:<member>:<instant>}), so running twice, or re-running after a crash,
 * grants nothing twice; an occasion another run granted after this one checked (on the other side
 * of the member's midnight, a different request under the same key) counts as granted, not as a
 * failure. Partitionable: {@link #runDue(Instant, Partition)} processes one share of
 * the members, so nodes can split the work. A failure on one member is reported (to the
 * {@link RunProgress} listeners and in the {@link RunReport}) and does not stop the others.
 *
 * <p>Thread-safe; partitions may run in parallel. Build one with {@link #builder(Loyalty)}.
 */
public final class DailyRun {

  private static final int ZONE_MARGIN_DAYS = 2;
  /** How many of a member's entries one read takes when looking for points arrived since an instant. */
  private static final int ARRIVALS_PAGE = 100;
  /** How many times the run decides an inactivity expiry that other requests for the member keep overtaking. */
  private static final int DECISIONS = 16;
  /** The prefixes of the run's own keys, which a task's name must not take. */
  // The run's own work, and "tier" (the key of a purchase's tier evaluation, tier:<purchase key>):
  // a task's keys, <name>:<member>:<instant>, would take theirs, and the facade refuses such keys
  // from requests an operation makes.
  private static final Set<String> RESERVED = HashSet.of("vest", "expire", "inactivity", "expiry-notice", "birthday",
      "anniversary", "tier");
  private static final int MONTH_MARGIN_DAYS = 5;
  /** The name of the job that expires a member's points for inactivity, in keys and failures. */
  private static final String INACTIVITY = "inactivity";

  /** How many local days before its own a run grants the occasions of, unless the builder says otherwise. */
  public static final int DEFAULT_CATCH_UP_DAYS = 7;
  /** The most local days before its own a run can be told to grant the occasions of. */
  public static final int MAX_CATCH_UP_DAYS = 31;

  private final Loyalty loyalty;
  private final LoyaltyProgram program;
  private final LedgerStore store;
  private final DueWorkIndex index;
  private final TierLookup tiers;
  /** The program's birthday rule with the tier ladder's birthday benefits ({@link LadderBenefits#birthdays}). */
  private final Option<BirthdayRule> birthdayRule;
  private final RewardGrant rewards;
  private final List<DueTask> tasks;
  /** The tier review {@link Builder#build()} added, the tier engine's: it writes no activity. */
  private final Option<DueTask> standardTierReview;
  private final List<RunProgress> listeners;
  private final int catchUpDays;

  private DailyRun(Builder b) {
    this.loyalty = b.loyalty;
    this.program = loyalty.program();
    this.store = loyalty.store();
    if (!(store instanceof DueWorkIndex)) {
      throw new IllegalArgumentException("the store " + store.getClass().getName()
          + " does not implement DueWorkIndex, which the daily run needs to find the members with work due;"
          + " use a store that keeps the due-work index (InMemoryLedgerStore does)");
    }
    this.index = (DueWorkIndex) store;
    Option<Set<EntryKind>> counted = program.inactivityExpiry().map(InactivityExpiry::activityKinds);
    if (counted.exists(kinds -> !kinds.toSet().equals(index.activityKinds().toSet()))) {
      throw new IllegalArgumentException("the program counts " + counted.get().toSortedSet()
          + " as activity but the store's due-work index tracks " + index.activityKinds().toSortedSet()
          + "; build the store with the same activity kinds");
    }
    this.tiers = b.tiers;
    this.birthdayRule = program.birthdayRule().map(rule -> LadderBenefits.birthdays(rule, program.tierLadder()));
    if (b.rewards.isEmpty()) {
      requireGiftable(program);
    }
    this.rewards = b.rewards.getOrElse(() -> loyalty::grantOccasionReward);
    this.tasks = b.tasks;
    this.standardTierReview = b.standardTierReview;
    this.listeners = b.listeners;
    this.catchUpDays = b.catchUpDays;
  }

  /**
   * Refuses the occasion rewards that the default grant, {@link Loyalty#grantOccasionReward}, would
   * refuse on every run: a reward id no catalogue can have, a reward the program's catalogue does
   * not have, or one that is points as payment. Each member's gift would otherwise fail on every
   * day of every window. A hook of the application's may issue such items, so it is not checked then.
   */
  private static void requireGiftable(LoyaltyProgram program) {
    List<Tuple2<String, OccasionReward>> gifts = program.birthdayRule().toList().flatMap(rule -> rule.byTier()
            .map(tier -> Tuple.of("the birthday rule '" + rule.id() + "' for the tier '" + tier._1 + "'", tier._2.reward()))
            .prepend(Tuple.of("the birthday rule '" + rule.id() + "'", rule.terms().reward())))
        .appendAll(program.anniversaryRule().map(rule -> Tuple.of("the anniversary rule '" + rule.id() + "'",
            rule.terms().reward())));
    for (Tuple2<String, OccasionReward> gift : gifts) {
      for (String id : gift._2.rewardId()) {
        String problem;
        try {
          Option<Reward> reward = program.rewards().reward(RewardId.of(id));
          problem = reward.isEmpty() ? "'" + id + "' is not in the program's catalogue"
              : reward.get().kind() instanceof RewardKind.PointsAsPayment
              ? "'" + id + "' is points as payment, which cannot be gifted"
              : null;
        } catch (IllegalArgumentException e) {
          problem = e.getMessage();
        }
        if (problem != null) {
          throw new IllegalArgumentException(gift._1 + " gives a catalogue reward the run cannot issue: " + problem
              + "; give a reward of the catalogue (or points), or register a RewardGrant that issues it"
              + " (DailyRun.Builder.rewards)");
        }
      }
    }
  }

  /**
   * Starts building a run around a facade, whose store must implement {@link DueWorkIndex}.
   *
   * @param loyalty the facade, not null
   * @return a builder
   */
  public static Builder builder(Loyalty loyalty) {
    return new Builder(Objects.requireNonNull(loyalty, "loyalty"));
  }

  /**
   * Does all the work due at an instant, for every member.
   *
   * @param asOf the instant, not after the facade clock's instant; not null
   * @return what was done
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999 or after the facade
   *     clock's instant
   */
  public RunReport runDue(Instant asOf) {
    return runDue(asOf, Partition.all());
  }

  /**
   * Does all the work due at an instant for the members of one partition.
   *
   * @param asOf the instant, not after the facade clock's instant; not null
   * @param partition the share of the members, not null
   * @return what was done
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999 or after the facade
   *     clock's instant (nothing is done)
   */
  public RunReport runDue(Instant asOf, Partition partition) {
    SupportedInstants.require("asOf", Objects.requireNonNull(asOf, "asOf"));
    Objects.requireNonNull(partition, "partition");
    // Checked up front: the facade refuses each write as of the future, but not a notice, which a
    // run ahead of time would send too early and so keep from being sent when it is due.
    Instant now = loyalty.clock().instant();
    if (asOf.isAfter(now)) {
      throw new IllegalArgumentException("asOf " + asOf + " is after the clock's instant " + now
          + "; a run does the work due by an instant that has come");
    }
    List<DueWork> candidates = index.candidates(query(asOf, partition));
    int due = 0;
    int done = 0;
    int failedMembers = 0;
    // Array lists, not Vavr Lists: List.append copies the list, which made a run quadratic in the
    // members it touched (seen by DailyRunBenchmark at 10,000 members due).
    java.util.List<MemberId> touched = new java.util.ArrayList<>();
    java.util.List<MemberFailure> failures = new java.util.ArrayList<>();
    for (DueWork work : candidates) {
      Either<MemberFailure, List<Job>> jobs;
      try {
        jobs = Either.right(agenda(work, asOf));
      } catch (Throwable e) {
        // Working out the member's work failed (a tier or consent look-up, say): reported as the
        // member's failure, and the other members go on.
        jobs = Either.left(new MemberFailure(work.memberId(), "agenda", pluginFailure(e)));
      }
      if (jobs.exists(List::isEmpty)) {
        continue;
      }
      due++;
      touched.add(work.memberId());
      List<MemberFailure> failed = jobs.fold(List::of, planned -> perform(work.memberId(), planned));
      failed.forEach(failures::add);
      if (failed.isEmpty()) {
        done++;
      } else {
        failedMembers++;
      }
      RunCounts counts = new RunCounts(due, done, failedMembers);
      for (RunProgress listener : listeners) {
        failed.forEach(listener::failed);
        listener.progress(counts);
      }
    }
    return new RunReport(asOf, partition, new RunCounts(due, done, failedMembers), List.ofAll(touched), List.ofAll(failures));
  }

  /**
   * How a piece of a member's work depends on the pieces before it: on their inactivity expiry (for
   * what it leaves or what it must not save) or, for the expiry notice, on all of them.
   */
  private enum Bearing {
    /** Not at all. */
    NONE,
    /** Its failure leaves points the expiry was to take: the expiry itself, and the hold timeouts before it. */
    EXPIRY,
    /**
     * What it writes counts, or may count, as activity (an occasion's gift; an application's task,
     * whose writes the run cannot know), which would keep the points left.
     */
    ACTIVITY,
    /**
     * It announces what the jobs before it leave (the points expiring soon, counted when it runs):
     * after one of them failed it would announce a count that job, done by the next run, changes (a
     * hold timeout that gives points back), and a notice goes out once, so it waits for that run.
     */
    NOTICE
  }

  /** One piece of a member's due work. */
  private record Job(String work, Bearing bearing, Supplier<Either<LoyaltyError, ?>> action) {
    Job(String work, Supplier<Either<LoyaltyError, ?>> action) {
      this(work, Bearing.NONE, action);
    }
  }

  /**
   * Does a member's jobs in order; a failure is reported and the others go on, but for the work
   * that counts as activity when the member's points were to expire for inactivity in this run and
   * that expiry, or a hold timeout before it, failed: the gift (or what an application's task
   * writes), credited after the points expired by the rule, would make the member active again, and
   * the next run would find nothing to expire (or give the held points back to an active member), so
   * the points would be kept for good. It waits
   * for the next run, which expires them first (the catch-up days let it grant an occasion of a day
   * before). The expiry notice waits, unreported, after any failure of the member's: it counts what
   * the jobs before it left, and goes out once.
   */
  private List<MemberFailure> perform(MemberId member, List<Job> jobs) {
    List<MemberFailure> failed = List.empty();
    boolean expiring = jobs.exists(job -> job.work().equals(INACTIVITY));
    boolean pointsLeft = false;
    for (Job job : jobs) {
      if (job.bearing() == Bearing.NOTICE && !failed.isEmpty()) {
        // The member stays due on the failed job's track: the next run does it, then the notice.
        continue;
      }
      String problem;
      if (pointsLeft && job.bearing() == Bearing.ACTIVITY) {
        problem = "not done while the member's points due to expire for inactivity are not all expired (see the"
            + " failure above): it counts as activity and would keep them; the next run does it after the expiry";
      } else {
        try {
          Either<LoyaltyError, ?> result = job.action().get();
          problem = result.isLeft() ? result.getLeft().message() : null;
        } catch (Throwable e) {
          problem = pluginFailure(e);
        }
        pointsLeft |= expiring && problem != null && job.bearing() == Bearing.EXPIRY;
      }
      if (problem != null) {
        failed = failed.append(new MemberFailure(member, job.work(), problem));
      }
    }
    return failed;
  }

  /**
   * What a plug-in's failure (a task, a reward hook, a tier or consent look-up here; a voucher
   * issuer in the facade) reports, as a rule's failure is {@code RuleFailed} in earning (the same
   * line as {@code EarnEngine}'s): exceptions (checked ones too, which Kotlin, Groovy or Lombok's
   * {@code @SneakyThrows} let it throw undeclared), and the errors it brings with it (a class of its
   * jar missing or failing to initialise, an assertion of its own, runaway recursion, its language's
   * or libraries' errors). Errors of the JVM itself (out of memory, internal errors) propagate; an
   * interrupt is kept for the caller.
   */
  static String pluginFailure(Throwable e) {
    rethrowIfFatal(e);
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return said(e);
  }

  /**
   * Lets an error of the virtual machine itself (out of memory, an internal error) out of a
   * plug-in's call. A {@link StackOverflowError} is the plug-in's runaway recursion, its stack
   * unwound by the time it is caught: that plug-in's failure, whose change (for a listener) is
   * committed all the same.
   */
  static void rethrowIfFatal(Throwable e) {
    if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
      throw (VirtualMachineError) e;
    }
  }

  /**
   * What a plug-in, or what it threw, says of itself ({@link Object#toString}), or its class name
   * when it cannot say: its text is the plug-in's code too, and may throw (a message worked out from
   * a field the code left null) or answer null, which must not turn the plug-in's failure into one
   * of the run or the request (the same line as {@code EarnEngine}'s for rules).
   */
  static String said(Object plugin) {
    String text;
    try {
      text = plugin.toString();
    } catch (Throwable unsaid) {
      rethrowIfFatal(unsaid);
      text = null;
    }
    return text != null ? text : plugin.getClass().getName() + " (whose toString() failed)";
  }

  /** The member's due work, in the order it is done; empty if nothing is due. */
  private List<Job> agenda(DueWork work, Instant asOf) {
    MemberId member = work.memberId();
    if (work.member().status() == MemberStatus.CLOSED) {
      // Closing is final: no points, no holds, no tier to review (an index row written before that
      // was so may still name a review).
      return List.empty();
    }
    List<Job> jobs = List.empty();
    for (DueTask task : tasks.filter(t -> t.track() == DueTrack.HOLD_EXPIRY)) {
      jobs = jobs.appendAll(taskJob(task, work, asOf));
    }
    boolean holdsTimeOut = !jobs.isEmpty();
    if (isDue(work, DueTrack.VESTING, asOf)) {
      jobs = jobs.append(new Job("vest", () -> loyalty.vest(member, asOf, runKey("vest", member, asOf))));
    }
    // A hold timeout can give points back to a lot that has expired (held after it expired, before
    // it was swept, or a grace lot's): those are due too, and the job decides when it runs.
    boolean lotsExpired = isDue(work, DueTrack.LOT_EXPIRY, asOf);
    if (lotsExpired || holdsTimeOut) {
      jobs = jobs.append(new Job("expire", () -> expire(member, asOf, lotsExpired, holdsTimeOut)));
    }
    if (inactiveAt(work, asOf).isDefined()) {
      jobs = jobs.append(new Job(INACTIVITY, Bearing.EXPIRY, () -> expireInactive(member, asOf)));
    }
    for (OccasionGrant grant : occasionsDue(work, asOf)) {
      jobs = jobs.append(new Job(grant.occasion().tag(), Bearing.ACTIVITY, () -> grant(work.member(), grant, asOf)));
    }
    for (DueTask task : tasks.filter(t -> t.track() != DueTrack.HOLD_EXPIRY)) {
      jobs = jobs.appendAll(taskJob(task, work, asOf));
    }
    if (!isDue(work, DueTrack.TIER_REVIEW, asOf) && downgradeToAnnounce(work, asOf)) {
      jobs = jobs.append(new Job("tier-warning", () -> loyalty.reviewTier(member,
          LocalDate.ofInstant(asOf, work.member().zone()))));
    }
    if (!jobs.isEmpty() && program.expiryNoticeDays() > 0 || expiryToAnnounce(work, asOf)) {
      jobs = jobs.append(new Job("expiry-notice", Bearing.NOTICE, () -> announceExpiries(work.member(), asOf)));
    }
    return jobs;
  }

  /**
   * The occasions not granted yet that are due for a member at the run, or on one of the member's
   * {@code catchUpDays} previous local days, oldest first: a run at a fixed hour can skip a local
   * day (the night the clocks go forward, a run at 23:30 UTC falls on the 27th and then the 29th in
   * London), or runs can be missed (a scheduler down over a long weekend), and an occasion whose
   * window closed on a missed day would otherwise never be granted; the grant's key (by year) keeps
   * one already made from being made again. No further back than that: a run after a long outage
   * does not grant a year of occasions at once. Not for a day before the member enrolled, but for
   * the day they enrolled whatever the hour: a member who enrols on their birthday after that day's
   * run is granted it by the next. None for a run as of an instant before the member enrolled (a
   * late run as of its usual hour): the points would be credited before the enrolment.
   */
  private List<OccasionGrant> occasionsDue(DueWork work, Instant asOf) {
    Member member = work.member();
    if (birthdayRule.isEmpty() && program.anniversaryRule().isEmpty() || !member.isActive()
        || member.enrolledAt().isAfter(asOf)) {
      return List.empty();
    }
    LocalDate today = LocalDate.ofInstant(asOf, member.zone());
    LocalDate enrolled = LocalDate.ofInstant(member.enrolledAt(), member.zone());
    List<Instant> days = List.rangeClosed(1, catchUpDays).reverse().map(today::minusDays)
        .filter(day -> !day.isBefore(enrolled))
        .map(day -> day.atTime(java.time.LocalTime.NOON).atZone(member.zone()).toInstant())
        .append(asOf);
    Option<String> tier = birthdayRule.exists(rule -> !rule.byTier().isEmpty())
        ? Loyalty.portTier("a TierLookup", tiers.tierOf(work.memberId(), asOf), work.memberId())
        : Option.none();
    List<OccasionGrant> due = List.empty();
    for (Instant day : days) {
      Option<OccasionGrant> birthday = birthdayRule.flatMap(rule -> rule.dueOn(member, work.lastPurchase(), day, tier));
      Option<OccasionGrant> anniversary = program.anniversaryRule().flatMap(rule -> rule.dueOn(member, day));
      for (OccasionGrant grant : birthday.toList().appendAll(anniversary)) {
        // Those granted already are left out before the consent is read: most candidates of the
        // catch-up days were granted by an earlier run.
        if (due.forAll(g -> !g.key().equals(grant.key())) && !granted(work, grant)
            && (grant.occasion() != Occasion.BIRTHDAY || loyalty.consent(work.memberId()).birthdayOffers())) {
          due = due.append(grant);
        }
      }
    }
    return due;
  }

  /**
   * After the member's other work the expiries may have moved: announces those due then, each under
   * its own key; the first refusal stops the rest, which the next run announces.
   */
  private Either<LoyaltyError, ?> announceExpiries(Member member, Instant asOf) {
    Instant horizon = noticeHorizon(member, asOf);
    boolean near = index.dueWork(member.id()).flatMap(after -> after.next(DueTrack.LOT_EXPIRY))
        .exists(at -> !at.isAfter(horizon));
    List<Tuple2<Instant, IdempotencyKey>> due = near ? unannounced(member.id(), asOf, horizon) : List.empty();
    for (Tuple2<Instant, IdempotencyKey> notice : due) {
      Either<LoyaltyError, ?> announced = loyalty.announceExpiry(member.id(), notice._1, notice._2);
      if (announced.isLeft()) {
        return announced;
      }
    }
    return Either.right(due);
  }

  /**
   * Expires the member's lots expired by {@code asOf}. Lots the index the run started from knew
   * expired are expired at once; otherwise whether any is expired is decided when the job runs,
   * after the hold timeouts before it: a timeout may give points back to a lot that has expired
   * (points held after it expired and before it was swept, or a grace lot's), which would otherwise
   * stay to be spent until the next run. Writes nothing when no lot is expired then.
   *
   * <p>The expiry occurs at {@code asOf}, or, when the hold timeouts gave points back to a lot
   * expired by then after it (a late run: they release at the clock's instant), when the last of
   * them came back, under that instant's key: the {@code EXPIRE} entry never occurs before the
   * {@code RELEASE} that gave it the points. A repeated late run at the same {@code asOf} finds the
   * same entries, so it is the same request.
   */
  private Either<LoyaltyError, ?> expire(MemberId member, Instant asOf, boolean knownExpired, boolean holdsTimedOut) {
    if (!knownExpired && !index.dueWork(member).exists(work -> isDue(work, DueTrack.LOT_EXPIRY, asOf))) {
      return Either.right(List.empty());
    }
    Set<EntryId> expired = holdsTimedOut
        ? HashSet.ofAll(store.account(member).toList().flatMap(Account::lots).filter(lot -> lot.isExpiredAt(asOf))
            .map(Lot::id))
        : HashSet.empty();
    Instant at = expired.isEmpty() ? asOf
        : arrivedSince(member, asOf, asOf, movement -> expired.contains(movement.lot())).getOrElse(asOf);
    return loyalty.expire(member, at, runKey("expire", member, at));
  }

  /**
   * The instant the rule finds the member inactive, if it has come by {@code asOf} and they have
   * points to expire; also for points that the hold timeouts the run does first give back then: they
   * too find the member inactive.
   */
  private Option<Instant> inactiveAt(DueWork work, Instant asOf) {
    return program.inactivityExpiry()
        .filter(policy -> work.holdsPoints() || work.openHolds().values().exists(at -> !at.isAfter(asOf)))
        .map(policy -> policy.expiresAt(work.lastActivity(), work.member().zone()))
        .filter(at -> !at.isAfter(asOf));
  }

  /**
   * Expires the member's points for inactivity, deciding whether they are inactive, and the instant,
   * when the job runs: after the hold timeouts before it may have given points back, and on the
   * index as it is then, not as the run found its candidates (a purchase the member made since, in
   * a run over many members, ends the inactivity). The expiry is committed only on the entries it
   * was decided on: when another request for the member commits in between (another node's credit,
   * which an expiry dated before it must not take, or activity), the facade refuses it and the run
   * decides again on the index and the entries as they are then.
   */
  private Either<LoyaltyError, ?> expireInactive(MemberId member, Instant asOf) {
    Either<LoyaltyError, ?> expired = Either.right(List.empty());
    for (int decision = 1; decision <= DECISIONS; decision++) {
      // The sequence before the index and the entries: a request committed after it, which the
      // decision may or may not have seen, makes the facade refuse the expiry.
      long seen = store.account(member).map(Account::lastSequence).getOrElse(0L);
      Option<Instant> due = index.dueWork(member).flatMap(work -> inactiveAt(work, asOf));
      if (due.isEmpty()) {
        return Either.right(List.empty());
      }
      Instant at = inactivityExpiry(member, due.get(), asOf);
      expired = loyalty.expireInactive(member, at, runKey(INACTIVITY, member, at), seen);
      if (!expired.isLeft() || !(expired.getLeft() instanceof LoyaltyError.ConcurrentModification)) {
        return expired;
      }
    }
    return expired;
  }

  /**
   * The instant the member's points expire for inactivity, which also keys the expiry: the instant
   * the rule gives ({@code inactiveAt}) the first time. Once that expiry is recorded the member is
   * still inactive (an adjustment or a transfer in is no activity and does not move the last
   * activity), so points that arrived since expire as of the run ({@code asOf}), under a key of
   * their own: the rule's key would replay the first receipt, leave them live for ever and touch the
   * member every day. So do points that arrived after that instant when its expiry is not recorded
   * (nothing was live then: all spent or held, and no run wrote it), or that a late run finds besides
   * those live then: an expiry as of the rule's instant would occur before the entry that gave them.
   * A late run (as of an instant before the clock's) may find points that arrived after its own
   * instant too (its hold timeouts give them back at the clock's instant): the expiry takes them with
   * the rest, so it occurs when the last of them arrived, never before.
   */
  private Instant inactivityExpiry(MemberId member, Instant inactiveAt, Instant asOf) {
    boolean recorded = store.idempotencyRecord(runKey(INACTIVITY, member, inactiveAt)).isDefined();
    Option<Instant> arrived = arrivedSince(member, recorded ? asOf : inactiveAt, asOf, movement -> true);
    return recorded || arrived.isDefined() ? arrived.getOrElse(asOf) : inactiveAt;
  }

  /**
   * Whether an entry after the ledger as of {@code since} (those after the last one recorded at or
   * before it, as the read models cut it) gave the member's lots points: a credit that is no
   * activity, a void, a cancelled redemption, points given back into a grace lot. Vesting moves
   * points that were there already. If one did, the latest of {@code asOf} and the instants such
   * entries occurred at, else none. Reads the member's entries newest first, as far as
   * {@code since}, or {@code asOf} once one is found (no entry recorded by then occurred after it).
   * Only the movements {@code into} accepts count (those into the lots an expiry takes).
   */
  private Option<Instant> arrivedSince(MemberId member, Instant since, Instant asOf, Predicate<LotMovement> into) {
    Option<Instant> latest = Option.none();
    EntryQuery query = EntryQuery.newest(ARRIVALS_PAGE);
    while (true) {
      List<Entry> page = store.history(member, query);
      for (Entry e : page) {
        if (!e.recordedAt().isAfter(since) || latest.isDefined() && !e.recordedAt().isAfter(asOf)) {
          return latest;
        }
        if (e.kind() != EntryKind.VEST && e.movements().exists(m -> m.points().isPositive() && into.test(m))) {
          Instant at = latest.getOrElse(asOf);
          latest = Option.some(e.occurredAt().isAfter(at) ? e.occurredAt() : at);
        }
      }
      if (page.size() < query.limit()) {
        return latest;
      }
      query = query.before(page.last().sequence());
    }
  }

  private List<Job> taskJob(DueTask task, DueWork work, Instant asOf) {
    MemberId member = work.memberId();
    return isDue(work, task.track(), asOf)
        ? List.of(new Job(task.name(), bearing(task), () -> task.operation().run(member, asOf, task.key(member, asOf))))
        : List.empty();
  }

  /**
   * How a task bears on the member's inactivity expiry: a hold timeout's failure leaves points the
   * expiry was to take; the tier engine's review writes no activity; any other task may write some
   * (an application's own tier engine crediting a tier bonus), so it waits as a gift does.
   */
  private Bearing bearing(DueTask task) {
    return task.track() == DueTrack.HOLD_EXPIRY ? Bearing.EXPIRY
        : standardTierReview.exists(standard -> standard == task) ? Bearing.NONE
        : Bearing.ACTIVITY;
  }

  private static boolean isDue(DueWork work, DueTrack track, Instant asOf) {
    return work.next(track).exists(at -> !at.isAfter(asOf));
  }

  private boolean granted(DueWork work, OccasionGrant grant) {
    return work.grantedYear(grant.occasion().tag()).exists(year -> year >= grant.year())
        || store.idempotencyRecord(grant.key()).isDefined();
  }

  /**
   * Whether the member's next tier review falls within the ladder's warning days and a coming
   * downgrade may have to be announced: the tier engine's daily review then announces it once
   * (remembered by a counter) and writes nothing else before the review is due. The warning days
   * are counted as the review counts them: calendar days in the member's zone from the start of the
   * run's local day, the date the run reviews. Not N × 24 hours from the run: across a change of the
   * clocks that is an hour more or less, and a run in the first hour of the local day skipped the
   * member on the day of the warning (sent a day late), or one in the last hour visited the member
   * the day before it for a review that announced nothing. Not every such review brings a
   * downgrade: the member may keep their tier, and the index's next review may also be an override's
   * end or a period's end that brings a next-period upgrade; a member was visited on each warning day
   * before those for nothing, so the member's tier standing is read to tell whether the review
   * announces one (only for the members whose next review is within the warning days and who were
   * not warned of it; a return can still bring a downgrade on a later day).
   */
  private boolean downgradeToAnnounce(DueWork work, Instant asOf) {
    int days = program.tierLadder().map(ladder -> ladder.warningDays()).getOrElse(0);
    ZoneId zone = work.member().zone();
    Instant horizon = LocalDate.ofInstant(asOf, zone).atStartOfDay(zone).plusDays(days).toInstant();
    return days > 0 && work.next(DueTrack.TIER_REVIEW)
        .exists(at -> at.isAfter(asOf) && !at.isAfter(horizon)
            && store.counter("tier-warning:" + work.memberId() + ":" + at) == 0
            && loyalty.announcesDowngradeAt(work.memberId(), at, asOf));
  }

  /**
   * Whether an expiry within the notice days ahead has not been announced yet. The index knows the
   * next expiry only (the first lot's): once that one is announced, a later lot expiring within the
   * notice days would otherwise be announced only when the first had expired, days late, so the
   * member's lots are read then (and only then).
   */
  private boolean expiryToAnnounce(DueWork work, Instant asOf) {
    Instant horizon = noticeHorizon(work.member(), asOf);
    Option<Instant> next = work.next(DueTrack.LOT_EXPIRY);
    if (program.expiryNoticeDays() == 0 || next.forAll(at -> at.isAfter(horizon))) {
      return false;
    }
    return next.get().isAfter(asOf) && !announced(work.memberId(), next.get())
        || !unannounced(work.memberId(), asOf, horizon).isEmpty();
  }

  /**
   * How far ahead expiries are announced (inclusive): to the end of the local day the notice days
   * ahead, counted as calendar days in the member's zone, the way the run counts its other days, so
   * that a notice goes out on the same local day whatever the hour of the run and of the expiry.
   * Not N × 24 hours: across a change of the clocks that is an hour more or less, and a run in the
   * first or last hour of the local day would announce an expiry a day late or a day early. Nor the
   * run's local time N days on: an expiry later in its day than the run would wait for the next day.
   */
  private Instant noticeHorizon(Member member, Instant asOf) {
    return LocalDate.ofInstant(asOf, member.zone()).plusDays(program.expiryNoticeDays() + 1L)
        .atStartOfDay(member.zone()).toInstant().minusNanos(1);
  }

  /**
   * The expiry instants of the member's lots after {@code asOf} and by {@code horizon} that were not
   * announced yet, or whose points grew past what their last notice announced (points that arrived
   * after it: a late upload, a transfer in, a credit, points a hold gave back), soonest first, each
   * with the key to announce it under: {@code expiry-notice:<member>:<instant>} for the first notice,
   * {@code expiry-notice:<member>:<total>:<instant>} for a later one, which names the total it
   * announces, so that two runs seeing the same points send one request. A notice recorded before
   * the notices remembered their points (its counter is zero) is not repeated: what it said is unknown.
   */
  private List<Tuple2<Instant, IdempotencyKey>> unannounced(MemberId member, Instant asOf, Instant horizon) {
    // In consumption order the lots expire soonest first: the lots after the horizon are not visited.
    Option<Account> account = store.account(member);
    Instant now = loyalty.clock().instant();
    // With the lots the open holds timing out by then took, which they give back before the expiry.
    List<Instant> expiries = account.map(a -> loyalty.expiriesAhead(a, asOf, horizon, now, noticeKey(member, horizon)))
        .getOrElse(List.empty());
    List<Tuple2<Instant, IdempotencyKey>> due = List.empty();
    for (Instant at : expiries) {
      if (!announced(member, at)) {
        due = due.append(Tuple.of(at, noticeKey(member, at)));
        continue;
      }
      long said = store.counter(Loyalty.expiryNoticeCounter(member, at));
      // Counted as the notice counts them, so that the run visits only when the notice announces.
      long points = said == 0 ? 0 : loyalty.expiringAt(account.get(), at, now, noticeKey(member, at)).value();
      if (said > 0 && points > said) {
        due = due.append(Tuple.of(at, renoticeKey(member, points, at)));
      }
    }
    return due;
  }

  private boolean announced(MemberId member, Instant expiresAt) {
    return store.idempotencyRecord(noticeKey(member, expiresAt)).isDefined();
  }

  private Either<LoyaltyError, ?> grant(Member member, OccasionGrant grant, Instant asOf) {
    return notActiveNow(member.id(), grantedMeanwhile(grant, grant.reward().rewardId().isDefined()
        ? rewards.grant(grant, asOf).flatMap(result -> handedOver(grant).map(recorded -> result))
        : creditOccasion(member, grant, asOf)));
  }

  /**
   * A grant refused because the member is not active is skipped, not failed: the run read the
   * member's status with its candidates, at its start, and a member suspended (or closed) since then,
   * before the run came to them, gets no occasion, as one suspended before the run would not
   * ({@link #occasionsDue}). Nothing was granted, so nothing is recorded: a run within the catch-up
   * days after the member is reactivated grants it.
   */
  private static Either<LoyaltyError, ?> notActiveNow(MemberId member, Either<LoyaltyError, ?> result) {
    return result.isLeft() && result.getLeft() instanceof LoyaltyError.MemberNotActive refused
        && refused.member().equals(member)
        ? Either.right(List.empty())
        : result;
  }

  /**
   * A grant refused because its key is recorded for another request counts as granted: another run
   * granted the occasion after this one checked ({@link #granted}), which it would otherwise have
   * found. Such a run sends a different request when it is on the other side of the member's
   * midnight (the points are credited at the start of its own day), or saw another tier (another
   * reward), and is answered {@link LoyaltyError.IdempotencyConflict}; the member had the grant the
   * rule gives once a year, so that is neither the member's failure nor a second grant. Only the
   * run reads the conflict so: the facade still refuses an application's different request under a
   * used key.
   */
  private Either<LoyaltyError, ?> grantedMeanwhile(OccasionGrant grant, Either<LoyaltyError, ?> result) {
    return result.isLeft() && result.getLeft() instanceof LoyaltyError.IdempotencyConflict conflict
        && conflict.key().equals(grant.key()) && store.idempotencyRecord(grant.key()).isDefined()
        ? Either.right(grant.key())
        : result;
  }

  private Either<LoyaltyError, Receipt> creditOccasion(Member member, OccasionGrant grant, Instant asOf) {
    OccasionReward reward = grant.reward();
    Instant occurredAt = creditedAt(member, grant, asOf);
    String reason = grant.occasion() == Occasion.BIRTHDAY
        ? "Birthday reward " + grant.year()
        : "Membership anniversary " + grant.year();
    Credit credit = Credit.of(member.id(), reward.points().get(), reason, grant.key())
        .ofKind(EntryKind.BONUS)
        .occurredAt(occurredAt)
        .explainedBy(List.of(grant.ruleId()), grant.details());
    Option<Instant> expiry = program.lotExpiry().expiresAt(occurredAt, member.zone());
    return loyalty.creditOccasion(expiry.isDefined() ? credit.expiringAt(expiry.get()) : credit);
  }

  /**
   * After a {@link RewardGrant} succeeded: records the grant's key if the hook did not (an
   * application's hook that issues the reward outside the ledger), so that {@link #granted} finds it
   * and the member is not handed the gift, and touched, again by every run for the rest of the
   * window. The default hook, {@link Loyalty#grantOccasionReward}, records the key itself.
   */
  private Either<LoyaltyError, ?> handedOver(OccasionGrant grant) {
    return store.idempotencyRecord(grant.key()).isDefined()
        ? Either.right(grant.key())
        : loyalty.recordOccasionGrant(grant);
  }

  /**
   * When an occasion's points are credited, which is the credit's occurred-at instant and where the
   * lot's term starts: the start of the run's day in the member's zone, or their enrolment if that
   * is later, and never before the window opens nor after the run. Not the window's first day: a
   * grant late in a month-long window would then get a lot that began before the member had it (or
   * before they enrolled), already expired under a short term, and would count as activity weeks
   * too early. Not the run's instant either: a run at another hour of the same day, or on another
   * node, sends the same request under the same key and is answered from the record; a run on a
   * later day sends none, because {@link #granted} finds the record first.
   */
  private static Instant creditedAt(Member member, OccasionGrant grant, Instant asOf) {
    Instant dayStart = LocalDate.ofInstant(asOf, member.zone()).atStartOfDay(member.zone()).toInstant();
    Instant windowStart = grant.opens().atStartOfDay(member.zone()).toInstant();
    Instant at = List.of(dayStart, windowStart, member.enrolledAt()).max().get();
    return at.isAfter(asOf) ? asOf : at;
  }

  private DueQuery query(Instant asOf, Partition partition) {
    LocalDate today = LocalDate.ofInstant(asOf, ZoneOffset.UTC);
    Option<Instant> lastActiveBy = program.inactivityExpiry().map(policy -> today.minusMonths(policy.months())
        .plusDays(MONTH_MARGIN_DAYS).atStartOfDay(ZoneOffset.UTC).toInstant());
    Set<MonthDay> birthdays = birthdayRule.map(rule -> monthDaysAround(today, rule.reach(), catchUpDays))
        .getOrElse(HashSet.empty());
    Set<MonthDay> anniversaries = program.anniversaryRule()
        .map(rule -> monthDaysAround(today, rule.terms().window().reach(), catchUpDays)).getOrElse(HashSet.empty());
    int warningDays = program.tierLadder().map(ladder -> ladder.warningDays()).getOrElse(0);
    // The warning days too are counted in each member's zone (downgradeToAnnounce), with a margin.
    long reviewDays = warningDays == 0 ? 0 : warningDays + (long) ZONE_MARGIN_DAYS;
    // The notice days are counted in each member's zone, to the end of the local day (noticeHorizon):
    // a margin covers the rest of that day and the hours a change of the clocks adds to them.
    Instant expiringBy = program.expiryNoticeDays() == 0
        ? asOf
        : asOf.plus(Duration.ofDays(program.expiryNoticeDays() + ZONE_MARGIN_DAYS));
    return new DueQuery(asOf, expiringBy, lastActiveBy, birthdays,
        anniversaries, partition, asOf.plus(Duration.ofDays(reviewDays)));
  }

  /**
   * The month-days of the occasions whose windows may contain today, or one of the {@code catchUp}
   * days before it, in some zone: a window reaches at most {@code reach} days from its occasion,
   * and a zone's date differs from UTC's by at most a day. 29 February is included whenever
   * 28 February or 1 March is.
   */
  private static Set<MonthDay> monthDaysAround(LocalDate today, int reach, int catchUp) {
    Set<MonthDay> days = HashSet.empty();
    int span = reach + ZONE_MARGIN_DAYS;
    for (LocalDate d = today.minusDays(span + catchUp); !d.isAfter(today.plusDays(span)); d = d.plusDays(1)) {
      days = days.add(MonthDay.from(d));
    }
    return days.contains(MonthDay.of(2, 28)) || days.contains(MonthDay.of(3, 1)) ? days.add(MonthDay.of(2, 29)) : days;
  }

  private static IdempotencyKey runKey(String work, MemberId member, Instant at) {
    return IdempotencyKey.of(work + ":" + member.value() + ":" + at);
  }

  private static IdempotencyKey noticeKey(MemberId member, Instant expiresAt) {
    return runKey("expiry-notice", member, expiresAt);
  }

  /**
   * The key of a later notice of an expiry, {@code expiry-notice:<member>:<total>:<instant>}; where
   * that passes the 128 characters a key may have (the longest member id, an instant to the
   * nanosecond and a total of 19 digits), a SHA-256 digest of the member and total in their place,
   * as a long purchase key's tier key has one. Either ends in the instant, a shape the facade
   * keeps for the run.
   */
  private static IdempotencyKey renoticeKey(MemberId member, long points, Instant expiresAt) {
    String plain = "expiry-notice:" + member.value() + ":" + points + ":" + expiresAt;
    return IdempotencyKey.of(plain.length() <= 128 ? plain
        : "expiry-notice:" + Fingerprint.of("expiry-notice-key").value(member).value(points).sha256() + ":" + expiresAt);
  }

  private static final String HOLD_TIMEOUT = "hold-timeout";
  private static final String TIER_REVIEW = "tier-review";

  /**
   * Builds a {@link DailyRun}. Not thread-safe.
   *
   * <p>Unless tasks of those names are registered, {@link #build()} adds the standard ones: releasing
   * expired holds ({@link Loyalty#releaseExpiredHolds}) always, and, when the program has a tier
   * ladder, reviewing tiers ({@link Loyalty#reviewTier} for the member's local date) with the
   * facade's {@link Loyalty#tierOf} as the tier lookup for occasions, unless one was set.
   */
  public static final class Builder {
    private final Loyalty loyalty;
    private TierLookup tiers = TierLookup.none();
    private boolean tiersSet;
    private Option<RewardGrant> rewards = Option.none();
    private List<DueTask> tasks = List.empty();
    private Option<DueTask> standardTierReview = Option.none();
    private List<RunProgress> listeners = List.empty();
    private int catchUpDays = DEFAULT_CATCH_UP_DAYS;

    private Builder(Loyalty loyalty) {
      this.loyalty = loyalty;
    }

    /**
     * @param value the tier lookup for tier-dependent occasion terms, not null (default: the
     *     facade's {@link Loyalty#tierOf} when the program has a tier ladder, else no tiers, and then
     *     {@link #build()} refuses a birthday rule with terms for some tiers)
     * @return this builder
     */
    public Builder tiers(TierLookup value) {
      this.tiers = Objects.requireNonNull(value, "tiers");
      this.tiersSet = true;
      return this;
    }

    /**
     * Replaces how catalogue rewards are granted for occasions. By default the run issues them free
     * with {@link Loyalty#grantOccasionReward} (a zero-point {@code REDEEM} taking one unit of the
     * reward's stock); register a hook to issue them some other way, e.g. through an external
     * fulfilment service. Points rewards never go through it: the run credits them itself. When the
     * hook succeeds without recording the grant's key, the run records it, so that the grant is not
     * handed over again (see {@link RewardGrant#grant}).
     *
     * @param value the hook that grants catalogue rewards for occasions, not null
     * @return this builder
     */
    public Builder rewards(RewardGrant value) {
      this.rewards = Option.some(Objects.requireNonNull(value, "rewards"));
      return this;
    }

    /**
     * @param value a task owned by another engine (hold timeouts, tier reviews), not null
     * @return this builder
     * @throws IllegalArgumentException if a task with the same name is already registered, or the
     *     name is one the run uses for its own keys ({@code vest}, {@code expire}, {@code inactivity},
     *     {@code expiry-notice}, {@code birthday}, {@code anniversary}, and {@code tier}, the key of a
     *     purchase's tier evaluation)
     */
    public Builder task(DueTask value) {
      Objects.requireNonNull(value, "task");
      if (RESERVED.contains(value.name())) {
        throw new IllegalArgumentException("the task name '" + value.name() + "' is reserved: the library's own keys start"
            + " with it (the reserved names: " + RESERVED.toSortedSet().mkString(", ") + "); give the task another name");
      }
      if (tasks.exists(t -> t.name().equals(value.name()))) {
        throw new IllegalArgumentException("a task named '" + value.name() + "' is already registered; register one"
            + " task per name (a task named like a standard one, hold-timeout or tier-review, replaces it)");
      }
      this.tasks = tasks.append(value);
      return this;
    }

    /**
     * Sets how many local days before its own (in the member's zone) a run also grants the
     * birthdays and anniversaries of, so that an occasion whose window closed while runs were
     * missed (a scheduler down over a long weekend) is granted by the first run after, once; by
     * default {@value #DEFAULT_CATCH_UP_DAYS}. Never for a day before the member enrolled, and
     * never further back, so that a run after a longer outage does not grant a year of occasions at
     * once. The grant is made as any other: points credited at the start of the run's day, with the
     * program's expiry from then, and eligibility as at the run.
     *
     * @param days the local days caught up, 1 to {@value #MAX_CATCH_UP_DAYS} (1 covers a local day
     *     that a run at a fixed hour skips when the clocks go forward)
     * @return this builder
     * @throws IllegalArgumentException if {@code days} is outside 1..{@value #MAX_CATCH_UP_DAYS}
     */
    public Builder catchUpDays(int days) {
      if (days < 1 || days > MAX_CATCH_UP_DAYS) {
        throw new IllegalArgumentException("catch-up days must be 1.." + MAX_CATCH_UP_DAYS + ", was " + days);
      }
      this.catchUpDays = days;
      return this;
    }

    /**
     * @param value a listener told of the counts and failures as the run goes, not null
     * @return this builder
     */
    public Builder listener(RunProgress value) {
      this.listeners = listeners.append(Objects.requireNonNull(value, "listener"));
      return this;
    }

    /**
     * @return the run
     * @throws IllegalArgumentException if the facade's store does not implement
     *     {@link DueWorkIndex}, tracks other activity kinds than the program's inactivity policy
     *     counts, or, when no {@linkplain #rewards(RewardGrant) hook} is registered, an occasion rule
     *     of the program (its default or a tier's terms) gives a catalogue reward that the default
     *     grant, {@link Loyalty#grantOccasionReward}, would refuse on every run: one the program's
     *     catalogue does not have (or a malformed reward id), or one that is points as payment; or
     *     the program's birthday rule has terms for some tiers ({@link BirthdayRule#forTier}) while
     *     the program has no tier ladder and no {@linkplain #tiers(TierLookup) tier lookup} is set,
     *     or for a tier the ladder does not have while the run reads members' tiers from it (no
     *     tier lookup set)
     */
    public DailyRun build() {
      if (!tasks.exists(t -> t.name().equals(HOLD_TIMEOUT))) {
        tasks = tasks.append(DueTask.holdTimeouts(loyalty::releaseExpiredHolds));
      }
      if (loyalty.program().tierLadder().isDefined()) {
        if (!tasks.exists(t -> t.name().equals(TIER_REVIEW))) {
          standardTierReview = Option.some(DueTask.tierReviews((member, asOf, key) -> loyalty.member(member)
              .flatMap(m -> loyalty.reviewTier(member, LocalDate.ofInstant(asOf, m.zone())))));
          tasks = tasks.append(standardTierReview.get());
        }
        if (!tiersSet) {
          tiers = loyalty::tierOf;
          // Members' tiers are then the ladder's: terms for another tier would never be used.
          List<String> ids = loyalty.program().tierLadder().get().tiers().map(t -> t.id().value());
          for (BirthdayRule rule : loyalty.program().birthdayRule()) {
            Option<String> unknown = rule.byTier().keySet().toSortedSet().find(tier -> !ids.contains(tier));
            if (unknown.isDefined()) {
              throw new IllegalArgumentException("the birthday rule '" + rule.id() + "' has terms for the tier '"
                  + unknown.get() + "', which the program's tier ladder does not have (its tiers: " + ids.mkString(", ")
                  + "), so they would never be used; name a tier of the ladder, tell the run members' tiers"
                  + " (DailyRun.Builder.tiers) or take those terms off the rule");
            }
          }
        }
      } else if (!tiersSet) {
        // No ladder and no lookup: no member has a tier, and a tier's terms would never be used.
        Option<BirthdayRule> perTier = loyalty.program().birthdayRule().filter(rule -> !rule.byTier().isEmpty());
        if (perTier.isDefined()) {
          throw new IllegalArgumentException("the birthday rule '" + perTier.get().id() + "' has terms for the tiers "
              + perTier.get().byTier().keySet().toSortedSet().mkString(", ") + ", but the run knows no member's tier:"
              + " the program has no tier ladder; tell the run members' tiers (DailyRun.Builder.tiers)"
              + " or take those terms off the rule");
        }
      }
      return new DailyRun(this);
    }
  }
}
