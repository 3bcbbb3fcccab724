package io.github.loyaltyledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.member.MemberId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A chain tip, the anchor an auditor keeps outside the database, and its text form. */
class ChainTipTest {

  private static final String HASH = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @Test
  void itsTextIsMemberSequenceAndHashAndReadsBackAsAnEqualTip() {
    ChainTip tip = ChainTip.of(MemberId.of("shop:42@eu"), 17, HASH);
    assertEquals("shop:42@eu#17:" + HASH, tip.toString());
    assertEquals(tip, ChainTip.parse(tip.toString()));
  }

  @Test
  void theTipBeforeTheFirstEntryIsSequenceZeroWithTheGenesisHash() {
    assertEquals(0, ChainTip.parse("ada#0:" + Entry.GENESIS_HASH).sequence());
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ChainTip.of(MemberId.of("ada"), 0, HASH));
    assertTrue(refused.getMessage().contains("sequence 0"), refused.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ada", "ada#1", "ada:" + HASH, "#1:" + HASH, "ada#:" + HASH, "ada#x1:" + HASH,
      "ada#-1:" + HASH, "ada#99999999999999999999:" + HASH, "ada#1:", "ada#1:abc", "ada#1:" + HASH + "0",
      "ada b#1:" + HASH})
  void aMalformedTextIsRefusedSayingWhatATipLooksLike(String text) {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ChainTip.parse(text));
    assertTrue(refused.getMessage().contains("'"), refused.getMessage());
  }

  @Test
  void aHashInUpperCaseOrANegativeSequenceIsRefused() {
    MemberId ada = MemberId.of("ada");
    assertThrows(IllegalArgumentException.class, () -> ChainTip.of(ada, 1, HASH.toUpperCase(java.util.Locale.ROOT)));
    assertThrows(IllegalArgumentException.class, () -> ChainTip.of(ada, -1, HASH));
  }
}
