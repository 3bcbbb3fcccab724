package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.LedgerStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The raw-JDBC baseline of a ledger write: the same SQL statements, on the same schema, that the
 * facade and the JPA store issue for one credit, plus the SHA-256 of an entry-sized record, with
 * no ORM and no domain objects. The facade reads the request by key and the account; the commit
 * then, on H2, checks the key, updates the account on its expected version, reads and updates the member's due-work row, and inserts the entry, the
 * request and the outbox event; on PostgreSQL it records the key first ({@code ON CONFLICT DO
 * NOTHING}) instead of checking it. Then it commits.
 */
final class JdbcLedger implements AutoCloseable {

  private static final String DUE_WORK_COLUMNS = "account_version, vesting_seconds, vesting_nanos, lot_expiry_seconds,"
      + " lot_expiry_nanos, hold_expiry_seconds, hold_expiry_nanos, tier_review_seconds, tier_review_nanos,"
      + " last_active_seconds, last_active_nanos, holds_points, birthday, enrolment_day, partition_hash, due_work";

  /** The entry insert of the import, as the store's bulk import issues it (several rows per statement). */
  private static final String IMPORT_ENTRY = "INSERT INTO ledger_entry (member_id, sequence_number, kind, points, movements,"
      + " occurred_at_seconds, occurred_at_nanos, recorded_at_seconds, recorded_at_nanos, channel, idempotency_key, reason,"
      + " program_version, rule_ids, reference_member, reference_sequence, counterparty, operator_name,"
      + " expires_at_seconds, expires_at_nanos, vests_at_seconds, vests_at_nanos, details, previous_hash, hash)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** The side-table row of an imported entry that references another, as the store writes it. */
  private static final String IMPORT_REFERENCE = "INSERT INTO ledger_entry_reference (reference_member,"
      + " reference_sequence, member_id, sequence_number) VALUES (?, ?, ?, ?)";

  /** The request insert of the import. */
  private static final String IMPORT_REQUEST = "INSERT INTO ledger_request (idempotency_key, fingerprint, member_id, status,"
      + " available, pending, held, entry_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  /** Rows per multi-row insert, as in the store's bulk import. */
  static final int ROWS_PER_INSERT = 20;

  /**
   * The store's bulk import closes a transaction after the member that brings it to this many entries
   * (BulkImport.ENTRIES_PER_TRANSACTION, package-private in loyalty-jpa: keep the two equal).
   */
  static final int IMPORT_ENTRIES = 2_000;

  private final Connection connection;
  private final String url;
  private final String user;
  private final String password;
  /** The import's second connection, opened on first use. */
  private Connection second;
  private final MessageDigest sha256;
  private final PreparedStatement findRequest;
  private final PreparedStatement findAccount;
  private final PreparedStatement updateAccount;
  private final PreparedStatement insertAccount;
  private final PreparedStatement insertEntry;
  private final PreparedStatement insertRequest;
  private final PreparedStatement insertOutbox;
  private final PreparedStatement recordKey;
  private final PreparedStatement findDueWork;
  private final PreparedStatement insertDueWork;
  private final PreparedStatement updateDueWork;
  private final PreparedStatement readAhead;
  private final PreparedStatement writeScript;
  private final boolean postgresql;

