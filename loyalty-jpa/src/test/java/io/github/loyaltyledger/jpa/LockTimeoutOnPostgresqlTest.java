package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.ConcurrentWriteException;
import io.vavr.control.Option;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL with a {@code lock_timeout}, as production databases are often set up: a commit that
 * waited for another node's row lock past the timeout lost a race, like a deadlock or a
 * serialization failure, and comes back as a conflict the facade retries, never as an exception.
 */
class LockTimeoutOnPostgresqlTest {

  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  @Test
  void aCommitThatTimesOutWaitingForAnotherNodesRowLockIsRefusedAsAConflictAndWritesNothing() throws Exception {
    TestDatabase database = TestDatabase.emptyPostgresql();
    TestDatabase impatient = impatient(database);
    MemberId ada = member("ada");
    try (JpaLedgerStore store = impatient.open()) {
      Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
          .clock(TestClock.at(Fixtures.START)).maxAttempts(2).build();
      Fixtures.enrolled(loyalty, ada);
      Credit credit = Credit.of(ada, points(10), "Beans", IdempotencyKey.of("till-7"));

      // Another node's transaction holds the account's row lock for longer than the timeout.
      try (Connection other = database.connect()) {
        other.setAutoCommit(false);
        try (PreparedStatement lock = other.prepareStatement(
            "UPDATE ledger_account SET version = version WHERE member_id = ?")) {
          lock.setString(1, ada.value());
          assertEquals(1, lock.executeUpdate());
        }
        LoyaltyError error = refused(loyalty.credit(credit));
        assertInstanceOf(LoyaltyError.ConcurrentModification.class, error);
        other.rollback();
      }

      assertEquals(0, store.entries(ada, 1, 100).size(), "the refused credit wrote nothing");
      accepted(loyalty.credit(credit));
      assertEquals(1, store.entries(ada, 1, 100).size());
      assertEquals(points(10), Fixtures.balanceOf(loyalty, ada).available());
    }
  }

  /** The same database, with a {@code lock_timeout} of 50 ms on every session of the store. */
  private static TestDatabase impatient(TestDatabase database) {
    return new TestDatabase(
        database.url() + (database.url().contains("?") ? "&" : "?") + "options=-c%20lock_timeout=50",
        database.user(), database.password());
  }

  @Test
  void aProfileSaveThatTimesOutOnEveryTryIsRefusedAsAConcurrentModificationAndWritesNothing() throws Exception {
    TestDatabase database = TestDatabase.emptyPostgresql();
    profileSaveTimingOutOnEveryTry(database, impatient(database));
  }

  @Test
  void aProfileDeletionThatTimesOutOnEveryTryIsAConflictAndAnErasureMeetingItCompletesWhenSentAgain()
      throws Exception {
    TestDatabase database = TestDatabase.emptyPostgresql();
    profileDeletionTimingOutOnEveryTry(database, impatient(database));
  }

