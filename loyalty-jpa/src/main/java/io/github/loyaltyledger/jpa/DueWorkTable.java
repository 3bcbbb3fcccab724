package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueTrack;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.Partition;
import io.vavr.collection.List;
import io.vavr.control.Option;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The table {@code ledger_due_work}, in native SQL (the same on H2 and PostgreSQL): one row per
 * member with its {@link DueWork} as text plus the indexed columns the daily run's query selects
 * on. A row carries the version of the account it was derived from and is replaced only by a
 * conditional update on that version, like the account itself.
 */
final class DueWorkTable {

  /** A member's stored due work and the account version it belongs to. */
  record Stored(long accountVersion, DueWork work) {}

  /** A member's due-work row as read, not yet decoded: the account version it belongs to and its text. */
  record Row(long accountVersion, String text) {}

  /** The columns a write sets, in parameter order; the track pairs follow {@link DueTrack}'s order. */
  private static final String COLUMNS = "account_version, vesting_seconds, vesting_nanos, lot_expiry_seconds,"
      + " lot_expiry_nanos, hold_expiry_seconds, hold_expiry_nanos, tier_review_seconds, tier_review_nanos,"
      + " last_active_seconds, last_active_nanos, holds_points, birthday, enrolment_day, partition_hash, due_work";

  /** The insert of a member's row, bound by {@link #bind}. */
  static final String INSERT = "INSERT INTO ledger_due_work (" + COLUMNS + ", member_id)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** The conditional update of a member's row, bound by {@link #bind} and then the expected version (18). */
  static final String UPDATE = "UPDATE ledger_due_work SET "
      + String.join(", ", assignments()) + " WHERE member_id = ? AND account_version = ?";

  private static final String FIND = "SELECT account_version, due_work FROM ledger_due_work WHERE member_id = ?";

  private DueWorkTable() {}

  private static java.util.List<String> assignments() {
    java.util.List<String> set = new ArrayList<>();
    for (String column : COLUMNS.split(",")) {
      set.add(column.strip() + " = ?");
    }
    return set;
  }

  static Option<Stored> find(EntityManager em, MemberId member) {
    return SqlWork.on(em, connection -> find(connection, member));
  }

  static Option<Stored> find(Connection connection, MemberId member) throws SQLException {
    return SqlWork.first(connection, FIND, member.value(),
        rs -> new Stored(rs.getLong(1), DueWorkCodec.decode(rs.getString(2))));
  }

  /** Like {@link #find(Connection, MemberId)}, taking the due work from {@code known} if it holds the text. */
  static Option<Stored> find(Connection connection, MemberId member, KnownText<DueWork> known) throws SQLException {
    return SqlWork.first(connection, FIND, member.value(),
        rs -> new Stored(rs.getLong(1), known.decode(member.value(), rs.getString(2), DueWorkCodec::decode)));
  }

  /**
   * Writes a member's due work: inserts it if {@code previous} is none (the primary key refuses a
   * concurrent insert), else updates the row if it still belongs to {@code expectedVersion}.
   *
   * @return false if the row changed since (the commit must be refused as stale)
   */
  static boolean store(EntityManager em, DueWork work, long accountVersion, Option<Stored> previous, long expectedVersion) {
    return SqlWork.on(em, connection -> store(connection, work, accountVersion, previous, expectedVersion));
  }

  static boolean store(Connection connection, DueWork work, long accountVersion, Option<Stored> previous,
      long expectedVersion) throws SQLException {
    return store(connection, work, accountVersion, previous, expectedVersion, DueWorkCodec.encode(work));
  }

  /**
   * Like {@link #store(Connection, DueWork, long, Option, long)}, taking the text from
   * {@code known} if it holds an equal due work.
   */
  static boolean store(Connection connection, DueWork work, long accountVersion, Option<Stored> previous,
      long expectedVersion, KnownText<DueWork> known) throws SQLException {
    return store(connection, work, accountVersion, previous, expectedVersion,
        known.encode(work.memberId().value(), work, DueWorkCodec::encode));
  }

