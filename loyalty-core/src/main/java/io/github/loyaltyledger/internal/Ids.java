package io.github.loyaltyledger.internal;

import java.util.regex.Pattern;

/**
 * Not API (see the package): the form of the ids a program is configured with, the program's own
 * and its tiers' and rewards', in one place: entries, counters and keys record them, so every
 * package must accept the same ones and describe them alike.
 */
public final class Ids {

  /** The form an id must have, as refusals describe it. */
  public static final String FORM = "1 to 40 lower-case letters, digits or hyphens, starting with a letter or digit";

  private static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  /** The last program id that was of the {@link #FORM}, compared by identity; a String is immutable. */
  private static volatile String lastProgramId;

  private Ids() {}

  /**
   * Refuses a text that is not an id of the {@link #FORM}.
   *
   * @param what the id's name, as the message starts, e.g. {@code "tier id"}; not null
   * @param id the text, not null
   * @return {@code id}
   * @throws IllegalArgumentException if it is not of the form, naming it, the form and the text
   */
  public static String requireId(String what, String id) {
    if (!PATTERN.matcher(id).matches()) {
      throw new IllegalArgumentException(what + " must be " + FORM + ", was '" + id + "'");
    }
    return id;
  }

  /**
   * Refuses a program id given to an earning context that no program could have, as
   * {@link #requireId} refuses it for the program itself. The facade passes its program's id, one
   * String on every request: it is matched once, and then recognised by identity (ADR 0011).
   *
   * @param programId the text, not null
   * @return {@code programId}
   * @throws IllegalArgumentException if it is not of the form, naming the programId, the form and
   *     the text
   */
  public static String requireContextProgramId(String programId) {
    if (programId != lastProgramId) {
      if (!PATTERN.matcher(programId).matches()) {
        throw new IllegalArgumentException("the programId must be a program's id, " + FORM
            + ", as LoyaltyProgram's is; was '" + programId + "'");
      }
      lastProgramId = programId;
    }
    return programId;
  }
}
