package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The accounts table's lots column: one {@code ;}-terminated record of seven {@code ,}-separated
 * fields per lot (entry id, original, remaining, earned at, expires at, vests at, P or V), instants
 * as {@code seconds:nanos}. Stored rows must keep reading, so the text is pinned, and decoding
 * gives back every lot that was encoded.
 */
class LotsColumnTest {

  private static final Instant AT = Instant.parse("2026-11-26T01:02:03.456789Z");
  private static final MemberId OWNER = MemberId.of("m:1.a_b@c-d");

  private static Account account(MemberId owner, List<Lot> lots) {
    Member member = new Member(owner, AT, Option.none(), ZoneId.of("UTC"), MemberStatus.ACTIVE);
    return new Account(member, lots.size() + 1L, lots.size(), "h", Balance.EMPTY, lots);
  }

  /** The text the column held before it was written in place: each field's plain string, joined. */
  private static String plainText(List<Lot> lots) {
    StringBuilder text = new StringBuilder();
    for (Lot lot : lots) {
      text.append(lot.id()).append(',').append(lot.original().value()).append(',').append(lot.remaining().value())
          .append(',').append(lot.earnedAt().getEpochSecond() + ":" + lot.earnedAt().getNano()).append(',')
          .append(lot.expiresAt().map(at -> at.getEpochSecond() + ":" + at.getNano()).getOrElse("")).append(',')
          .append(lot.vestsAt().map(at -> at.getEpochSecond() + ":" + at.getNano()).getOrElse("")).append(',')
          .append(lot.pending() ? 'P' : 'V').append(';');
    }
    return text.toString();
  }

  private static final Gen<Instant> INSTANTS = longs().between(-62_000_000_000L, 253_000_000_000L)
      .zip(integers().between(0, 999_999_999), Instant::ofEpochSecond);

  private static final Gen<Option<Instant>> OPTIONAL_INSTANTS = integers().between(0, 2)
      .zip(INSTANTS, (none, at) -> none == 0 ? Option.<Instant>none() : Option.some(at));

  /** A lot of the owner's or (one in five) another member's entry, with any numbers and instants, pending or not. */
  private static final Gen<Lot> LOTS = integers().between(0, 4)
      .zip(longs().between(1, Long.MAX_VALUE), longs().between(1, 1_000_000_000L), (other, sequence, points) -> {
        EntryId id = EntryId.of(other == 0 ? MemberId.of("other-" + sequence % 7) : OWNER, sequence);
        return new Lot(id, Points.of(points), Points.of(points / 2), AT, Option.none(), Option.some(AT), other == 1);
      })
      .zip(INSTANTS, OPTIONAL_INSTANTS, OPTIONAL_INSTANTS,
          (lot, earned, expires, vests) -> new Lot(lot.id(), lot.original(), lot.remaining(), earned, expires, vests,
              lot.pending() && vests.isDefined()));

  @Test
  void writesEachLotAsOneRecordOfSevenFields() {
    List<Lot> lots = List.of(
        new Lot(EntryId.of(OWNER, 7), Points.of(120), Points.of(20), AT, Option.some(AT.plusSeconds(86_400)),
            Option.none(), false),
        new Lot(EntryId.of(MemberId.of("M-2"), 3), Points.of(5), Points.of(5), Instant.ofEpochSecond(-1, 5),
            Option.none(), Option.some(Instant.EPOCH), true));
    assertEquals("m:1.a_b@c-d#7,120,20,1795654923:456789000,1795741323:456789000,,V;"
        + "M-2#3,5,5,-1:5,,0:0,P;", AccountRow.of(account(OWNER, lots)).lots);
  }

  @Test
  void writesTheTextOfEachFieldsPlainString() {
    qt().withExamples(QtExamples.scaled(500, 10)).forAll(lists().of(LOTS).ofSizeBetween(0, 30))
        .checkAssert(lots -> assertEquals(plainText(List.ofAll(lots)), AccountRow.of(account(OWNER, List.ofAll(lots))).lots));
  }

  @Test
  void readsBackEveryLotItWrote() {
    qt().withExamples(QtExamples.scaled(500, 10)).forAll(lists().of(LOTS).ofSizeBetween(0, 30)).checkAssert(lots -> {
      Account account = account(OWNER, List.ofAll(lots));
      assertEquals(account.lots(), AccountRow.of(account).toDomain().lots());
    });
  }

  @Test
  void readsARecordWithAFieldMissingAsAnErrorNamingTheRecord() {
    AccountRow row = AccountRow.of(account(OWNER, List.empty()));
    row.lots = "m:1.a_b@c-d#1,10,10,0:0,,V;";
    IllegalStateException error = assertThrows(IllegalStateException.class, row::toDomain);
    assertTrue(error.getMessage().contains("7 comma-separated fields, was 'm:1.a_b@c-d#1,10,10,0:0,,V'"),
        error.getMessage());
  }

  @Test
  void readsARecordWithAFieldTooManyAsAnErrorNamingTheRecord() {
    AccountRow row = AccountRow.of(account(OWNER, List.empty()));
    row.lots = "m:1.a_b@c-d#1,10,10,0:0,,,V,x;m:1.a_b@c-d#2,1,1,0:0,,,V;";
    IllegalStateException error = assertThrows(IllegalStateException.class, row::toDomain);
    assertTrue(error.getMessage().contains("was 'm:1.a_b@c-d#1,10,10,0:0,,,V,x'"), error.getMessage());
  }

  @Test
  void readsAnInstantWithoutItsColonAsAnErrorSayingWhatItMustRead() {
    AccountRow row = AccountRow.of(account(OWNER, List.empty()));
    row.lots = "m:1.a_b@c-d#1,10,10,12,,,V;";
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, row::toDomain);
    assertEquals("an instant column must read 'seconds:nanos', was '12'", error.getMessage());
  }
}
