package io.github.loyaltyledger.store;

import java.util.Objects;

/**
 * Thrown when a facade is built on a store that keeps the ledger of another program. A store keeps
 * one program's ledger ({@link LedgerStore#claimProgram}): its members, idempotency keys, entries
 * and reports are not kept apart by program, so a second program on it would read the first one's
 * members as its own, answer its keys, claw back its purchases and count its points in its
 * liability. Give each program a store of its own (for the JPA store, a database schema of its own);
 * a program renamed on purpose takes its store over with {@code Loyalty.Builder.renamedFrom}.
 * Nothing was written.
 */
public final class ProgramMismatchException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** The program the store keeps. */
  private final String storeProgram;
  /** The program the facade runs. */
  private final String program;

  /**
   * Creates the exception, with a message naming both programs and what to do.
   *
   * @param storeProgram the id of the program whose ledger the store keeps, not null
   * @param program the id of the program the facade was to run, not null
   * @throws NullPointerException if an argument is null
   */
  public ProgramMismatchException(String storeProgram, String program) {
    super("the store keeps the ledger of program '" + Objects.requireNonNull(storeProgram, "storeProgram")
        + "', not of '" + Objects.requireNonNull(program, "program") + "': a store keeps one program's ledger (members,"
        + " keys and counters are not kept apart by program), so give program '" + program + "' a store of its own"
        + " (with JpaLedgerStore a database schema of its own, README \"Several programs\"); if '" + program
        + "' is '" + storeProgram + "' renamed on purpose, build the facade with renamedFrom(\"" + storeProgram + "\")");
    this.storeProgram = storeProgram;
    this.program = program;
  }

  /** @return the id of the program whose ledger the store keeps */
  public String storeProgram() {
    return storeProgram;
  }

  /** @return the id of the program the facade was to run */
  public String program() {
    return program;
  }
}
