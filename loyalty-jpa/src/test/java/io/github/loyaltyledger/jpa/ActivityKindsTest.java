package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.HashSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The entry kinds that count as activity in the JPA store's due-work index. */
class ActivityKindsTest {

  @Test
  void aStoreCountsTheKindsItWasBuiltWithAsActivity() {
    TestDatabase database = TestDatabase.h2InMemory();
    TestClock clock = TestClock.at(Fixtures.START);
    MemberId alice = member("alice");
    try (JpaLedgerStore store = JpaLedgerStore.fromJdbcUrl(database.url(), database.user(), database.password(),
        HashSet.of(EntryKind.REDEEM))) {
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
      Fixtures.enrolled(loyalty, alice);
      Instant enrolled = store.account(alice).get().member().enrolledAt();
      clock.advance(Duration.ofDays(3));
      accepted(loyalty.credit(Credit.of(alice, points(10), "Coffee", aKey())));
      assertEquals(HashSet.of(EntryKind.REDEEM), store.activityKinds());
      assertEquals(enrolled, store.dueWork(alice).get().lastActivity());
      clock.advance(Duration.ofDays(1));
      Fixtures.redeemed(loyalty, alice, 5);
      assertEquals(clock.instant(), store.dueWork(alice).get().lastActivity());
    }
  }

  @Test
  void noActivityKindsAtAllAreRefusedBeforeTheDatabaseIsTouched() {
    assertThrows(IllegalArgumentException.class, () -> JpaLedgerStore.h2File(Path.of("unused"), HashSet.empty()));
  }
}
