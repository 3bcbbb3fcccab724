package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Either;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Eight terminals on PostgreSQL (the server in {@code LOYALTY_PG_URL}, which
 * {@code benchmarks/run.sh} starts): each earning for its own members through one facade on the
 * JPA store, beside raw JDBC doing the same SQL work on eight connections; and all eight on one
 * hot member, where no error may reach a caller; and the store beside raw JDBC at the same time
 * ({@link #sideBySideStore}). Each warms up for {@value #WARMUP_ITERATIONS} x 3 s,
 * the baselines as long as the store (see {@link #WARMUP_ITERATIONS}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = PostgresBenchmark.WARMUP_ITERATIONS, time = 3)
@Fork(1)
@Measurement(iterations = 3, time = 3)
@Threads(8)
public class PostgresBenchmark {

  /*
   * Each terminal earns for 1,000 members in turn (8,000 in all), so that over a run a member keeps
   * the few dozen lots of a regular customer, as EarningBenchmark's do (ADR 0011). With 100 per
   * terminal a member passed a hundred lots during the warm-up, every credit read and rewrote them
   * all (on both sides), and the figure depended on how long the run had lasted.
   */
  static final int MEMBERS_PER_TERMINAL = 1_000;

  /*
   * Twelve iterations of 3 s: with eight terminals and the server sharing the two cores, the JIT
   * compiles the facade, the store, Hibernate and pgjdbc far more slowly than on an idle core. With
   * the 5 x 3 s of JpaStoreBenchmark, JMH's compiler profiler (-prof comp) still counted 2.9-3.4 s of
   * compilation in each 3 s measured iteration of the store, one of the two cores, against 3-9 ms for
   * the raw-JDBC client; after 12 x 3 s it counts 1-35 ms for both. The figure is the steady state,
   * not the warm-up.
   */
  static final int WARMUP_ITERATIONS = 12;

  static String env(String name, String otherwise) {
    String value = System.getenv(name);
    if (value == null && otherwise == null) {
      throw new IllegalStateException(name + " is not set: run the PostgreSQL benchmarks through benchmarks/run.sh");
    }
    return value == null ? otherwise : value;
  }

  /** The node: one JPA store and one facade shared by the terminals. */
  @State(Scope.Benchmark)
  public static class Node {
    final String run = "r" + System.nanoTime();
    final AtomicInteger terminals = new AtomicInteger();
    final AtomicLong keys = new AtomicLong();
    JpaLedgerStore store;
    Loyalty loyalty;

    /** Connects and enrols the hot member. */
    @Setup(Level.Trial)
    public void open() {
      store = JpaLedgerStore.fromJdbcUrl(env("LOYALTY_PG_URL", null), env("LOYALTY_PG_USER", "postgres"),
          env("LOYALTY_PG_PASSWORD", ""));
      loyalty = History.facade(store);
      loyalty.enrol(Enrolment.of(MemberId.of(run + "-hot"), IdempotencyKey.of(run + "-enrol-hot")));
    }

    /** Closes the store. */
    @TearDown(Level.Trial)
    public void close() {
      store.close();
    }
  }

  /** One terminal of the JPA node with its own members. */
  @State(Scope.Thread)
  public static class Terminal {
    String prefix;
    long next;

    /**
     * Enrols the terminal's members.
     *
     * @param node the node
     */
    @Setup(Level.Trial)
    public void enrol(Node node) {
      prefix = node.run + "-t" + node.terminals.incrementAndGet();
      for (int i = 0; i < MEMBERS_PER_TERMINAL; i++) {
        node.loyalty.enrol(Enrolment.of(MemberId.of(prefix + "-m" + i), IdempotencyKey.of(prefix + "-enrol-" + i)));
      }
    }
  }

  /** One raw-JDBC terminal: its own connection and members. */
  @State(Scope.Thread)
  public static class JdbcTerminal {
    static final AtomicInteger TERMINALS = new AtomicInteger();
    JdbcLedger ledger;
    String prefix;
    long next;

    /**
     * Connects and enrols the terminal's members.
     *
     * @throws SQLException if the database cannot be prepared
     * @throws NoSuchAlgorithmException if SHA-256 is missing
     */
    @Setup(Level.Trial)
    public void open() throws SQLException, NoSuchAlgorithmException {
      ledger = new JdbcLedger(env("LOYALTY_PG_URL", null), env("LOYALTY_PG_USER", "postgres"),
          env("LOYALTY_PG_PASSWORD", ""));
      prefix = "jdbc" + System.nanoTime() + "-t" + TERMINALS.incrementAndGet();
      for (int i = 0; i < MEMBERS_PER_TERMINAL; i++) {
        ledger.enrol(prefix + "-m" + i);
      }
    }

    /**
     * Closes the connection.
     *
     * @throws SQLException if it cannot be closed
     */
    @TearDown(Level.Trial)
    public void close() throws SQLException {
      ledger.close();
    }
  }

  /**
   * One credit through the facade, each terminal on its own members.
   *
   * @param node the node
   * @param terminal the terminal
   * @return the receipt
   */
  @Benchmark
  public Either<LoyaltyError, Receipt> earnPostgres(Node node, Terminal terminal) {
    long n = terminal.next++;
    return node.loyalty.credit(Credit.of(MemberId.of(terminal.prefix + "-m" + (n % MEMBERS_PER_TERMINAL)),
        Points.of(10), "Purchase", IdempotencyKey.of(terminal.prefix + "-pos-" + n)));
  }

  /**
   * The same SQL work as {@link #earnPostgres} in raw JDBC.
   *
   * @param terminal the terminal
   * @throws SQLException if a statement fails
   */
  @Benchmark
  public void earnPostgresJdbc(JdbcTerminal terminal) throws SQLException {
    long n = terminal.next++;
    terminal.ledger.credit(terminal.prefix + "-m" + (n % MEMBERS_PER_TERMINAL), terminal.prefix + "-pos-" + n, 10);
  }

  /**
   * The same SQL work as {@link #earnPostgres} in raw JDBC, in the three round trips the store makes
   * (the reads in one statement, the writes in one script, the commit): a stricter baseline than
   * {@link #earnPostgresJdbc}, which makes one round trip per statement.
   *
   * @param terminal the terminal
   * @throws SQLException if a statement fails
   */
  @Benchmark
  public void earnPostgresJdbcThreeTrips(JdbcTerminal terminal) throws SQLException {
    long n = terminal.next++;
    terminal.ledger.creditInThreeTrips(terminal.prefix + "-m" + (n % MEMBERS_PER_TERMINAL), terminal.prefix + "-pos-" + n,
        10);
  }

  /**
   * The store and the stricter baseline measured at the same time: four terminals credit through
   * the facade while four raw-JDBC terminals ({@link #sideBySideJdbcThreeTrips}) make the same
   * credits in the store's three round trips, on the same server, eight terminals in all, each on
   * its own members. JMH reports each side's throughput for the same iterations.
   *
   * <p>Measured one after the other, the two sides meet different machines: on this shared virtual
   * machine the CPU time a credit costs (in the JVM and in the server alike) moved by half between
   * runs minutes apart, and which side a slow spell fell on decided their ratio (ADR 0008). Side by
   * side, a slow spell slows both. What the pair shares besides the server: one JVM, so the
   * collector's pauses and the compiler's threads, which the store's allocation and longer code
   * mostly cause, stall the client's terminals too.
   *
   * @param node the node
   * @param terminal the terminal
   * @return the receipt
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(4)
  public Either<LoyaltyError, Receipt> sideBySideStore(Node node, Terminal terminal) {
    return earnPostgres(node, terminal);
  }

  /**
   * The raw-JDBC side of {@link #sideBySideStore}: the store's SQL in its three round trips, as
   * {@link #earnPostgresJdbcThreeTrips}.
   *
   * @param terminal the terminal
   * @throws SQLException if a statement fails
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(4)
  public void sideBySideJdbcThreeTrips(JdbcTerminal terminal) throws SQLException {
    earnPostgresJdbcThreeTrips(terminal);
  }

  /**
   * Eight terminals earning for one hot member; any error fails the benchmark.
   *
   * @param node the node
   * @return the receipt
   */
  @Benchmark
  public Receipt earnPostgresHotMember(Node node) {
    Either<LoyaltyError, Receipt> result = node.loyalty.credit(Credit.of(MemberId.of(node.run + "-hot"), Points.of(1),
        "Purchase", IdempotencyKey.of(node.run + "-hot-" + node.keys.incrementAndGet())));
    if (result.isLeft()) {
      throw new IllegalStateException("a caller got an error: " + result.getLeft().message());
    }
    return result.get();
  }
}