  JdbcLedger(String url, String user, String password) throws SQLException, NoSuchAlgorithmException {
    this.url = url;
    this.user = user;
    this.password = password;
    connection = DriverManager.getConnection(url, user, password);
    JpaLedgerStore.migrate(connection);
    connection.setAutoCommit(false);
    sha256 = MessageDigest.getInstance("SHA-256");
    findRequest = connection.prepareStatement(
        "SELECT idempotency_key, fingerprint, member_id, status, available, pending, held, entry_ids FROM ledger_request"
            + " WHERE idempotency_key = ?");
    findAccount = connection.prepareStatement(
        "SELECT version, status, enrolled_at_seconds, enrolled_at_nanos, birthday, zone_id, last_sequence, last_hash,"
            + " available, pending, held, lots FROM ledger_account WHERE member_id = ?");
    String accountUpdate =
        "UPDATE ledger_account SET version = ?, status = ?, enrolled_at_seconds = ?, enrolled_at_nanos = ?, birthday = ?,"
            + " zone_id = ?, last_sequence = ?, last_hash = ?, available = ?, pending = ?, held = ?, lots = ?"
            + " WHERE member_id = ? AND version = ? AND last_sequence = ?";
    updateAccount = connection.prepareStatement(accountUpdate);
    insertAccount = connection.prepareStatement(
        "INSERT INTO ledger_account (member_id, version, status, enrolled_at_seconds, enrolled_at_nanos, birthday, zone_id,"
            + " last_sequence, last_hash, available, pending, held, lots) VALUES (?, 1, 'ACTIVE', 0, 0, NULL, 'UTC', 0, ?, 0, 0, 0, '')");
    insertEntry = connection.prepareStatement(IMPORT_ENTRY);
    insertRequest = connection.prepareStatement(
        "INSERT INTO ledger_request (idempotency_key, fingerprint, member_id, status, available, pending, held, entry_ids)"
            + " VALUES (?, ?, ?, 'ACTIVE', ?, 0, 0, ?)");
    String outboxInsert = "INSERT INTO ledger_outbox (member_id, event_type, payload, delivered) VALUES (?, ?, ?, FALSE)";
    insertOutbox = connection.prepareStatement(outboxInsert);
    postgresql = "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
    // H2 has no ON CONFLICT (outside its PostgreSQL mode): there the store checks the key by a read
    // and inserts the request last.
    String keyInsert = IMPORT_REQUEST + (postgresql ? " ON CONFLICT (idempotency_key) DO NOTHING" : "");
    recordKey = connection.prepareStatement(keyInsert);
    findDueWork = connection.prepareStatement(
        "SELECT account_version, due_work FROM ledger_due_work WHERE member_id = ?");
    insertDueWork = connection.prepareStatement("INSERT INTO ledger_due_work (" + DUE_WORK_COLUMNS
        + ", member_id) VALUES (?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, ?, NULL, '01-01', 1, ?, ?)");
    String dueWorkUpdate = "UPDATE ledger_due_work SET account_version = ?, vesting_seconds = ?,"
        + " vesting_nanos = ?, lot_expiry_seconds = ?, lot_expiry_nanos = ?, hold_expiry_seconds = ?,"
        + " hold_expiry_nanos = ?, tier_review_seconds = ?, tier_review_nanos = ?, last_active_seconds = ?,"
        + " last_active_nanos = ?, holds_points = ?, birthday = ?, enrolment_day = ?, partition_hash = ?,"
        + " due_work = ? WHERE member_id = ? AND account_version = ?";
    updateDueWork = connection.prepareStatement(dueWorkUpdate);
    // PostgreSQL, three round trips: the key, the account and its due-work row in one read; the
    // writes in one script; the commit.
    readAhead = postgresql ? connection.prepareStatement("SELECT r.idempotency_key, a.version, a.last_sequence,"
        + " a.last_hash, a.available, a.lots, d.account_version, d.due_work FROM (VALUES (1)) AS one (x)"
        + " LEFT JOIN ledger_request r ON r.idempotency_key = ?"
        + " LEFT JOIN ledger_account a ON a.member_id = ?"
        + " LEFT JOIN ledger_due_work d ON d.member_id = ? AND a.member_id IS NOT NULL") : null;
    writeScript = postgresql
        ? connection.prepareStatement(String.join("; ", keyInsert, accountUpdate, dueWorkUpdate, IMPORT_ENTRY, outboxInsert))
        : null;
  }

