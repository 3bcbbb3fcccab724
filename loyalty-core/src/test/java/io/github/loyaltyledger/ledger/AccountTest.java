package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.List;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AccountTest {

  private static final MemberId MEMBER = MemberId.of("m-1");
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  private static Lot lot(long sequence) {
    return new Lot(EntryId.of(MEMBER, sequence), Points.of(10), Points.of(10), AT, Option.none(), Option.none(), false);
  }

  private static Account account(io.vavr.collection.Seq<Lot> lots) {
    return new Account(new Member(MEMBER, AT, Option.none(), ZoneOffset.UTC, MemberStatus.ACTIVE), 2, 2, Entry.GENESIS_HASH, new Balance(Points.of(20), Points.ZERO, Points.ZERO), lots);
  }

  @Test
  void anAccountBuiltFromAListHoldsItsLotsInAVectorEqualToTheList() {
    Account account = account(List.of(lot(1), lot(2)));

    assertInstanceOf(Vector.class, account.lots());
    assertEquals(List.of(lot(1), lot(2)), account.lots());
    assertEquals(account, account(Vector.of(lot(1), lot(2))));
  }

  @Test
  void anAccountBuiltFromAVectorKeepsThatVector() {
    Vector<Lot> lots = Vector.of(lot(1), lot(2));

    assertSame(lots, account(lots).lots());
  }

  @Test
  void anAccountWithoutLotsIsRefused() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> account(null));

    assertEquals("lots", e.getMessage());
  }
}
