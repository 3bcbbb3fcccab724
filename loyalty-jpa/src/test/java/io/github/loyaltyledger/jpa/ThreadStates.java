package io.github.loyaltyledger.jpa;

/** Waits, without sleeping, until a started thread waits (for a lock) or has finished. */
final class ThreadStates {

  private ThreadStates() {}

  /**
   * @param thread a started thread
   * @return {@link Thread.State#WAITING} or {@link Thread.State#TERMINATED}, whichever it reached
   */
  static Thread.State settled(Thread thread) {
    Thread.State state = thread.getState();
    while (state != Thread.State.WAITING && state != Thread.State.TERMINATED) {
      Thread.onSpinWait();
      state = thread.getState();
    }
    return state;
  }
}
