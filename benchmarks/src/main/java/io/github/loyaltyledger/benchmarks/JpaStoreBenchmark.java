package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JPA store on embedded H2 in a file (the shipped, durable settings), beside raw JDBC doing
 * the same SQL work: single-terminal earn over 1,000 members, and the balance read of a member
 * with 100,000 entries against one with 10.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Fork(1)
@Measurement(iterations = 3, time = 3)
public class JpaStoreBenchmark {

  static final int MEMBERS = 1_000;

  /*
   * Earn benchmarks warm up for 15 s, the JDBC baselines as long as the store: the facade, the
   * store and Hibernate are far more code than a JDBC loop, and with 2 x 2 s the compiler was still
   * at work in the measured iterations (CPU per credit kept falling for the first ~10,000 credits),
   * so the ratio measured warm-up, not the steady state.
   */
  static final int WARMUP_ITERATIONS = 5;

  /** A temporary folder, removed at the end of the trial. */
  static Path folder() throws IOException {
    return Files.createTempDirectory("loyalty-bench");
  }

  static void delete(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The facade on {@code JpaLedgerStore.h2File}, with {@value #MEMBERS} members enrolled. */
  @State(Scope.Benchmark)
  public static class JpaH2File {
    Path folder;
    JpaLedgerStore store;
    Loyalty loyalty;
    long next;

    /**
     * Opens the store and enrols the members.
     *
     * @throws IOException if the folder cannot be created
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      folder = folder();
      store = JpaLedgerStore.h2File(folder.resolve("ledger"));
      loyalty = History.facade(store);
      for (int i = 0; i < MEMBERS; i++) {
        loyalty.enrol(Enrolment.of(MemberId.of("m" + i), IdempotencyKey.of("enrol-" + i)));
      }
    }

    /**
     * Closes the store and removes its files.
     *
     * @throws IOException if the files cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      store.close();
      delete(folder);
    }
  }

  /** Raw JDBC on its own H2 file with the same URL settings, schema and members. */
  @State(Scope.Benchmark)
  public static class JdbcH2File {
    Path folder;
    JdbcLedger ledger;
    long next;

    /**
     * Opens the database and enrols the members.
     *
     * @throws IOException if the folder cannot be created
     * @throws SQLException if the database cannot be prepared
     * @throws NoSuchAlgorithmException if SHA-256 is missing
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException, SQLException, NoSuchAlgorithmException {
      folder = folder();
      ledger = new JdbcLedger(JpaLedgerStore.h2FileUrl(folder.resolve("ledger")), "sa", "");
      for (int i = 0; i < MEMBERS; i++) {
        ledger.enrol("m" + i);
      }
    }

    /**
     * Closes the database and removes its files.
     *
     * @throws IOException if the files cannot be removed
     * @throws SQLException if the connection cannot be closed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, SQLException {
      ledger.close();
      delete(folder);
    }
  }

  /** One member with 100,000 entries and one with 10, imported into an H2 file store. */
  @State(Scope.Benchmark)
  public static class Histories {
    Path folder;
    JpaLedgerStore store;
    Loyalty loyalty;
    final MemberId longHistory = MemberId.of("long");
    final MemberId shortHistory = MemberId.of("short");

    /**
     * Builds and imports the histories.
     *
     * @throws IOException if the folder cannot be created
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      folder = folder();
      store = JpaLedgerStore.h2File(folder.resolve("ledger"));
      loyalty = History.facade(store);
      History.of(longHistory, 100_000).importInto(store, 1_000);
      History.of(shortHistory, 10).importInto(store, 1_000);
    }

    /**
     * Closes the store and removes its files.
     *
     * @throws IOException if the files cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      store.close();
      delete(folder);
    }
  }

  /**
   * One credit through the facade on the JPA store (single terminal, members in turn).
   *
   * @param s the store
   * @return the receipt
   */
  @Benchmark
  @Warmup(iterations = WARMUP_ITERATIONS, time = 3)
  public Either<LoyaltyError, Receipt> earnH2File(JpaH2File s) {
    long n = s.next++;
    return s.loyalty.credit(Credit.of(MemberId.of("m" + (n % MEMBERS)), Points.of(10), "Purchase",
        IdempotencyKey.of("pos-" + n)));
  }

  /**
   * The same SQL work as {@link #earnH2File} in raw JDBC.
   *
   * @param s the database
   * @throws SQLException if a statement fails
   */
  @Benchmark
  @Warmup(iterations = WARMUP_ITERATIONS, time = 3)
  public void earnH2FileJdbc(JdbcH2File s) throws SQLException {
    long n = s.next++;
    s.ledger.credit("m" + (n % MEMBERS), "pos-" + n, 10);
  }

  /**
   * The balance of a member with 100,000 entries.
   *
   * @param s the histories
   * @return the balance
   */
  @Benchmark
  public Either<LoyaltyError, Balance> balanceOf100000Entries(Histories s) {
    return s.loyalty.balance(s.longHistory);
  }

  /**
   * The balance of a member with 10 entries.
   *
   * @param s the histories
   * @return the balance
   */
  @Benchmark
  public Either<LoyaltyError, Balance> balanceOf10Entries(Histories s) {
    return s.loyalty.balance(s.shortHistory);
  }
}
