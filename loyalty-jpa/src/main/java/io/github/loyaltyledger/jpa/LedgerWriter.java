package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.CounterChange;
import io.github.loyaltyledger.store.DueWork;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.control.Option;
import jakarta.persistence.EntityExistsException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.Query;
import java.sql.SQLException;

/**
 * Stores a {@link Commit} in one transaction. Every check is made in code first (the key is not
 * recorded; each account still has the expected version, by a conditional update; each counter
 * still has the expected value, likewise), and the database backs each of them with a constraint
 * for the races the checks cannot see (the key and the account are primary keys). Each changed
 * member's {@link DueWork} is derived and stored under the same discipline ({@link DueWorkTable}),
 * and the commit's events go to the outbox table, in the same transaction. A refused check
 * or a conflict reported by the database rolls the transaction back and becomes a
 * {@link CommitOutcome}; no conflict ever reaches the caller as an exception. On embedded H2 the
 * rows a commit changes are also locked in this JVM for the length of the transaction
 * ({@link RowLocks}), as H2's own row locks let a lost update through; with those held, no other
 * writer in the JVM touches the rows, so the conditional updates need no lock read before them.
 * On PostgreSQL the
 * idempotency key is recorded first ({@code INSERT … ON CONFLICT DO NOTHING}) and new accounts and
 * counters likewise, so that the expected races (a resent request, two enrolments of one member,
 * two first spends of a budget) are
 * answered from a row count, not from a unique-key failure; PostgreSQL re-checks a conditional
 * update's condition on the current row after waiting for its lock, so no lock read is needed there
 * either.
 */
final class LedgerWriter {

  /** SQL states of a conflict with a concurrent transaction (unique key, serialization, deadlock, lock timeout). */
  private static final Set<String> CONFLICT_STATES = HashSet.of("23505", "40001", "40P01", "HYT00");

  /*
   * The conditional updates are plain SQL, the same on H2 and PostgreSQL: Hibernate translates a
   * JPQL update anew on every execution, which cost more than the rest of the commit together.
   */
  private static final String UPDATE_ACCOUNT = """
      UPDATE ledger_account SET version = ?1, status = ?2, enrolled_at_seconds = ?3, enrolled_at_nanos = ?4,
        birthday = ?5, zone_id = ?6, last_sequence = ?7, last_hash = ?8, available = ?9, pending = ?10, held = ?11,
        lots = ?12
      WHERE member_id = ?13 AND version = ?14 AND last_sequence = ?15""";

  private static final String UPDATE_COUNTER =
      "UPDATE ledger_counter SET counter_value = ?1 WHERE counter_key = ?2 AND counter_value = ?3";

  /*
   * PostgreSQL only: a conflicting insert leaves the row alone and reports 0 rows, where a plain
   * insert would fail the transaction (and Hibernate log the failure) on a race that is expected.
   */
  private static final String CLAIM_KEY = """
      INSERT INTO ledger_request (idempotency_key, fingerprint, member_id, status, available, pending, held, entry_ids)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (idempotency_key) DO NOTHING""";
  private static final String INSERT_ACCOUNT = """
      INSERT INTO ledger_account (version, status, enrolled_at_seconds, enrolled_at_nanos, birthday, zone_id,
        last_sequence, last_hash, available, pending, held, lots, member_id)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (member_id) DO NOTHING""";
  private static final String INSERT_COUNTER =
      "INSERT INTO ledger_counter (counter_key, counter_value) VALUES (?1, ?2) ON CONFLICT (counter_key) DO NOTHING";

  private final EntityManagerFactory factory;
  private final Set<EntryKind> activityKinds;
  private final RowLocks rowLocks;
  private final boolean postgresql;

  /**
   * @param rowLocks the in-JVM locks (embedded H2) or none
   * @param postgresql whether the database is PostgreSQL, whose conditional {@code UPDATE} re-checks
   *     its condition on the current row after waiting for its lock (READ COMMITTED's documented
   *     behaviour), so that no lock read is needed before it, and which has {@code ON CONFLICT}
   */
  LedgerWriter(EntityManagerFactory factory, Set<EntryKind> activityKinds, RowLocks rowLocks, boolean postgresql) {
    this.factory = factory;
    this.activityKinds = activityKinds;
    this.rowLocks = rowLocks;
    this.postgresql = postgresql;
  }

  CommitOutcome commit(Commit commit) {
    return rowLocks.holding(commit, () -> write(commit));
  }

