package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneOffset;
import java.util.Locale;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema version 5 ({@code V5__outbox_enrolments.sql}) migrates an outbox that version 4 wrote: every
 * enrolment event is listed in the side table and no other, the index on every outbox row is gone,
 * and an erasure then finds and redacts the migrated enrolment events of its member only.
 */
class OutboxEnrolmentsMigrationTest {

  private static final MemberId ADA = member("ada");
  private static final MemberId BOB = member("bob");
  private static final Instant AT = Instant.parse("2026-01-05T09:00:00Z");

  @Nested
  class OnH2InAFile {

    @TempDir
    Path folder;

    @Test
    void listsEveryEnrolmentEventAndTheErasureRedactsTheMigratedOnes() throws SQLException {
      migrateAndErase(TestDatabase.h2File(folder.resolve("ledger")));
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void listsEveryEnrolmentEventAndTheErasureRedactsTheMigratedOnes() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_v5_migration_test", OutboxEnrolmentsMigrationTest::migrateAndErase);
    }
  }

  private static void migrateAndErase(TestDatabase database) throws SQLException {
    try (Connection c = database.connect()) {
      SchemaMigration.migrate(c, 4);
      long adaEnrolled = insertEvent(c, enrolled(ADA, Option.some(MonthDay.of(12, 10))));
      long other = insertRow(c, ADA, "PointsCredited", "written by version 4");
      long bobEnrolled = insertEvent(c, enrolled(BOB, Option.some(MonthDay.of(3, 1))));

      SchemaMigration.migrate(c);

      assertEquals(List.of(ADA.value() + "/" + adaEnrolled, BOB.value() + "/" + bobEnrolled), listed(c));
      assertFalse(indexes(c).contains("ledger_outbox_member"), indexes(c).toString());

      c.setAutoCommit(false);
      LedgerWriter.redactOutbox(c, ADA, "PostgreSQL".equals(c.getMetaData().getDatabaseProductName()));
      c.commit();
      c.setAutoCommit(true);

      assertEquals(EventCodec.payloadOf(enrolled(ADA, Option.none())), payload(c, adaEnrolled));
      assertEquals(EventCodec.payloadOf(enrolled(BOB, Option.some(MonthDay.of(3, 1)))), payload(c, bobEnrolled));
      assertEquals("written by version 4", payload(c, other));
    }
  }

  private static LoyaltyEvent.MemberEnrolled enrolled(MemberId member, Option<MonthDay> birthday) {
    return new LoyaltyEvent.MemberEnrolled(new Member(member, AT, birthday, ZoneOffset.UTC, MemberStatus.ACTIVE), AT);
  }

  private static long insertEvent(Connection c, LoyaltyEvent event) throws SQLException {
    return insertRow(c, event.member(), EventCodec.typeOf(event), EventCodec.payloadOf(event));
  }

  private static long insertRow(Connection c, MemberId member, String type, String payload) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(OutboxRow.INSERT, Statement.RETURN_GENERATED_KEYS)) {
      new OutboxRow(member.value(), type, payload).bind(insert);
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return keys.getLong("id");
      }
    }
  }

  private static List<String> listed(Connection c) throws SQLException {
    List<String> rows = List.empty();
    try (Statement select = c.createStatement();
        ResultSet rs = select.executeQuery(
            "SELECT member_id, outbox_id FROM ledger_outbox_enrolment ORDER BY member_id, outbox_id")) {
      while (rs.next()) {
        rows = rows.append(rs.getString(1) + "/" + rs.getLong(2));
      }
    }
    return rows;
  }

  private static String payload(Connection c, long id) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT payload FROM ledger_outbox WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** The names of the outbox table's indexes, in lower case (H2 reports them in upper case). */
  private static java.util.Set<String> indexes(Connection c) throws SQLException {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (String table : new String[] {"ledger_outbox", "LEDGER_OUTBOX"}) {
      try (ResultSet rs = c.getMetaData().getIndexInfo(null, c.getSchema(), table, false, false)) {
        while (rs.next()) {
          Option.of(rs.getString("INDEX_NAME")).forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
        }
      }
    }
    assertFalse(names.isEmpty(), "the outbox table has its primary key's index at least");
    return names;
  }
}
