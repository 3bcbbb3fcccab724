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
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.PessimisticLockException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * Stores a {@link Commit} in one transaction. Every check is made in code first (the key is not
 * recorded; each account still has the expected version, by a conditional update; each counter
 * still has the expected value, likewise), and the database backs each of them with a constraint
 * for the races the checks cannot see (the key and the account are primary keys). Each changed
 * member's {@link DueWork} is derived and stored under the same discipline ({@link DueWorkTable}),
 * and the commit's events go to the outbox table, in the same transaction. A refused check
 * or a conflict reported by the database rolls the transaction back and becomes a
 * {@link CommitOutcome}; no conflict ever reaches the caller as an exception. On embedded H2 the
 * commit also holds the database's lock in this JVM for the length of the transaction
 * ({@link WriteLock}), as H2's own row locks let a lost update through and a killed process could
 * otherwise leave half a transaction; with it held, no other writer in the JVM touches the
 * database, so the conditional updates need no lock read before them.
 * On PostgreSQL the
 * idempotency key is recorded first ({@code INSERT … ON CONFLICT DO NOTHING}) and new accounts and
 * counters likewise, so that the expected races (a resent request, two enrolments of one member,
 * two first spends of a budget) are
 * answered from a row count, not from a unique-key failure; PostgreSQL re-checks a conditional
 * update's condition on the current row after waiting for its lock, so no lock read is needed there
 * either. The statements are plain JDBC on the transaction's connection ({@link SqlWork}); the
 * transaction is the entity manager's. On PostgreSQL a request's commit whose accounts its attempt
 * read along with their due-work rows, and which has no counter, new account, enrolment event or
 * event of a member whose account it does not change (nearly every request), sends the same
 * statements as one script in one round trip.
 */
final class LedgerWriter {

  /**
   * SQL states of a conflict with a concurrent transaction: unique key, serialization, deadlock, and
   * lock timeout (H2's {@code HYT00}; PostgreSQL's {@code 55P03}, where a {@code lock_timeout} is set).
   */
  static final Set<String> CONFLICT_STATES = HashSet.of("23505", "40001", "40P01", "HYT00", "55P03");

  /*
   * The commit's statements are plain JDBC on the transaction's connection, the same SQL on H2 and
   * PostgreSQL but for ON CONFLICT: persisting entities and running native queries through the
   * session cost more CPU than the database's work, and a commit only ever inserts rows and
   * changes them conditionally.
   */
  private static final String UPDATE_ACCOUNT = "UPDATE ledger_account SET "
      + AccountRow.COLUMNS.replace(",", " = ?,") + " = ? WHERE member_id = ? AND version = ? AND last_sequence = ?";
  /** The insert of an account row, bound by {@link AccountRow#bind}. */
  static final String INSERT_ACCOUNT =
      "INSERT INTO ledger_account (" + AccountRow.COLUMNS + ", member_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  /** The insert of a request row, bound by {@link RequestRow#bind}. */
  static final String INSERT_REQUEST =
      "INSERT INTO ledger_request (" + RequestRow.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String UPDATE_COUNTER =
      "UPDATE ledger_counter SET counter_value = ? WHERE counter_key = ? AND counter_value = ?";
  private static final String INSERT_COUNTER = "INSERT INTO ledger_counter (counter_key, counter_value) VALUES (?, ?)";
  private static final String FIND_COUNTER = "SELECT counter_value FROM ledger_counter WHERE counter_key = ?";
  private static final String LOCK_ACCOUNT = "SELECT 1 FROM ledger_account WHERE member_id = ? FOR UPDATE";
  private static final String ENTRY_EXISTS = "SELECT 1 FROM ledger_entry WHERE member_id = ? AND sequence_number = ?";

