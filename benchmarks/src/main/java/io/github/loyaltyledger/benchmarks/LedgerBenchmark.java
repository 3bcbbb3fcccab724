package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.control.Either;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of posting one credit through the facade on the in-memory store (hash chain on,
 * idempotency on), beside a floor that does only the unavoidable work of a posting: SHA-256 of an
 * entry-sized record chained to the previous hash, an idempotency-index insert and an append.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Fork(1)
@Measurement(iterations = 3, time = 3)
public class LedgerBenchmark {

  /**
   * A facade with 1,024 members on a fresh in-memory store per iteration. Credits go round the
   * members, as a till's would, so that no member piles up thousands of live lots within an
   * iteration: a posting costs time in proportion to the member's live lots (see ADR 0003).
   */
  @State(Scope.Thread)
  public static class Ledger {
    static final int MEMBERS = 1024;
    Loyalty loyalty;
    MemberId[] members;
    MemberId member;
    long next;

    /** Resets the store so the history does not grow across iterations. */
    @Setup(Level.Iteration)
    public void setUp() {
      loyalty = Loyalty.builder()
          .program(LoyaltyProgram.builder("bench").build())
          .store(new InMemoryLedgerStore())
          .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
          .build();
      members = new MemberId[MEMBERS];
      for (int i = 0; i < MEMBERS; i++) {
        members[i] = MemberId.of("bench-member-" + i);
        loyalty.enrol(Enrolment.of(members[i], IdempotencyKey.of("enrol-" + i)));
      }
      member = members[0];
    }
  }

  /** The floor's state: a chain tip, an idempotency index and a journal. */
  @State(Scope.Thread)
  public static class Floor {
    MessageDigest sha256;
    byte[] previous = new byte[32];
    Map<String, byte[]> index;
    List<byte[]> journal;
    long next;
    final byte[] body = "member=bench-member;kind=EARN;points=10;channel=system;reason=Purchase;version=1;occurred=2026-01-01T00:00:00Z;recorded=2026-01-01T00:00:00Z;movements=1"
        .getBytes(StandardCharsets.UTF_8);

    /** Fresh index and journal per iteration, like the ledger's fresh store. */
    @Setup(Level.Iteration)
    public void setUp() throws NoSuchAlgorithmException {
      sha256 = MessageDigest.getInstance("SHA-256");
      index = new HashMap<>();
      journal = new ArrayList<>();
    }
  }

  /**
   * Posts one credit through the facade.
   *
   * @param s the ledger state
   * @return the receipt, so the work is not eliminated
   */
  @Benchmark
  public Either<LoyaltyError, Receipt> credit(Ledger s) {
    long n = s.next++;
    return s.loyalty.credit(Credit.of(s.members[(int) (n % Ledger.MEMBERS)], Points.of(10), "Purchase",
        IdempotencyKey.of("pos-" + n)));
  }

  /**
   * Reads the balance (constant time whatever the history).
   *
   * @param s the ledger state
   * @return the balance
   */
  @Benchmark
  public Either<LoyaltyError, Balance> balance(Ledger s) {
    return s.loyalty.balance(s.member);
  }

  /**
   * The floor: hash an entry-sized record chained to the previous hash, index its key, append it.
   *
   * @param s the floor state
   * @return the new chain tip
   */
  @Benchmark
  public byte[] floor(Floor s) {
    String key = "pos-" + s.next++;
    s.sha256.update(s.body);
    s.sha256.update(ByteBuffer.allocate(8).putLong(s.next).array());
    s.sha256.update(s.previous);
    byte[] hash = s.sha256.digest();
    s.previous = hash;
    s.index.put(key, hash);
    s.journal.add(hash);
    return hash;
  }
}
