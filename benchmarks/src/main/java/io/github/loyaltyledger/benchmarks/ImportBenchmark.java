package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.jpa.ImportReport;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk import of historical entries into H2 in a file: {@value #MEMBERS} members of
 * {@value #PER_MEMBER} entries each (every entry with its own idempotency record, as a legacy
 * history replayed request by request has), replayed on the in-memory store and then copied by
 * {@code JpaLedgerStore.importMembers} (chains verified, multi-row inserts of 20 rows in JDBC
 * batches, 2,000 entries per transaction, one transaction at a time on H2, whose writers the store
 * keeps apart), and in raw JDBC doing the same SQL work on two connections ({@code
 * JdbcLedger.importHistory}). The score is the time per imported entry; entries per second is its
 * inverse. Ten warm-up imports, because after two the compiler was still at work (the store's
 * single shots then scattered over 27–75 µs per entry, after ten over 15–24), and eight measured
 * ones, because a single shot is noisy; about a minute in all.
 *
 * <p>The fork starts with a 2 GB heap ({@code -Xms2g}). Each shot's set-up ends with {@code
 * System.gc()}, after which the collector shrank the heap to about 160 MB, and the imports then
 * alternated fast and slow (in one run of the raw-JDBC side 21, 44, 23, 43, 22, 43, 19, 39 µs per
 * entry, the slow ones doing several times the CPU work inside H2), on both sides and in some runs
 * only. With the heap's floor fixed, three runs gave 10-14 µs per entry on both sides without a slow
 * shot (ADR 0008). An application importing its members does not collect between imports.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10)
@Fork(value = 1, jvmArgsAppend = "-Xms2g")
@Measurement(iterations = 8)
public class ImportBenchmark {

  static final int MEMBERS = 20;
  static final int PER_MEMBER = 1_000;

  /** Histories to import, built before each invocation, and fresh databases per trial. */
  @State(Scope.Benchmark)
  public static class Imports {
    Path folder;
    JpaLedgerStore store;
    JdbcLedger jdbc;
    InMemoryLedgerStore source;
    List<MemberId> members;
    int round;

    /**
     * Opens both databases.
     *
     * @throws IOException if the folder cannot be created
     * @throws SQLException if a database cannot be prepared
     * @throws NoSuchAlgorithmException if SHA-256 is missing
     */
    @Setup(Level.Trial)
    public void open() throws IOException, SQLException, NoSuchAlgorithmException {
      folder = JpaStoreBenchmark.folder();
      store = JpaLedgerStore.h2File(folder.resolve("jpa"));
      jdbc = new JdbcLedger(JpaLedgerStore.h2FileUrl(folder.resolve("jdbc")), "sa", "");
    }

    /**
     * Builds the next round's histories (members not yet imported), then collects the garbage of
     * building them (the replay of 20,000 requests), which would otherwise be charged to the import.
     */
    @Setup(Level.Invocation)
    public void build() {
      round++;
      members = new ArrayList<>();
      for (int i = 0; i < MEMBERS; i++) {
        members.add(MemberId.of("r" + round + "-m" + i));
      }
      source = History.replayed(members, PER_MEMBER);
      System.gc();
    }

    /**
     * Closes both databases and removes their files.
     *
     * @throws IOException if the files cannot be removed
     * @throws SQLException if the JDBC connection cannot be closed
     */
    @TearDown(Level.Trial)
    public void close() throws IOException, SQLException {
      store.close();
      jdbc.close();
      JpaStoreBenchmark.delete(folder);
    }
  }

  /**
   * Imports through {@code JpaLedgerStore.importMembers}.
   *
   * @param s the histories and the store
   * @return the import's report
   */
  @Benchmark
  @OperationsPerInvocation(MEMBERS * PER_MEMBER)
  public ImportReport importH2File(Imports s) {
    ImportReport report = s.store.importMembers(s.source, s.members);
    if (report.entries() != (long) MEMBERS * PER_MEMBER) {
      throw new IllegalStateException("imported " + report);
    }
    return report;
  }

  /**
   * Imports the same rows in raw JDBC, the same multi-row inserts on two connections.
   *
   * @param s the histories and the database
   * @throws SQLException if a statement fails
   */
  @Benchmark
  @OperationsPerInvocation(MEMBERS * PER_MEMBER)
  public void importH2FileJdbc(Imports s) throws SQLException {
    s.jdbc.importHistory(s.source, s.members);
  }
}
