package io.github.loyaltyledger.store;

import io.github.loyaltyledger.member.MemberId;
import java.nio.charset.StandardCharsets;

/**
 * One of {@code count} disjoint shares of the members, so that several application nodes can share
 * a run: every member belongs to exactly one partition, decided by a stable hash of the member id
 * (32-bit FNV-1a over its UTF-8 bytes, modulo {@code count}) that does not depend on the JVM,
 * the node or the store.
 *
 * @param index which share, from 0 to {@code count - 1}
 * @param count how many shares, at least 1
 */
public record Partition(int index, int count) {

  /**
   * Validates the partition.
   *
   * @param index which share, from 0 to {@code count - 1}
   * @param count how many shares, at least 1
   * @throws IllegalArgumentException if {@code count} is below 1 or {@code index} outside 0..count-1
   */
  public Partition {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("partition must be i of n with 0 <= i < n, was " + index + " of " + count);
    }
  }

  /** @return the single partition holding every member */
  public static Partition all() {
    return new Partition(0, 1);
  }

  /**
   * @param index which share, 0 to {@code count - 1}
   * @param count how many shares, at least 1
   * @return partition {@code index} of {@code count}
   * @throws IllegalArgumentException if the numbers are out of range
   */
  public static Partition of(int index, int count) {
    return new Partition(index, count);
  }

  /**
   * @param member a member, not null
   * @return true if the member belongs to this partition
   */
  public boolean contains(MemberId member) {
    int hash = 0x811c9dc5;
    for (byte b : member.value().getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return Integer.remainderUnsigned(hash, count) == index;
  }
}
