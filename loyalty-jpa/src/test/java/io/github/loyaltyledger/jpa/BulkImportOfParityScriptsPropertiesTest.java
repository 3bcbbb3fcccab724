package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * For the random scripts of the store parity properties ({@link StoreParityContract}: purchases with
 * lines that never earn, free items and points payments, refunds by amount and by units (some after
 * the purchase's points expired), zero-point
 * awards, reversals, transfers, holds, rewards, daily runs), run on the
 * in-memory store and then imported into the JPA store (H2 in memory), every member's ledger and
 * every reading of it that does not count counters is the source's: entries, accounts, due work,
 * the records the entries' keys name, references, verification, statements, tiers, history pages,
 * and the explanation of every purchase.
 */
class BulkImportOfParityScriptsPropertiesTest {

  /**
   * Scripts per run: of 50, each of the {@link #SHAPES} came up in about 20 ({@code refund.expired} in
   * about 15), so a run that misses one is about one in 10^8; never fewer, whatever
   * {@code qt.examples} says, since the run checks that each shape came up.
   */
  private static final int EXAMPLES = QtExamples.scaled(50, 50);

  @Test
  void importingWhatTheParityScriptsWroteGivesTheSourcesLedgersAndReadings() {
    TestDatabase database = TestDatabase.h2InMemory();
    java.util.Set<String> shapes = new java.util.TreeSet<>();
    try (JpaLedgerStore store = database.open()) {
      qt().withExamples(EXAMPLES)
          .forAll(lists().of(StoreParityContract.ops()).ofSizeBetween(1, 60))
          .checkAssert(script -> {
            database.wipe();
            InMemoryLedgerStore source = new InMemoryLedgerStore();
            StoreParityContract.Pair pair = new StoreParityContract.Pair(source, new InMemoryLedgerStore());
            script.forEach(pair::step);
            List<MemberId> members = pair.members.filter(m -> source.account(m).isDefined());

            store.importMembers(source, members);
            members.flatMap(m -> source.entries(m, 1, 100_000)).forEach(e -> shapes.addAll(shapesOf(e).asJava()));

            StoreParityContract.Side target = new StoreParityContract.Side(store);
            target.clock.set(pair.memory.clock.instant());
            assertEquals(readings(pair, pair.memory, members), readings(pair, target, members));
          });
    }
    assertEquals(SHAPES, shapes, "the scripts wrote today's entry shapes");
  }

  /**
   * The entry shapes that the imports must have copied at least once ({@code refund.expired}: a refund
   * of a purchase whose points expired before its return).
   */
  private static final java.util.Set<String> SHAPES = new java.util.TreeSet<>(java.util.List.of("purchase.other",
      "refund reversal with rule ids", "zero-point award", StoreParityContract.REFUND_EXPIRED));

  /** Which of {@link #SHAPES} an entry has. */
  private static List<String> shapesOf(Entry e) {
    return List.of(
        e.details().keySet().exists(k -> k.startsWith("purchase.other.")) ? "purchase.other" : null,
        e.kind() == io.github.loyaltyledger.ledger.EntryKind.REVERSAL && !e.ruleIds().isEmpty()
            && e.details().keySet().exists(k -> k.startsWith("refund.rule.")) ? "refund reversal with rule ids" : null,
        e.points().value() == 0 && e.kind() == io.github.loyaltyledger.ledger.EntryKind.EARN ? "zero-point award" : null,
        e.details().containsKey(StoreParityContract.REFUND_EXPIRED) ? StoreParityContract.REFUND_EXPIRED : null)
        .filter(java.util.Objects::nonNull);
  }

  /** Every member's ledger and the readings of it that do not count counters (not copied). */
  private static List<Object> readings(StoreParityContract.Pair pair, StoreParityContract.Side s,
      List<MemberId> members) {
    Instant now = s.clock.instant();
    Instant start = Instant.parse(Fixtures.START);
    java.util.List<Object> all = new ArrayList<>();
    for (MemberId m : members) {
      List<Entry> entries = s.store.entries(m, 1, 100_000);
      all.add(entries);
      all.add(s.store.account(m));
      all.add(((io.github.loyaltyledger.store.DueWorkIndex) s.store).dueWork(m));
      all.add(s.loyalty.verify(m));
      all.add(s.loyalty.balance(m));
      all.add(s.loyalty.lots(m));
      all.add(s.loyalty.balanceAsOf(m, start.plus(Duration.ofDays(10))));
      all.add(s.loyalty.statement(m, start, now.plusSeconds(1), Duration.ofDays(60)));
      all.add(s.loyalty.tierHistory(m));
      all.add(s.loyalty.tierProgress(m));
      all.add(pair.pages(s, m, EntryQuery.newest(3)));
      all.add(s.loyalty.export(m));
      for (Entry e : entries) {
        all.add(s.store.referencing(e.id()));
        all.add(s.store.idempotencyRecord(e.idempotencyKey()));
      }
    }
    for (Purchase p : pair.purchases) {
      all.add(s.loyalty.explain(p.transaction()));
    }
    for (IdempotencyKey k : pair.keysUsed) {
      all.add(s.loyalty.explain(k));
    }
    all.add(s.loyalty.breakage(now, ZoneOffset.UTC));
    return List.ofAll(all);
  }
}
