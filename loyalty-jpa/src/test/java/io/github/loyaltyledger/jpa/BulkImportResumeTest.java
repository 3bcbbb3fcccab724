package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgramWithTiers;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.purchased;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resuming an import that failed half-way: the transactions committed before the failure are
 * skipped, the rest is imported, and every read of every member (account, entries, balance, lots,
 * due work, tier, tier progress, history, verification, idempotency records, profile) is the
 * source's, as after an import that never failed.
 */
class BulkImportResumeTest {

  /** Entries of each bulky member: five of them fill one transaction. */
  private static final int PER_MEMBER = BulkImport.ENTRIES_PER_TRANSACTION / 5;

  private final TestDatabase database = TestDatabase.h2InMemory();
  private final TestClock clock = TestClock.at("2026-05-01T09:00:00Z");
  private final InMemoryLedgerStore source = new InMemoryLedgerStore();
  private final Loyalty legacy = aLoyalty(source, clock, aProgramWithTiers());
  private JpaLedgerStore store;

  @BeforeEach
  void open() {
    store = database.open();
  }

  @AfterEach
  void close() {
    store.close();
  }

  /**
   * Seven members: m-0 to m-5 with {@link #PER_MEMBER} purchases each (m-0 to m-4 fill the first
   * transaction), Gold reached on purchases, a transfer from m-0 (first transaction) to m-6 (second),
   * a hold, points not yet vested and a profile on m-5 and m-6.
   */
  private List<MemberId> history() {
    List<MemberId> members = List.range(0, 7).map(i -> member("m-" + i));
    for (MemberId m : members) {
      enrolled(legacy, m);
    }
    for (MemberId m : members.take(6)) {
      for (int i = 0; i < PER_MEMBER; i++) {
        purchased(legacy, m, 2, 20);
        clock.advance(Duration.ofMinutes(1));
      }
      accepted(legacy.evaluateTier(m, key("tier-" + m)));
    }
    accepted(legacy.transfer(Transfer.of(members.get(0), members.get(6), points(30), "gift", key("gift-0-6"))));
    for (MemberId m : members.drop(5)) {
      accepted(legacy.credit(Credit.of(m, points(70), "Welcome", key("welcome-" + m))
          .vestingAt(clock.instant().plus(Duration.ofDays(14)))
          .expiringAt(Instant.parse("2027-06-30T00:00:00Z"))));
      accepted(legacy.authorize(Authorization.points(m, points(20), Duration.ofHours(2), Channel.store("till-1"),
          key("hold-" + m))));
      source.saveProfile(MemberProfile.of(m, new Consent(true, false)).withName("Name of " + m));
    }
    return members;
  }

  @Test
  void anImportThatFailedHalfWayIsResumedByTheSameCallAndEndsAsIfItHadNeverFailed() {
    List<MemberId> members = history();
    MemberId failing = member("m-5");
    AtomicInteger reads = new AtomicInteger();
    LedgerStore flaky = (LedgerStore) Proxy.newProxyInstance(LedgerStore.class.getClassLoader(),
        new Class<?>[] {LedgerStore.class}, (proxy, method, args) -> {
          // Read first with the chains, before anything is written (its fingerprint is checked), then
          // by m-5's transaction, which fails.
          if (method.getName().equals("idempotencyRecord") && key("hold-" + failing).equals(args[0])
              && reads.incrementAndGet() == 2) {
            throw new IllegalStateException("the source's disk went away");
          }
          try {
            return method.invoke(source, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });

    assertThrows(RuntimeException.class, () -> store.importMembers(flaky, members));
    List<Boolean> storedAfterFailure = members.map(m -> store.account(m).isDefined());
    ImportReport resumed = store.importMembers(source, members);

    assertEquals(List.of(true, true, true, true, true, false, false), storedAfterFailure);
    assertEquals(2, resumed.membersImported());
    assertEquals(5, resumed.membersSkipped());
    assertEquals(source.entries(member("m-5"), 1, Integer.MAX_VALUE).size()
        + source.entries(member("m-6"), 1, Integer.MAX_VALUE).size(), resumed.entries());
    assertSameReads(members);
  }

  @Test
  void anUninterruptedImportGivesTheSourcesReads() {
    List<MemberId> members = history();

    ImportReport report = store.importMembers(source, members);

    assertEquals(7, report.membersImported());
    assertEquals(2, report.profiles());
    assertSameReads(members);
  }

  private void assertSameReads(List<MemberId> members) {
    Loyalty target = aLoyalty(store, clock, aProgramWithTiers());
    Instant now = clock.instant();
    for (MemberId m : members) {
      List<Entry> entries = source.entries(m, 1, Integer.MAX_VALUE);
      assertEquals(source.account(m), store.account(m), m + " account");
      assertEquals(entries, store.entries(m, 1, Integer.MAX_VALUE), m + " entries");
      assertEquals(source.dueWork(m), store.dueWork(m), m + " due work");
      assertEquals(accepted(legacy.balance(m)), accepted(target.balance(m)), m + " balance");
      assertEquals(accepted(legacy.lots(m)), accepted(target.lots(m)), m + " lots");
      assertEquals(legacy.tierOf(m, now), target.tierOf(m, now), m + " tier");
      assertEquals(accepted(legacy.tierProgress(m)), accepted(target.tierProgress(m)), m + " tier progress");
      assertEquals(accepted(legacy.history(m, EntryQuery.newest(1_000))),
          accepted(target.history(m, EntryQuery.newest(1_000))), m + " history");
      assertTrue(accepted(target.verify(m)).isIntact(), m + " verifies");
      assertEquals(source.profile(m), store.profile(m), m + " profile");
      for (IdempotencyKey k : entries.map(Entry::idempotencyKey).distinct()) {
        assertEquals(source.idempotencyRecord(k), store.idempotencyRecord(k), m + " record " + k);
      }
    }
    assertEquals("gold", target.tierOf(member("m-0"), now).getOrElse("none"));
  }
}
