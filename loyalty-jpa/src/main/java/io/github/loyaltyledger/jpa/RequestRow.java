package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.vavr.collection.List;
import io.vavr.control.Option;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Function;
import org.hibernate.annotations.Immutable;

/**
 * The row of one accepted request: its idempotency key (the primary key, so the database refuses
 * a second request with the same key), its fingerprint and its receipt. The receipt's entries are
 * kept as the ids of the ledger rows, not copied.
 */
@Entity(name = "LedgerRequest")
@Table(name = "ledger_request")
@Immutable
class RequestRow {

  @Id
  @Column(name = "idempotency_key", length = 128)
  String key;

  @Column(name = "fingerprint", nullable = false, length = 128)
  String fingerprint;

  @Column(name = "member_id", nullable = false, length = 64)
  String memberId;

  @Column(name = "status", nullable = false, length = 16)
  String status;

  @Column(name = "available", nullable = false)
  long available;

  @Column(name = "pending", nullable = false)
  long pending;

  @Column(name = "held", nullable = false)
  long held;

  @Column(name = "entry_ids", nullable = false, length = AccountRow.TEXT)
  String entryIds;

  /** The columns, in the parameter order of {@link #bind}. */
  static final String COLUMNS = "idempotency_key, fingerprint, member_id, status, available, pending, held, entry_ids";
  /** How many columns {@link #COLUMNS} names. */
  static final int COLUMN_COUNT = COLUMNS.split(",").length;

  private static final String FIND = "SELECT " + COLUMNS + " FROM ledger_request WHERE idempotency_key = ?";

  /** For Jakarta Persistence. */
  protected RequestRow() {}

  /** Reads the row of a key with plain JDBC (every request looks its key up first), or none. */
  static Option<RequestRow> find(Connection connection, String key) throws SQLException {
    return SqlWork.first(connection, FIND, key, rs -> read(rs, 0));
  }

  /** The row in the 8 columns after {@code offset} of the result's current row, in {@link #COLUMNS} order. */
  static RequestRow read(ResultSet rs, int offset) throws SQLException {
    RequestRow row = new RequestRow();
    row.key = rs.getString(offset + 1);
    row.fingerprint = rs.getString(offset + 2);
    row.memberId = rs.getString(offset + 3);
    row.status = rs.getString(offset + 4);
    row.available = rs.getLong(offset + 5);
    row.pending = rs.getLong(offset + 6);
    row.held = rs.getLong(offset + 7);
    row.entryIds = rs.getString(offset + 8);
    return row;
  }

  /** Binds the columns to parameters 1 to 8, in {@link #COLUMNS} order. */
  void bind(PreparedStatement statement) throws SQLException {
    bind(statement, 0);
  }

  /** Binds the columns to the 8 parameters after {@code offset} (those of earlier rows of a multi-row insert). */
  void bind(PreparedStatement statement, int offset) throws SQLException {
    statement.setString(offset + 1, key);
    statement.setString(offset + 2, fingerprint);
    statement.setString(offset + 3, memberId);
    statement.setString(offset + 4, status);
    statement.setLong(offset + 5, available);
    statement.setLong(offset + 6, pending);
    statement.setLong(offset + 7, held);
    statement.setString(offset + 8, entryIds);
  }

  static RequestRow of(IdempotencyRecord record) {
    Receipt receipt = record.receipt();
    RequestRow row = new RequestRow();
    row.key = record.key().value();
    row.fingerprint = record.fingerprint();
    row.memberId = receipt.member().value();
    row.status = receipt.status().name();
    row.available = receipt.balance().available().value();
    row.pending = receipt.balance().pending().value();
    row.held = receipt.balance().held().value();
    row.entryIds = TextColumn.ofList(receipt.entries().map(e -> e.id().toString()).asJava());
    return row;
  }

  /** @return the ids of the receipt's entries, in the receipt's order */
  List<EntryId> entryIds() {
    return List.ofAll(TextColumn.toList(entryIds)).map(EntryId::parse);
  }

  /**
   * Rebuilds the record.
   *
   * @param entries reads a stored entry by id; the entry must exist
   */
  IdempotencyRecord toDomain(Function<EntryId, io.github.loyaltyledger.ledger.Entry> entries) {
    IdempotencyKey idempotencyKey = IdempotencyKey.of(key);
    Receipt receipt = new Receipt(idempotencyKey, MemberId.of(memberId), MemberStatus.valueOf(status),
        entryIds().map(entries),
        new Balance(Points.of(available), Points.of(pending), Points.of(held)));
    return new IdempotencyRecord(idempotencyKey, fingerprint, receipt);
  }
}