  /**
   * Another session holds the row of ada's profile past the lock timeout of {@code impatient}: the
   * store's deletion conflicts on both tries and throws the port's {@link ConcurrentWriteException};
   * an erasure, whose commit deletes the profile, is refused with
   * {@link LoyaltyError.ConcurrentModification} and writes nothing. Once erased, a profile stored
   * again for her (what a save racing the erasure leaves when it cannot take it out) whose row is
   * held makes the facade's deletion after the commit conflict: the same request is answered with
   * {@link LoyaltyError.ConcurrentModification}, never the database's exception, and sent again once
   * the row is free it deletes the profile.
   */
  static void profileDeletionTimingOutOnEveryTry(TestDatabase database, TestDatabase impatient) throws Exception {
    MemberId ada = member("ada");
    IdempotencyKey key = IdempotencyKey.of("gdpr-1");
    try (JpaLedgerStore store = impatient.open()) {
      Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
          .clock(TestClock.at(Fixtures.START)).maxAttempts(2).build();
      Fixtures.enrolled(loyalty, ada);
      accepted(loyalty.saveProfile(MemberProfile.of(ada, Consent.NONE).withName("Ada")));

      try (Connection other = holdingTheProfileRow(database, ada)) {
        ConcurrentWriteException failure = assertThrows(ConcurrentWriteException.class, () -> store.deleteProfile(ada));
        assertEquals(ada, failure.member());
        assertEquals(2, failure.attempts());
        assertTrue(failure.getMessage().contains("member ada") && failure.getMessage().contains("delete it again"),
            failure.getMessage());
        assertInstanceOf(PersistenceException.class, failure.getCause());
        assertEquals(new LoyaltyError.ConcurrentModification(ada, 2), refused(loyalty.erase(ada, key)));
        other.rollback();
      }
      assertEquals(Option.some("Ada"), store.profile(ada).get().name(), "the refused erasure wrote nothing");
      assertEquals(MemberStatus.ACTIVE, accepted(loyalty.member(ada)).status());

      accepted(loyalty.erase(ada, key));
      assertTrue(store.profile(ada).isEmpty());

      store.saveProfile(MemberProfile.of(ada, Consent.NONE).withName("Ada"));
      try (Connection other = holdingTheProfileRow(database, ada)) {
        assertEquals(new LoyaltyError.ConcurrentModification(ada, 2), refused(loyalty.erase(ada, key)));
        other.rollback();
      }
      accepted(loyalty.erase(ada, key));
      assertTrue(store.profile(ada).isEmpty(), () -> "the erased member's profile: " + store.profile(ada));
    }
  }

  /** A session of {@code database} that holds the row of a member's profile until it rolls back. */
  private static Connection holdingTheProfileRow(TestDatabase database, MemberId member) throws Exception {
    Connection other = database.connect();
    other.setAutoCommit(false);
    try (PreparedStatement lock = other.prepareStatement(
        "UPDATE ledger_member_profile SET name = name WHERE member_id = ?")) {
      lock.setString(1, member.value());
      assertEquals(1, lock.executeUpdate());
    }
    return other;
  }

  /**
   * Another session holds the row of ada's profile past the lock timeout of {@code impatient} (the
   * same database) while the facade saves it: the save conflicts on both of the store's tries and
   * is refused with {@link LoyaltyError.ConcurrentModification}, like any other request that met
   * concurrent changes, and writes nothing; the store itself throws the port's documented
   * {@link ConcurrentWriteException}, naming the member and saying to save again, the database's
   * failure attached. Once the row is free, the same save succeeds.
   */
  static void profileSaveTimingOutOnEveryTry(TestDatabase database, TestDatabase impatient) throws Exception {
    MemberId ada = member("ada");
    try (JpaLedgerStore store = impatient.open()) {
      Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
          .clock(TestClock.at(Fixtures.START)).build();
      Fixtures.enrolled(loyalty, ada);
      accepted(loyalty.saveProfile(MemberProfile.of(ada, Consent.NONE).withName("Ada")));

      try (Connection other = database.connect()) {
        other.setAutoCommit(false);
        try (PreparedStatement lock = other.prepareStatement(
            "UPDATE ledger_member_profile SET name = name WHERE member_id = ?")) {
          lock.setString(1, ada.value());
          assertEquals(1, lock.executeUpdate());
        }
        LoyaltyError error = refused(loyalty.saveProfile(MemberProfile.of(ada, Consent.ALL).withName("Ada Lovelace")));
        assertEquals(new LoyaltyError.ConcurrentModification(ada, 2), error);
        ConcurrentWriteException failure = assertThrows(ConcurrentWriteException.class,
            () -> store.saveProfile(MemberProfile.of(ada, Consent.ALL).withName("Ada Lovelace")));
        assertEquals(ada, failure.member());
        assertEquals(2, failure.attempts());
        assertTrue(failure.getMessage().contains("member ada") && failure.getMessage().contains("save it again"),
            failure.getMessage());
        assertInstanceOf(PersistenceException.class, failure.getCause());
        other.rollback();
      }

      assertEquals(Option.some("Ada"), store.profile(ada).get().name(), "the refused save wrote nothing");
      accepted(loyalty.saveProfile(MemberProfile.of(ada, Consent.ALL).withName("Ada Lovelace")));
      assertEquals(Option.some("Ada Lovelace"), store.profile(ada).get().name());
    }
  }
}