  /** A due-work text of the size the store writes for a member with a few lots. */
  private static String dueWorkText(String member, long version) {
    return "member=" + member + ";version=" + version + ";enrolled=2026-01-01T00:00:00Z;zone=UTC;lastActivity="
        + "2026-01-01T00:00:00Z;holdsPoints=true;vesting=;lotExpiry=;holdExpiry=;tierReview=;";
  }

  void enrol(String member) throws SQLException {
    insertAccount.setString(1, member);
    insertAccount.setString(2, "0".repeat(64));
    insertAccount.executeUpdate();
    insertDueWork.setLong(1, 1);
    insertDueWork.setBoolean(2, false);
    insertDueWork.setString(3, dueWorkText(member, 1));
    insertDueWork.setString(4, member);
    insertDueWork.executeUpdate();
    connection.commit();
  }

  /** The due-work row's read and conditional update, as the store's commit does after the account's. */
  private void storeDueWork(String member, long expectedVersion) throws SQLException {
    findDueWork.setString(1, member);
    try (ResultSet rows = findDueWork.executeQuery()) {
      rows.next();
      rows.getString(2);
    }
    bindDueWork(updateDueWork, 0, member, expectedVersion);
    if (updateDueWork.executeUpdate() != 1) {
      connection.rollback();
      throw new IllegalStateException("stale due work " + member);
    }
  }

  /** Binds the 18 parameters of the due-work row's conditional update after {@code offset}. */
  private static void bindDueWork(PreparedStatement update, int offset, String member, long expectedVersion)
      throws SQLException {
    update.setLong(offset + 1, expectedVersion + 1);
    for (int track = 2; track <= 8; track += 2) {
      update.setNull(offset + track, Types.BIGINT);
      update.setNull(offset + track + 1, Types.INTEGER);
    }
    update.setLong(offset + 10, 0);
    update.setInt(offset + 11, 0);
    update.setBoolean(offset + 12, true);
    update.setNull(offset + 13, Types.VARCHAR);
    update.setString(offset + 14, "01-01");
    update.setLong(offset + 15, 1);
    update.setString(offset + 16, dueWorkText(member, expectedVersion + 1));
    update.setString(offset + 17, member);
    update.setLong(offset + 18, expectedVersion);
  }

  /** One credit of {@code points} to {@code member} under {@code key}. */
  void credit(String member, String key, long points) throws SQLException {
    findRequest.setString(1, key);
    try (ResultSet rows = findRequest.executeQuery()) {
      if (rows.next()) {
        throw new IllegalStateException("key used: " + key);
      }
    }
    long version;
    long sequence;
    String previousHash;
    long available;
    String lots;
    findAccount.setString(1, member);
    try (ResultSet rows = findAccount.executeQuery()) {
      rows.next();
      version = rows.getLong(1);
      sequence = rows.getLong(7);
      previousHash = rows.getString(8);
      available = rows.getLong(9);
      lots = rows.getString(12);
    }
    long next = sequence + 1;
    String entryId = member + "#" + next;
    String hash = hash(member, next, points, key, previousHash);
    String newLots = lots + entryId + "," + points + "," + points + ",0:0,,,V;";
    bindKey(recordKey, 0, key, hash, member, available + points, entryId);
    if (postgresql) {
      if (recordKey.executeUpdate() != 1) {
        connection.rollback();
        throw new IllegalStateException("key used: " + key);
      }
    } else {
      findRequest.setString(1, key);
      try (ResultSet rows = findRequest.executeQuery()) {
        if (rows.next()) {
          throw new IllegalStateException("key used: " + key);
        }
      }
    }
    updateAccount(member, version, sequence, next, hash, available + points, newLots);
    storeDueWork(member, version);
    insertEntry(member, next, key, points, entryId + ";" + points + ";", previousHash, hash);
    if (!postgresql) {
      recordKey.executeUpdate();
    }
    bindOutbox(insertOutbox, 0, member, entryId, available + points);
    insertOutbox.executeUpdate();
    connection.commit();
  }

