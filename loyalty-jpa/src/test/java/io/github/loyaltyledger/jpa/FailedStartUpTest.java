package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store whose start-up fails after it built its entity manager factory (the database failing at
 * the store's first use of it) must not leave that factory's connection pool open behind the
 * exception: nobody holds the factory to close it.
 */
class FailedStartUpTest {

  private final FlakyDriver driver = new FlakyDriver();

  @BeforeEach
  void register() throws SQLException {
    DriverManager.registerDriver(driver);
  }

  @AfterEach
  void deregister() throws SQLException {
    DriverManager.deregisterDriver(driver);
  }

  @Test
  void aStoreWhoseFirstUseOfTheDatabaseFailsClosesItsConnectionsBeforeThrowing() {
    // The migrator asks H2 for the database's path first, the store's constructor second.
    driver.failingPathQuery = 2;
    assertThrows(PersistenceException.class,
        () -> JpaLedgerStore.fromJdbcUrl(FlakyDriver.PREFIX + "mem:failed-start-up;DB_CLOSE_DELAY=-1", "sa", ""));
    assertEquals(0, driver.open.get(), "connections left open by the failed start-up");
  }

  @Test
  void aDatabaseThatCannotBeReachedIsNamedWithoutThePasswordItsUrlCarries() {
    // Nothing listens on port 1 of the loopback: the driver refuses at once.
    PersistenceException refused = assertThrows(PersistenceException.class, () -> JpaLedgerStore.fromJdbcUrl(
        "jdbc:postgresql://127.0.0.1:1/ledger?user=app&password=s3cret&connectTimeout=1", "app", "s3cret"));
    assertEquals("cannot prepare the ledger schema at jdbc:postgresql://127.0.0.1:1/ledger (settings not shown)",
        refused.getMessage());
  }

  @Test
  void aJdbcUrlIsShownWithoutItsSettingsOrTheUserAndPasswordBeforeItsHost() {
    assertEquals("jdbc:h2:mem:ledger (settings not shown)",
        JpaLedgerStore.withoutSettings("jdbc:h2:mem:ledger;USER=sa;PASSWORD=s3cret"));
    assertEquals("jdbc:mysql://db.example/ledger (settings not shown)",
        JpaLedgerStore.withoutSettings("jdbc:mysql://app:s3cret@db.example/ledger?ssl=true"));
    assertEquals("jdbc:postgresql://db.example:5432/ledger",
        JpaLedgerStore.withoutSettings("jdbc:postgresql://db.example:5432/ledger"));
  }

  /**
   * H2 under {@code jdbc:flaky:} URLs, counting the connections open, whose {@code n}-th query of
   * {@code DATABASE_PATH()} fails as a lost connection would.
   */
  private static final class FlakyDriver implements Driver {
    static final String PREFIX = "jdbc:flaky:";
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger pathQueries = new AtomicInteger();
    volatile int failingPathQuery;

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
      if (!acceptsURL(url)) {
        return null;
      }
      Connection real = DriverManager.getConnection("jdbc:h2:" + url.substring(PREFIX.length()), info);
      open.incrementAndGet();
      return JdbcProxy.of(Connection.class, (self, method, args) -> {
        if (method.getName().equals("close") && !real.isClosed()) {
          open.decrementAndGet();
        }
        Object result = JdbcProxy.call(real, method, args);
        return method.getName().equals("createStatement") ? statement((Statement) result) : result;
      });
    }

    private Statement statement(Statement real) {
      return JdbcProxy.of(Statement.class, (self, method, args) -> {
        if (method.getName().equals("executeQuery") && String.valueOf(args[0]).contains("DATABASE_PATH")
            && pathQueries.incrementAndGet() == failingPathQuery) {
          throw new SQLException("connection lost", "08006");
        }
        return JdbcProxy.call(real, method, args);
      });
    }

    @Override
    public boolean acceptsURL(String url) {
      return url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
      return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
      return 1;
    }

    @Override
    public int getMinorVersion() {
      return 0;
    }

    @Override
    public boolean jdbcCompliant() {
      return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }
  }
}