  private CommitOutcome write(Commit commit) {
    try {
      return factory.callInTransaction(em -> write(em, commit));
    } catch (Refused refused) {
      return refused.outcome;
    } catch (PersistenceException e) {
      if (!isConflict(e)) {
        throw e;
      }
      return factory.callInTransaction(em -> classify(em, commit));
    }
  }

  private CommitOutcome write(EntityManager em, Commit commit) {
    // Encoded first, so that an event the outbox cannot store is refused before anything is written.
    List<OutboxRow> events = commit.events().map(
        e -> new OutboxRow(e.member().value(), EventCodec.typeOf(e), EventCodec.payloadOf(e)));
    RequestRow request = RequestRow.of(commit.record());
    if (postgresql ? !claimKey(em, request) : em.find(RequestRow.class, request.key) != null) {
      throw new Refused(CommitOutcome.DUPLICATE_KEY);
    }
    List<AccountChange> changes = commit.changes().sortBy(c -> c.account().memberId());
    for (AccountChange change : changes) {
      if (!storeAccount(em, change) || !storeDueWork(em, change)) {
        throw new Refused(CommitOutcome.STALE_ACCOUNT);
      }
    }
    for (CounterChange counter : commit.counters().sortBy(CounterChange::key)) {
      if (!storeCounter(em, counter)) {
        throw new Refused(CommitOutcome.STALE_COUNTER);
      }
    }
    Set<EntryId> written = HashSet.empty();
    for (AccountChange change : changes) {
      for (Entry entry : change.entries()) {
        em.persist(EntryRow.of(entry));
        written = written.add(entry.id());
      }
    }
    for (Entry listed : commit.record().receipt().entries()) {
      if (!written.contains(listed.id()) && em.find(EntryRow.class, new EntryRow.Key(listed.id())) == null) {
        throw new IllegalArgumentException("the receipt lists entry " + listed.id() + ", which is neither stored nor in the commit");
      }
    }
    if (!postgresql) {
      em.persist(request);
    }
    events.forEach(em::persist);
    commit.events().filter(LoyaltyEvent.MemberErased.class::isInstance)
        .forEach(erased -> redactOutbox(em, erased.member()));
    return CommitOutcome.COMMITTED;
  }

  /**
   * Clears the birthday, the one personal datum an event carries, from the member's enrolment
   * events in the outbox (delivered or not), in the erasure's transaction: the outbox is no
   * hash-chained ledger, and an erasure must leave no personal datum in any table.
   */
  private static void redactOutbox(EntityManager em, MemberId member) {
    for (OutboxRow row : em.createQuery(
            "select o from LedgerOutbox o where o.memberId = :member and o.eventType = :type", OutboxRow.class)
        .setParameter("member", member.value())
        .setParameter("type", LoyaltyEvent.MemberEnrolled.class.getSimpleName())
        .getResultList()) {
      LoyaltyEvent.MemberEnrolled enrolled = (LoyaltyEvent.MemberEnrolled) EventCodec.read(row.eventType, row.payload,
          id -> {
            throw new IllegalStateException("an enrolment event references no entry, yet asked for " + id);
          });
      Member m = enrolled.enrolled();
      row.payload = EventCodec.payloadOf(new LoyaltyEvent.MemberEnrolled(
          new Member(m.id(), m.enrolledAt(), Option.none(), m.zone(), m.status()), enrolled.at()));
    }
  }

  /**
   * PostgreSQL: records the idempotency key first, so that a concurrent commit with the same key
   * waits for this transaction and then finds the key taken, without a unique-key failure.
   *
   * @return false if the key is recorded already
   */
  private static boolean claimKey(EntityManager em, RequestRow request) {
    return em.createNativeQuery(CLAIM_KEY)
        .setParameter(1, request.key)
        .setParameter(2, request.fingerprint)
        .setParameter(3, request.memberId)
        .setParameter(4, request.status)
        .setParameter(5, request.available)
        .setParameter(6, request.pending)
        .setParameter(7, request.held)
        .setParameter(8, request.entryIds)
        .executeUpdate() == 1;
  }

  private boolean storeAccount(EntityManager em, AccountChange change) {
    String member = change.account().memberId().value();
    long before = change.entries().isEmpty()
        ? change.account().lastSequence()
        : change.entries().head().sequence() - 1;
    if (change.expectedVersion() == 0) {
      if (before != 0) {
        return false;
      }
      if (postgresql) {
        return withAccount(em.createNativeQuery(INSERT_ACCOUNT), AccountRow.of(change.account())).executeUpdate() == 1;
      }
      if (em.find(AccountRow.class, member) != null) {
        return false;
      }
      em.persist(AccountRow.of(change.account()));
      return true;
    }
    int updated = withAccount(em.createNativeQuery(UPDATE_ACCOUNT), AccountRow.of(change.account()))
        .setParameter(14, change.expectedVersion())
        .setParameter(15, before)
        .executeUpdate();
    return updated == 1;
  }