  private static boolean store(Connection connection, DueWork work, long accountVersion, Option<Stored> previous,
      long expectedVersion, String text) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(previous.isEmpty() ? INSERT : UPDATE)) {
      int next = bind(statement, work, accountVersion, text);
      if (previous.isDefined()) {
        statement.setLong(next, expectedVersion);
      }
      return statement.executeUpdate() == 1;
    }
  }

  /**
   * Binds a member's row to parameters 1 to 17 of {@link #INSERT} or {@link #UPDATE}: the columns
   * of {@link #COLUMNS}, then {@code member_id} (null where a track has no work, the member no
   * birthday, or, for both days, a closed member, who receives no occasions). The commit and the bulk import bind through it.
   *
   * @return the index of the next parameter (the update's expected version)
   */
  static int bind(PreparedStatement statement, DueWork work, long accountVersion) throws SQLException {
    return bind(statement, work, accountVersion, DueWorkCodec.encode(work));
  }

  /** Like {@link #bind(PreparedStatement, DueWork, long)} with the due work's text given. */
  private static int bind(PreparedStatement statement, DueWork work, long accountVersion, String text)
      throws SQLException {
    return bind(statement, 0, work, accountVersion, text);
  }

  /**
   * Like {@link #bind(PreparedStatement, DueWork, long)} with the due work's text given, to the
   * parameters after {@code offset} (those of the statements before it in one script).
   *
   * @return the index of the next parameter (the update's expected version)
   */
  static int bind(PreparedStatement statement, int offset, DueWork work, long accountVersion, String text)
      throws SQLException {
    statement.setLong(offset + 1, accountVersion);
    int p = offset + 2;
    for (DueTrack track : DueTrack.values()) {
      Option<Instant> at = work.next(track);
      SqlWork.bind(statement, p++, at.map(Instant::getEpochSecond).getOrNull(), Types.BIGINT);
      SqlWork.bind(statement, p++, at.map(Instant::getNano).getOrNull(), Types.INTEGER);
    }
    statement.setLong(p++, work.lastActivity().getEpochSecond());
    statement.setInt(p++, work.lastActivity().getNano());
    statement.setBoolean(p++, work.holdsPoints());
    // A closed member receives no occasions: neither day is indexed (schema version 6).
    boolean occasions = work.receivesOccasions();
    SqlWork.bind(statement, p++, work.member().birthday().filter(day -> occasions).map(MonthDay::toString).getOrNull(),
        Types.VARCHAR);
    SqlWork.bind(statement, p++, occasions ? work.enrolmentDay().toString() : null, Types.VARCHAR);
    statement.setLong(p++, partitionHash(work.memberId()));
    statement.setString(p++, text);
    statement.setString(p++, work.memberId().value());
    return p;
  }

  /**
   * The members matching the query: one indexed branch per condition, each with the partition filter,
   * joined by {@code UNION ALL}; a member that several branches find is decoded once; sorted by
   * member id. Plain JDBC, like the commit: the daily run asks every day.
   *
   * <p>The branches are not a subquery of an outer {@code member_id IN (…)}: H2 ran such a subquery
   * again for every row of the table (its cost grew with members × candidates, and was a third of the
   * example's year on H2); each branch here reads only its index's range.
   */
  static List<DueWork> candidates(Connection connection, DueQuery query) throws SQLException {
    java.util.List<String> branches = new ArrayList<>();
    java.util.List<Object> parameters = new ArrayList<>();
    Partition partition = query.partition();
    branch(branches, parameters, atOrBefore("vesting", parameters, query.asOf()), partition);
    branch(branches, parameters, atOrBefore("hold_expiry", parameters, query.asOf()), partition);
    branch(branches, parameters, atOrBefore("tier_review", parameters, query.reviewsBy()), partition);
    branch(branches, parameters, atOrBefore("lot_expiry", parameters, query.expiringBy()), partition);
    query.lastActiveBy().forEach(cutoff -> branch(branches, parameters,
        "holds_points = TRUE AND " + atOrBefore("last_active", parameters, cutoff), partition));
    monthDays(branches, parameters, "birthday", query.birthdays(), partition);
    monthDays(branches, parameters, "enrolment_day", query.anniversaries(), partition);
    String sql = String.join(" UNION ALL ", branches);
    Map<String, String> found = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        select.setObject(i + 1, parameters.get(i));
      }
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          found.putIfAbsent(rs.getString(1), rs.getString(2));
        }
      }
    }
    // Sorted here: a database collation (PostgreSQL's en_US, say) need not order ids as Java does.
    return List.ofAll(found.values()).map(DueWorkCodec::decode).sortBy(DueWork::memberId);
  }

  /** Adds a branch reading the members of the partition that meet a condition (its parameters added). */
  private static void branch(java.util.List<String> branches, java.util.List<Object> parameters, String condition,
      Partition partition) {
    parameters.add(partition.count());
    parameters.add(partition.index());
    branches.add("SELECT member_id, due_work FROM ledger_due_work WHERE " + condition
        + " AND MOD(partition_hash, ?) = ?");
  }

  /**
   * An instant column pair at or before {@code by}: a range on the indexed seconds, then the nanos.
   * The range has a lower bound, the earliest instant, so that it skips the members without work on
   * the track (null), which H2's index sorts first. The parameters are added in the order of their
   * placeholders.
   */
  private static String atOrBefore(String column, java.util.List<Object> parameters, Instant by) {
    parameters.add(Instant.MIN.getEpochSecond());
    parameters.add(by.getEpochSecond());
    parameters.add(by.getEpochSecond());
    parameters.add(by.getNano());
    return String.format(Locale.ROOT, "%1$s_seconds BETWEEN ? AND ? AND (%1$s_seconds < ? OR %1$s_nanos <= ?)", column);
  }

  private static void monthDays(java.util.List<String> branches, java.util.List<Object> parameters, String column,
      io.vavr.collection.Set<MonthDay> days, Partition partition) {
    if (days.isEmpty()) {
      return;
    }
    java.util.List<String> marks = new ArrayList<>();
    for (MonthDay day : days) {
      parameters.add(day.toString());
      marks.add("?");
    }
    branch(branches, parameters, column + " IN (" + String.join(", ", marks) + ")", partition);
  }

  /**
   * The partition hash of {@link io.github.loyaltyledger.store.Partition#contains}: 32-bit FNV-1a
   * over the member id's UTF-8 bytes, as an unsigned number, so that {@code MOD(hash, count)} in
   * SQL picks the same members.
   */
  static long partitionHash(MemberId member) {
    int hash = 0x811c9dc5;
    for (byte b : member.value().getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return Integer.toUnsignedLong(hash);
  }
}