  /**
   * The same credit as {@link #credit} in three round trips, as the JPA store makes it on
   * PostgreSQL: the key, the account and its due-work row in one {@code SELECT}; the key's insert,
   * the account's and the due-work row's conditional updates, the entry and the outbox row as one
   * script of statements (pgjdbc sends them and reads their counts together); the commit.
   */
  void creditInThreeTrips(String member, String key, long points) throws SQLException {
    if (!postgresql) {
      throw new IllegalStateException("three round trips are PostgreSQL's path");
    }
    long version;
    long sequence;
    String previousHash;
    long available;
    String lots;
    readAhead.setString(1, key);
    readAhead.setString(2, member);
    readAhead.setString(3, member);
    try (ResultSet rows = readAhead.executeQuery()) {
      rows.next();
      if (rows.getString(1) != null) {
        throw new IllegalStateException("key used: " + key);
      }
      version = rows.getLong(2);
      sequence = rows.getLong(3);
      previousHash = rows.getString(4);
      available = rows.getLong(5);
      lots = rows.getString(6);
      rows.getLong(7);
      rows.getString(8);
    }
    long next = sequence + 1;
    String entryId = member + "#" + next;
    String hash = hash(member, next, points, key, previousHash);
    String newLots = lots + entryId + "," + points + "," + points + ",0:0,,,V;";
    bindKey(writeScript, 0, key, hash, member, available + points, entryId);
    bindAccount(writeScript, 8, member, version, sequence, next, hash, available + points, newLots);
    bindDueWork(writeScript, 23, member, version);
    bindEntry(writeScript, 41, member, next, "EARN", points, entryId + ";" + points + ";", Instant.EPOCH, Instant.EPOCH,
        "system", key, "Purchase", 1, previousHash, hash);
    bindOutbox(writeScript, 66, member, entryId, available + points);
    boolean rows = writeScript.execute();
    for (String statement : new String[] {"key", "account", "due work", "entry", "outbox row"}) {
      if (rows || writeScript.getUpdateCount() != 1) {
        connection.rollback();
        throw new IllegalStateException("the " + statement + " of " + key + " was not written");
      }
      rows = writeScript.getMoreResults();
    }
    connection.commit();
  }

