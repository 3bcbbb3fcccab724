package io.github.loyaltyledger;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The facade's log records ({@code java.util.logging}, through {@code System.Logger}), kept for a
 * test to assert instead of printed: a test that provokes a warning checks it, and the build log
 * shows no warning the tests caused.
 */
final class FacadeLog {

  private FacadeLog() {}

  /**
   * Runs {@code action} with the facade's log records added to {@code kept} instead of printed.
   *
   * @param kept where the records go
   * @param action what logs them
   */
  static void keep(List<LogRecord> kept, Runnable action) {
    Logger log = Logger.getLogger(Loyalty.class.getName());
    Handler keep = new Handler() {
      @Override
      public void publish(LogRecord record) {
        kept.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    boolean parents = log.getUseParentHandlers();
    log.addHandler(keep);
    log.setUseParentHandlers(false);
    try {
      action.run();
    } finally {
      log.removeHandler(keep);
      log.setUseParentHandlers(parents);
    }
  }
}
