package io.github.loyaltyledger.examples;

import java.io.PrintStream;

/**
 * A one-line progress bar redrawn with a carriage return on a terminal; without one (output
 * redirected, a build log) it prints a plain line every tenth of the way instead.
 */
final class ProgressBar {

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private int shownTenth = -1;

  ProgressBar(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** A bar that shows nothing, for tests. */
  static ProgressBar silent() {
    return new ProgressBar(new PrintStream(java.io.OutputStream.nullOutputStream()), false);
  }

  void show(int done, int total, String status) {
    int percent = (int) (100L * done / total);
    if (terminal) {
      int filled = (int) ((long) WIDTH * done / total);
      out.print("\r[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + percent + "%  " + status + "   ");
      out.flush();
    } else if (percent / 10 > shownTenth) {
      shownTenth = percent / 10;
      out.println(percent + "%  " + status);
    }
  }

  void done() {
    if (terminal) {
      out.println();
    }
  }
}
