package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgram;
import static io.github.loyaltyledger.Fixtures.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * For random histories replayed through the facade on the in-memory store, importing the members
 * into the JPA store (H2 in memory) and reading them back gives the source's accounts, entries,
 * balances, due work and idempotency records.
 */
class BulkImportPropertiesTest {

  private static final int MEMBERS = 3;
  private static final TestDatabase DATABASE = TestDatabase.h2InMemory();
  private static JpaLedgerStore store;

  /** One generated operation: what to do, to whom, how much, and an auxiliary choice. */
  record Op(int type, int member, int amount, int aux) {}

  static Gen<Op> ops() {
    return integers().between(0, 8).zip(integers().between(0, MEMBERS - 1), integers().between(1, 300),
        integers().between(0, 9), Op::new);
  }

  @BeforeAll
  static void open() {
    store = DATABASE.open();
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @Test
  void importingRandomHistoriesThenReadingThemBackGivesTheSourcesLedgers() {
    qt().withExamples(QtExamples.scaled(25, 5))
        .forAll(lists().of(ops()).ofSizeBetween(0, 40))
        .checkAssert(script -> {
          DATABASE.wipe();
          InMemoryLedgerStore source = new InMemoryLedgerStore();
          List<MemberId> members = replay(source, script);

          ImportReport report = store.importMembers(source, members);

          Loyalty target = aLoyalty(store, TestClock.at(Fixtures.START), aProgram());
          Loyalty legacy = aLoyalty(source, TestClock.at(Fixtures.START), aProgram());
          long entries = 0;
          for (MemberId m : members) {
            List<Entry> history = source.entries(m, 1, Integer.MAX_VALUE);
            entries += history.size();
            assertEquals(source.account(m), store.account(m));
            assertEquals(history, store.entries(m, 1, Integer.MAX_VALUE));
            assertEquals(accepted(legacy.balance(m)), accepted(target.balance(m)));
            assertEquals(source.dueWork(m), store.dueWork(m));
            assertTrue(accepted(target.verify(m)).isIntact());
            for (IdempotencyKey key : history.map(Entry::idempotencyKey).distinct()) {
              assertEquals(source.idempotencyRecord(key), store.idempotencyRecord(key));
            }
          }
          assertEquals(new ImportReport(MEMBERS, 0, entries, report.requests(), 0), report);
        });
  }

  /** Enrols the members and runs the script through a facade on the source; refusals are fine. */
  private static List<MemberId> replay(InMemoryLedgerStore source, java.util.List<Op> script) {
    TestClock clock = TestClock.at(Fixtures.START);
    Loyalty loyalty = aLoyalty(source, clock, aProgram());
    List<MemberId> members = List.range(0, MEMBERS).map(i -> MemberId.of("m" + i));
    int[] keys = {0};
    java.util.function.Supplier<IdempotencyKey> key = () -> IdempotencyKey.of("key-" + keys[0]++);
    members.forEach(m -> accepted(loyalty.enrol(Enrolment.of(m, key.get()))));
    for (Op op : script) {
      MemberId m = members.get(op.member());
      Points amount = Points.of(op.amount());
      Instant now = clock.instant();
      switch (op.type()) {
        case 0 -> loyalty.credit(Credit.of(m, amount, "Opening balance", key.get())
            .expiringAt(now.plus(Duration.ofDays(op.aux() + 1L))));
        case 1 -> loyalty.credit(Credit.of(m, amount, "Purchase", key.get()).vestingAt(now.plus(Duration.ofDays(op.aux()))));
        case 2 -> loyalty.debit(Debit.of(m, amount, "Reward", key.get()));
        case 3 -> loyalty.adjust(Adjustment.of(m, op.aux() % 2 == 0 ? amount : amount.negated(), "fix", "ops", key.get()));
        case 4 -> {
          List<Entry> entries = source.entries(m, 1, Integer.MAX_VALUE);
          loyalty.reverse(Reversal.of(entries.isEmpty() ? EntryId.of(m, 1) : entries.get(op.aux() % entries.size()).id(),
              "undo", key.get()));
        }
        case 5 -> loyalty.transfer(Transfer.of(m, members.get((op.member() + 1) % MEMBERS), amount, "gift", key.get()));
        case 6 -> loyalty.authorize(Authorization.points(m, amount, Duration.ofHours(op.aux() + 1L), Channel.web(), key.get()));
        case 7 -> loyalty.expire(m, now, key.get());
        default -> clock.advance(Duration.ofDays(op.aux() + 1L));
      }
    }
    return members;
  }
}
