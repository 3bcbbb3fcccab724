package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write lock of an embedded H2 file database is the file's, however a URL spells its path
 * (absolute or relative, with or without {@code file:}, with {@code .} or {@code ..}): H2 opens one
 * database for all of them in a JVM, so their writers must wait for one another (see {@link
 * WriteLock}).
 */
class H2WriteLockNamesTheFileTest {

  @TempDir
  Path folder;

  @Test
  void aStoreWaitsForTheLockTakenThroughAnotherSpellingOfItsFile() throws Exception {
    Path file = folder.resolve("ledger");
    Path here = Path.of("").toAbsolutePath();
    String[] spellings = {
      "jdbc:h2:" + file.toAbsolutePath(),
      "jdbc:h2:file:" + folder.toAbsolutePath() + "/./sub/../ledger",
      "jdbc:h2:./" + here.relativize(file.toAbsolutePath()) + ";WRITE_DELAY=0",
    };
    MemberId ann = member("ann");
    try (JpaLedgerStore store = JpaLedgerStore.h2File(file)) {
      Loyalty loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
      Fixtures.enrolled(loyalty, ann);
      long credited = 0;
      for (String url : spellings) {
        WriteLock lock;
        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
          lock = WriteLock.of(connection);
        }
        credited += 5;
        long expected = credited;
        Thread writer = new Thread(() -> accepted(loyalty.credit(Credit.of(ann, points(5), "Coffee", aKey()))));
        lock.lock();
        try {
          writer.start();
          Thread.State state = ThreadStates.settled(writer);
          assertEquals(Thread.State.WAITING, state, "the store wrote without waiting for the lock taken through " + url);
        } finally {
          lock.unlock();
        }
        writer.join(TimeUnit.MINUTES.toMillis(1));
        assertFalse(writer.isAlive(), "the writer still waits once the lock is free");
        assertTrue(store.account(ann).get().balance().available().equals(Points.of(expected)),
            "written once the lock was free");
      }
    }
  }
}
