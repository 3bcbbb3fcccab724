package io.github.loyaltyledger.examples;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the simulation moves forward by hand, so that weeks of programme activity run in
 * milliseconds and the output is the same on every run. Not thread-safe: the examples are
 * single-threaded.
 */
final class SimulatedClock extends Clock {

  private Instant now;

  SimulatedClock(Instant start) {
    this.now = start;
  }

  void advance(Duration by) {
    now = now.plus(by);
  }

  /** Moves the clock to an instant, never back: entries are stamped in the order they happen. */
  void moveTo(Instant instant) {
    if (instant.isBefore(now)) {
      throw new IllegalArgumentException("the simulated clock cannot go back from " + now + " to " + instant);
    }
    now = instant;
  }

  @Override
  public Instant instant() {
    return now;
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
