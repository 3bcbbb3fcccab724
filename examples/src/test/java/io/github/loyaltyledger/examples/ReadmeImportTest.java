package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.jpa.ImportReport;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import io.vavr.control.Either;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's import block, run. The code between the README markers is the block; the rest
 * supplies what the block leaves to the reader: the programme, a slice of three legacy accounts (one
 * whose opening balance the replay refuses) and the database store (H2 in memory).
 */
class ReadmeImportTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-03-02T09:00:00Z"), ZoneOffset.UTC);

  /** An account as the legacy system exports it. */
  private record LegacyAccount(MemberId id, String legacyId, long points, Instant asOf, Instant expiresAt) {}

  @Test
  void theReadmeImportReplaysOpeningBalancesCopiesTheReplayedMembersIntoTheDatabaseAndKeepsTheRefusedOnesOut() {
    LoyaltyProgram program = BeanClub.program();
    List<LegacyAccount> slice = List.of(
        new LegacyAccount(MemberId.of("M-1001"), "L-77", 1_250, Instant.parse("2026-02-28T23:00:00Z"),
            Instant.parse("2026-12-31T23:00:00Z")),
        new LegacyAccount(MemberId.of("M-1002"), "L-78", 40, Instant.parse("2026-02-28T23:00:00Z"),
            Instant.parse("2026-06-30T22:00:00Z")),
        // Its points expired before the legacy system's export: the replay refuses the opening balance.
        new LegacyAccount(MemberId.of("M-1003"), "L-79", 90, Instant.parse("2026-02-28T23:00:00Z"),
            Instant.parse("2026-01-31T23:00:00Z")));
    try (JpaLedgerStore store = JpaLedgerStore.fromJdbcUrl("jdbc:h2:mem:readme-import;DB_CLOSE_DELAY=-1", "sa", "")) {
      // --- README import begins ---
      // 1. Replay: an opening balance is a credit with its own idempotency key (the legacy id is a good one).
      InMemoryLedgerStore staging = new InMemoryLedgerStore();
      Loyalty replay = Loyalty.builder().program(program).store(staging).clock(clock).build();
      List<MemberId> replayed = new ArrayList<>();
      Map<String, LoyaltyError> refused = new LinkedHashMap<>(); // legacy id -> why; fix it and run again
      for (LegacyAccount a : slice) {                  // e.g. 10,000 members at a time
        Either<LoyaltyError, Receipt> opened = replay
            .enrol(Enrolment.of(a.id(), IdempotencyKey.of("enrol-" + a.legacyId())))
            .flatMap(enrolled -> replay.credit(Credit.of(a.id(), Points.of(a.points()), "Opening balance",
                    IdempotencyKey.of("opening-" + a.legacyId()))
                .occurredAt(a.asOf()).expiringAt(a.expiresAt())));
        if (opened.isRight()) {
          replayed.add(a.id());
        } else {
          refused.put(a.legacyId(), opened.getLeft()); // e.g. an expiry not after the balance's date
        }
      }
      // 2. Copy, verified, in JDBC batches: account, entries, due work, idempotency records, profile.
      ImportReport report = store.importMembers(staging, replayed);
      // --- README import ends ---

      assertEquals(List.of("L-79"), List.copyOf(refused.keySet()));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused.get("L-79"));
      assertEquals(new ImportReport(2, 0, 2, 2, 0), report);
      Loyalty live = Loyalty.builder().program(program).store(store).clock(clock).build();
      assertEquals(Points.of(1_250), live.balance(MemberId.of("M-1001")).get().available());
      assertEquals(Points.of(40), live.balance(MemberId.of("M-1002")).get().available());
      assertTrue(live.verify(MemberId.of("M-1001")).get().isIntact());
      assertTrue(live.balance(MemberId.of("M-1003")).isLeft());
    }
  }
}
