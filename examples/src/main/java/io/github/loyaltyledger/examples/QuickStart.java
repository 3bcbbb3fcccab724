package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.control.Either;
import java.time.Clock;
import org.joda.money.CurrencyUnit;

/**
 * The README's quick start, compiled and run by a test so that the snippet in the README cannot
 * rot. Keep the two in step.
 */
public final class QuickStart {

  private QuickStart() {}

  /**
   * Runs the quick start.
   *
   * @param clock the clock to stamp entries with
   * @return what a till would show
   */
  public static String run(Clock clock) {
    // --- README quick start begins ---
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club").currency(CurrencyUnit.EUR).build();
    Loyalty loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore()).clock(clock).build();

    MemberId ada = MemberId.of("M-1001");
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001")));
    loyalty.credit(Credit.of(ada, Points.of(120), "Flat white and croissant", IdempotencyKey.of("pos-7781")));

    Either<LoyaltyError, Receipt> spent =
        loyalty.debit(Debit.of(ada, Points.of(100), "Free coffee", IdempotencyKey.of("pos-7790")));
    String till = spent.fold(
        error -> "Refused: " + error.message(),
        receipt -> "Redeemed. Points left: " + receipt.balance().available());
    // --- README quick start ends ---
    return till;
  }

  /**
   * Prints the quick start's result.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.println(run(Clock.systemUTC()));
  }
}
