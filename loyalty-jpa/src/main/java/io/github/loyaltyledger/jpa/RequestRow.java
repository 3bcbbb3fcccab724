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
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
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

  /** For Jakarta Persistence. */
  protected RequestRow() {}

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

  /**
   * Rebuilds the record.
   *
   * @param entries reads a stored entry by id; the entry must exist
   */
  IdempotencyRecord toDomain(Function<EntryId, io.github.loyaltyledger.ledger.Entry> entries) {
    IdempotencyKey idempotencyKey = IdempotencyKey.of(key);
    Receipt receipt = new Receipt(idempotencyKey, MemberId.of(memberId), MemberStatus.valueOf(status),
        List.ofAll(TextColumn.toList(entryIds)).map(EntryId::parse).map(entries),
        new Balance(Points.of(available), Points.of(pending), Points.of(held)));
    return new IdempotencyRecord(idempotencyKey, fingerprint, receipt);
  }
}
