package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.event.LoyaltyEvent;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The row of one event in the transactional outbox: written in the transaction of the commit that
 * produced it, marked delivered by the relay. Ids grow in commit order for each member, because a
 * member's commits are serialised by the update of its account row, which precedes the insert; a
 * commit that publishes an event without changing the account (an expiry notice, a tier warning)
 * locks that row instead on PostgreSQL, and on H2 the writers take turns ({@link WriteLock}).
 */
@Entity(name = "LedgerOutbox")
@Table(name = "ledger_outbox")
class OutboxRow {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  @Column(name = "id")
  Long id;

  @Column(name = "member_id", nullable = false, length = 64)
  String memberId;

  @Column(name = "event_type", nullable = false, length = 64)
  String eventType;

  @Column(name = "payload", nullable = false, length = AccountRow.TEXT)
  String payload;

  @Column(name = "delivered", nullable = false)
  boolean delivered;

  /** The insert of a new, undelivered event (the id is the table's identity). */
  static final String INSERT = "INSERT INTO ledger_outbox (member_id, event_type, payload, delivered) VALUES (?, ?, ?, FALSE)";

  /** The event type of an enrolment, the one event that carries a personal datum (the birthday). */
  static final String ENROLMENT = EventCodec.typeOf(LoyaltyEvent.MemberEnrolled.class);

  /** Lists an enrolment event in the side table that an erasure finds it through (schema version 5). */
  static final String INSERT_ENROLMENT = "INSERT INTO ledger_outbox_enrolment (member_id, outbox_id) VALUES (?, ?)";

  /** A member's enrolment events: id, type and payload, oldest first. */
  static final String FIND_ENROLMENTS = "SELECT o.id, o.event_type, o.payload FROM ledger_outbox_enrolment e"
      + " JOIN ledger_outbox o ON o.id = e.outbox_id WHERE e.member_id = ? ORDER BY o.id";

  /**
   * {@link #FIND_ENROLMENTS} locking the outbox rows, failing at once (PostgreSQL's SQL state
   * {@code 55P03}) when another transaction holds one: the relay, while it hands the event over.
   */
  static final String LOCK_ENROLMENTS_NOWAIT = FIND_ENROLMENTS + " FOR UPDATE OF o NOWAIT";

  /** Replaces an event's payload (an erasure's redaction; the outbox is no hash-chained ledger). */
  static final String UPDATE_PAYLOAD = "UPDATE ledger_outbox SET payload = ? WHERE id = ?";

  /** For Jakarta Persistence. */
  protected OutboxRow() {}

  OutboxRow(String memberId, String eventType, String payload) {
    this.memberId = memberId;
    this.eventType = eventType;
    this.payload = payload;
  }

  /** Whether this is an enrolment event, which is also listed in {@code ledger_outbox_enrolment}. */
  boolean isEnrolment() {
    return ENROLMENT.equals(eventType);
  }

  /** Binds member, event type and payload to the parameters of {@link #INSERT}. */
  void bind(PreparedStatement insert) throws SQLException {
    bind(insert, 0);
  }

  /** Binds member, event type and payload to the 3 parameters after {@code offset}. */
  void bind(PreparedStatement insert, int offset) throws SQLException {
    insert.setString(offset + 1, memberId);
    insert.setString(offset + 2, eventType);
    insert.setString(offset + 3, payload);
  }
}
