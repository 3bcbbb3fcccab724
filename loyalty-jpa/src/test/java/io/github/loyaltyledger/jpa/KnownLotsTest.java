package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.List;
import io.vavr.collection.Seq;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The lots column written and read through {@link KnownLots} is the text and the lots that encoding
 * and decoding every lot give: the commit's account row is stored byte for byte as before.
 */
class KnownLotsTest {

  private static final Instant AT = Instant.parse("2026-11-26T01:02:03.456789Z");
  private static final Member MEMBER = new Member(MemberId.of("m-1"), AT, Option.none(), ZoneId.of("UTC"),
      MemberStatus.ACTIVE);

  /** Request histories: the steps of {@link #history}. */
  private static final Gen<java.util.List<Integer>> STEPS = lists().of(integers().between(0, 59)).ofSizeBetween(1, 40);

  private static Account account(List<Lot> lots) {
    return new Account(MEMBER, lots.size() + 1L, lots.size(), "h", Balance.EMPTY, lots);
  }

  private static Lot lot(long sequence, int variant) {
    EntryId id = variant == 3 ? EntryId.of(MemberId.of("other"), sequence) : EntryId.of(MEMBER.id(), sequence);
    return new Lot(id, Points.of(10 + sequence), Points.of(sequence % 10), AT.plusSeconds(sequence),
        variant == 1 ? Option.some(AT.plusNanos(sequence)) : Option.none(),
        variant == 2 ? Option.some(AT.plusSeconds(60)) : Option.none(), variant == 2);
  }

  /**
   * Plays a request history on one account: each step appends a lot (0), spends the first lot
   * (replaced by a changed copy, 1), drops the first lot (2), or inserts a lot at the front (3).
   */
  private static List<Account> history(java.util.List<Integer> steps) {
    List<Lot> lots = List.empty();
    List<Account> accounts = List.empty();
    long sequence = 1;
    for (int step : steps) {
      int kind = step % 4;
      if (kind == 1 && !lots.isEmpty()) {
        lots = lots.tail().prepend(lots.head().withRemaining(Points.of(0)));
      } else if (kind == 2 && !lots.isEmpty()) {
        lots = lots.tail();
      } else if (kind == 3) {
        lots = lots.prepend(lot(sequence++, step % 5 == 0 ? 3 : 1));
      } else {
        lots = lots.append(lot(sequence++, step % 3));
      }
      accounts = accounts.append(account(lots));
    }
    return accounts;
  }

  @Nested
  class Writing {

    @Test
    void storesTheTextOfEncodingEveryLot() {
      qt().withExamples(QtExamples.scaled(300, 10)).forAll(STEPS).checkAssert(steps -> {
        KnownLots known = new KnownLots();
        for (Account account : history(steps)) {
          assertEquals(AccountRow.of(account).lots, AccountRow.of(account, known).lots);
        }
      });
    }

    @Test
    void storesTheSameTextForAnotherMemberWithTheSameLotObjects() {
      KnownLots known = new KnownLots();
      Account first = account(List.of(lot(1, 0), lot(2, 1)));
      AccountRow.of(first, known);
      Member other = new Member(MemberId.of("m-2"), AT, Option.none(), ZoneId.of("UTC"), MemberStatus.ACTIVE);
      Account second = new Account(other, 2, 2, "h", Balance.EMPTY, first.lots());
      assertEquals(AccountRow.of(second).lots, AccountRow.of(second, known).lots);
    }
  }

  @Nested
  class Reading {

    @Test
    void readsTheLotsThatDecodingTheTextGives() {
      qt().withExamples(QtExamples.scaled(300, 10)).forAll(STEPS).checkAssert(steps -> {
        KnownLots written = new KnownLots();
        KnownLots cold = new KnownLots();
        for (Account account : history(steps)) {
          AccountRow row = AccountRow.of(account, written);
          assertEquals(row.toDomain(), row.toDomain(written));
          assertEquals(row.toDomain(), row.toDomain(cold));
          assertEquals(account.lots(), row.toDomain(written).lots());
        }
      });
    }

    @Test
    void takesTheLotsItWroteWithoutDecodingWhenTheStoredTextIsTheirs() {
      KnownLots known = new KnownLots();
      Account account = account(List.of(lot(1, 0), lot(2, 1), lot(3, 2)));
      AccountRow row = AccountRow.of(account, known);
      assertSame(account.lots(), row.toDomain(known).lots());
    }

    @Test
    void decodesATextThatAnotherNodeWrote() {
      KnownLots known = new KnownLots();
      AccountRow.of(account(List.of(lot(1, 0))), known);
      AccountRow elsewhere = AccountRow.of(account(List.of(lot(1, 0), lot(2, 0))));
      Seq<Lot> read = elsewhere.toDomain(known).lots();
      assertEquals(List.of(lot(1, 0), lot(2, 0)), read);
      assertSame(read, elsewhere.toDomain(known).lots(), "the decoded lots are kept for the next read");
      assertNotSame(read, AccountRow.of(account(List.of(lot(1, 0), lot(2, 0)))).toDomain().lots());
    }
  }
}
