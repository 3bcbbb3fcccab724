package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.util.concurrent.TimeUnit;
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
 * A credit and a debit through the facade on the in-memory store, at members who each hold
 * {@code lots} live lots: the credit adds the newest lot and the debit empties the oldest, so every
 * member keeps the same number of lots over the run. With the lots in a persistent vector (ADR
 * 0003) the cost should not follow the lots; copying them, as postings did before, cost about 13 ns
 * per lot and posting. The report compares 10,000 lots with 10.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Fork(1)
@Measurement(iterations = 3, time = 3)
public class LotsBenchmark {

  /** How many members the postings rotate over. */
  static final int MEMBERS = 16;

  /** The facade, with {@value #MEMBERS} members each holding {@link #lots} lots of 10 points. */
  @State(Scope.Thread)
  public static class Members {
    /** The live lots of each member. */
    @Param({"10", "10000"})
    public int lots;

    Loyalty loyalty;
    MemberId[] members;
    long next;

    /** Enrols the members and credits each of them {@link #lots} times. */
    @Setup(Level.Trial)
    public void setUp() {
      loyalty = History.facade(new InMemoryLedgerStore());
      members = new MemberId[MEMBERS];
      for (int m = 0; m < MEMBERS; m++) {
        members[m] = MemberId.of("member-" + m);
        loyalty.enrol(Enrolment.of(members[m], IdempotencyKey.of("enrol-" + m)));
        for (int i = 0; i < lots; i++) {
          loyalty.credit(Credit.of(members[m], Points.of(10), "Purchase", IdempotencyKey.of("setup-" + m + "-" + i))).get();
        }
      }
    }
  }

  /**
   * Credits 10 points (a new lot, last in consumption order) and debits 10 (the oldest lot, emptied
   * and dropped) at the next member.
   *
   * @param s the members
   * @return the debit's receipt, so the work is not eliminated
   */
  @Benchmark
  public Object creditAndDebit(Members s) {
    long n = s.next++;
    MemberId member = s.members[(int) (n % MEMBERS)];
    s.loyalty.credit(Credit.of(member, Points.of(10), "Purchase", IdempotencyKey.of("c-" + n))).get();
    return s.loyalty.debit(Debit.of(member, Points.of(10), "Reward", IdempotencyKey.of("d-" + n))).get();
  }
}
