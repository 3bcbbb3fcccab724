package io.github.loyaltyledger.benchmarks;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.BasketThreshold;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.EveryNthVisit;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Multiplier;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Earning on a purchase through the facade, for a program of five rules (base rate, a SKU
 * multiplier, a basket threshold with a budget, a first-purchase bonus, an every-5th-visit bonus)
 * on the in-memory store with the hash chain on, and quoting the same purchase (the pipeline
 * without the posting). Compare with {@code LedgerBenchmark.floor} in the same run.
 *
 * <p>Purchases rotate over {@value #MEMBERS} members, as at a till, so that one member's live lots
 * do not grow without bound over the run (a posting copies the member's live lots): at a million
 * earns per run each member makes about sixty purchases, a year of a regular customer's visits. The members are enrolled once per run, so that iterations measure earning and not the
 * enrolment of a fresh population. Every earn is a real posting: a new idempotency key, five
 * rules, the budget and visit counters, two entries hashed into the member's chain and committed.
 *
 * <p>Each operation makes its own purchase, as a till would: a new key ({@code "pos-" + n}, as the
 * floor makes a new key per operation) and the validating constructor; the till's channel and its
 * basket (the two lines, nothing paid with points) are made once. A quote returns its breakdown
 * without reading it: the built-in rules' explanation texts are written when read (ADR 0011), so
 * the quote figure does not include printing them; an earn writes them into its entries.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Fork(1)
@Measurement(iterations = 3, time = 3)
public class EarningBenchmark {

  static final int MEMBERS = 16_384;
  static final int QUOTE_MEMBERS = 1024;
  static final Instant AT = Instant.parse("2026-01-01T10:00:00Z");

  /** A facade with a five-rule program and {@value #MEMBERS} members on a fresh store per run. */
  @State(Scope.Thread)
  public static class Till {
    Loyalty loyalty;
    MemberId[] members;
    LineItem beans = LineItem.of("BEANS", 2, Money.parse("EUR 8.50")).inCategories("coffee");
    LineItem mug = LineItem.of("MUG", 1, Money.parse("EUR 12.00")).discounted(Money.parse("EUR 2.00"));
    // A till's channel is fixed, and so is this till's basket (its lines, nothing paid with points):
    // they are made once, not per operation. Each operation still makes its own purchase, as a till
    // would: a new key (as the floor makes a new key per operation) and the validating constructor.
    Channel till = Channel.store("S-1");
    List<LineItem> basket = List.of(beans, mug);
    Money nothing = Money.zero(CurrencyUnit.EUR);
    long next;

    /** Builds the program and enrols the members. */
    @Setup(Level.Trial)
    public void setUp() {
      LoyaltyProgram program = LoyaltyProgram.builder("bench").earnRules(RuleBook.of(
          BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100)),
          Multiplier.onSkus("beans-double", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus()),
          BasketThreshold.of("twenty-five", Money.parse("EUR 25.00"), 50).with(RuleTerms.DEFAULT.asBonus().budget(Long.MAX_VALUE / 2)),
          FirstPurchaseBonus.of("welcome", 100),
          EveryNthVisit.of("fifth", 5, 25))).build();
      loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore())
          .clock(Clock.fixed(AT.plusSeconds(60), ZoneOffset.UTC)).build();
      members = new MemberId[population()];
      for (int i = 0; i < members.length; i++) {
        members[i] = MemberId.of("member-" + i);
        loyalty.enrol(Enrolment.of(members[i], IdempotencyKey.of("enrol-" + i)));
      }
    }

    /** @return how many members purchases rotate over */
    int population() {
      return MEMBERS;
    }

    Purchase nextPurchase() {
      long n = next++;
      return new Purchase(members[(int) (n % members.length)], IdempotencyKey.of("pos-" + n), AT, till, CurrencyUnit.EUR,
          basket, nothing);
    }
  }

  /**
   * The till for quotes: a quote writes nothing, so no member's state grows and
   * {@value #QUOTE_MEMBERS} members suffice; enrolling fewer keeps the run's set-up from competing
   * with the quotes' warm-up.
   */
  @State(Scope.Thread)
  public static class QuoteTill extends Till {
    @Override
    int population() {
      return QUOTE_MEMBERS;
    }
  }

  /**
   * One earn's two entries (EARN and BONUS, with their per-rule details), as {@link #earn} posts
   * them for a regular visit, for {@link #entryHashes}.
   */
  @State(Scope.Thread)
  public static class Posted {
    Entry earned;
    Entry bonus;

    /** Posts two purchases of one member and keeps the entries of the second. */
    @Setup(Level.Trial)
    public void post() {
      Till till = new Till() {
        @Override
        int population() {
          return 1;
        }
      };
      till.setUp();
      // The member's first purchase also gets the welcome bonus; keep the second, a regular visit.
      till.loyalty.earn(till.nextPurchase()).get();
      List<Entry> entries = till.loyalty.earn(till.nextPurchase()).get().entries();
      if (entries.size() != 2) {
        throw new IllegalStateException("expected an EARN and a BONUS entry, got " + entries);
      }
      earned = entries.get(0);
      bonus = entries.get(1);
    }
  }

  /**
   * Computes again the two entry hashes that an earn computes when it seals its entries (the
   * canonical encoding of each entry with its details, and its SHA-256), and nothing else: not the
   * request's fingerprint, the rules, the lots or the commit. Compared with the floor, it shows how
   * much of earn's target (0.5 × the floor) the hashing of the entries alone takes (ADR 0011).
   *
   * @param s the two entries of one earn
   * @return whether both hashes match, so the work is not eliminated
   */
  @Benchmark
  public boolean entryHashes(Posted s) {
    return s.earned.hasValidHash() & s.bonus.hasValidHash();
  }

  /**
   * Earns on a two-line purchase: five rules, stacking, the budget counter, two entries (EARN and
   * BONUS) hashed and committed with the idempotency record.
   *
   * @param s the till
   * @return the receipt
   */
  @Benchmark
  public Either<LoyaltyError, Receipt> earn(Till s) {
    return s.loyalty.earn(s.nextPurchase());
  }

  /**
   * Quotes the same kind of purchase: the pipeline without hashing or committing.
   *
   * @param s the till
   * @return the breakdown
   */
  @Benchmark
  public Either<LoyaltyError, EarnQuote> quote(QuoteTill s) {
    return s.loyalty.quote(s.nextPurchase());
  }
}
