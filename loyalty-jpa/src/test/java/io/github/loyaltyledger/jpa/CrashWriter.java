package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Either;
import java.util.Random;

/**
 * The child process of {@link CrashTest}: writes to the ledger from several threads until it is
 * killed, printing {@code ACK <key>} for every request the store acknowledged (and only after it
 * did). Arguments: JDBC URL, user, password, and optionally the number of threads (4).
 */
final class CrashWriter {

  static final int MEMBERS = 20;
  static final String ACK = "ACK ";

  private CrashWriter() {}

  static MemberId member(int i) {
    return MemberId.of("crash-" + i);
  }

  public static void main(String[] args) throws InterruptedException {
    JpaLedgerStore store = JpaLedgerStore.fromJdbcUrl(args[0], args[1], args.length > 2 ? args[2] : "");
    Loyalty loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
    for (int i = 0; i < MEMBERS; i++) {
      acknowledge(loyalty.enrol(Enrolment.of(member(i), IdempotencyKey.of("enrol-" + i))));
    }
    Thread[] writers = new Thread[args.length > 3 ? Integer.parseInt(args[3]) : 4];
    for (int t = 0; t < writers.length; t++) {
      int thread = t;
      writers[t] = new Thread(() -> write(loyalty, thread));
      writers[t].start();
    }
    for (Thread writer : writers) {
      writer.join();
    }
  }

  private static void write(Loyalty loyalty, int thread) {
    Random random = new Random(thread);
    for (long i = 0; ; i++) {
      MemberId m = member(random.nextInt(MEMBERS));
      IdempotencyKey key = IdempotencyKey.of("w" + thread + "-" + i);
      Points points = Points.of(1 + random.nextInt(40));
      int dice = random.nextInt(4);
      if (dice == 0) {
        MemberId other = member(random.nextInt(MEMBERS));
        if (!other.equals(m)) {
          acknowledge(loyalty.transfer(Transfer.of(m, other, points, "gift", key)));
        }
      } else if (dice == 1) {
        acknowledge(loyalty.debit(Debit.of(m, points, "spend", key)));
      } else {
        acknowledge(loyalty.credit(Credit.of(m, points, "earn", key)));
      }
    }
  }

  private static void acknowledge(Either<LoyaltyError, Receipt> result) {
    if (result.isRight()) {
      System.out.println(ACK + result.get().key().value());
      System.out.flush();
    } else if (!(result.getLeft() instanceof LoyaltyError.InsufficientPoints)) {
      System.out.println("REFUSED " + result.getLeft().message());
      System.out.flush();
    }
  }
}
