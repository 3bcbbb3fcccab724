package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.insight.Statement;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Period;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * A year of Bean Club: generated members enrol, come to the shop on their habits, buy, redeem at
 * the till (a hold, then its capture), pay with points, answer surveys and now and then return part
 * of a purchase; some lapse. The daily job runs every simulated morning. The same seed gives the
 * same year, to the entry.
 */
final class YearSimulation {

  /** What to simulate. */
  record Settings(int members, int days, long seed, LocalDate firstDay) {
    /** A year from 5 January 2026. */
    static Settings year(int members, long seed) {
      return new Settings(members, 365, seed, LocalDate.of(2026, 1, 5));
    }
  }

  private static final CurrencyUnit EUR = CurrencyUnit.EUR;
  private static final Channel TILL = Channel.store("BERLIN-MITTE");
  private static final LocalTime DAILY_RUN_AT = LocalTime.of(3, 0);

  /** The menu: SKU, category, price in cents. */
  private record Item(String sku, String category, int cents) {}

  private static final List<Item> DRINKS = List.of(new Item("ESPRESSO", "coffee", 240),
      new Item("CAPPUCCINO", "coffee", 360), new Item("FLAT-WHITE", "coffee", 390), new Item("LATTE", "coffee", 410),
      new Item("CHAI", "tea", 380), new Item("FILTER", "coffee", 290));
  private static final List<Item> FOOD = List.of(new Item("CROISSANT", "pastry", 260),
      new Item("CHEESECAKE", "cake", 420), new Item("SANDWICH", "lunch", 590), new Item("COOKIE", "pastry", 220),
      new Item("BEANS-250", "beans", 790));

  private final Settings settings;
  private final SimulatedClock clock;
  private final Loyalty loyalty;
  private final DailyRun dailyRun;
  private final Tally tally;
  private final ProgressBar progress;
  private final SplittableRandom random;
  private final List<Customer> customers;
  private long keys;
  private final Activity activity = new Activity();

  /** Counts of what happened at the till. */
  static final class Activity {
    long enrolments;
    long visits;
    long redemptions;
    long payments;
    long surveys;
    long refunds;
    long refusals;
  }

  YearSimulation(Settings settings, LedgerStore store, ProgressBar progress) {
    this.settings = settings;
    this.progress = progress;
    this.clock = new SimulatedClock(settings.firstDay().atTime(DAILY_RUN_AT).atZone(BeanClub.ZONE).toInstant());
    this.tally = new Tally(BeanClub.ZONE, BeanClub.GREEN);
    // Earning asks for the member's tier on every purchase; the tally knows it from the facade's own
    // tier events (and the daily run records every review each morning), so no history is re-read.
    this.loyalty = Loyalty.builder().program(BeanClub.program()).store(store).clock(clock).listener(tally)
        .memberTiers((member, at) -> Option.some(tally.tierOf(member))).build();
    this.dailyRun = DailyRun.builder(loyalty).tiers((member, at) -> Option.some(tally.tierOf(member))).build();
    this.random = new SplittableRandom(settings.seed());
    SplittableRandom people = random.split();
    List<Customer> generated = List.empty();
    for (int i = 1; i <= settings.members(); i++) {
      generated = generated.append(Customer.generate(i, settings.days(), people));
    }
    this.customers = generated;
  }

  Loyalty loyalty() {
    return loyalty;
  }

  /** Runs the year and reports on it. */
  ProgrammeReport run() {
    List<String> ladder = BeanClub.tiers().tiers().map(t -> t.id().value());
    List<ProgrammeReport.Week> weeks = List.empty();
    for (int day = 0; day < settings.days(); day++) {
      LocalDate date = settings.firstDay().plusDays(day);
      clock.moveTo(at(date, DAILY_RUN_AT));
      dailyRun.runDue(clock.instant());
      enrol(day, date);
      for (Visit visit : visitsOn(day, date)) {
        clock.moveTo(visit.at());
        visit(visit.customer(), visit.at());
      }
      if (date.getDayOfWeek() == DayOfWeek.SUNDAY) {
        weeks = weeks.append(new ProgrammeReport.Week(date, tally.membersPerTier(ladder), tally.outstanding()));
      }
      progress.show(day + 1, settings.days(), date + "  members " + activity.enrolments + "  visits " + activity.visits);
    }
    LocalDate end = settings.firstDay().plusDays(settings.days());
    clock.moveTo(at(end, DAILY_RUN_AT));
    dailyRun.runDue(clock.instant());
    progress.done();
    return report(ladder, weeks);
  }