  /** The insert of one ledger entry, all 25 columns bound ({@link #bindEntry}). */
  static final String INSERT_ENTRY = "INSERT INTO ledger_entry (" + EntryRow.COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * The side-table row of an entry that references another (schema version 4), bound by {@link
   * #bindReference}: {@code referencing} reads it, instead of an index on every entry's reference
   * columns.
   */
  static final String INSERT_REFERENCE = "INSERT INTO ledger_entry_reference"
      + " (reference_member, reference_sequence, member_id, sequence_number) VALUES (?, ?, ?, ?)";

  /*
   * PostgreSQL only: a conflicting insert leaves the row alone and reports 0 rows, where a plain
   * insert would fail the transaction on a race that is expected.
   */
  private static final String ON_CONFLICT_KEY = " ON CONFLICT (idempotency_key) DO NOTHING";
  private static final String ON_CONFLICT_MEMBER = " ON CONFLICT (member_id) DO NOTHING";
  private static final String ON_CONFLICT_COUNTER = " ON CONFLICT (counter_key) DO NOTHING";

  private final EntityManagerFactory factory;
  private final Transactions transactions;
  private final Set<EntryKind> activityKinds;
  private final WriteLock writeLock;
  private final boolean postgresql;
  private final KnownLots knownLots;
  /*
   * The inserts for this database, composed once: pgjdbc finds a prepared statement in its
   * per-connection cache by the SQL text, hashing and comparing it, and a String concatenated per
   * call has no cached hash (the commit's largest item after the codecs).
   */
  private final String insertRequest;
  private final String insertAccount;
  private final String insertCounter;
  /** The due-work column of the members written last (only the commit reads and writes it). */
  private final KnownText<DueWork> knownDueWork = new KnownText<>();
  /*
   * PostgreSQL: the script of each shape of commit (writeInOneTrip), composed once, as the single
   * inserts are, for pgjdbc's statement cache; a handful of shapes cover nearly every request, and
   * the number kept is bounded.
   */
  private final java.util.Map<java.util.List<String>, String> scripts = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MOST_SCRIPTS = 64;

  /**
   * @param transactions how the commit's and the conflict look-up's transactions begin
   * @param writeLock the database's in-JVM lock (embedded H2) or none
   * @param postgresql whether the database is PostgreSQL, whose conditional {@code UPDATE} re-checks
   *     its condition on the current row after waiting for its lock (READ COMMITTED's documented
   *     behaviour), so that no lock read is needed before it, and which has {@code ON CONFLICT}
   * @param knownLots the lots column of the accounts read and written last (shared with the reads)
   */
  LedgerWriter(EntityManagerFactory factory, Transactions transactions, Set<EntryKind> activityKinds,
      WriteLock writeLock, boolean postgresql, KnownLots knownLots) {
    this.factory = factory;
    this.transactions = transactions;
    this.activityKinds = activityKinds;
    this.writeLock = writeLock;
    this.postgresql = postgresql;
    this.knownLots = knownLots;
    this.insertRequest = postgresql ? INSERT_REQUEST + ON_CONFLICT_KEY : INSERT_REQUEST;
    this.insertAccount = postgresql ? INSERT_ACCOUNT + ON_CONFLICT_MEMBER : INSERT_ACCOUNT;
    this.insertCounter = postgresql ? INSERT_COUNTER + ON_CONFLICT_COUNTER : INSERT_COUNTER;
  }

  CommitOutcome commit(Commit commit) {
    return writeLock.holding(() -> {
      try (EntityManager em = factory.createEntityManager()) {
        return writeIn(em, commit, java.util.Map.of());
      }
    });
  }

  /** Whether the database is PostgreSQL (else H2). */
  boolean onPostgresql() {
    return postgresql;
  }

  /**
   * Stores the commit in the entity manager's transaction (begun if it is not), which it then
   * commits, or rolls back if the commit is refused or fails: a request's attempt read through the
   * same transaction ({@code JpaLedgerStore.attempt}). {@link #commit} is this on an entity manager
   * of its own.
   *
   * @param read the due-work rows that the attempt read with the accounts, by member id; a change
   *     whose expected version is the version such a row belongs to takes it as the previous due
   *     work instead of reading it again (the account's conditional update passes only if no commit
   *     changed the account since that read, and every commit that writes a due-work row changes its
   *     account's version in the same transaction)
   */
  CommitOutcome commitIn(EntityManager em, Commit commit, java.util.Map<String, DueWorkTable.Row> read) {
    return writeLock.holding(() -> writeIn(em, commit, read));
  }

  private CommitOutcome writeIn(EntityManager em, Commit commit, java.util.Map<String, DueWorkTable.Row> read) {
    List<OutboxRow> events = outboxRows(commit);
    // An erasure is refused, as a conflict the facade retries, while the relay hands over the
    // member's enrolment event, so that the birthday is not handed over after the erasure committed;
    // it must not wait, since the listener may be waiting for the facade's lock on the member, which
    // the erasure's caller holds. H2: the hand-over is registered with the WriteLock. PostgreSQL: the
    // relay's row lock makes the redaction's NOWAIT lock fail (redactOutbox).
    boolean handedOver = writeLock.handedOverElsewhere(commit.events()
        .filter(LoyaltyEvent.MemberErased.class::isInstance).map(erased -> erased.member().value()));
    EntityTransaction transaction = em.getTransaction();
    try {
      if (!transaction.isActive()) {
        transactions.begin(em);
      }
      CommitOutcome outcome = handedOver ? CommitOutcome.STALE_ACCOUNT : writeAll(em, commit, events, read);
      if (outcome != CommitOutcome.COMMITTED) {
        transaction.rollback();
        return outcome;
      }
      commitOrTellItIsUnknown(transaction, commit);
      return outcome;
    } catch (PersistenceException e) {
      Transactions.rollBack(transaction, e);
      if (!isConflict(e)) {
        throw e;
      }
      return classify(commit);
    } catch (RuntimeException e) {
      Transactions.rollBack(transaction, e);
      throw e;
    }
  }

  /**
   * Commits the transaction. A conflict the database reports only now (a serialization failure at
   * the commit) is thrown for {@link #writeIn} to classify; any other failure leaves the caller not
   * knowing whether the database stored the commit before its answer was lost, which Hibernate
   * reports as a {@code RollbackException}, as if nothing had been stored: it is thrown as a
   * {@link CommitOutcomeUnknownException}, which says to send the request again with its key.
   */
  private static void commitOrTellItIsUnknown(EntityTransaction transaction, Commit commit) {
    try {
      transaction.commit();
    } catch (PersistenceException e) {
      if (isConflict(e)) {
        throw e;
      }
      throw new CommitOutcomeUnknownException(commit.record().key(), e);
    }
  }

  /** Encoded first, so that an event the outbox cannot store is refused before anything is written. */
  private static List<OutboxRow> outboxRows(Commit commit) {
    return commit.events().map(e -> new OutboxRow(e.member().value(), EventCodec.typeOf(e), EventCodec.payloadOf(e)));
  }

  /**
   * The commit's writes in the open transaction, and what an erasure asks for besides: the outbox
   * redaction and the deletion of the member's profile. Both are in the transaction that puts
   * {@code MemberErased} in the outbox, so that no relay hands it over while the profile is still
   * stored, nor after a deletion that failed (the facade's own deletion after the commit then finds
   * nothing to delete).
   */
  private CommitOutcome writeAll(EntityManager em, Commit commit, List<OutboxRow> events,
      java.util.Map<String, DueWorkTable.Row> read) {
    return SqlWork.on(em, connection -> {
      CommitOutcome outcome = write(em, connection, commit, events, read);
      if (outcome == CommitOutcome.COMMITTED) {
        for (LoyaltyEvent erased : commit.events().filter(LoyaltyEvent.MemberErased.class::isInstance)) {
          redactOutbox(connection, erased.member(), postgresql);
          MemberProfileTable.delete(connection, erased.member());
        }
      }
      return outcome;
    });
  }

  /** After a constraint or lock conflict: why the commit was refused, read in a transaction of its own. */
  private CommitOutcome classify(Commit commit) {
    return transactions.call(em -> SqlWork.on(em, connection -> classify(connection, commit)));
  }

  /** The commit's statements in order; an outcome other than COMMITTED rolls the transaction back. */
  private CommitOutcome write(EntityManager em, Connection connection, Commit commit, List<OutboxRow> events,
      java.util.Map<String, DueWorkTable.Row> read) throws SQLException {
    RequestRow request = RequestRow.of(commit.record());
    List<AccountChange> changes = commit.changes().sortBy(c -> c.account().memberId());
    List<Entry> entries = changes.flatMap(AccountChange::entries);
    List<String> unchanged = unchangedMembers(changes, events);
    if (postgresql && commit.counters().isEmpty() && !events.exists(OutboxRow::isEnrolment) && unchanged.isEmpty()) {
      Option<List<DueWorkTable.Stored>> previous = readAlong(changes, read);
      if (previous.isDefined()) {
        CommitOutcome outcome = writeInOneTrip(connection, request, changes, previous.get(), entries, events);
        if (outcome == CommitOutcome.COMMITTED) {
          checkReceipt(connection, commit, entries);
        }
        return outcome;
      }
    }
    if (postgresql ? !insert(connection, insertRequest, request::bind)
        : RequestRow.find(connection, request.key).isDefined()) {
      return CommitOutcome.DUPLICATE_KEY;
    }
    for (String member : changes.map(c -> c.account().memberId().value()).appendAll(unchanged).sorted()) {
      Option<AccountChange> change = changes.find(c -> c.account().memberId().value().equals(member));
      if (change.isEmpty()) {
        lockAccount(connection, member);
      } else if (!storeAccount(connection, change.get()) || !storeDueWork(em, connection, change.get(), read)) {
        return CommitOutcome.STALE_ACCOUNT;
      }
    }
    for (CounterChange counter : commit.counters().sortBy(CounterChange::key)) {
      if (!storeCounter(connection, counter)) {
        return CommitOutcome.STALE_COUNTER;
      }
    }
    insertAll(connection, INSERT_ENTRY, entries, (insert, entry) -> bindEntry(insert, EntryRow.of(entry)));
    insertAll(connection, INSERT_REFERENCE, entries.filter(e -> e.reference().isDefined()), LedgerWriter::bindReference);
    checkReceipt(connection, commit, entries);
    if (!postgresql) {
      insert(connection, INSERT_REQUEST, request::bind);
    }
    insertEvents(connection, events);
    return CommitOutcome.COMMITTED;
  }

  /**
   * PostgreSQL: the members with an event in the commit but no account change (an expiry notice, a
   * tier warning), whose account rows the commit locks ({@link #lockAccount}); none on H2, whose
   * writers take turns ({@link WriteLock}), so that outbox ids grow in commit order there already.
   */
  private List<String> unchangedMembers(List<AccountChange> changes, List<OutboxRow> events) {
    if (!postgresql || events.isEmpty()) {
      return List.empty();
    }
    Set<String> changed = changes.map(c -> c.account().memberId().value()).toSet();
    return events.map(e -> e.memberId).distinct().filter(member -> !changed.contains(member));
  }

  /**
   * Locks a member's account row until the commit ends, as an account change does, before the
   * commit's events take their outbox ids: the ids of a member's events then grow in commit order
   * although this commit does not change the account. Taken in member-id order with the changed
   * accounts, so that commits cannot deadlock on them.
   */
  private static void lockAccount(Connection connection, String member) throws SQLException {
    try (PreparedStatement lock = connection.prepareStatement(LOCK_ACCOUNT)) {
      lock.setString(1, member);
      lock.executeQuery().close();
    }
  }

  /** Refuses a receipt that lists an entry which is neither written by the commit nor stored. */
  private static void checkReceipt(Connection connection, Commit commit, List<Entry> entries) throws SQLException {
    Set<EntryId> written = entries.map(Entry::id).toSet();
    for (Entry listed : commit.record().receipt().entries()) {
      if (!written.contains(listed.id()) && !entryExists(connection, listed.id())) {
        throw new IllegalArgumentException("the receipt lists entry " + listed.id() + ", which is neither stored nor in the commit");
      }
    }
  }

  /**
   * The previous due work of each change (all of them existing accounts) as the attempt read it
   * with the account, or none if one of them was not read so (then the rows are read in the commit).
   */
  private Option<List<DueWorkTable.Stored>> readAlong(List<AccountChange> changes,
      java.util.Map<String, DueWorkTable.Row> read) {
    java.util.List<DueWorkTable.Stored> previous = new java.util.ArrayList<>(changes.size());
    for (AccountChange change : changes) {
      Option<DueWorkTable.Stored> stored = change.expectedVersion() == 0 ? Option.none() : readAlong(change, read);
      if (stored.isEmpty()) {
        return Option.none();
      }
      previous.add(stored.get());
    }
    return Option.some(List.ofAll(previous));
  }

  /** The change's previous due work as the attempt read it with the account at the expected version, or none. */
  private Option<DueWorkTable.Stored> readAlong(AccountChange change, java.util.Map<String, DueWorkTable.Row> read) {
    String member = change.account().memberId().value();
    DueWorkTable.Row row = read.get(member);
    if (row == null || row.accountVersion() != change.expectedVersion()) {
      return Option.none();
    }
    return Option.some(new DueWorkTable.Stored(row.accountVersion(),
        knownDueWork.decode(member, row.text(), DueWorkCodec::decode)));
  }

  /**
   * PostgreSQL, a commit of existing accounts whose due-work rows the attempt read with them, without
   * counters or an enrolment event (nearly every request): the key's insert, each account's and due
   * work's conditional update, the entries, their side-table rows and the events, the statements of
   * the sequential path in its order, sent as one script of several statements (pgjdbc sends them and
   * reads their counts in one round trip, where the sequential path takes one each). A key found
   * taken or an update that changed no row refuses the commit as the sequential path does; the
   * statements after it ran too, but the transaction is rolled back, and one that failed on a
   * constraint because of it is classified afresh like any conflict.
   */
  private CommitOutcome writeInOneTrip(Connection connection, RequestRow request, List<AccountChange> changes,
      List<DueWorkTable.Stored> previous, List<Entry> entries, List<OutboxRow> events) throws SQLException {
    List<Entry> referencing = entries.filter(e -> e.reference().isDefined());
    java.util.List<String> statements = new java.util.ArrayList<>();
    statements.add(insertRequest);
    for (int i = 0; i < changes.size(); i++) {
      statements.add(UPDATE_ACCOUNT);
      statements.add(DueWorkTable.UPDATE);
    }
    entries.forEach(e -> statements.add(INSERT_ENTRY));
    referencing.forEach(e -> statements.add(INSERT_REFERENCE));
    events.forEach(e -> statements.add(OutboxRow.INSERT));
    String sql = scripts.get(statements);
    if (sql == null) {
      sql = String.join("; ", statements);
      if (scripts.size() < MOST_SCRIPTS) {
        scripts.put(statements, sql);
      }
    }
    int[] counts = new int[statements.size()];
    try (PreparedStatement script = connection.prepareStatement(sql)) {
      request.bind(script, 0);
      int p = RequestRow.COLUMN_COUNT;
      for (int i = 0; i < changes.size(); i++) {
        AccountChange change = changes.get(i);
        AccountRow.of(change.account(), knownLots).bind(script, p);
        script.setLong(p + 14, change.expectedVersion());
        script.setLong(p + 15, sequenceBefore(change));
        p += 15;
        DueWork after = DueWork.derive(Option.some(previous.get(i).work()), change.account(), change.entries(),
            activityKinds);
        p = DueWorkTable.bind(script, p, after, change.account().version(),
            knownDueWork.encode(after.memberId().value(), after, DueWorkCodec::encode));
        script.setLong(p, change.expectedVersion());
      }
      for (Entry entry : entries) {
        bindEntry(script, p, EntryRow.of(entry));
        p += 25;
      }
      for (Entry entry : referencing) {
        bindReference(script, p, entry);
        p += 4;
      }
      for (OutboxRow event : events) {
        event.bind(script, p);
        p += 3;
      }
      boolean resultSet = script.execute();
      for (int i = 0; i < counts.length; i++) {
        if (resultSet) {
          throw new SQLException("a statement of the commit's script returned rows");
        }
        counts[i] = script.getUpdateCount();
        resultSet = script.getMoreResults();
      }
    }
    if (counts[0] != 1) {
      return CommitOutcome.DUPLICATE_KEY;
    }
    for (int i = 0; i < changes.size(); i++) {
      if (counts[1 + 2 * i] != 1 || counts[2 + 2 * i] != 1) {
        return CommitOutcome.STALE_ACCOUNT;
      }
    }
    return CommitOutcome.COMMITTED;
  }

  /**
   * The commit's events, in order. An enrolment event is also listed in the side table
   * {@code ledger_outbox_enrolment} under its generated id, so that an erasure finds it; a commit
   * without one (nearly all) inserts its events in one batch and touches nothing else.
   */
  private static void insertEvents(Connection connection, List<OutboxRow> events) throws SQLException {
    if (!events.exists(OutboxRow::isEnrolment)) {
      insertAll(connection, OutboxRow.INSERT, events, (insert, event) -> event.bind(insert));
      return;
    }
    try (PreparedStatement insert = connection.prepareStatement(OutboxRow.INSERT, Statement.RETURN_GENERATED_KEYS);
        PreparedStatement listed = connection.prepareStatement(OutboxRow.INSERT_ENROLMENT)) {
      for (OutboxRow event : events) {
        event.bind(insert);
        insert.executeUpdate();
        if (event.isEnrolment()) {
          try (ResultSet keys = insert.getGeneratedKeys()) {
            if (!keys.next()) {
              throw new SQLException("the database returned no id for the outbox row of an enrolment event");
            }
            listed.setString(1, event.memberId);
            listed.setLong(2, keys.getLong("id"));
            listed.executeUpdate();
          }
        }
      }
    }
  }

  /** Binds one statement's parameters. */
  @FunctionalInterface
  private interface Binding<T> {
    void bind(PreparedStatement statement, T value) throws SQLException;
  }

  /** Runs one insert; true if it inserted the row (false: {@code ON CONFLICT} found it taken). */
  private static boolean insert(Connection connection, String sql, SqlBinding binding) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      binding.bind(insert);
      return insert.executeUpdate() == 1;
    }
  }

  /** Binds the parameters of a single statement. */
  @FunctionalInterface
  private interface SqlBinding {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** Inserts the rows with one statement, as a JDBC batch when there are several. */
  private static <T> void insertAll(Connection connection, String sql, List<T> rows, Binding<T> binding)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      if (rows.size() == 1) {
        binding.bind(insert, rows.head());
        insert.executeUpdate();
        return;
      }
      for (T row : rows) {
        binding.bind(insert, row);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** Binds an entry row's 25 columns to the parameters of {@link #INSERT_ENTRY}. */
  static void bindEntry(PreparedStatement insert, EntryRow row) throws SQLException {
    bindEntry(insert, 0, row);
  }

  /**
   * Binds an entry row's 25 columns to the parameters after {@code offset} (those of the earlier
   * rows of a multi-row insert).
   */
  static void bindEntry(PreparedStatement insert, int offset, EntryRow row) throws SQLException {
    insert.setString(offset + 1, row.memberId);
    insert.setLong(offset + 2, row.sequence);
    insert.setString(offset + 3, row.kind);
    insert.setLong(offset + 4, row.points);
    insert.setString(offset + 5, row.movements);
    insert.setLong(offset + 6, row.occurredAtSeconds);
    insert.setInt(offset + 7, row.occurredAtNanos);
    insert.setLong(offset + 8, row.recordedAtSeconds);
    insert.setInt(offset + 9, row.recordedAtNanos);
    insert.setString(offset + 10, row.channel);
    insert.setString(offset + 11, row.idempotencyKey);
    insert.setString(offset + 12, row.reason);
    insert.setInt(offset + 13, row.programVersion);
    insert.setString(offset + 14, row.ruleIds);
    SqlWork.bind(insert, offset + 15, row.referenceMember, Types.VARCHAR);
    SqlWork.bind(insert, offset + 16, row.referenceSequence, Types.BIGINT);
    SqlWork.bind(insert, offset + 17, row.counterparty, Types.VARCHAR);
    SqlWork.bind(insert, offset + 18, row.operator, Types.VARCHAR);
    SqlWork.bind(insert, offset + 19, row.expiresAtSeconds, Types.BIGINT);
    SqlWork.bind(insert, offset + 20, row.expiresAtNanos, Types.INTEGER);
    SqlWork.bind(insert, offset + 21, row.vestsAtSeconds, Types.BIGINT);
    SqlWork.bind(insert, offset + 22, row.vestsAtNanos, Types.INTEGER);
    insert.setString(offset + 23, row.details);
    insert.setBytes(offset + 24, row.previousHash);
    insert.setBytes(offset + 25, row.hash);
  }

  /** Binds the side-table row of an entry that references another to {@link #INSERT_REFERENCE}. */
  static void bindReference(PreparedStatement insert, Entry entry) throws SQLException {
    bindReference(insert, 0, entry);
  }

  /** Like {@link #bindReference(PreparedStatement, Entry)}, to the 4 parameters after {@code offset}. */
  private static void bindReference(PreparedStatement insert, int offset, Entry entry) throws SQLException {
    EntryId original = entry.reference().get();
    insert.setString(offset + 1, original.member().value());
    insert.setLong(offset + 2, original.sequence());
    insert.setString(offset + 3, entry.member().value());
    insert.setLong(offset + 4, entry.sequence());
  }

  private static boolean entryExists(Connection connection, EntryId id) throws SQLException {
    try (PreparedStatement find = connection.prepareStatement(ENTRY_EXISTS)) {
      find.setString(1, id.member().value());
      find.setLong(2, id.sequence());
      try (ResultSet rs = find.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Clears the birthday, the one personal datum an event carries, from the member's enrolment
   * events in the outbox (delivered or not), in the erasure's transaction: the outbox is no
   * hash-chained ledger, and an erasure must leave no personal datum in any table. The events are
   * found through {@code ledger_outbox_enrolment} (schema version 5). On PostgreSQL they are locked
   * without waiting: a row the relay holds while it hands the event over fails the statement as a
   * conflict (lock not available), which rolls the erasure back; waiting could be for ever, if the
   * relay's listener waits for the facade's lock on the member that the erasure's caller holds.
   */
  static void redactOutbox(Connection connection, MemberId member, boolean postgresql) throws SQLException {
    java.util.Map<Long, String> redacted = new java.util.LinkedHashMap<>();
    try (PreparedStatement find = connection.prepareStatement(
        postgresql ? OutboxRow.LOCK_ENROLMENTS_NOWAIT : OutboxRow.FIND_ENROLMENTS)) {
      find.setString(1, member.value());
      try (ResultSet rs = find.executeQuery()) {
        while (rs.next()) {
          LoyaltyEvent.MemberEnrolled enrolled = (LoyaltyEvent.MemberEnrolled) EventCodec.read(rs.getString(2),
              rs.getString(3), id -> {
                throw new IllegalStateException("an enrolment event references no entry, yet asked for " + id);
              });
          Member m = enrolled.enrolled();
          redacted.put(rs.getLong(1), EventCodec.payloadOf(new LoyaltyEvent.MemberEnrolled(
              new Member(m.id(), m.enrolledAt(), Option.none(), m.zone(), m.status()), enrolled.at())));
        }
      }
    }
    try (PreparedStatement update = connection.prepareStatement(OutboxRow.UPDATE_PAYLOAD)) {
      for (java.util.Map.Entry<Long, String> row : redacted.entrySet()) {
        update.setString(1, row.getValue());
        update.setLong(2, row.getKey());
        update.executeUpdate();
      }
    }
  }

  /**
   * Writes the account: a conditional update on the expected version, or, for a new account, an
   * insert (on PostgreSQL {@code ON CONFLICT DO NOTHING}; on H2, whose writers hold the account's
   * in-JVM lock, after checking that the row is missing).
   */
  private boolean storeAccount(Connection connection, AccountChange change) throws SQLException {
    AccountRow next = AccountRow.of(change.account(), knownLots);
    long before = sequenceBefore(change);
    if (change.expectedVersion() == 0) {
      if (before != 0 || !postgresql && AccountRow.find(connection, next.memberId).isDefined()) {
        return false;
      }
      return insert(connection, insertAccount, next::bind);
    }
    try (PreparedStatement update = connection.prepareStatement(UPDATE_ACCOUNT)) {
      next.bind(update);
      update.setLong(14, change.expectedVersion());
      update.setLong(15, before);
      return update.executeUpdate() == 1;
    }
  }

  /** The account's last sequence before the change, which its conditional update expects. */
  private static long sequenceBefore(AccountChange change) {
    return change.entries().isEmpty() ? change.account().lastSequence() : change.entries().head().sequence() - 1;
  }

  /*
   * Runs after the account's conditional write, which holds the account row's lock until the end of
   * the transaction, so the due-work row read here is the one the account's previous commit left.
   * A member whose account predates the table (schema version 1) gets its row from its whole
   * history, which derives the same due work as deriving commit by commit. A row that the attempt
   * read with the account at the expected version is that row (see commitIn), so it is not read again.
   */
  private boolean storeDueWork(EntityManager em, Connection connection, AccountChange change,
      java.util.Map<String, DueWorkTable.Row> read) throws SQLException {
    Option<DueWorkTable.Stored> along = readAlong(change, read);
    Option<DueWorkTable.Stored> previous = along.isDefined()
        ? along
        : DueWorkTable.find(connection, change.account().memberId(), knownDueWork);
    List<Entry> entries = previous.isEmpty() && change.expectedVersion() != 0
        ? storedEntries(em, change).appendAll(change.entries())
        : change.entries();
    DueWork after = DueWork.derive(previous.map(DueWorkTable.Stored::work), change.account(), entries, activityKinds);
    return DueWorkTable.store(connection, after, change.account().version(), previous, change.expectedVersion(),
        knownDueWork);
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
   * insert finds it taken ({@code ON CONFLICT DO NOTHING}); on H2 the commit holds the database's
   * in-JVM lock ({@link WriteLock}), so no other writer can insert it meanwhile.
   */
  private boolean storeCounter(Connection connection, CounterChange change) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(UPDATE_COUNTER)) {
      update.setLong(1, change.updated());
      update.setString(2, change.key());
      update.setLong(3, change.expected());
      if (update.executeUpdate() == 1) {
        return true;
      }
    }
    if (change.expected() != 0 || !postgresql && counterValue(connection, change.key()).isDefined()) {
      return false;
    }
    return insert(connection, insertCounter, insert -> {
      insert.setString(1, change.key());
      insert.setLong(2, change.updated());
    });
  }

  /** A counter's stored value, or none if it was never written. */
  static Option<Long> counterValue(Connection connection, String key) throws SQLException {
    return SqlWork.first(connection, FIND_COUNTER, key, rs -> rs.getLong(1));
  }

  /** After the database reported a conflict: tells which part of the commit lost the race. */
  private static CommitOutcome classify(Connection connection, Commit commit) throws SQLException {
    if (RequestRow.find(connection, commit.record().key().value()).isDefined()) {
      return CommitOutcome.DUPLICATE_KEY;
    }
    for (CounterChange counter : commit.counters()) {
      if (counterValue(connection, counter.key()).getOrElse(0L) != counter.expected()) {
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
}
