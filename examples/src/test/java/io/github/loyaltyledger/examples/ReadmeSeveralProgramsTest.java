package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.ProgramMismatchException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The README's "Several programs": a program renamed on purpose takes its store over, and the block
 * that opens one store per brand's schema (compiled, not run: it needs a PostgreSQL server, and its
 * H2 file would go to the working directory; {@code loyalty-jpa}'s {@code SeveralProgramsTest} runs
 * both databases).
 */
class ReadmeSeveralProgramsTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void aRenamedProgramKeepsTheMembersOfItsStoreAndTheFormerIdIsRefusedThere() {
    LedgerStore store = new InMemoryLedgerStore();
    LoyaltyProgram former = LoyaltyProgram.builder("bean-club").build();
    Loyalty before = Loyalty.builder().program(former).store(store).clock(clock).build();
    before.enrol(Enrolment.of(MemberId.of("ann"), IdempotencyKey.of("enrol-ann"))).get();
    LoyaltyProgram renamed = LoyaltyProgram.builder("bean-club-eu").build();

    // --- README several programs rename begins ---
    Loyalty loyalty = Loyalty.builder().program(renamed).store(store).clock(clock)
        .renamedFrom("bean-club")        // the id the store keeps; a no-op once it keeps the new one
        .build();
    // --- README several programs rename ends ---

    assertEquals("ann", loyalty.member(MemberId.of("ann")).get().id().value());
    assertThrows(ProgramMismatchException.class,
        () -> Loyalty.builder().program(former).store(store).clock(clock).build());
  }

  static void openOneStorePerSchema(String secret) {
    // --- README several programs schemas begins ---
    // PostgreSQL: create the schemas once (CREATE SCHEMA brand_a; CREATE SCHEMA brand_b;)
    JpaLedgerStore brandA = JpaLedgerStore.fromJdbcUrl("jdbc:postgresql://db/loyalty?currentSchema=brand_a", "app", secret);
    JpaLedgerStore brandB = JpaLedgerStore.fromJdbcUrl("jdbc:postgresql://db/loyalty?currentSchema=brand_b", "app", secret);

    // H2 in a file: create the schema once too (CREATE SCHEMA brand_c), then name it with SCHEMA=
    // (H2 folds unquoted names to upper case)
    String url = JpaLedgerStore.h2FileUrl(Path.of("data/ledger"));
    JpaLedgerStore brandC = JpaLedgerStore.fromJdbcUrl(url + ";SCHEMA=BRAND_C", "sa", "");
    // --- README several programs schemas ends ---
    brandA.close();
    brandB.close();
    brandC.close();
  }
}
