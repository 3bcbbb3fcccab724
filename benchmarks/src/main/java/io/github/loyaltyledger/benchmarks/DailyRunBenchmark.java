package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.RunReport;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.control.Either;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one daily run ({@link DailyRun#runDue}) on the in-memory store against the number
 * of members due and the number of members in all: every member holds a lot, and on each simulated
 * day a fixed share of them has that lot expiring, so the run finds them through the due-work
 * index and writes one {@code EXPIRE} entry each. One invocation is one run on the next day (a
 * day's due members are done once, as in production), so the mode is single-shot; the score is the
 * time of a whole run, and the auxiliary counter {@code membersTouched} is how many members it
 * touched. {@code benchmarks/run.sh} divides the two into the cost per due member.
 *
 * <p>The shapes: {@code 10000:100} and {@code 1000000:10000} (1% due), and {@code 1000000:100}
 * (the same 100 due among a hundred times as many members). If the run's cost followed the members
 * in all, the per-member cost at a million would be a hundred times the one at ten thousand; it
 * follows the members due. The population (enrolment and one credit per member, through the
 * facade, on two threads) is built once per trial and is not measured.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class DailyRunBenchmark {

  /** The simulated days a trial can run: at most this many invocations (warm-up included). */
  static final int DAYS = 100;
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  /** The members of the scratch store that warms the code up before a trial. */
  static final int WARM_UP = 20_000;

  /** A store of members whose lots expire a day's share at a time, and the run over it. */
  @State(Scope.Benchmark)
  public static class Population {
    /** {@code <members in all>:<members due per run>}. */
    @Param({"10000:100", "1000000:10000", "1000000:100"})
    public String membersAndDue;

    int members;
    int duePerRun;
    DailyRun run;
    int day;

    /**
     * Enrols the members and credits each one lot: member {@code i} falls in slot
     * {@code i % (members / duePerRun)}; the members of slot {@code d < DAYS} have their lot expire
     * at the end of simulated day {@code d}, the others a year later (never within the trial).
     */
    @Setup(Level.Trial)
    public void populate() {
      String[] shape = membersAndDue.split(":");
      members = Integer.parseInt(shape[0]);
      duePerRun = Integer.parseInt(shape[1]);
      int slots = members / duePerRun;
      warmUp();
      run = populate(members, slots);
      day = 0;
      // Collect the population's garbage now, so that the collector's work on it is not measured.
      System.gc();
    }

    /**
     * Compiles the run's code paths before any measured shape: a scratch store whose
     * {@value #WARM_UP} members are all due on the first day, run once. Without it the small shape
     * (100 members a run) would be measured half-interpreted and the large one compiled.
     */
    static void warmUp() {
      RunReport report = populate(WARM_UP, 1).runDue(dayEnd(0));
      if (report.counts().done() != WARM_UP) {
        throw new IllegalStateException("the warm-up run did " + report.counts());
      }
    }

    /**
     * Enrols the members and credits each a lot expiring on its slot's day, on two threads; returns
     * the run, on a clock past every day of the trial.
     */
    static DailyRun populate(int members, int slots) {
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      LoyaltyProgram program = LoyaltyProgram.builder("bench").build();
      Loyalty enrolling = facade(program, store, START);
      IntStream.range(0, members).parallel().forEach(i -> {
        MemberId member = MemberId.of(String.format("m%07d", i));
        int slot = i % slots;
        Instant expiry = slot < DAYS ? dayEnd(slot) : dayEnd(DAYS).plus(Duration.ofDays(365));
        check(enrolling.enrol(Enrolment.of(member, IdempotencyKey.of("enrol-" + i))));
        check(enrolling.credit(Credit.of(member, Points.of(100), "Opening balance", IdempotencyKey.of("open-" + i))
            .expiringAt(expiry)));
      });
      return DailyRun.builder(facade(program, store, dayEnd(DAYS))).build();
    }

    static Loyalty facade(LoyaltyProgram program, InMemoryLedgerStore store, Instant now) {
      return Loyalty.builder().program(program).store(store).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    }

    static Instant dayEnd(int day) {
      return START.plus(Duration.ofDays(day + 1L));
    }

    static void check(Either<LoyaltyError, Receipt> result) {
      if (result.isLeft()) {
        throw new IllegalStateException("population refused: " + result.getLeft().message());
      }
    }
  }

  /** How many members the run touched, reported beside the time. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Touched {
    /** Members with work done in the run. */
    public long membersTouched;
  }

  /**
   * Runs the next simulated day: finds the day's due members through the index and expires their
   * lots.
   *
   * @param p the population
   * @param touched the counter of members touched
   * @return the run's report
   */
  @Benchmark
  public RunReport runDue(Population p, Touched touched) {
    if (p.day >= DAYS) {
      throw new IllegalStateException("a trial runs at most " + DAYS + " days (warm-up and measurement iterations)");
    }
    RunReport report = p.run.runDue(Population.dayEnd(p.day++));
    if (report.counts().done() != p.duePerRun || !report.failures().isEmpty()) {
      throw new IllegalStateException("expected " + p.duePerRun + " members done, got " + report.counts()
          + " " + report.failures().take(3));
    }
    touched.membersTouched += report.counts().done();
    return report;
  }
}