  /** Binds an account row's columns to parameters 1 to 13, in the order of the update and the insert. */
  private static Query withAccount(Query statement, AccountRow next) {
    return statement
        .setParameter(1, next.version)
        .setParameter(2, next.status)
        .setParameter(3, next.enrolledAtSeconds)
        .setParameter(4, next.enrolledAtNanos)
        .setParameter(5, next.birthday)
        .setParameter(6, next.zoneId)
        .setParameter(7, next.lastSequence)
        .setParameter(8, next.lastHash)
        .setParameter(9, next.available)
        .setParameter(10, next.pending)
        .setParameter(11, next.held)
        .setParameter(12, next.lots)
        .setParameter(13, next.memberId);
  }

  /*
   * Runs after the account's conditional write, which holds the account row's lock until the end of
   * the transaction, so the due-work row read here is the one the account's previous commit left.
   * A member whose account predates the table (schema version 1) gets its row from its whole
   * history, which derives the same due work as deriving commit by commit.
   */
  private boolean storeDueWork(EntityManager em, AccountChange change) {
    Option<DueWorkTable.Stored> previous = DueWorkTable.find(em, change.account().memberId());
    List<Entry> entries = previous.isEmpty() && change.expectedVersion() != 0
        ? storedEntries(em, change).appendAll(change.entries())
        : change.entries();
    DueWork after = DueWork.derive(previous.map(DueWorkTable.Stored::work), change.account(), entries, activityKinds);
    return DueWorkTable.store(em, after, change.account().version(), previous, change.expectedVersion());
  }

  private static List<Entry> storedEntries(EntityManager em, AccountChange change) {
    return List.ofAll(em.createQuery("select e from LedgerEntry e where e.memberId = :member order by e.sequence",
            EntryRow.class)
        .setParameter("member", change.account().memberId().value())
        .getResultList()).map(EntryRow::toDomain);
  }

  /**
   * Changes a counter only if it still holds the expected value (a conditional {@code UPDATE}),
   * or, when it is expected to be new (0), inserts it if it is missing. On PostgreSQL a racing first
   * insert finds it taken ({@code ON CONFLICT DO NOTHING}); on H2 the commit holds the counter's
   * in-JVM lock ({@link RowLocks}), so no other writer can insert it meanwhile.
   */
  private boolean storeCounter(EntityManager em, CounterChange change) {
    if (updateCounter(em, change)) {
      return true;
    }
    if (change.expected() != 0) {
      return false;
    }
    if (postgresql) {
      return em.createNativeQuery(INSERT_COUNTER)
          .setParameter(1, change.key())
          .setParameter(2, change.updated())
          .executeUpdate() == 1;
    }
    if (em.find(CounterRow.class, change.key()) != null) {
      return false;
    }
    em.persist(new CounterRow(change.key(), change.updated()));
    return true;
  }

  private static boolean updateCounter(EntityManager em, CounterChange change) {
    return em.createNativeQuery(UPDATE_COUNTER)
        .setParameter(1, change.updated())
        .setParameter(2, change.key())
        .setParameter(3, change.expected())
        .executeUpdate() == 1;
  }

  /** After the database reported a conflict: tells which part of the commit lost the race. */
  private static CommitOutcome classify(EntityManager em, Commit commit) {
    if (em.find(RequestRow.class, commit.record().key().value()) != null) {
      return CommitOutcome.DUPLICATE_KEY;
    }
    for (CounterChange counter : commit.counters()) {
      CounterRow row = em.find(CounterRow.class, counter.key());
      if ((row == null ? 0 : row.value) != counter.expected()) {
        return CommitOutcome.STALE_COUNTER;
      }
    }
    return CommitOutcome.STALE_ACCOUNT;
  }

  static boolean isConflict(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof OptimisticLockException || t instanceof PessimisticLockException
          || t instanceof LockTimeoutException || t instanceof EntityExistsException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null && CONFLICT_STATES.contains(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** Rolls the transaction back with a refusal, which {@link #commit} returns as its outcome. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient CommitOutcome outcome;

    Refused(CommitOutcome outcome) {
      super(outcome.name(), null, false, false);
      this.outcome = outcome;
    }
  }
}
