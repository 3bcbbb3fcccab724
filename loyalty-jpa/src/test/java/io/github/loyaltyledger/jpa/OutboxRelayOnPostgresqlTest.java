package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.member.MemberId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbox relay on a real PostgreSQL server (see {@link TestDatabase#postgresql()}). */
class OutboxRelayOnPostgresqlTest {

  /**
   * More events than the 65,535 parameters that pgjdbc binds to one statement (the protocol counts
   * them in 16 bits): an update listing each relayed id as a parameter of its own is refused.
   */
  private static final int COPIES = 70_000;

  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  @Test
  void aBatchOfMoreEventsThanOneStatementCanBindIsMarkedDeliveredAndNotHandedAgain() throws Exception {
    TestDatabase.inPostgresqlSchema("outbox_relay_test", database -> {
      try (JpaLedgerStore store = database.open()) {
        MemberId ada = member("ada");
        Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
            .clock(TestClock.at(Fixtures.START)).build();
        accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
        accepted(loyalty.credit(Credit.of(ada, points(10), "Beans", aKey())));
        // Committing 70,000 requests through the facade takes minutes: the credit's event row, as
        // the commit wrote it, is copied instead (the relay reads rows, whoever wrote them).
        try (Connection c = database.connect();
            PreparedStatement copy = c.prepareStatement("INSERT INTO ledger_outbox (member_id, event_type, payload, delivered)"
                + " SELECT o.member_id, o.event_type, o.payload, FALSE FROM ledger_outbox o, generate_series(1, ?)"
                + " WHERE o.id = (SELECT MAX(id) FROM ledger_outbox)")) {
          copy.setInt(1, COPIES);
          assertEquals(COPIES, copy.executeUpdate());
        }
        int total = COPIES + 2;

        List<LoyaltyEvent> relayed = new ArrayList<>();
        assertEquals(total, store.relayEvents(100_000, relayed::add));
        assertEquals(total, relayed.size());
        assertEquals(0, store.relayEvents(100_000, relayed::add), "every event relayed was marked delivered");
      }
    });
  }
}
