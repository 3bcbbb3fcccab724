package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierChangeReason;
import io.github.loyaltyledger.tier.TierId;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The outbox payload of an event is the text that earlier versions wrote (the literals below were
 * written by the codec before it kept each record type's components), on the first encoding of a
 * type and on every later one, and it reads back as the event.
 */
class EventCodecTest {

  private static final Instant AT = Instant.parse("2026-11-26T01:02:03.000456789Z");

  static Stream<Arguments> events() {
    Member member = new Member(MemberId.of("m-1"), AT, Option.some(MonthDay.of(2, 29)), ZoneId.of("Europe/Paris"),
        MemberStatus.ACTIVE);
    return Stream.of(
        Arguments.of(new LoyaltyEvent.MemberEnrolled(member, AT),
            "enrolled;m-1%3B1795654923%253A456789%3B--02-29%3BEurope%252FParis%3BACTIVE%3B;at;1795654923%3A456789;"),
        Arguments.of(new LoyaltyEvent.MemberStatusChanged(member.id(), MemberStatus.ACTIVE, MemberStatus.SUSPENDED,
                "fraud review; 50% sure", AT, Option.some(7L)),
            "member;m-1;from;ACTIVE;to;SUSPENDED;reason;fraud+review%3B+50%25+sure;at;1795654923%3A456789;version;%2B7;"),
        Arguments.of(new LoyaltyEvent.PointsExpiringSoon(member.id(), Points.of(120), AT.plusSeconds(86_400), AT),
            "member;m-1;points;120;expiresAt;1795741323%3A456789;at;1795654923%3A456789;"));
  }

  /*
   * A transfer's row is what earlier versions wrote (its entries by id), and its two sides, each an
   * entry with its member's balance, read back as they were published.
   */
  @Test
  void aTransferIsStoredAsBeforeAndItsTwoSidesReadBackWithTheirMembersBalances() {
    InMemoryLedgerStore ledger = new InMemoryLedgerStore();
    Loyalty loyalty = Fixtures.aLoyalty(ledger, TestClock.at(Fixtures.START), Fixtures.aProgram());
    MemberId ada = Fixtures.member("ada");
    MemberId ben = Fixtures.member("ben");
    Fixtures.enrolled(loyalty, ada);
    Fixtures.enrolled(loyalty, ben);
    Fixtures.earned(loyalty, ada, 100);
    Receipt transfer = Fixtures.accepted(loyalty.transfer(Transfer.of(ada, ben, Points.of(30), "Gift", Fixtures.aKey())));
    Entry out = transfer.entries().get(0);
    Entry in = transfer.entries().get(1);
    Function<EntryId, Entry> entries = id -> ledger.entry(id).get();

    LoyaltyEvent transferred = new LoyaltyEvent.PointsTransferred(out, in);
    assertEquals("out;ada%23" + out.sequence() + ";in;ben%23" + in.sequence() + ";", EventCodec.payloadOf(transferred));
    assertEquals(transferred, EventCodec.read("PointsTransferred", EventCodec.payloadOf(transferred), entries));
    for (LoyaltyEvent side : List.of(new LoyaltyEvent.PointsSent(out, Fixtures.balanceOf(loyalty, ada)),
        new LoyaltyEvent.PointsReceived(in, Fixtures.balanceOf(loyalty, ben)))) {
      assertEquals(side, EventCodec.read(EventCodec.typeOf(side), EventCodec.payloadOf(side), entries));
    }
  }

  @ParameterizedTest
  @MethodSource("events")
  void writesThePayloadEarlierVersionsWroteAndReadsItBack(LoyaltyEvent event, String payload) {
    for (int time = 0; time < 3; time++) {
      assertEquals(payload, EventCodec.payloadOf(event));
    }
    assertEquals(event, EventCodec.read(EventCodec.typeOf(event), payload, id -> {
      throw new IllegalStateException("these events reference no entry, yet asked for " + id);
    }));
  }

  /*
   * A status change names the account's version after it, and the outbox keeps it; a row that an
   * earlier version wrote, without it, still reads back, naming none.
   */
  @Test
  void aStatusChangeKeepsItsVersionAndOneWrittenWithoutItReadsBackNamingNone() {
    Function<EntryId, Entry> noEntries = id -> {
      throw new IllegalStateException("a status change references no entry to read, yet asked for " + id);
    };
    String earlier = "member;m-1;from;ACTIVE;to;SUSPENDED;reason;fraud+review%3B+50%25+sure;at;1795654923%3A456789;";

    assertEquals(new LoyaltyEvent.MemberStatusChanged(MemberId.of("m-1"), MemberStatus.ACTIVE, MemberStatus.SUSPENDED,
            "fraud review; 50% sure", AT, Option.none()),
        EventCodec.read("MemberStatusChanged", earlier, noEntries));
  }

  /*
   * A tier event names the TIER entry that records it, and the outbox keeps it; a row that an
   * earlier version wrote, without it, still reads back, naming none.
   */
  @Test
  void aTierEventKeepsItsEntryAndOneWrittenWithoutItReadsBackNamingNone() {
    TierChange change = new TierChange(TierId.of("green"), TierId.of("gold"), TierChangeReason.QUALIFIED, AT,
        Option.some(AT.plusSeconds(86_400)), Option.none());
    LoyaltyEvent upgraded = new LoyaltyEvent.TierUpgraded(MemberId.of("m-1"), change, AT,
        Option.some(EntryId.of(MemberId.of("m-1"), 7)));
    Function<EntryId, Entry> noEntries = id -> {
      throw new IllegalStateException("a tier event references no entry to read, yet asked for " + id);
    };
    assertEquals(upgraded, EventCodec.read("TierUpgraded", EventCodec.payloadOf(upgraded), noEntries));

    String earlier = "member;m-1;change;from%3Bvalue%253Bgreen%253B%3Bto%3Bvalue%253Bgold%253B%3Breason%3BQUALIFIED%3B"
        + "at%3B1795654923%253A456789%3Buntil%3B%252B1795741323%253A456789%3Boperator%3B%3B;at;1795654923%3A456789;";
    assertEquals(new LoyaltyEvent.TierUpgraded(MemberId.of("m-1"), change, AT),
        EventCodec.read("TierUpgraded", earlier, noEntries));
  }
}
