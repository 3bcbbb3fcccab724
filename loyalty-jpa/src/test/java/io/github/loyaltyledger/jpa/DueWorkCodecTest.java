package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.DueTrack;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.Partition;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DueWorkCodecTest {

  private static final Instant AT = Instant.parse("2027-03-01T12:00:00.123456789Z");

  static Stream<DueWork> dueWork() {
    MemberId odd = MemberId.of("a.b:c@d-e_9");
    Member plain = new Member(MemberId.of("alice"), AT, Option.none(), ZoneId.of("UTC"), MemberStatus.ACTIVE);
    Member full = new Member(odd, AT.minusSeconds(86_400 * 400), Option.some(MonthDay.of(2, 29)),
        ZoneId.of("Asia/Tokyo"), MemberStatus.SUSPENDED);
    return Stream.of(
        new DueWork(plain, TreeMap.empty(), AT, false, Option.none(), TreeMap.empty(), TreeMap.empty()),
        new DueWork(full,
            TreeMap.of(DueTrack.VESTING, AT, DueTrack.LOT_EXPIRY, AT.plusNanos(1), DueTrack.HOLD_EXPIRY, AT.plusSeconds(9),
                DueTrack.TIER_REVIEW, Instant.EPOCH.minusNanos(1)),
            AT.minusNanos(7), true, Option.some(AT),
            TreeMap.of(new EntryId(odd, 3), AT, new EntryId(odd, 12), AT.plusSeconds(1)),
            TreeMap.of("birthday", 2027, "anni;versary", 2026)));
  }

  @ParameterizedTest
  @MethodSource("dueWork")
  void dueWorkRoundTripsThroughItsTextForm(DueWork work) {
    assertEquals(work, DueWorkCodec.decode(DueWorkCodec.encode(work)));
  }

  @Test
  void thePartitionHashPicksTheSameMembersAsThePartition() {
    List<MemberId> members = List.range(0, 300).map(i -> MemberId.of("member-" + i))
        .appendAll(List.of(MemberId.of("A"), MemberId.of("z.z@x-y:1"), MemberId.of("Zz_99")));
    for (int count = 1; count <= 7; count++) {
      for (int index = 0; index < count; index++) {
        Partition partition = Partition.of(index, count);
        for (MemberId member : members) {
          assertEquals(partition.contains(member), DueWorkTable.partitionHash(member) % count == index,
              () -> member + " in " + partition);
        }
      }
    }
  }
}
