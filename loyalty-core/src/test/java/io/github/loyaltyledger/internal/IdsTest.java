package io.github.loyaltyledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one form of a program's, tier's and reward's id, and the two refusals that describe it: a
 * program's (or tier's, or reward's) own, and an earning context's.
 */
class IdsTest {

  private static final String FORTY = "abcdefghijklmnopqrstuvwxyz0123456789-abc";

  @ParameterizedTest
  @ValueSource(strings = {"a", "0", "bean-club", "gold", "9-lives", "a-", "a--b", FORTY})
  void anIdOfTheFormIsReturnedAsGiven(String id) {
    assertSame(id, Ids.requireId("tier id", id));
    assertSame(id, Ids.requireContextProgramId(id));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-gold", "Gold", "bean club", "bean_club", "bean.club", "caf\u00e9", "a\n",
      FORTY + "a"})
  void anIdNotOfTheFormIsRefusedNamingItTheFormAndTheText(String id) {
    assertEquals("tier id must be 1 to 40 lower-case letters, digits or hyphens, starting with a letter or digit, was '"
        + id + "'", assertThrows(IllegalArgumentException.class, () -> Ids.requireId("tier id", id)).getMessage());
    assertEquals("the programId must be a program's id, 1 to 40 lower-case letters, digits or hyphens, starting with"
        + " a letter or digit, as LoyaltyProgram's is; was '" + id + "'",
        assertThrows(IllegalArgumentException.class, () -> Ids.requireContextProgramId(id)).getMessage());
  }

  @Nested
  class TheContextsCacheOfTheLastProgramId {

    /** The cache compares by identity: an equal text is matched again, never taken on trust. */
    @Test
    void aMalformedIdIsRefusedAfterAWellFormedOneWhateverTheOrder() {
      Ids.requireContextProgramId("bean-club");
      assertThrows(IllegalArgumentException.class, () -> Ids.requireContextProgramId("Bean Club"));
      Ids.requireContextProgramId("bean-club");
      Ids.requireContextProgramId(new String("bean-club"));
      assertThrows(IllegalArgumentException.class, () -> Ids.requireContextProgramId("-bean-club"));
    }
  }
}
