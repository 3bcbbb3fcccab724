package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Reassignment;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;

/**
 * The README's Support desk block, run. The rest supplies what the block leaves to the reader: a
 * facade earning 10 points per euro, a flat white bought an hour ago on a partner's card
 * ({@code bought}), the member's other account with 40 points ({@code other}, {@code available}),
 * and the new expiry of the points credited again.
 */
class ReadmeSupportDeskTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
  private final MemberId ada = MemberId.of("M-1001");
  private final MemberId partner = MemberId.of("M-2002");
  private final MemberId other = MemberId.of("M-0042");

  @Test
  void theReadmeSupportDeskCallsMoveAPurchaseGiveGoodwillCreditExpiredPointsAndMergeTwoAccounts() {
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(BaseRate.of("base", "10"))).build();
    Loyalty loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore()).clock(clock).build();
    for (MemberId member : new MemberId[] {ada, partner, other}) {
      loyalty.enrol(Enrolment.of(member, IdempotencyKey.of("enrol-" + member))).get();
    }
    Purchase bought = Purchase.of(partner, IdempotencyKey.of("pos-7781"), clock.instant().minus(Duration.ofHours(1)),
        Channel.store("S-12"), LineItem.of("FLAT-WHITE", 1, Money.parse("EUR 3.50")));
    loyalty.earn(bought).get();
    loyalty.credit(Credit.of(other, Points.of(40), "Purchase", IdempotencyKey.of("pos-0042"))).get();
    Points available = loyalty.balance(other).get().available();
    Instant newExpiry = clock.instant().plus(Duration.ofDays(90));

    // --- README support-desk begins ---
    // "The points went to my partner's card": move the purchase, as it was earned, to the right member.
    loyalty.reassign(Reassignment.of(bought, ada, IdempotencyKey.of("desk-31-move")));
    // "Goodwill, 500 points": an operator's adjustment, with a reason the statement shows.
    loyalty.adjust(Adjustment.of(ada, Points.of(500), "Goodwill: spilt flat white", "desk-31", IdempotencyKey.of("desk-31-gw")));
    // "My points expired while I was in hospital": credit them again, with a new expiry.
    loyalty.adjust(Adjustment.of(ada, Points.of(120), "Re-credit of points expired in hospital", "desk-31",
        IdempotencyKey.of("desk-31-recredit")).expiringAt(newExpiry));
    // "Please merge my two accounts": move the available points, then close the other account.
    loyalty.transfer(Transfer.of(other, ada, available, "Merge of M-0042 into M-1001", IdempotencyKey.of("desk-31-merge")));
    loyalty.close(other, "Merged into M-1001", IdempotencyKey.of("desk-31-close"));
    // --- README support-desk ends ---

    assertEquals(Points.ZERO, loyalty.balance(partner).get().total());
    assertEquals(Points.of(35 + 500 + 120 + 40), loyalty.balance(ada).get().available());
    assertEquals(MemberStatus.CLOSED, loyalty.member(other).get().status());
    // A return at the till under the POS id now finds the purchase on the right card.
    loyalty.refund(Refund.ofAmount(IdempotencyKey.of("pos-7781"), IdempotencyKey.of("till-9"), Money.parse("EUR 3.50"))).get();
    assertEquals(Points.of(500 + 120 + 40), loyalty.balance(ada).get().available());
  }
}
