package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serial;
import java.io.Serializable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Objects;
import org.hibernate.annotations.Immutable;

/**
 * The row of one ledger entry. Insert-only: {@link Immutable} makes Hibernate ignore any change to a
 * loaded row, and no code path updates or deletes one. Every instant is kept exactly (seconds and
 * nanoseconds) because the entry's hash covers it.
 */
@Entity(name = "LedgerEntry")
@Table(name = "ledger_entry")
@IdClass(EntryRow.Key.class)
@Immutable
class EntryRow {

  @Id
  @Column(name = "member_id", length = 64)
  String memberId;

  @Id
  @Column(name = "sequence_number")
  long sequence;

  @Column(name = "kind", nullable = false, length = 32)
  String kind;

  @Column(name = "points", nullable = false)
  long points;

  @Column(name = "movements", nullable = false, length = AccountRow.TEXT)
  String movements;

  @Column(name = "occurred_at_seconds", nullable = false)
  long occurredAtSeconds;

  @Column(name = "occurred_at_nanos", nullable = false)
  int occurredAtNanos;

  @Column(name = "recorded_at_seconds", nullable = false)
  long recordedAtSeconds;

  @Column(name = "recorded_at_nanos", nullable = false)
  int recordedAtNanos;

  @Column(name = "channel", nullable = false, length = 80)
  String channel;

  @Column(name = "idempotency_key", nullable = false, length = 128)
  String idempotencyKey;

  @Column(name = "reason", nullable = false, length = AccountRow.TEXT)
  String reason;

  @Column(name = "program_version", nullable = false)
  int programVersion;

  @Column(name = "rule_ids", nullable = false, length = AccountRow.TEXT)
  String ruleIds;

  @Column(name = "reference_member", length = 64)
  String referenceMember;

  @Column(name = "reference_sequence")
  Long referenceSequence;

  @Column(name = "counterparty", length = 64)
  String counterparty;

  @Column(name = "operator_name", length = AccountRow.TEXT)
  String operator;

  @Column(name = "expires_at_seconds")
  Long expiresAtSeconds;

  @Column(name = "expires_at_nanos")
  Integer expiresAtNanos;

  @Column(name = "vests_at_seconds")
  Long vestsAtSeconds;

  @Column(name = "vests_at_nanos")
  Integer vestsAtNanos;

  @Column(name = "details", nullable = false, length = AccountRow.TEXT)
  String details;

  /** The previous entry's SHA-256, its 32 bytes (schema version 4; the domain's hex text is twice as long). */
  @Column(name = "previous_hash", nullable = false, length = HASH_BYTES)
  byte[] previousHash;

  /** The entry's SHA-256, its 32 bytes. */
  @Column(name = "hash", nullable = false, length = HASH_BYTES)
  byte[] hash;

  /** The length of a stored hash. */
  static final int HASH_BYTES = 32;

  /** The domain's hash text: lower-case hex digits. */
  private static final HexFormat HEX = HexFormat.of();

  /** The domain's text of a stored hash column (its 32 bytes as lower-case hex digits). */
  static String hashText(byte[] stored) {
    return HEX.formatHex(stored);
  }

  /** The 25 columns, in the parameter order of {@link LedgerWriter#bindEntry} and the column order of {@link #read}. */
  static final String COLUMNS = """
      member_id, sequence_number, kind, points, movements, occurred_at_seconds, occurred_at_nanos,
        recorded_at_seconds, recorded_at_nanos, channel, idempotency_key, reason, program_version, rule_ids,
        reference_member, reference_sequence, counterparty, operator_name, expires_at_seconds, expires_at_nanos,
        vests_at_seconds, vests_at_nanos, details, previous_hash, hash""";

  /** The select of whole rows; the caller adds the condition and the order. */
  static final String SELECT = "SELECT " + COLUMNS + " FROM ledger_entry ";

  /** For Jakarta Persistence. */
  protected EntryRow() {}

  /**
   * Reads the current row of a result set whose columns are {@link #COLUMNS}, with plain JDBC: the
   * hot reads (a member's entries, an entry by id, the entries referencing one) run on every request
   * and every tier check, where an entity's load through the session costs more than the query.
   */
  static EntryRow read(ResultSet rs) throws SQLException {
    EntryRow row = new EntryRow();
    row.memberId = rs.getString(1);
    row.sequence = rs.getLong(2);
    row.kind = rs.getString(3);
    row.points = rs.getLong(4);
    row.movements = rs.getString(5);
    row.occurredAtSeconds = rs.getLong(6);
    row.occurredAtNanos = rs.getInt(7);
    row.recordedAtSeconds = rs.getLong(8);
    row.recordedAtNanos = rs.getInt(9);
    row.channel = rs.getString(10);
    row.idempotencyKey = rs.getString(11);
    row.reason = rs.getString(12);
    row.programVersion = rs.getInt(13);
    row.ruleIds = rs.getString(14);
    row.referenceMember = rs.getString(15);
    row.referenceSequence = nullable(rs, rs.getLong(16));
    row.counterparty = rs.getString(17);
    row.operator = rs.getString(18);
    row.expiresAtSeconds = nullable(rs, rs.getLong(19));
    row.expiresAtNanos = nullable(rs, rs.getInt(20));
    row.vestsAtSeconds = nullable(rs, rs.getLong(21));
    row.vestsAtNanos = nullable(rs, rs.getInt(22));
    row.details = rs.getString(23);
    row.previousHash = rs.getBytes(24);
    row.hash = rs.getBytes(25);
    return row;
  }

