package io.github.loyaltyledger.jpa;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Lets a bounded number of threads use the store's database at once, the others waiting for their
 * turn: for the connection pool that {@link JpaLedgerStore#fromJdbcUrl} and {@link
 * JpaLedgerStore#h2File} build, Hibernate's built-in one, which refuses a connection at once (an
 * exception to the caller) when all of its connections are in use. A thread holds at most two
 * connections at a time (a request's attempt, and the commit's look at why it conflicted, or a read
 * of the store's own from inside the attempt), so a pool of {@code n} connections lets {@code n / 2}
 * threads in. The turn is the thread's: work that the thread runs while it has its turn (a read from
 * inside an attempt) does not wait again. A store on the application's own factory gets {@link
 * #open()}, as its pool decides how to wait.
 */
final class ConnectionGate {

  private static final ConnectionGate OPEN = new ConnectionGate(null);

  /** The turns, or null if every thread may go in. */
  private final Semaphore turns;

  /** How deep in work with its turn each thread is. */
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

  private ConnectionGate(Semaphore turns) {
    this.turns = turns;
  }

  /** No gate: the application's pool waits for a connection itself. */
  static ConnectionGate open() {
    return OPEN;
  }

  /**
   * A gate for a pool that refuses when it is exhausted.
   *
   * @param connections the pool's size, at least 2
   * @return the gate, letting in half as many threads, first come first served
   */
  static ConnectionGate forPoolOf(int connections) {
    return new ConnectionGate(new Semaphore(connections / 2, true));
  }

  /**
   * Runs the work in the thread's turn, waiting for one if the thread has none.
   *
   * @param work work that uses the database
   * @param <T> its result
   * @return what the work returned
   */
  <T> T through(Supplier<T> work) {
    if (turns == null) {
      return work.get();
    }
    int[] held = depth.get();
    if (held[0] == 0) {
      turns.acquireUninterruptibly();
    }
    held[0]++;
    try {
      return work.get();
    } finally {
      if (--held[0] == 0) {
        turns.release();
        depth.remove();
      }
    }
  }

  /**
   * Like {@link #through(Supplier)}, for work without a result.
   *
   * @param work work that uses the database
   */
  void run(Runnable work) {
    through(() -> {
      work.run();
      return null;
    });
  }
}