  /** The hash of the credit's entry, chained to the previous one: a simplified encoding of its fields. */
  private String hash(String member, long sequence, long points, String key, String previousHash) {
    sha256.update((member + ";" + sequence + ";EARN;" + points + ";system;" + key + ";Purchase;1;" + previousHash)
        .getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** Binds the 8 parameters of the request's insert after {@code offset}. */
  private static void bindKey(PreparedStatement insert, int offset, String key, String hash, String member,
      long available, String entryId) throws SQLException {
    insert.setString(offset + 1, key);
    insert.setString(offset + 2, hash);
    insert.setString(offset + 3, member);
    insert.setString(offset + 4, "ACTIVE");
    insert.setLong(offset + 5, available);
    insert.setLong(offset + 6, 0);
    insert.setLong(offset + 7, 0);
    insert.setString(offset + 8, entryId + ";");
  }

  /** Binds the 3 parameters of the outbox row's insert after {@code offset}. */
  private static void bindOutbox(PreparedStatement insert, int offset, String member, String entryId, long available)
      throws SQLException {
    insert.setString(offset + 1, member);
    insert.setString(offset + 2, "PointsEarned");
    insert.setString(offset + 3, "entry=" + entryId + ";balance=" + available + ",0,0;");
  }

  /**
   * Imports members as {@code JpaLedgerStore.importMembers} does, with the store's grouping (a
   * transaction closes after the member that brings it to {@value #IMPORT_ENTRIES} entries) and on
   * as many connections at once (this one and a second one, opened on first use): per transaction
   * one query for the members' accounts already stored, then per member its account and due-work
   * row, its entries (and the side-table rows of those that reference another entry) and the
   * idempotency records its entries' keys name, in multi-row inserts
   * ({@value #ROWS_PER_INSERT} rows per statement). The rows carry the source's values; the text columns a simplified encoding
   * of about the same length. No verification, no due-work derivation, and the transactions commit
   * as they finish (the store commits them in order).
   */
  void importHistory(LedgerStore source, java.util.List<MemberId> members) throws SQLException {
    java.util.List<java.util.List<MemberId>> groups = new java.util.ArrayList<>();
    java.util.List<MemberId> group = new java.util.ArrayList<>();
    long entries = 0;
    for (MemberId member : members) {
      group.add(member);
      entries += source.account(member).get().lastSequence();
      if (entries >= IMPORT_ENTRIES) {
        groups.add(group);
        group = new java.util.ArrayList<>();
        entries = 0;
      }
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    if (second == null) {
      second = DriverManager.getConnection(url, user, password);
      second.setAutoCommit(false);
    }
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    SQLException[] failed = new SQLException[1];
    Thread helper = new Thread(() -> {
      try {
        importGroups(second, source, groups, next);
      } catch (SQLException e) {
        failed[0] = e;
      }
    });
    helper.start();
    importGroups(connection, source, groups, next);
    try {
      helper.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (failed[0] != null) {
      throw failed[0];
    }
  }

  private static void importGroups(Connection connection, LedgerStore source,
      java.util.List<java.util.List<MemberId>> groups, java.util.concurrent.atomic.AtomicInteger next)
      throws SQLException {
    for (int i = next.getAndIncrement(); i < groups.size(); i = next.getAndIncrement()) {
      importGroup(connection, source, groups.get(i));
    }
  }

  private static void importGroup(Connection connection, LedgerStore source, java.util.List<MemberId> members)
      throws SQLException {
    try (PreparedStatement held = connection.prepareStatement(
            "SELECT member_id, last_sequence, last_hash FROM ledger_account WHERE member_id IN ("
                + "?, ".repeat(members.size() - 1) + "?)");
        PreparedStatement account = connection.prepareStatement(
            "INSERT INTO ledger_account (member_id, version, status, enrolled_at_seconds, enrolled_at_nanos, birthday,"
                + " zone_id, last_sequence, last_hash, available, pending, held, lots)"
                + " VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement dueWork = connection.prepareStatement("INSERT INTO ledger_due_work (" + DUE_WORK_COLUMNS
            + ", member_id) VALUES (?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?, ?, ?, NULL, '01-01', ?, ?, ?)")) {
      for (int i = 0; i < members.size(); i++) {
        held.setString(i + 1, members.get(i).value());
      }
      try (ResultSet rows = held.executeQuery()) {
        if (rows.next()) {
          throw new IllegalStateException("member stored already: " + rows.getString(1));
        }
      }
      java.util.List<Entry> entries = new java.util.ArrayList<>();
      java.util.List<IdempotencyRecord> records = new java.util.ArrayList<>();
      for (MemberId member : members) {
        Account a = source.account(member).get();
        String id = member.value();
        account.setString(1, id);
        account.setLong(2, a.version());
        account.setString(3, a.member().status().name());
        account.setLong(4, a.member().enrolledAt().getEpochSecond());
        account.setInt(5, a.member().enrolledAt().getNano());
        account.setString(6, a.member().zone().getId());
        account.setLong(7, a.lastSequence());
        account.setString(8, a.lastHash());
        account.setLong(9, a.balance().available().value());
        account.setLong(10, a.balance().pending().value());
        account.setLong(11, a.balance().held().value());
        account.setString(12, a.lots().map(l -> l.id() + ",10,10,0:0,,,V;").mkString());
        account.addBatch();
        dueWork.setLong(1, a.version());
        dueWork.setLong(2, 0);
        dueWork.setInt(3, 0);
        dueWork.setBoolean(4, a.balance().total().value() > 0);
        dueWork.setLong(5, id.hashCode() & 0xffffffffL);
        dueWork.setString(6, dueWorkText(id, a.version()));
        dueWork.setString(7, id);
        dueWork.addBatch();
        for (Entry e : source.entries(member, 1, Integer.MAX_VALUE)) {
          entries.add(e);
          records.add(source.idempotencyRecord(e.idempotencyKey()).get());
        }
      }
      account.executeBatch();
      dueWork.executeBatch();
      insertRows(connection, IMPORT_ENTRY, entries, (insert, offset, e) -> bindEntry(insert, offset,
          e.member().value(), e.sequence(), e.kind().name(), e.points().value(),
          e.movements().map(m -> m.lot() + ";" + m.points().value() + ";").mkString(), e.occurredAt(), e.recordedAt(),
          e.channel().toString(), e.idempotencyKey().value(), e.reason(), e.programVersion(), e.previousHash(),
          e.hash()));
      try (PreparedStatement reference = connection.prepareStatement(IMPORT_REFERENCE)) {
        for (Entry e : entries) {
          if (e.reference().isDefined()) {
            reference.setString(1, e.reference().get().member().value());
            reference.setLong(2, e.reference().get().sequence());
            reference.setString(3, e.member().value());
            reference.setLong(4, e.sequence());
            reference.addBatch();
          }
        }
        reference.executeBatch();
      }
      insertRows(connection, IMPORT_REQUEST, records, (insert, offset, r) -> {
        insert.setString(offset + 1, r.key().value());
        insert.setString(offset + 2, r.fingerprint());
        insert.setString(offset + 3, r.receipt().member().value());
        insert.setString(offset + 4, r.receipt().status().name());
        insert.setLong(offset + 5, r.receipt().balance().available().value());
        insert.setLong(offset + 6, r.receipt().balance().pending().value());
        insert.setLong(offset + 7, r.receipt().balance().held().value());
        insert.setString(offset + 8, r.receipt().entries().map(e -> e.id() + ";").mkString());
      });
      connection.commit();
    }
  }

  /** Binds one row's parameters after {@code offset} parameters of the statement's earlier rows. */
  @FunctionalInterface
  private interface RowBinder<T> {
    void bind(PreparedStatement insert, int offset, T row) throws SQLException;
  }

  /**
   * Inserts the rows as the store's bulk import does: {@value #ROWS_PER_INSERT} row tuples per
   * statement, the statements in JDBC batches of 5,000 rows, the rows left over in one shorter
   * statement.
   */
  private static <T> void insertRows(Connection connection, String oneRow, java.util.List<T> rows, RowBinder<T> binder)
      throws SQLException {
    int values = oneRow.lastIndexOf("VALUES") + "VALUES".length();
    String tuple = oneRow.substring(values).trim();
    int columns = (int) tuple.chars().filter(c -> c == '?').count();
    String head = oneRow.substring(0, values) + " ";
    int whole = rows.size() - rows.size() % ROWS_PER_INSERT;
    if (whole > 0) {
      try (PreparedStatement insert = connection.prepareStatement(
          head + String.join(", ", java.util.Collections.nCopies(ROWS_PER_INSERT, tuple)))) {
        for (int i = 0; i < whole; i++) {
          binder.bind(insert, i % ROWS_PER_INSERT * columns, rows.get(i));
          if (i % ROWS_PER_INSERT == ROWS_PER_INSERT - 1) {
            insert.addBatch();
          }
          if ((i + 1) % 5_000 == 0) {
            insert.executeBatch();
          }
        }
        insert.executeBatch();
      }
    }
    if (whole < rows.size()) {
      try (PreparedStatement rest = connection.prepareStatement(
          head + String.join(", ", java.util.Collections.nCopies(rows.size() - whole, tuple)))) {
        for (int i = whole; i < rows.size(); i++) {
          binder.bind(rest, (i - whole) * columns, rows.get(i));
        }
        rest.executeUpdate();
      }
    }
  }

  /** The entry insert with every column bound, as the JPA store issues it. */
  private void insertEntry(String member, long sequence, String key, long points, String movements, String previousHash,
      String hash) throws SQLException {
    bindEntry(insertEntry, 0, member, sequence, "EARN", points, movements, Instant.EPOCH, Instant.EPOCH, "system", key,
        "Purchase", 1, previousHash, hash);
    insertEntry.executeUpdate();
  }

  /**
   * Binds the 25 columns of an entry insert as the JPA store does for an entry without rule ids,
   * reference, counterparty, operator, expiry, vesting or details: the hashes as their 32 bytes
   * (schema version 4).
   */
  static void bindEntry(PreparedStatement insert, int offset, String member, long sequence, String kind, long points,
      String movements, Instant occurredAt, Instant recordedAt, String channel, String key, String reason,
      int programVersion, String previousHash, String hash) throws SQLException {
    insert.setString(offset + 1, member);
    insert.setLong(offset + 2, sequence);
    insert.setString(offset + 3, kind);
    insert.setLong(offset + 4, points);
    insert.setString(offset + 5, movements);
    insert.setLong(offset + 6, occurredAt.getEpochSecond());
    insert.setInt(offset + 7, occurredAt.getNano());
    insert.setLong(offset + 8, recordedAt.getEpochSecond());
    insert.setInt(offset + 9, recordedAt.getNano());
    insert.setString(offset + 10, channel);
    insert.setString(offset + 11, key);
    insert.setString(offset + 12, reason);
    insert.setInt(offset + 13, programVersion);
    insert.setString(offset + 14, "");
    insert.setNull(offset + 15, Types.VARCHAR);
    insert.setNull(offset + 16, Types.BIGINT);
    insert.setNull(offset + 17, Types.VARCHAR);
    insert.setNull(offset + 18, Types.VARCHAR);
    insert.setNull(offset + 19, Types.BIGINT);
    insert.setNull(offset + 20, Types.INTEGER);
    insert.setNull(offset + 21, Types.BIGINT);
    insert.setNull(offset + 22, Types.INTEGER);
    insert.setString(offset + 23, "");
    insert.setBytes(offset + 24, HexFormat.of().parseHex(previousHash));
    insert.setBytes(offset + 25, HexFormat.of().parseHex(hash));
  }

  /** The account update on the expected version, as the JPA store issues it. */
  private void updateAccount(String member, long version, long before, long lastSequence, String hash, long available,
      String lots) throws SQLException {
    bindAccount(updateAccount, 0, member, version, before, lastSequence, hash, available, lots);
    if (updateAccount.executeUpdate() != 1) {
      connection.rollback();
      throw new IllegalStateException("stale account " + member);
    }
  }

  /** Binds the 15 parameters of the account's conditional update after {@code offset}. */
  private static void bindAccount(PreparedStatement update, int offset, String member, long version, long before,
      long lastSequence, String hash, long available, String lots) throws SQLException {
    update.setLong(offset + 1, version + 1);
    update.setString(offset + 2, "ACTIVE");
    update.setLong(offset + 3, 0);
    update.setInt(offset + 4, 0);
    update.setString(offset + 5, null);
    update.setString(offset + 6, "UTC");
    update.setLong(offset + 7, lastSequence);
    update.setString(offset + 8, hash);
    update.setLong(offset + 9, available);
    update.setLong(offset + 10, 0);
    update.setLong(offset + 11, 0);
    update.setString(offset + 12, lots);
    update.setString(offset + 13, member);
    update.setLong(offset + 14, version);
    update.setLong(offset + 15, before);
  }

  @Override
  public void close() throws SQLException {
    if (second != null) {
      second.close();
    }
    connection.close();
  }
}
