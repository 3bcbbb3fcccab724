package io.github.loyaltyledger.jpa;

/**
 * What {@link JpaLedgerStore#importMembers} wrote: counts only, for the operator's log.
 *
 * @param membersImported members copied into the store (account, entries, due-work row, profile)
 * @param membersSkipped members the store held already with the source's chain (an earlier,
 *     interrupted run imported them), left as they are
 * @param entries ledger entries written
 * @param requests idempotency records written
 * @param profiles member profiles written
 */
public record ImportReport(int membersImported, int membersSkipped, long entries, long requests, int profiles) {

  /** Nothing written yet. */
  static final ImportReport NONE = new ImportReport(0, 0, 0, 0, 0);

  /**
   * Validates the counts.
   *
   * @param membersImported members copied into the store (account, entries, due-work row, profile)
   * @param membersSkipped members the store held already with the source's chain (an earlier,
   *     interrupted run imported them), left as they are
   * @param entries ledger entries written
   * @param requests idempotency records written
   * @param profiles member profiles written
   * @throws IllegalArgumentException if a count is negative
   */
  public ImportReport {
    if (membersImported < 0 || membersSkipped < 0 || entries < 0 || requests < 0 || profiles < 0) {
      throw new IllegalArgumentException("counts cannot be negative");
    }
  }

  /** The sum of two reports (two transactions of one import). */
  ImportReport plus(ImportReport other) {
    return new ImportReport(membersImported + other.membersImported, membersSkipped + other.membersSkipped,
        entries + other.entries, requests + other.requests, profiles + other.profiles);
  }
}
