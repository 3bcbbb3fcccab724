package io.github.loyaltyledger.jpa;

/**
 * When an embedded H2 database in a file ({@link JpaLedgerStore#h2File(java.nio.file.Path,
 * H2Durability)}) writes a commit to its file, and so what a killed process can lose.
 *
 * <p>H2 writes its maps to the file one after another while other transactions go on changing
 * them, so a file written while a transaction is half done can keep part of it after a killed
 * process (H2 issue 2080; the crash test found such half requests, about one kill in a hundred with
 * concurrent writers). The store therefore lets one transaction at a time write to an H2 database
 * from its JVM. With {@link #EVERY_COMMIT} the file is then only written by a commit, while no
 * other transaction is under way, and holds whole commits; with {@link #DELAYED} H2's background
 * writer writes it at moments of its own. Neither setting makes H2 force its file to the disk, so
 * an operating-system crash or a power cut can lose what the operating system had not yet written;
 * for that, use PostgreSQL.
 */
public enum H2Durability {

  /**
   * Every commit is written to the file before the store acknowledges it (H2's {@code
   * WRITE_DELAY=0}): a killed process loses no acknowledged request and keeps nothing of the
   * others. The default, and the setting for anything that records what customers were promised.
   *
   * <p>It costs a write of every changed page at every commit, and H2 keeps the superseded pages
   * in the file while it is open (the file grows with the commits; {@code SHUTDOWN COMPACT} or
   * H2's {@code MVStoreTool.compact} on the closed file reclaims the space).
   */
  EVERY_COMMIT(";WRITE_DELAY=0"),

  /**
   * Commits are written by H2's background writer at most half a second after they are
   * acknowledged (H2's default write delay), together with the commits that came meanwhile: a
   * killed process can lose the requests acknowledged in about the last half second, whole, and
   * those of one thread from some request on (never one without those before it). The background
   * writer stores the tables one after another while commits go on, so a killed process can also
   * keep part of the requests committed while it was writing, each thread's first lost requests:
   * their entries without their request and account, or their account change without their entries
   * (in about one kill in a hundred; once two requests, of two threads, at one kill). The entries
   * kept still chain and match their hashes. Closing the store writes everything.
   *
   * <p>For data that can be made again: a simulation run from its seed, a test fixture, a load
   * that is repeated after a failure. The Bean Club example's year of 2,000 members took about
   * 40% less time with it than with {@link #EVERY_COMMIT}, and its file grew to an eighth of the
   * size (ADR 0012). Never for a live programme: a member whose acknowledged purchase is lost has lost
   * points the till showed.
   */
  DELAYED("");

  private final String urlSetting;

  H2Durability(String urlSetting) {
    this.urlSetting = urlSetting;
  }

  /** @return what this durability adds to an H2 URL, starting with {@code ;}, or nothing */
  String urlSetting() {
    return urlSetting;
  }
}
