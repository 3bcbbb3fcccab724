package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CounterChange;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Locks, inside this JVM, the rows a commit is about to change (its accounts, its counters and
 * its idempotency key), for databases whose own row locks do not keep two transactions apart.
 *
 * <p>Embedded H2 is such a database: under concurrent writers on one row, its
 * {@code SELECT … FOR UPDATE} and conditional {@code UPDATE} sometimes both pass in two
 * transactions that started from the same value, so both commit and one increment or one account
 * version is lost (measured with 8 threads on one counter: a few lost increments in one round of
 * 400 in about one round of ten; see ADR 0008). Every writer of an embedded H2 database runs in the
 * process that opened it, so a lock in that process serialises them for real. All stores on one
 * database share one set of locks ({@link #forDatabase}), so two stores in one JVM (two "nodes" in a
 * test) are kept apart too.
 *
 * <p>The locks are striped: a row maps to one of {@value #STRIPES} locks, and a commit takes its
 * stripes in ascending order, which is one order for every commit, so two commits never wait for
 * each other in a cycle. Commits on different members mostly take different stripes and still run
 * in parallel.
 */
final class RowLocks {

  private static final int STRIPES = 256;

  private static final RowLocks NONE = new RowLocks(new ReentrantLock[0]);

  private static final Map<String, RowLocks> BY_DATABASE = new ConcurrentHashMap<>();

  private final ReentrantLock[] stripes;

  private RowLocks(ReentrantLock[] stripes) {
    this.stripes = stripes;
  }

  /** No locks: the database's own row locks are trusted (PostgreSQL). */
  static RowLocks none() {
    return NONE;
  }

  /**
   * The locks for a database, by what the JDBC driver reports: one shared set for each embedded H2
   * database (by its URL without settings), none for any other product.
   *
   * @param productName the product name from the driver's metadata
   * @param url the URL from the driver's metadata
   * @return the locks to hold around each commit
   */
  static RowLocks forDatabase(String productName, String url) {
    if (!"H2".equalsIgnoreCase(productName)) {
      return NONE;
    }
    return BY_DATABASE.computeIfAbsent(identity(url), database -> {
      ReentrantLock[] locks = new ReentrantLock[STRIPES];
      Arrays.setAll(locks, i -> new ReentrantLock());
      return new RowLocks(locks);
    });
  }

  /** The database an H2 URL names: the URL without its settings ({@code ;KEY=VALUE}). */
  static String identity(String url) {
    int settings = url.indexOf(';');
    return (settings < 0 ? url : url.substring(0, settings)).toLowerCase(Locale.ROOT);
  }

  /**
   * Runs the work while holding the locks of every row the commit changes.
   *
   * @param commit the commit about to be written
   * @param work the transaction that writes it
   * @param <T> the work's result
   * @return what the work returned
   */
  <T> T holding(Commit commit, Supplier<T> work) {
    if (stripes.length == 0) {
      return work.get();
    }
    int[] taken = stripesOf(commit);
    int locked = 0;
    try {
      for (int stripe : taken) {
        stripes[stripe].lock();
        locked++;
      }
      return work.get();
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        stripes[taken[i]].unlock();
      }
    }
  }

  /** The distinct stripes of the commit's rows, ascending. */
  private int[] stripesOf(Commit commit) {
    int[] all = new int[commit.changes().size() + commit.counters().size() + 1];
    int n = 0;
    for (AccountChange change : commit.changes()) {
      all[n++] = stripe("account:" + change.account().memberId().value());
    }
    for (CounterChange counter : commit.counters()) {
      all[n++] = stripe("counter:" + counter.key());
    }
    all[n] = stripe("request:" + commit.record().key().value());
    return Arrays.stream(all).sorted().distinct().toArray();
  }

  private int stripe(String row) {
    return Math.floorMod(row.hashCode(), stripes.length);
  }
}
