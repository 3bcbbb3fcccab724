package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.control.Option;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The row of one member's account: the member, the balance, the live lots (in consumption order)
 * and the version. It is written with an explicit expected-version check ({@link LedgerWriter}),
 * never through dirty checking.
 */
@Entity(name = "LedgerAccount")
@Table(name = "ledger_account")
class AccountRow {

  @Id
  @Column(name = "member_id", length = 64)
  String memberId;

  @Column(name = "version", nullable = false)
  long version;

  @Column(name = "status", nullable = false, length = 16)
  String status;

  @Column(name = "enrolled_at_seconds", nullable = false)
  long enrolledAtSeconds;

  @Column(name = "enrolled_at_nanos", nullable = false)
  int enrolledAtNanos;

  @Column(name = "birthday", length = 8)
  String birthday;

  @Column(name = "zone_id", nullable = false, length = 64)
  String zoneId;

  @Column(name = "last_sequence", nullable = false)
  long lastSequence;

  @Column(name = "last_hash", nullable = false, length = 64)
  String lastHash;

  @Column(name = "available", nullable = false)
  long available;

  @Column(name = "pending", nullable = false)
  long pending;

  @Column(name = "held", nullable = false)
  long held;

  @Column(name = "lots", nullable = false, length = TEXT)
  String lots;

  /** Column length that makes Hibernate expect an unbounded text column. */
  static final int TEXT = 1_000_000_000;

  /** For Jakarta Persistence. */
  protected AccountRow() {}

  static AccountRow of(Account account) {
    AccountRow row = new AccountRow();
    row.memberId = account.memberId().value();
    row.assign(account);
    return row;
  }

  /** Copies every field of the account but its id onto this row. */
  void assign(Account account) {
    Member member = account.member();
    version = account.version();
    status = member.status().name();
    enrolledAtSeconds = member.enrolledAt().getEpochSecond();
    enrolledAtNanos = member.enrolledAt().getNano();
    birthday = member.birthday().map(MonthDay::toString).getOrNull();
    zoneId = member.zone().getId();
    lastSequence = account.lastSequence();
    lastHash = account.lastHash();
    available = account.balance().available().value();
    pending = account.balance().pending().value();
    held = account.balance().held().value();
    StringBuilder text = new StringBuilder();
    for (Lot lot : account.lots()) {
      encode(lot, text);
    }
    lots = text.toString();
  }

  Account toDomain() {
    Member member = new Member(MemberId.of(memberId), Instant.ofEpochSecond(enrolledAtSeconds, enrolledAtNanos),
        Option.of(birthday).map(MonthDay::parse), ZoneId.of(zoneId), MemberStatus.valueOf(status));
    Balance balance = new Balance(Points.of(available), Points.of(pending), Points.of(held));
    return new Account(member, version, lastSequence, lastHash, balance,
        decodeLots(lots));
  }

  /*
   * Lots are encoded without escaping, one per ';'-terminated record of ','-separated fields: no
   * field can contain either character (entry ids are member ids, '#' and digits). This keeps
   * reading and writing a member with thousands of live lots cheap.
   */
  private static void encode(Lot lot, StringBuilder text) {
    text.append(lot.id()).append(',')
        .append(lot.original().value()).append(',')
        .append(lot.remaining().value()).append(',')
        .append(TextColumn.ofInstant(lot.earnedAt())).append(',')
        .append(lot.expiresAt().map(TextColumn::ofInstant).getOrElse("")).append(',')
        .append(lot.vestsAt().map(TextColumn::ofInstant).getOrElse("")).append(',')
        .append(lot.pending() ? 'P' : 'V').append(';');
  }

  private static io.vavr.collection.List<Lot> decodeLots(String text) {
    List<Lot> decoded = new ArrayList<>();
    int start = 0;
    for (int end = text.indexOf(';'); end >= 0; end = text.indexOf(';', start)) {
      String[] f = text.substring(start, end).split(",", -1);
      decoded.add(new Lot(EntryId.parse(f[0]), Points.of(Long.parseLong(f[1])), Points.of(Long.parseLong(f[2])),
          TextColumn.toInstant(f[3]), optionalInstant(f[4]), optionalInstant(f[5]), f[6].equals("P")));
      start = end + 1;
    }
    return io.vavr.collection.List.ofAll(decoded);
  }

  private static Option<Instant> optionalInstant(String text) {
    return text.isEmpty() ? Option.none() : Option.some(TextColumn.toInstant(text));
  }
}
