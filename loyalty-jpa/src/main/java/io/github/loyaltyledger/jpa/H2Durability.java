package io.github.loyaltyledger.jpa;

/**
 * When an embedded H2 database in a file ({@link JpaLedgerStore#h2File(java.nio.file.Path,
 * H2Durability)}) writes a commit to its file, and so what a killed process can lose.
 *
 * <p>Either way H2 is meant to write whole commits: after a killed process the database opens with
 * every commit it kept complete and nothing of the others; the choice is only whether the last
 * acknowledged commits may be among the lost ones. One known exception: H2 writes its maps to the
 * file one after another while other transactions go on changing them, so a process killed at the
 * wrong moment can leave part of a request that was never acknowledged (H2 issue 2080; seen once in
 * about fifty runs of the crash test, with concurrent writers). Neither setting makes H2 force its
 * file to the disk, so an operating-system crash or a power cut can lose what the operating system
 * had not yet written. For all of these, use PostgreSQL.
 */
public enum H2Durability {

  /**
   * Every commit is written to the file before the store acknowledges it (H2's {@code
   * WRITE_DELAY=0}): a killed process loses no acknowledged request. The default, and the setting
   * for anything that records what customers were promised.
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
   * those of one thread from some request on (never one without those before it). Closing the
   * store writes everything.
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
