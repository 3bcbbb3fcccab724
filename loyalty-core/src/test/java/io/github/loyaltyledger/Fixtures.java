package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.control.Either;
import java.util.concurrent.atomic.AtomicLong;

/** Factory methods shared by the core tests and the store contract tests. */
public final class Fixtures {

  public static final String START = "2026-03-01T10:00:00Z";
  private static final AtomicLong KEYS = new AtomicLong();

  private Fixtures() {}

  public static LoyaltyProgram aProgram(NegativeBalancePolicy policy) {
    return LoyaltyProgram.builder("bean-club").negativeBalancePolicy(policy).build();
  }

  public static LoyaltyProgram aProgram() {
    return aProgram(NegativeBalancePolicy.CLAMP);
  }

  public static Loyalty aLoyalty(LedgerStore store, TestClock clock, LoyaltyProgram program) {
    return Loyalty.builder().program(program).store(store).clock(clock).build();
  }

  public static MemberId member(String id) {
    return MemberId.of(id);
  }

  public static Points points(long n) {
    return Points.of(n);
  }

  /** A fresh idempotency key, unique in the JVM. */
  public static IdempotencyKey aKey() {
    return IdempotencyKey.of("k-" + KEYS.incrementAndGet());
  }

  public static IdempotencyKey key(String value) {
    return IdempotencyKey.of(value);
  }

  public static Receipt enrolled(Loyalty loyalty, MemberId member) {
    return accepted(loyalty.enrol(Enrolment.of(member, aKey())));
  }

  public static Receipt earned(Loyalty loyalty, MemberId member, long n) {
    return accepted(loyalty.credit(Credit.of(member, Points.of(n), "Purchase", aKey())));
  }

  public static Receipt redeemed(Loyalty loyalty, MemberId member, long n) {
    return accepted(loyalty.debit(Debit.of(member, Points.of(n), "Reward", aKey())));
  }

  public static Balance balanceOf(Loyalty loyalty, MemberId member) {
    return accepted(loyalty.balance(member));
  }

  /** The right side of an Either, or an AssertionError naming the refusal. */
  public static <T> T accepted(Either<LoyaltyError, T> result) {
    if (result.isLeft()) {
      throw new AssertionError("expected success but was refused: " + result.getLeft());
    }
    return result.get();
  }

  /** The left side of an Either, or an AssertionError naming the unexpected success. */
  public static LoyaltyError refused(Either<LoyaltyError, ?> result) {
    if (result.isRight()) {
      throw new AssertionError("expected a refusal but got: " + result.get());
    }
    return result.getLeft();
  }
}
