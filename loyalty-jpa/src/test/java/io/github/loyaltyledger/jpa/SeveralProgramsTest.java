package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.ForwardingStore;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.ProgramMismatchException;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database keeps one program's ledger (schema version 7, {@code ledger_program}): brands hosted on
 * one database server each get a schema of their own, which the JDBC URL names ({@code SCHEMA=} on
 * H2, {@code currentSchema=} on PostgreSQL), and a facade of another program on a schema is refused.
 */
class SeveralProgramsTest {

  private static final MemberId ANN = member("ann");
  private static final MemberId BOB = member("bob");
  private static final MemberId CAT = member("cat");
  private static final MemberId DAN = member("dan");
  private static final LoyaltyProgram BRAND_A = LoyaltyProgram.builder("brand-a").build();
  private static final LoyaltyProgram BRAND_B = LoyaltyProgram.builder("brand-b").currency(CurrencyUnit.USD).build();

  @Nested
  class OnH2InAFile {

    @TempDir
    Path folder;

    @Test
    void twoBrandsInTwoSchemasOfOneDatabaseKeepTheirMembersKeysAndReportsApart() throws Exception {
      TestDatabase database = TestDatabase.h2File(folder.resolve("ledger"));
      try (Connection c = database.connect(); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA brand_a");
        s.execute("CREATE SCHEMA brand_b");
      }
      twoBrandsKeptApart(inH2Schema(database, "BRAND_A"), inH2Schema(database, "BRAND_B"));
    }

    @Test
    void aDatabaseOfAnEarlierSchemaVersionKeepsTheProgramOfTheFirstFacadeBuiltOnIt() throws Exception {
      anEarlierDatabaseAdoptsTheFirstProgram(TestDatabase.h2File(folder.resolve("ledger")));
    }

    @Test
    void anImportOfMembersReplayedUnderAnotherProgramIsRefusedAndWritesNothing() throws Exception {
      importsOnlyTheProgramTheDatabaseKeeps(TestDatabase.h2File(folder.resolve("ledger")));
    }