  private static <T> T nullable(ResultSet rs, T value) throws SQLException {
    return rs.wasNull() ? null : value;
  }

  static EntryRow of(Entry entry) {
    EntryRow row = new EntryRow();
    row.memberId = entry.member().value();
    row.sequence = entry.sequence();
    row.kind = entry.kind().name();
    row.points = entry.points().value();
    java.util.List<String> moves = new ArrayList<>();
    for (LotMovement m : entry.movements()) {
      moves.add(m.lot().toString());
      moves.add(Long.toString(m.points().value()));
    }
    row.movements = TextColumn.ofList(moves);
    row.occurredAtSeconds = entry.occurredAt().getEpochSecond();
    row.occurredAtNanos = entry.occurredAt().getNano();
    row.recordedAtSeconds = entry.recordedAt().getEpochSecond();
    row.recordedAtNanos = entry.recordedAt().getNano();
    row.channel = entry.channel().toString();
    row.idempotencyKey = entry.idempotencyKey().value();
    row.reason = entry.reason();
    row.programVersion = entry.programVersion();
    row.ruleIds = TextColumn.ofList(entry.ruleIds().asJava());
    row.referenceMember = entry.reference().map(r -> r.member().value()).getOrNull();
    row.referenceSequence = entry.reference().map(EntryId::sequence).getOrNull();
    row.counterparty = entry.counterparty().map(MemberId::value).getOrNull();
    row.operator = entry.operator().getOrNull();
    row.expiresAtSeconds = entry.expiresAt().map(Instant::getEpochSecond).getOrNull();
    row.expiresAtNanos = entry.expiresAt().map(Instant::getNano).getOrNull();
    row.vestsAtSeconds = entry.vestsAt().map(Instant::getEpochSecond).getOrNull();
    row.vestsAtNanos = entry.vestsAt().map(Instant::getNano).getOrNull();
    row.details = TextColumn.ofMap(entry.details().toJavaMap());
    row.previousHash = HEX.parseHex(entry.previousHash());
    row.hash = HEX.parseHex(entry.hash());
    return row;
  }

  Entry toDomain() {
    MemberId member = MemberId.of(memberId);
    java.util.List<String> moves = TextColumn.toList(movements);
    List<LotMovement> lotMovements = List.empty();
    for (int i = 0; i + 1 < moves.size(); i += 2) {
      lotMovements = lotMovements.append(
          new LotMovement(EntryId.parse(moves.get(i)), Points.of(Long.parseLong(moves.get(i + 1)))));
    }
    return new Entry(
        EntryId.of(member, sequence),
        EntryKind.valueOf(kind),
        Points.of(points),
        lotMovements,
        Instant.ofEpochSecond(occurredAtSeconds, occurredAtNanos),
        Instant.ofEpochSecond(recordedAtSeconds, recordedAtNanos),
        Channel.parse(channel),
        IdempotencyKey.of(idempotencyKey),
        reason,
        programVersion,
        List.ofAll(TextColumn.toList(ruleIds)),
        referenceMember == null ? Option.none() : Option.some(EntryId.of(MemberId.of(referenceMember), referenceSequence)),
        Option.of(counterparty).map(MemberId::of),
        Option.of(operator),
        expiresAtSeconds == null ? Option.none() : Option.some(Instant.ofEpochSecond(expiresAtSeconds, expiresAtNanos)),
        vestsAtSeconds == null ? Option.none() : Option.some(Instant.ofEpochSecond(vestsAtSeconds, vestsAtNanos)),
        TreeMap.ofAll(TextColumn.toMap(details)),
        hashText(previousHash),
        hashText(hash));
  }

  /** The composite primary key: member and sequence number. */
  static final class Key implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    String memberId;
    long sequence;

    /** For Jakarta Persistence. */
    Key() {}

    Key(EntryId id) {
      this.memberId = id.member().value();
      this.sequence = id.sequence();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && k.memberId.equals(memberId) && k.sequence == sequence;
    }

    @Override
    public int hashCode() {
      return Objects.hash(memberId, sequence);
    }
  }
}