  private record Visit(Customer customer, Instant at) {}

  private void enrol(int day, LocalDate date) {
    for (Customer c : customers.filter(c -> c.joinsOnDay() == day)) {
      Enrolment enrolment = Enrolment.of(c.id(), IdempotencyKey.of("enrol-" + c.id().value()));
      if (day == 0) {
        // Members from before the year joined at some time in the previous two years.
        enrolment = enrolment.enrolledAt(clock.instant().minus(Duration.ofDays(1 + random.nextInt(730))));
      }
      ok(loyalty.enrol(c.birthday().map(enrolment::withBirthday).getOrElse(enrolment)));
      activity.enrolments++;
    }
  }

  /** Who comes in on a day, and when (07:00 to 19:00, afternoons for some), in the order they come. */
  private List<Visit> visitsOn(int day, LocalDate date) {
    boolean weekend = date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY;
    java.util.List<Visit> visits = new ArrayList<>();
    for (Customer c : customers) {
      if (!c.isAround(day) || !chance(weekend ? c.habit().weekendBp : c.habit().weekdayBp)) {
        continue;
      }
      int minute = chance(c.afternoonBp()) ? 14 * 60 + random.nextInt(5 * 60) : 7 * 60 + random.nextInt(7 * 60);
      visits.add(new Visit(c, at(date, LocalTime.of(minute / 60, minute % 60, random.nextInt(60)))));
    }
    visits.sort(Comparator.comparing(Visit::at));
    return List.ofAll(visits);
  }

  private void visit(Customer c, Instant at) {
    activity.visits++;
    MemberId member = c.id();
    List<LineItem> basket = basket(c);
    Money total = basket.map(LineItem::net).reduce(Money::plus);
    Money paidWithPoints = Money.zero(EUR);
    long available = tally.available(member);
    if (available >= 200 && chance(c.redeemBp())) {
      redeemAtTheTill(member, rewardFor(available));
    } else if (available >= 600 && chance(1_500)) {
      Either<LoyaltyError, io.github.loyaltyledger.redemption.Redemption> paid = loyalty.payWithPoints(
          new PointsPayment(member, BeanClub.PAY, total, Points.of(available), TILL, key()));
      if (paid.isRight()) {
        paidWithPoints = paid.get().moneyApplied().get();
        activity.payments++;
      } else {
        activity.refusals++;
      }
    }
    IdempotencyKey transaction = key();
    ok(loyalty.earn(new Purchase(member, transaction, at, TILL, EUR, basket, paidWithPoints)));
    if (chance(c.surveyBp())) {
      activity.surveys++;
      ok(loyalty.earn(CustomEvent.of(member, key(), CustomEvent.SURVEY_COMPLETED, at, Channel.app())));
    }
    if (basket.size() > 1 && chance(60)) {
      activity.refunds++;
      ok(loyalty.refund(Refund.ofAmount(transaction, basket.last().net(), key())));
    }
  }

  /** A free item the member can afford: the bigger rewards now and then, else a coffee or less. */
  private RewardId rewardFor(long available) {
    if (available >= 2_500 && chance(1_500)) {
      return BeanClub.TOTE;
    }
    if (available >= 1_200 && chance(2_000)) {
      return BeanClub.BEANS;
    }
    if (available >= 350) {
      return chance(7_000) ? BeanClub.COFFEE : BeanClub.PASTRY;
    }
    return available >= 300 && chance(5_000) ? BeanClub.PASTRY : BeanClub.ESPRESSO;
  }