    private TestDatabase inH2Schema(TestDatabase database, String schema) {
      return new TestDatabase(database.url() + ";SCHEMA=" + schema, database.user(), database.password());
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void twoBrandsInTwoSchemasOfOneDatabaseKeepTheirMembersKeysAndReportsApart() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_brand_a", a -> TestDatabase.inPostgresqlSchema("ledger_brand_b",
          b -> twoBrandsKeptApart(a, b)));
    }

    @Test
    void aDatabaseOfAnEarlierSchemaVersionKeepsTheProgramOfTheFirstFacadeBuiltOnIt() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_v7_migration_test", SeveralProgramsTest::anEarlierDatabaseAdoptsTheFirstProgram);
    }

    @Test
    void anImportOfMembersReplayedUnderAnotherProgramIsRefusedAndWritesNothing() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_import_program_test", SeveralProgramsTest::importsOnlyTheProgramTheDatabaseKeeps);
    }

    @Test
    void ofTwoNodesStartingTwoProgramsOnANewDatabaseAtOnceOneKeepsItAndTheOtherIsRefused() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_two_claims_test", database -> {
        try (JpaLedgerStore first = database.open(); JpaLedgerStore second = database.open()) {
          CyclicBarrier together = new CyclicBarrier(2);
          ExecutorService nodes = Executors.newFixedThreadPool(2);
          try {
            CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> claim(first, "brand-a", together), nodes);
            CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> claim(second, "brand-b", together), nodes);
            assertEquals(a.get(), b.get(), "both are answered the one program the database keeps");
          } finally {
            nodes.shutdown();
          }
        }
      });
    }

    /**
     * A facade built on a database that already keeps its program writes nothing, so one built for
     * reports on a read-only replica starts: a statement trigger refusing every write to the table
     * stands in for the replica (a row trigger would not fire on an insert of no rows).
     */
    @Test
    void aFacadeOfTheProgramADatabaseKeepsWritesNothingWhenItIsBuilt() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_claim_read_only_test", database -> {
        TestClock clock = TestClock.at(Fixtures.START);
        try (JpaLedgerStore store = database.open()) {
          accepted(Fixtures.aLoyalty(store, clock, BRAND_A).enrol(Enrolment.of(ANN, aKey())));
        }
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
          s.execute("CREATE FUNCTION refuse_program_write() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN RAISE EXCEPTION 'read-only replica'; END $$");
          s.execute("CREATE TRIGGER program_read_only BEFORE INSERT OR UPDATE OR DELETE ON ledger_program"
              + " FOR EACH STATEMENT EXECUTE FUNCTION refuse_program_write()");
        }
        try (JpaLedgerStore store = database.open()) {
          assertEquals(Points.of(0), balanceOf(Fixtures.aLoyalty(store, clock, BRAND_A), ANN).available());
          assertThrows(ProgramMismatchException.class, () -> Fixtures.aLoyalty(store, clock, BRAND_B));
        }
      });
    }

    private static String claim(JpaLedgerStore store, String program, CyclicBarrier together) {
      try {
        together.await();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return store.claimProgram(program, Option.none());
    }
  }

  private static void twoBrandsKeptApart(TestDatabase a, TestDatabase b) {
    TestClock clock = TestClock.at(Fixtures.START);
    try (JpaLedgerStore storeA = a.open(); JpaLedgerStore storeB = b.open()) {
      Loyalty brandA = Fixtures.aLoyalty(storeA, clock, BRAND_A);
      Loyalty brandB = Fixtures.aLoyalty(storeB, clock, BRAND_B);
      for (Loyalty brand : new Loyalty[] {brandA, brandB}) {
        accepted(brand.enrol(Enrolment.of(ANN, aKey())));
      }
      accepted(brandA.credit(Credit.of(ANN, Points.of(100), "Purchase", key("pos-1"))));
      accepted(brandB.credit(Credit.of(ANN, Points.of(7), "Purchase", key("pos-1"))));
      assertEquals(Points.of(100), balanceOf(brandA, ANN).available());
      assertEquals(Points.of(7), balanceOf(brandB, ANN).available());
      assertEquals(Points.of(7), accepted(brandB.liability(clock.instant(), ZoneOffset.UTC,
          RedemptionRate.of(Money.parse("USD 1.00"), 100))).outstanding());
      ProgramMismatchException refused = assertThrows(ProgramMismatchException.class,
          () -> Fixtures.aLoyalty(storeA, clock, BRAND_B));
      assertEquals("brand-a", refused.storeProgram());
    }
  }

  /**
   * Members replayed under brand A's program in a staging store are refused by brand B's database,
   * which is left as it was; a database that keeps no program yet adopts brand A's with them, and a
   * staging store that keeps none (no facade was built on it) imports into any.
   */
  private static void importsOnlyTheProgramTheDatabaseKeeps(TestDatabase database) throws Exception {
    TestClock clock = TestClock.at(Fixtures.START);
    InMemoryLedgerStore staging = new InMemoryLedgerStore();
    Loyalty replay = Fixtures.aLoyalty(staging, clock, BRAND_A);
    accepted(replay.enrol(Enrolment.of(ANN, aKey())));
    accepted(replay.credit(Credit.of(ANN, Points.of(100), "Opening balance", key("opening-ann"))));
    accepted(replay.enrol(Enrolment.of(DAN, aKey())));
    try (JpaLedgerStore store = database.open()) {
      accepted(Fixtures.aLoyalty(store, clock, BRAND_B).enrol(Enrolment.of(BOB, aKey())));

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(staging, List.of(ANN)));

      assertEquals("OTHER_PROGRAM", refused.reason().name());
      assertTrue(refused.getMessage().contains("brand-a") && refused.getMessage().contains("brand-b"),
          "the refusal names both programs: " + refused.getMessage());
      assertEquals(Option.none(), store.account(ANN), "nothing was written");
      assertEquals(Option.some("brand-b"), store.keptProgram());
    }
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM ledger_program");
    }
    try (JpaLedgerStore store = database.open()) {
      assertEquals(Option.none(), store.keptProgram());

      assertEquals(1, store.importMembers(staging, List.of(ANN)).membersImported());

      assertEquals(Option.some("brand-a"), store.keptProgram(), "the database adopted the source's program");
      assertThrows(ProgramMismatchException.class, () -> Fixtures.aLoyalty(store, clock, BRAND_B));
      assertEquals(Points.of(100), balanceOf(Fixtures.aLoyalty(store, clock, BRAND_A), ANN).available());
    }
    InMemoryLedgerStore unclaimed = new InMemoryLedgerStore();
    accepted(Fixtures.aLoyalty(unclaimed, clock, BRAND_B).enrol(Enrolment.of(CAT, aKey())));
    try (JpaLedgerStore store = database.open()) {
      LedgerStore keepsNone = new ForwardingStore(unclaimed) {
        @Override
        public Option<String> keptProgram() {
          return Option.none();
        }
      };
      assertEquals(1, store.importMembers(keepsNone, List.of(CAT)).membersImported(),
          "a source that keeps no program is taken as the database's");
      assertEquals(Option.some("brand-a"), store.keptProgram());
    }
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM ledger_program");
    }
    try (JpaLedgerStore store = database.open()) {
      // Another node builds brand B's facade on the database after the import read that it keeps none.
      LedgerStore racing = new ForwardingStore(staging) {
        @Override
        public Option<Account> account(MemberId member) {
          store.claimProgram(BRAND_B.id(), Option.none());
          return super.account(member);
        }
      };

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(racing, List.of(ANN, DAN)));

      assertEquals("OTHER_PROGRAM", refused.reason().name());
      assertEquals(Option.some("brand-b"), store.keptProgram());
      assertEquals(Option.none(), store.account(DAN), "nothing was written");
    }
  }

  private static void anEarlierDatabaseAdoptsTheFirstProgram(TestDatabase database) throws Exception {
    TestClock clock = TestClock.at(Fixtures.START);
    database.open().close();
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      // As version 6 left the database: no program recorded (the table comes with version 7).
      s.execute("DROP TABLE ledger_program");
      s.executeUpdate("DELETE FROM loyalty_schema_history WHERE version = '7'");
    }
    try (JpaLedgerStore store = database.open()) {
      accepted(Fixtures.aLoyalty(store, clock, BRAND_A).enrol(Enrolment.of(ANN, aKey())));
    }
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      // Version 7 applied again (a history restored from a backup) keeps the program recorded.
      s.executeUpdate("DELETE FROM loyalty_schema_history WHERE version = '7'");
      SchemaMigration.migrate(c);
    }
    try (JpaLedgerStore store = database.open()) {
      assertThrows(ProgramMismatchException.class, () -> Fixtures.aLoyalty(store, clock, BRAND_B));
      assertEquals(Points.of(0), balanceOf(Fixtures.aLoyalty(store, clock, BRAND_A), ANN).available());
    }
  }
}
