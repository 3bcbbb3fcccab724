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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
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

  /**
   * The mapped length of the text columns, which the schema leaves unbounded ({@code VARCHAR} on H2,
   * {@code TEXT} on PostgreSQL): the longest that Hibernate still expects as a character column on
   * both (a longer one it expects as a {@code CLOB}, which fails the schema validation on H2). Only
   * the validation reads it; nothing checks a value against it.
   */
  static final int TEXT = 1_000_000;

  /** The columns but the id, in the parameter order of {@link #bind} (the id follows as 13). */
  static final String COLUMNS = "version, status, enrolled_at_seconds, enrolled_at_nanos, birthday, zone_id,"
      + " last_sequence, last_hash, available, pending, held, lots";

  private static final String FIND = "SELECT " + COLUMNS + " FROM ledger_account WHERE member_id = ?";

  /** The columns {@link #withDueWork} reads: the account's as {@code a}, its due-work row's as {@code d}. */
  static final String WITH_DUE_WORK_COLUMNS = COLUMNS.replaceAll("(\\w+)", "a.$1") + ", d.account_version, d.due_work";

  /*
   * The account with its due-work row, in one statement (one snapshot): the row a commit from this
   * read updates next, which the commit therefore need not read again (a round trip less).
   *
   * The due-work row is joined on the member id given, not on a.member_id: on PostgreSQL the
   * account's key column has the "C" collation (V3) and the due-work table's the database's, and a
   * comparison of the two takes "C", which the due-work table's primary key cannot serve; joined on
   * a.member_id, every read scanned the whole due-work table (HotReadsUseTheirIndexesTest).
   */
  static final String FIND_WITH_DUE_WORK = "SELECT " + WITH_DUE_WORK_COLUMNS
      + " FROM ledger_account a LEFT JOIN ledger_due_work d ON d.member_id = ? WHERE a.member_id = ?";

  /** For Jakarta Persistence. */
  protected AccountRow() {}

  /** Reads a member's row with plain JDBC (the hot path of every request), or none. */
  static Option<AccountRow> find(Connection connection, String memberId) throws SQLException {
    return SqlWork.first(connection, FIND, memberId, rs -> read(rs, 0, memberId));
  }

  /** A member's account row and, if the member has one, its due-work row as stored with it. */
  record WithDueWork(AccountRow account, Option<DueWorkTable.Row> dueWork) {}

  /**
   * Reads a member's row and its due-work row in one statement, or none if there is no account.
   * Both rows come from one snapshot, and a commit writes them together, so the due-work row is the
   * one the account's version left (on an account that predates the due-work table, none).
   */
  static Option<WithDueWork> findWithDueWork(Connection connection, String memberId) throws SQLException {
    return SqlWork.first(connection, FIND_WITH_DUE_WORK, find -> {
      find.setString(1, memberId);
      find.setString(2, memberId);
    }, rs -> withDueWork(rs, 0, memberId));
  }

  /**
   * The account row in the 12 columns after {@code offset} of the result's current row ({@link
   * #COLUMNS} order), followed by its due-work row's account version and text (null if it has none).
   */
  static WithDueWork withDueWork(ResultSet rs, int offset, String memberId) throws SQLException {
    AccountRow row = read(rs, offset, memberId);
    long dueVersion = rs.getLong(offset + 13);
    String dueWork = rs.getString(offset + 14);
    return new WithDueWork(row,
        dueWork == null ? Option.none() : Option.some(new DueWorkTable.Row(dueVersion, dueWork)));
  }

  /** The account columns after {@code offset} of the current row, in {@link #COLUMNS} order. */
  private static AccountRow read(ResultSet rs, int offset, String memberId) throws SQLException {
    AccountRow row = new AccountRow();
    row.memberId = memberId;
    row.version = rs.getLong(offset + 1);
    row.status = rs.getString(offset + 2);
    row.enrolledAtSeconds = rs.getLong(offset + 3);
    row.enrolledAtNanos = rs.getInt(offset + 4);
    row.birthday = rs.getString(offset + 5);
    row.zoneId = rs.getString(offset + 6);
    row.lastSequence = rs.getLong(offset + 7);
    row.lastHash = rs.getString(offset + 8);
    row.available = rs.getLong(offset + 9);
    row.pending = rs.getLong(offset + 10);
    row.held = rs.getLong(offset + 11);
    row.lots = rs.getString(offset + 12);
    return row;
  }

  /** Binds the columns to parameters 1 to 12 in {@link #COLUMNS} order and the member id to 13. */
  void bind(PreparedStatement statement) throws SQLException {
    bind(statement, 0);
  }

  /** Binds the columns and the member id to the 13 parameters after {@code offset}, in that order. */
  void bind(PreparedStatement statement, int offset) throws SQLException {
    statement.setLong(offset + 1, version);
    statement.setString(offset + 2, status);
    statement.setLong(offset + 3, enrolledAtSeconds);
    statement.setInt(offset + 4, enrolledAtNanos);
    SqlWork.bind(statement, offset + 5, birthday, Types.VARCHAR);
    statement.setString(offset + 6, zoneId);
    statement.setLong(offset + 7, lastSequence);
    statement.setString(offset + 8, lastHash);
    statement.setLong(offset + 9, available);
    statement.setLong(offset + 10, pending);
    statement.setLong(offset + 11, held);
    statement.setString(offset + 12, lots);
    statement.setString(offset + 13, memberId);
  }

  static AccountRow of(Account account) {
    AccountRow row = new AccountRow();
    row.memberId = account.memberId().value();
    row.assign(account);
    return row;
  }

  /**
   * Like {@link #of(Account)}, taking the text of the lots that {@code known} holds from it (the
   * same text).
   */
  static AccountRow of(Account account, KnownLots known) {
    AccountRow row = new AccountRow();
    row.memberId = account.memberId().value();
    row.assignBut(account);
    row.lots = known.encode(row.memberId, account.lots(), AccountRow::encode);
    return row;
  }

  /** Copies every field of the account but its id onto this row. */
  void assign(Account account) {
    assignBut(account);
    StringBuilder text = new StringBuilder();
    for (Lot lot : account.lots()) {
      encode(lot, text);
    }
    lots = text.toString();
  }

  /** Copies every field of the account but its id and its lots onto this row. */
  private void assignBut(Account account) {
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
  }

  Account toDomain() {
    MemberId member = MemberId.of(memberId);
    return toDomain(member, decodeLots(member, lots));
  }

  /** Like {@link #toDomain()}, taking the lots from {@code known} if it holds this text. */
  Account toDomain(KnownLots known) {
    MemberId member = MemberId.of(memberId);
    return toDomain(member, known.decode(memberId, lots, text -> decodeLots(member, text)));
  }

  private Account toDomain(MemberId id, io.vavr.collection.Vector<Lot> decodedLots) {
    Member member = new Member(id, Instant.ofEpochSecond(enrolledAtSeconds, enrolledAtNanos),
        Option.of(birthday).map(MonthDay::parse), ZoneId.of(zoneId), MemberStatus.valueOf(status));
    Balance balance = new Balance(Points.of(available), Points.of(pending), Points.of(held));
    return new Account(member, version, lastSequence, lastHash, balance, decodedLots);
  }

  /*
   * Lots are encoded without escaping, one per ';'-terminated record of ','-separated fields: no
   * field can contain either character (entry ids are member ids, '#' and digits). This keeps
   * reading and writing a member with thousands of live lots cheap: both work in place, without a
   * string per field or per instant (a member whose column is too long for KnownLots is decoded
   * and encoded in full on every request).
   */
  private static void encode(Lot lot, StringBuilder text) {
    text.append(lot.id().member().value()).append('#').append(lot.id().sequence()).append(',')
        .append(lot.original().value()).append(',')
        .append(lot.remaining().value()).append(',');
    TextColumn.appendInstant(text, lot.earnedAt()).append(',');
    if (lot.expiresAt().isDefined()) {
      TextColumn.appendInstant(text, lot.expiresAt().get());
    }
    text.append(',');
    if (lot.vestsAt().isDefined()) {
      TextColumn.appendInstant(text, lot.vestsAt().get());
    }
    text.append(',').append(lot.pending() ? 'P' : 'V').append(';');
  }

  /**
   * The lots of the text; a lot of the account's own member (all of them, as lots come from the
   * member's own entries) shares its member id rather than parsing it again.
   */
  private static io.vavr.collection.Vector<Lot> decodeLots(MemberId member, String text) {
    List<Lot> decoded = new ArrayList<>();
    String own = member.value() + "#";
    int start = 0;
    for (int end = text.indexOf(';'); end >= 0; end = text.indexOf(';', start)) {
      decoded.add(decodeLot(member, own, text, start, end));
      start = end + 1;
    }
    return io.vavr.collection.Vector.ofAll(decoded);
  }

  /** The lot whose record is {@code text} from {@code start} to the terminator at {@code end}, read in place. */
  private static Lot decodeLot(MemberId member, String own, String text, int start, int end) {
    int id = comma(text, start, start, end);
    int original = comma(text, start, id + 1, end);
    int remaining = comma(text, start, original + 1, end);
    int earned = comma(text, start, remaining + 1, end);
    int expires = comma(text, start, earned + 1, end);
    int vests = comma(text, start, expires + 1, end);
    int extra = text.indexOf(',', vests + 1);
    if (extra >= 0 && extra < end) {
      throw malformed(text, start, end);
    }
    int sequence = start + own.length();
    int hash = text.indexOf('#', sequence);
    EntryId entry = text.startsWith(own, start) && (hash < 0 || hash > id)
        ? EntryId.of(member, Long.parseLong(text, sequence, id, 10))
        : EntryId.parse(text.substring(start, id));
    return new Lot(entry, Points.of(Long.parseLong(text, id + 1, original, 10)),
        Points.of(Long.parseLong(text, original + 1, remaining, 10)), TextColumn.toInstant(text, remaining + 1, earned),
        optionalInstant(text, earned + 1, expires), optionalInstant(text, expires + 1, vests),
        end == vests + 2 && text.charAt(vests + 1) == 'P');
  }

  /** The position of the next ',' of the record from {@code from}, which must come before its end. */
  private static int comma(String text, int start, int from, int end) {
    int comma = text.indexOf(',', from);
    if (comma < 0 || comma >= end) {
      throw malformed(text, start, end);
    }
    return comma;
  }

  private static IllegalStateException malformed(String text, int start, int end) {
    return new IllegalStateException("a lot in the lots column must have 7 comma-separated fields, was '"
        + text.substring(start, end) + "'");
  }

  private static Option<Instant> optionalInstant(String text, int from, int to) {
    return from == to ? Option.none() : Option.some(TextColumn.toInstant(text, from, to));
  }
}
