package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.Partition;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema version 6 ({@code V6__no_occasions_when_closed.sql}) takes the members closed before it out
 * of the birthday and anniversary indexes: their rows still held both days, which version 5 wrote for
 * every member, and the daily run read them on those days every year to grant them nothing.
 */
class NoOccasionsWhenClosedMigrationTest {

  private static final MemberId ADA = member("ada");
  private static final MemberId BOB = member("bob");
  private static final MonthDay BIRTHDAY = MonthDay.of(3, 1);
  private static final Instant AT = Instant.parse(Fixtures.START);

  @Nested
  class OnH2InAFile {

    @TempDir
    Path folder;

    @Test
    void aMemberClosedBeforeTheMigrationIsACandidateOnNoOccasionAfterIt() throws Exception {
      migrateAClosedMember(TestDatabase.h2File(folder.resolve("ledger")));
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void aMemberClosedBeforeTheMigrationIsACandidateOnNoOccasionAfterIt() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_v6_migration_test", NoOccasionsWhenClosedMigrationTest::migrateAClosedMember);
    }
  }

  private static void migrateAClosedMember(TestDatabase database) throws Exception {
    MonthDay enrolmentDay = MonthDay.from(AT.atZone(ZoneOffset.UTC));
    DueQuery occasions = new DueQuery(AT, AT, Option.none(), HashSet.of(BIRTHDAY),
        HashSet.of(enrolmentDay), Partition.all());
    try (JpaLedgerStore store = database.open()) {
      Loyalty loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
      for (MemberId m : List.of(ADA, BOB)) {
        accepted(loyalty.enrol(Enrolment.of(m, aKey()).enrolledAt(AT).withBirthday(BIRTHDAY)
            .withZone(ZoneOffset.UTC)));
      }
      accepted(loyalty.close(BOB, "Moved abroad", aKey()));
    }
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      // As version 5 left bob's row: both days indexed, although bob is closed.
      s.executeUpdate("UPDATE ledger_due_work SET birthday = '" + BIRTHDAY + "', enrolment_day = '" + enrolmentDay
          + "' WHERE member_id = 'bob'");
      s.executeUpdate("DELETE FROM loyalty_schema_history WHERE version = '6'");
      SchemaMigration.migrate(c);
    }
    try (JpaLedgerStore store = database.open()) {
      assertEquals(List.of(ADA), store.candidates(occasions).map(DueWork::memberId));
      assertEquals(Option.some(BIRTHDAY), store.dueWork(BOB).get().member().birthday(), "the due work is kept");
    }
  }
}