  /** The till holds the reward's points while the barista makes it, then captures them. */
  private void redeemAtTheTill(MemberId member, RewardId reward) {
    Either<LoyaltyError, Hold> hold = loyalty.authorize(
        Authorization.reward(member, reward, Duration.ofMinutes(10), TILL, key()));
    if (hold.isLeft()) {
      activity.refusals++; // sold out, or the tote bag's once-a-year limit
      return;
    }
    ok(loyalty.capture(hold.get().id(), key()));
    activity.redemptions++;
  }

  private List<LineItem> basket(Customer c) {
    List<LineItem> lines = List.of(line(DRINKS.get(random.nextInt(DRINKS.size()))));
    int cents = lines.head().unitPrice().getAmountMinorInt();
    while (cents + 150 < c.basketCents() && lines.size() < 4) {
      Item item = random.nextInt(3) == 0 ? DRINKS.get(random.nextInt(DRINKS.size())) : FOOD.get(random.nextInt(FOOD.size()));
      lines = lines.append(line(item));
      cents += item.cents();
    }
    return lines;
  }

  private static LineItem line(Item item) {
    return LineItem.of(item.sku(), 1, Money.ofMinor(EUR, item.cents())).inCategories(item.category());
  }

  private ProgrammeReport report(List<String> ladder, List<ProgrammeReport.Week> weeks) {
    Instant asOf = clock.instant();
    List<MemberId> members = customers.filter(c -> c.joinsOnDay() < settings.days()).map(Customer::id);
    long intact = members.count(m -> loyalty.verify(m).get().isIntact());
    return new ProgrammeReport(settings, asOf, activity.enrolments, activity.visits, activity.redemptions,
        activity.payments, activity.surveys, activity.refunds, activity.refusals, weeks, tally.flows(),
        tally.membersPerTier(ladder), loyalty.liability(asOf, BeanClub.ZONE, BeanClub.RATE).get(),
        loyalty.breakage(asOf, BeanClub.ZONE), loyalty.rfm(asOf, BeanClub.ZONE).segmentSizes(),
        members.size(), intact, statements(asOf));
  }

  /**
   * Three members' statements: the biggest saver's last month, the time since a lapsed member
   * stopped coming (the earliest lapsed Green member, whose points expire), and the newest member's
   * time since they joined.
   */
  private List<Statement> statements(Instant asOf) {
    Instant lastMonth = asOf.atZone(BeanClub.ZONE).minus(Period.ofMonths(1)).toInstant();
    Option<Statement> saver = customers.filter(c -> c.lapsesOnDay().isEmpty() && c.joinsOnDay() == 0)
        .maxBy(c -> tally.available(c.id()))
        .map(c -> statement(c, lastMonth, asOf));
    Option<Statement> lapsed = customers.filter(c -> c.lapsesOnDay().isDefined())
        .sortBy(c -> (tally.tierOf(c.id()).equals(BeanClub.GREEN) ? 0 : 1_000) + c.lapsesOnDay().get()).headOption()
        .map(c -> statement(c, dayStart(c.lapsesOnDay().get()), asOf));
    Option<Statement> newest = customers.filter(c -> c.joinsOnDay() > 0 && c.joinsOnDay() < settings.days())
        .maxBy(Customer::joinsOnDay)
        .map(c -> statement(c, dayStart(c.joinsOnDay()), asOf));
    return saver.toList().appendAll(lapsed).appendAll(newest);
  }

  private Statement statement(Customer c, Instant from, Instant to) {
    return loyalty.statement(c.id(), from, to, Duration.ofDays(60)).get();
  }

  private Instant dayStart(int day) {
    return at(settings.firstDay().plusDays(day), LocalTime.MIDNIGHT);
  }

  private Instant at(LocalDate date, LocalTime time) {
    return date.atTime(time).atZone(BeanClub.ZONE).toInstant();
  }

  private boolean chance(int basisPoints) {
    return random.nextInt(10_000) < basisPoints;
  }

  private IdempotencyKey key() {
    return IdempotencyKey.of("pos-" + (++keys));
  }

  private static <T> T ok(Either<LoyaltyError, T> result) {
    return result.getOrElseThrow(error -> new IllegalStateException(error.message()));
  }
}
