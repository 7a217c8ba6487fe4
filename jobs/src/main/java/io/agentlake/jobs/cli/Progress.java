package io.agentlake.jobs.cli;

import java.util.Locale;

/** Stage-by-stage progress on stderr, with the time each stage took, so stdout stays data. */
final class Progress {

  private static long started;
  private static String current;

  private Progress() {}

  static synchronized void step(String name) {
    done();
    current = name;
    started = System.nanoTime();
    System.err.print("  .. " + name);
    System.err.flush();
  }

  static synchronized void done() {
    if (current != null) {
      System.err.printf(Locale.ROOT, "  (%.1f s)%n", (System.nanoTime() - started) / 1e9);
      current = null;
    }
  }
}
