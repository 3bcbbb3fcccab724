package io.github.loyaltyledger.jpa;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Lets one transaction at a time write to an embedded H2 database, inside this JVM: every writing
 * transaction of the store (a commit, a profile saved or deleted, outbox rows marked delivered, an
 * import's transaction, a schema migration) holds the database's lock from before its first write
 * until it has committed or rolled back.
 *
 * <p>Two faults of H2 make this necessary.
 * <ul>
 *   <li><b>A half transaction after a killed process.</b> H2 writes its file ({@code MVStore}'s
 *       chunks, on every commit with {@code WRITE_DELAY=0}) by taking the current state of each of
 *       its maps in turn while other transactions go on changing them, so a chunk can hold another
 *       transaction's uncommitted change to one table without the undo record that would roll it
 *       back (H2 issue 2080). If the process dies before that transaction ends, the change stays
 *       after reopening as if committed: the crash test found an account one entry ahead of its
 *       entries, and an entry without its request. With one writer at a time and {@code
 *       WRITE_DELAY=0}, a chunk is written only by the transaction that is writing, and holds all or
 *       none of each of its changes with their undo records. (With a write delay, H2's background
 *       writer still writes when it chooses: {@link H2Durability#DELAYED}.)
 *   <li><b>A lost update under concurrent writers.</b> Under concurrent writers on one row, H2's
 *       {@code SELECT … FOR UPDATE} and conditional {@code UPDATE} sometimes both pass in two
 *       transactions that started from the same value, so both commit and one increment or one
 *       account version is lost (measured with 8 threads on one counter; see ADR 0008).
 * </ul>
 *
 * <p>Every writer of an embedded H2 database runs in the process that opened it, so a lock in that
 * process serialises them for real. All stores on one database share its lock ({@link
 * #forDatabase}), so two stores in one JVM (two "nodes" in a test) are kept apart too. Reads take no
 * lock. Other databases get {@link #none()}: PostgreSQL's own locks and write-ahead log hold.
 *
 * <p>The lock also keeps a member's erasure from committing while the relay hands over that member's
 * enrolment event ({@link #handingOver}, {@link #handedOverElsewhere}: the erasure is refused, as a
 * conflict), without holding the lock itself while the relay's listener runs: a listener may write
 * (through the facade, which takes its lock on the member first and this lock second), and holding
 * this lock meanwhile made it wait for ever for a member whose request, on another thread, waited for
 * this lock. For the same reason the erasure does not wait for the hand-over: it holds the facade's
 * lock on the member, which such a listener waits for.
 */
final class WriteLock {

  private static final WriteLock NONE = new WriteLock(null);

  private static final Map<String, WriteLock> BY_DATABASE = new ConcurrentHashMap<>();

  /** The database's lock, shared by every store on it in this JVM, or null if none is needed. */
  private final ReentrantLock lock;

  /** Signalled, under the lock, when a hand-over ends (for a second relay handing over the same member). */
  private final Condition handedOver;

  /** The members whose enrolment event the relay is handing over, with the thread that does; under the lock. */
  private final Map<String, Thread> handingOver = new java.util.HashMap<>();

  private WriteLock(ReentrantLock lock) {
    this.lock = lock;
    this.handedOver = lock == null ? null : lock.newCondition();
  }

  /** No lock: the database's own locks are trusted (PostgreSQL). */
  static WriteLock none() {
    return NONE;
  }

  /**
   * The lock for a database, by what the JDBC driver reports: one shared lock for each embedded H2
   * database (by its name without settings: {@link #of} names a file database by its resolved path),
   * none for any other product.
   *
   * @param productName the product name from the driver's metadata
   * @param url the URL from the driver's metadata
   * @return the lock to hold around each writing transaction
   */
  static WriteLock forDatabase(String productName, String url) {
    if (!"H2".equalsIgnoreCase(productName)) {
      return NONE;
    }
    return BY_DATABASE.computeIfAbsent(identity(url), database -> new WriteLock(new ReentrantLock()));
  }

  /**
   * The lock for the database a connection is to ({@link #forDatabase}).
   *
   * @param connection an open connection
   * @return the lock to hold around each writing transaction
   * @throws SQLException if the driver cannot say what the database is
   */
  static WriteLock of(Connection connection) throws SQLException {
    DatabaseMetaData metaData = connection.getMetaData();
    String product = metaData.getDatabaseProductName();
    if (!"H2".equalsIgnoreCase(product)) {
      return NONE;
    }
    return forDatabase(product, h2Database(connection, metaData.getURL()));
  }

  /**
   * The name of the H2 database a connection is to: for a file database, its path as H2 resolved
   * it ({@code DATABASE_PATH()}), because H2 opens one database in the JVM for every URL that leads
   * to the same file ({@code jdbc:h2:./x}, {@code jdbc:h2:file:/home/me/x}, {@code ~/x}, paths with
   * {@code .} or {@code ..}), and their writers must share one lock; otherwise (in memory) the URL.
   */
  private static String h2Database(Connection connection, String url) throws SQLException {
    try (Statement query = connection.createStatement();
        ResultSet path = query.executeQuery("SELECT DATABASE_PATH()")) {
      String file = path.next() ? path.getString(1) : null;
      return file == null ? url : "jdbc:h2:file:" + file;
    }
  }

  /** The database an H2 URL names: the URL without its settings ({@code ;KEY=VALUE}). */
  static String identity(String url) {
    int settings = url.indexOf(';');
    return (settings < 0 ? url : url.substring(0, settings)).toLowerCase(Locale.ROOT);
  }

  /** Whether this lock keeps writers apart (embedded H2), so that they must not wait for one another. */
  boolean serialises() {
    return lock != null;
  }

  /**
   * Runs the work while holding the lock; the work begins its transaction and ends it (commit or
   * roll back) before it returns. The lock is reentrant: work may run further work under it.
   *
   * @param work the writing transaction
   * @param <T> the work's result
   * @return what the work returned
   */
  <T> T holding(Supplier<T> work) {
    lock();
    try {
      return work.get();
    } finally {
      unlock();
    }
  }

  /**
   * Like {@link #holding(Supplier)}, for work without a result.
   *
   * @param work the writing transaction
   */
  void run(Runnable work) {
    holding(() -> {
      work.run();
      return null;
    });
  }

  /**
   * Runs the relay's hand-over of a member's enrolment event without holding the lock: a commit that
   * erases the member is refused ({@link #handedOverElsewhere}) until the work has returned, unless it
   * runs on this thread (an erasure made by the listener itself). The work reads the event after it began, so
   * it sees an erasure that committed before, and it takes the lock itself for the transaction that
   * marks the event delivered. Without a lock (PostgreSQL) the work just runs.
   *
   * @param member the member whose enrolment event the work hands over
   * @param work the hand-over
   */
  void handingOver(String member, Runnable work) {
    if (lock == null) {
      work.run();
      return;
    }
    lock.lock();
    try {
      while (handingOver.containsKey(member)) {
        handedOver.awaitUninterruptibly();
      }
      handingOver.put(member, Thread.currentThread());
    } finally {
      lock.unlock();
    }
    try {
      work.run();
    } finally {
      lock.lock();
      try {
        handingOver.remove(member);
        handedOver.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Called with the lock held, before a commit that erases these members writes: whether another
   * thread is handing over an enrolment event of theirs, so that the erasure must be refused rather
   * than commit while the birthday is being handed over. It must not wait for the hand-over either:
   * the relay's listener may be waiting for the lock on the member that the erasure's caller (the
   * facade) holds.
   *
   * @param members the members the commit erases
   * @return whether the commit must be refused
   */
  boolean handedOverElsewhere(Iterable<String> members) {
    if (lock == null) {
      return false;
    }
    for (String member : members) {
      Thread owner = handingOver.get(member);
      if (owner != null && owner != Thread.currentThread()) {
        return true;
      }
    }
    return false;
  }

  /** Waits for the lock, for work that releases it with {@link #unlock()} (a migration). */
  void lock() {
    if (lock != null) {
      lock.lock();
    }
  }

  /** Releases the lock that {@link #lock()} took. */
  void unlock() {
    if (lock != null) {
      lock.unlock();
    }
  }
}
