package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.HistoryPage;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.control.Either;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.joda.money.CurrencyUnit;

/**
 * "Bean Club", the loyalty programme of a (fictional) coffee shop, run for a few simulated weeks:
 * members enrol, earn at the till and online (web orders stay pending until the return window
 * closes), redeem, get a cancelled redemption back, share points, and see points expire. At the end
 * it prints each member's statement and checks every hash chain.
 *
 * <p>Runs on the embedded default store, H2 in a file ({@code examples/target/coffee-shop/}):
 * {@code mvn -B -q -pl examples -am compile exec:java}.
 */
public final class CoffeeShop {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  /*
   * Hibernate reports its start-up at INFO and warns that the built-in connection pool (which
   * JpaLedgerStore.h2File uses) is not meant for production; the example chooses it knowingly.
   * Held in a field because java.util.logging keeps loggers only weakly.
   */
  private static final Logger HIBERNATE = quiet(Logger.getLogger("org.hibernate"), Level.WARNING);
  private static final Logger POOL = quiet(Logger.getLogger("org.hibernate.orm.connections.pooling"), Level.SEVERE);

  private final PrintStream out;
  private final SimulatedClock clock;
  private final Loyalty loyalty;
  private int keys;

  CoffeeShop(PrintStream out, LedgerStore store) {
    this.out = out;
    this.clock = new SimulatedClock(Instant.parse("2026-01-05T08:00:00Z"));
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
        .currency(CurrencyUnit.EUR)
        .zone(BERLIN)
        .negativeBalancePolicy(NegativeBalancePolicy.CLAMP)
        .build();
    this.loyalty = Loyalty.builder().program(program).store(store).clock(clock)
        .listener(this::announce).build();
  }

