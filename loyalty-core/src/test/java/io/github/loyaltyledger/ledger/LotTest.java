package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

class LotTest {

  private static final MemberId MEMBER = MemberId.of("m-1");
  private static final Instant EARNED = Instant.parse("2026-01-01T00:00:00Z");

  private static Lot lot(long sequence, Option<Instant> expiresAt) {
    return new Lot(EntryId.of(MEMBER, sequence), Points.of(10), Points.of(10), EARNED, expiresAt, Option.none(), false);
  }

  /** A day offset from the earning instant, or none when the generated day is negative. */
  private static Option<Instant> expiry(int day) {
    return day < 0 ? Option.none() : Option.some(EARNED.plusSeconds(86_400L * day));
  }

  @Test
  void soonestExpiryComesFirstThenNoExpiryThenTheOldestOnTies() {
    Lot march = lot(5, Option.some(Instant.parse("2026-03-01T00:00:00Z")));
    Lot februaryNew = lot(9, Option.some(Instant.parse("2026-02-01T00:00:00Z")));
    Lot februaryOld = lot(2, Option.some(Instant.parse("2026-02-01T00:00:00Z")));
    Lot neverOld = lot(1, Option.none());
    Lot neverNew = lot(7, Option.none());

    assertEquals(io.vavr.collection.List.of(februaryOld, februaryNew, march, neverOld, neverNew),
        io.vavr.collection.List.of(neverNew, march, februaryNew, neverOld, februaryOld).sorted(Lot.CONSUMPTION_ORDER));
  }

  @Test
  void consumptionOrderIsExpiryWithNoneLastThenSequenceForAnyTwoLots() {
    Comparator<Lot> model = Comparator.<Lot, Instant>comparing(l -> l.expiresAt().getOrElse(Instant.MAX))
        .thenComparing(l -> l.id().sequence());
    qt().withExamples(5_000)
        .forAll(longs().between(1, 50), integers().between(-3, 20), longs().between(1, 50), integers().between(-3, 20))
        .checkAssert((s1, d1, s2, d2) -> {
          Lot a = lot(s1, expiry(d1));
          Lot b = lot(s2, expiry(d2));
          assertEquals(Integer.signum(model.compare(a, b)), Integer.signum(Lot.CONSUMPTION_ORDER.compare(a, b)),
              () -> a + " vs " + b);
          assertEquals(Integer.signum(Lot.CONSUMPTION_ORDER.compare(a, b)),
              -Integer.signum(Lot.CONSUMPTION_ORDER.compare(b, a)), "antisymmetric");
        });
  }

  @Test
  void aLotIsExpiredFromItsExpiryInstantOnAndALotWithoutExpiryNeverIs() {
    Instant expiry = Instant.parse("2026-03-01T00:00:00Z");
    Lot lot = lot(1, Option.some(expiry));
    assertFalse(lot.isExpiredAt(expiry.minusNanos(1)));
    assertTrue(lot.isExpiredAt(expiry));
    assertTrue(lot.isExpiredAt(expiry.plusSeconds(1)));
    assertFalse(lot(2, Option.none()).isExpiredAt(Instant.MAX));
  }

  @Test
  void takingPointsOrVestingKeepsEverythingElseOfTheLot() {
    Instant vests = EARNED.plusSeconds(86_400);
    Lot pending = new Lot(EntryId.of(MEMBER, 3), Points.of(10), Points.of(10), EARNED,
        Option.some(Instant.parse("2027-01-01T00:00:00Z")), Option.some(vests), true);

    assertEquals(new Lot(pending.id(), Points.of(10), Points.of(4), EARNED, pending.expiresAt(), pending.vestsAt(), true),
        pending.withRemaining(Points.of(4)));
    assertEquals(new Lot(pending.id(), Points.of(10), Points.of(10), EARNED, pending.expiresAt(), pending.vestsAt(), false),
        pending.vested());
  }

  @Test
  void aLotOfNoPointsMoreLeftThanEarnedNothingLeftBelowZeroOrPendingWithoutAVestingIsRefused() {
    EntryId id = EntryId.of(MEMBER, 1);
    assertThrows(IllegalArgumentException.class,
        () -> new Lot(id, Points.ZERO, Points.ZERO, EARNED, Option.none(), Option.none(), false));
    assertThrows(IllegalArgumentException.class,
        () -> new Lot(id, Points.of(10), Points.of(11), EARNED, Option.none(), Option.none(), false));
    assertThrows(IllegalArgumentException.class,
        () -> new Lot(id, Points.of(10), Points.of(-1), EARNED, Option.none(), Option.none(), false));
    assertThrows(IllegalArgumentException.class,
        () -> new Lot(id, Points.of(10), Points.of(10), EARNED, Option.none(), Option.none(), true));
    // The edges themselves are lots: all left, nothing left, one point.
    assertEquals(Points.ZERO, lot(1, Option.none()).withRemaining(Points.ZERO).remaining());
    assertEquals(Points.of(1),
        new Lot(id, Points.of(1), Points.of(1), EARNED, Option.none(), Option.none(), false).remaining());
  }
}
