package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A member's history built quickly on the in-memory store (credits of 10 and debits of 10 in turn,
 * so that few lots stay alive, as in a real long history), and its import into another store in
 * commits of many entries each (to set up a long history fast); and the same histories of many
 * members in one in-memory store, the source of the bulk import ({@code JpaLedgerStore.importMembers}).
 */
final class History {

  final Account account;
  final List<Entry> entries;

  private History(Account account, List<Entry> entries) {
    this.account = account;
    this.entries = entries;
  }

  static Clock clock() {
    return Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  }

  static Loyalty facade(LedgerStore store) {
    return Loyalty.builder().program(LoyaltyProgram.builder("bench").build()).store(store).clock(clock()).build();
  }

  /** Builds {@code size} entries (at least 1) for the member. */
  static History of(MemberId member, int size) {
    InMemoryLedgerStore memory = new InMemoryLedgerStore();
    replay(facade(memory), member, size);
    return new History(memory.account(member).get(), memory.entries(member, 1, Integer.MAX_VALUE));
  }

  /**
   * The migration recipe's source: {@code size} entries for each member replayed through the facade
   * on one in-memory store, each with an idempotency record of its own, as a legacy history replayed
   * request by request has.
   */
  static InMemoryLedgerStore replayed(java.util.List<MemberId> members, int size) {
    InMemoryLedgerStore memory = new InMemoryLedgerStore();
    Loyalty loyalty = facade(memory);
    members.forEach(member -> replay(loyalty, member, size));
    return memory;
  }

  private static void replay(Loyalty loyalty, MemberId member, int size) {
    loyalty.enrol(Enrolment.of(member, IdempotencyKey.of("enrol-" + member)));
    for (int i = 0; i < size; i++) {
      IdempotencyKey key = IdempotencyKey.of(member + "-" + i);
      if (i % 2 == 0) {
        loyalty.credit(Credit.of(member, Points.of(10), "Purchase", key));
      } else {
        loyalty.debit(Debit.of(member, Points.of(10), "Reward", key));
      }
    }
  }

  /**
   * Imports the history into a store in commits of {@code chunk} entries: the first commit creates
   * the account, each further one moves it on by one version.
   */
  void importInto(LedgerStore store, int chunk) {
    long version = 0;
    for (List<Entry> part : entries.grouped(chunk)) {
      Entry last = part.last();
      Account state = new Account(account.member(), version + 1, last.sequence(), last.hash(), account.balance(),
          account.lots());
      IdempotencyKey key = IdempotencyKey.of("import-" + account.memberId() + "-" + last.sequence());
      Receipt receipt = new Receipt(key, account.memberId(), account.member().status(), List.empty(), Balance.EMPTY);
      CommitOutcome outcome = store.commit(new Commit(List.of(new AccountChange(version, state, part)),
          new IdempotencyRecord(key, "import", receipt)));
      if (outcome != CommitOutcome.COMMITTED) {
        throw new IllegalStateException("import of " + account.memberId() + " refused: " + outcome);
      }
      version++;
    }
  }
}
