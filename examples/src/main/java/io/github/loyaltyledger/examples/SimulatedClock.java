package io.github.loyaltyledger.examples;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the simulation moves forward by hand, so that weeks of programme activity run in
 * milliseconds and the output is the same on every run. Each thread has its own time (starting at
 * the clock's start): the simulation's lanes serve their own members at their own pace.
 */
final class SimulatedClock extends Clock {

  private final ThreadLocal<Instant> now;

  SimulatedClock(Instant start) {
    this.now = ThreadLocal.withInitial(() -> start);
  }

  void advance(Duration by) {
    now.set(now.get().plus(by));
  }

  /**
   * Sets this thread's time, also back: for a thread that takes up another timeline (a lane of the
   * simulation starting its day on a pooled thread).
   */
  void reset(Instant instant) {
    now.set(instant);
  }

  /** Moves the clock to an instant, never back: entries are stamped in the order they happen. */
  void moveTo(Instant instant) {
    if (instant.isBefore(now.get())) {
      throw new IllegalArgumentException("the simulated clock cannot go back from " + now.get() + " to " + instant);
    }
    now.set(instant);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the simulation runs in UTC");
  }
}