  /**
   * Runs the simulation on a fresh H2 database in a file and prints it.
   *
   * @param args optionally the database file (without H2's {@code .mv.db} suffix); defaults to
   *     {@code target/coffee-shop/bean-club}
   * @throws IOException if the previous run's database file cannot be removed
   */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "target/coffee-shop/bean-club");
    // Each run tells the same story from the start, so it starts from an empty database.
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".mv.db"));
    try (JpaLedgerStore store = JpaLedgerStore.h2File(file)) {
      new CoffeeShop(System.out, store).run();
    }
  }

  private static Logger quiet(Logger logger, Level level) {
    logger.setLevel(level);
    return logger;
  }

  void run() {
    MemberId ada = MemberId.of("M-1001");
    MemberId ben = MemberId.of("M-1002");
    MemberId cy = MemberId.of("M-1003");
    out.println("== Bean Club opens (" + day() + ")");
    ok(loyalty.enrol(Enrolment.of(ada, key()).withBirthday(MonthDay.of(3, 14)).withZone(BERLIN)));
    ok(loyalty.enrol(Enrolment.of(ben, key())));
    ok(loyalty.enrol(Enrolment.of(cy, key())));

    // 10 points per euro, earned at the till; points expire at the end of the sixth month.
    Instant sixMonths = endOfMonth(6);
    ok(loyalty.credit(Credit.of(ada, Points.of(48), "Flat white and croissant, EUR 4.80", key())
        .via(Channel.store("KREUZBERG-1")).expiringAt(sixMonths)));
    ok(loyalty.credit(Credit.of(ben, Points.of(250), "Web order: beans 1 kg, EUR 25.00", key())
        .via(Channel.web()).expiringAt(sixMonths).vestingAt(clock.instant().plus(Duration.ofDays(14)))));

    Receipt pastry = null;
    for (int week = 1; week <= 3; week++) {
      clock.advance(Duration.ofDays(7));
      out.println("== Week " + week + " (" + day() + ")");
      ok(loyalty.credit(Credit.of(ada, Points.of(32), "Cappuccino, EUR 3.20", key())
          .via(Channel.store("KREUZBERG-1")).expiringAt(endOfMonth(6))));
      ok(loyalty.credit(Credit.of(cy, Points.of(45), "Chai latte and cookie, EUR 4.50", key())
          .via(Channel.app()).expiringAt(endOfMonth(6))));
      ok(loyalty.vest(ben, clock.instant(), IdempotencyKey.of("vest:" + ben + ":" + day())));
      if (week == 2) {
        pastry = ok(loyalty.debit(Debit.of(ada, Points.of(100), "Free pastry", key()).via(Channel.store("KREUZBERG-1"))));
        refusedAs(loyalty.debit(Debit.of(cy, Points.of(500), "Free bag of beans", key())));
      }
    }

    out.println("== The pastry order is cancelled; the points go back to their lots");
    EntryId redemption = pastry.entries().head().id();
    Reversal cancel = Reversal.of(redemption, "Pastry order cancelled", key());
    ok(loyalty.reverse(cancel));
    out.println("   (the till retries the cancellation: " + loyalty.reverse(cancel).map(r -> "same receipt, nothing written").getOrElse("?") + ")");
    refusedAs(loyalty.reverse(Reversal.of(redemption, "Cancelled twice", key())));

    out.println("== Ben shares points with Cy; an operator adds goodwill points");
    ok(loyalty.transfer(Transfer.of(ben, cy, Points.of(50), "Sharing with a friend", key()).via(Channel.app())));
    ok(loyalty.adjust(Adjustment.of(cy, Points.of(20), "Sorry for the wait", "barista:lena", key())));

    clock.advance(Duration.ofDays(200));
    out.println("== Expiry run (" + day() + ")");
    for (MemberId m : java.util.List.of(ada, ben, cy)) {
      ok(loyalty.expire(m, clock.instant(), IdempotencyKey.of("expire:" + m + ":" + day())));
    }

    for (MemberId m : java.util.List.of(ada, ben, cy)) {
      statement(m);
    }
  }

  private void statement(MemberId member) {
    Balance balance = loyalty.balance(member).get();
    out.println();
    out.println("Statement for " + member);
    HistoryPage page = loyalty.history(member, EntryQuery.newest(50)).get();
    for (Entry e : page.entries().reverse()) {
      out.printf("  #%-3d %-10s %-13s %6s  %s%n", e.sequence(), e.occurredAt().atZone(BERLIN).toLocalDate(),
          e.kind(), e.points(), e.reason());
    }
    out.printf("  available %s, pending %s, held %s; chain %s%n", balance.available(), balance.pending(),
        balance.held(), loyalty.verify(member).get().isIntact() ? "verified" : "BROKEN");
  }

  private void announce(LoyaltyEvent event) {
    out.println("   " + describe(event));
  }

  /** Java 17 has no pattern matching for switch, so the sealed family is matched with instanceof. */
  private static String describe(LoyaltyEvent event) {
    if (event instanceof LoyaltyEvent.MemberEnrolled) {
      return "welcome " + event.member();
    }
    if (event instanceof LoyaltyEvent.MemberStatusChanged) {
      return event.member() + " is now " + ((LoyaltyEvent.MemberStatusChanged) event).to();
    }
    if (event instanceof LoyaltyEvent.PointsTransferred) {
      LoyaltyEvent.PointsTransferred t = (LoyaltyEvent.PointsTransferred) event;
      return t.out().member() + " gave " + t.in().points() + " to " + t.in().member();
    }
    Entry e = ((LoyaltyEvent.EntryEvent) event).entry();
    switch (e.kind()) {
      case EARN:
      case BONUS:
        return e.member() + " earned " + e.points() + " (" + e.reason() + ")";
      case REDEEM:
        return e.member() + " redeemed " + e.points().negated() + " for " + e.reason();
      case REVERSAL:
        return e.member() + " got " + e.points() + " back: " + e.reason();
      case ADJUST:
        return e.member() + " adjusted by " + e.points() + " (" + e.operator().getOrElse("?") + ")";
      case VEST:
        return e.member() + "'s pending points are now available";
      case EXPIRE:
        return e.member() + " lost " + e.points().negated() + " expired points";
      default:
        return e.member() + " " + e.kind() + " " + e.points();
    }
  }

  private <T> T ok(Either<LoyaltyError, T> result) {
    return result.getOrElseThrow(error -> new IllegalStateException(error.message()));
  }

  private void refusedAs(Either<LoyaltyError, Receipt> result) {
    out.println("   refused: " + result.swap().map(LoyaltyError::message).getOrElse("(accepted?)"));
  }

  private IdempotencyKey key() {
    return IdempotencyKey.of("pos-" + (++keys));
  }

  private String day() {
    return clock.instant().atZone(BERLIN).toLocalDate().toString();
  }

  private Instant endOfMonth(int monthsAhead) {
    ZonedDateTime now = clock.instant().atZone(BERLIN);
    return now.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).plusMonths(monthsAhead + 1L).toInstant();
  }
}
