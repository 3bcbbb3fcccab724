package io.github.loyaltyledger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PartitionTest {

  /** The share a member falls in, the index of the one partition of {@code count} that holds it. */
  private static List<Integer> holding(String member, int count) {
    return List.range(0, count).filter(i -> Partition.of(i, count).contains(MemberId.of(member)));
  }

  /**
   * Nodes of different versions, and the JPA store's due-work index, must split members alike: the
   * hash is 32-bit FNV-1a over the id's UTF-8 bytes, as documented, pinned here by its published test
   * vectors ("a" is 0xe40c292c, "foobar" 0xbf9cf968) and an id of the shape a shop would use (0x519b96f4).
   */
  @Test
  void aMemberFallsInTheShareOfItsFnv1aHashModuloTheCount() {
    assertEquals(List.of(0), holding("a", 1));
    assertEquals(List.of(1), holding("a", 3));
    assertEquals(List.of(5), holding("a", 7));
    assertEquals(List.of(220), holding("a", 1000));
    assertEquals(List.of(0), holding("foobar", 7));
    assertEquals(List.of(720), holding("foobar", 1000));
    assertEquals(List.of(3), holding("member-42@shop", 7));
    assertEquals(List.of(220), holding("member-42@shop", 1000));
  }

  @Test
  void theLastShareIsOneBelowTheCount() {
    assertEquals(new Partition(2, 3), Partition.of(2, 3));
  }

  @ParameterizedTest
  @CsvSource({"3, 3", "4, 3", "-1, 3", "0, 0", "0, -1"})
  void aShareOutsideTheCountIsRefusedNamingBoth(int index, int count) {
    assertEquals("partition must be i of n with 0 <= i < n, was " + index + " of " + count,
        assertThrows(IllegalArgumentException.class, () -> Partition.of(index, count)).getMessage());
  }
}
