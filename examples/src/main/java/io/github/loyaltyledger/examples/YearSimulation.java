package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.insight.Breakage;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RfmSegment;
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
import io.github.loyaltyledger.store.Partition;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * A year of Bean Club: generated members enrol, come to the shop on their habits, buy, redeem at
 * the till (a hold, then its capture), pay with points, answer surveys and now and then return part
 * of a purchase; some lapse. The daily job runs every simulated morning. The same seed gives the
 * same year, to the entry.
 */
final class YearSimulation {

  /**
   * What to simulate.
   *
   * @param lanes how many threads share the members (by member number); the year is the same for
   *     any number of lanes
   */
  record Settings(int members, int days, long seed, LocalDate firstDay, int lanes) {
    Settings {
      if (lanes < 1) {
        throw new IllegalArgumentException("at least one lane, was " + lanes);
      }
    }

    /** A year from 5 January 2026, on {@link #LANES} lanes. */
    static Settings year(int members, long seed) {
      return new Settings(members, 365, seed, LocalDate.of(2026, 1, 5), LANES);
    }

    Settings onLanes(int count) {
      return new Settings(members, days, seed, firstDay, count);
    }
  }

  /** Two lanes: the shop's two tills, and the two cores the README's command is meant to finish on. */
  static final int LANES = 2;

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
  /** Each member's own random stream, by member number - 1: a member's year does not depend on whose turn it was. */
  private final SplittableRandom[] habits;
  /** Each member's requests so far, by member number - 1, for the member's idempotency keys. */
  private final long[] requests;
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

    void add(Activity other) {
      enrolments += other.enrolments;
      visits += other.visits;
      redemptions += other.redemptions;
      payments += other.payments;
      surveys += other.surveys;
      refunds += other.refunds;
      refusals += other.refusals;
    }
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
    SplittableRandom streams = random.split();
    this.habits = new SplittableRandom[settings.members()];
    for (int i = 0; i < habits.length; i++) {
      habits[i] = streams.split();
    }
    this.requests = new long[settings.members()];
  }

  Loyalty loyalty() {
    return loyalty;
  }

  /**
   * Runs the year and reports on it. Each day the daily job runs first (its partitions on the
   * lanes), then the new members enrol, then the lanes serve the day's visits: each lane its own
   * members, in the order they come. Only the limited stock of beans and tote bags is shared between
   * members; a lane takes it in the day's order ({@link Turns}), so the year is the same for any
   * number of lanes.
   */
  ProgrammeReport run() {
    List<String> ladder = BeanClub.tiers().tiers().map(t -> t.id().value());
    List<ProgrammeReport.Week> weeks = List.empty();
    ExecutorService tills = Executors.newFixedThreadPool(settings.lanes());
    try {
      for (int day = 0; day < settings.days(); day++) {
        LocalDate date = settings.firstDay().plusDays(day);
        runDailyJob(tills, at(date, DAILY_RUN_AT));
        enrol(tills, day);
        serve(tills, visitsOn(day, date));
        if (date.getDayOfWeek() == DayOfWeek.SUNDAY) {
          weeks = weeks.append(new ProgrammeReport.Week(date, tally.membersPerTier(ladder), tally.outstanding()));
        }
        progress.show(day + 1, settings.days(), date + "  members " + activity.enrolments + "  visits " + activity.visits);
      }
      LocalDate end = settings.firstDay().plusDays(settings.days());
      runDailyJob(tills, at(end, DAILY_RUN_AT));
      progress.done();
      return report(tills, ladder, weeks);
    } finally {
      tills.shutdownNow();
    }
  }

  /** The daily job, one partition per lane: members are independent of one another in it. */
  private void runDailyJob(ExecutorService tills, Instant asOf) {
    clock.moveTo(asOf);
    int lanes = settings.lanes();
    onLanes(tills, lane -> {
      clock.reset(asOf);
      dailyRun.runDue(asOf, lanes == 1 ? Partition.all() : Partition.of(lane, lanes));
    });
  }

  /** Serves the day's visits, each lane its own members' in the order they come. */
  private void serve(ExecutorService tills, java.util.List<Visit> visits) {
    int lanes = settings.lanes();
    Turns turns = new Turns(lanes);
    java.util.List<java.util.List<Visit>> byLane = new ArrayList<>();
    for (int lane = 0; lane < lanes; lane++) {
      byLane.add(new ArrayList<>());
    }
    for (Visit visit : visits) {
      byLane.get(visit.lane()).add(visit);
    }
    for (int lane = 0; lane < lanes; lane++) {
      turns.moved(lane, byLane.get(lane).isEmpty() ? Long.MAX_VALUE : byLane.get(lane).get(0).order());
    }
    Activity[] done = new Activity[lanes];
    Instant opening = clock.instant();
    onLanes(tills, lane -> {
      clock.reset(opening);
      Activity counts = new Activity();
      java.util.List<Visit> mine = byLane.get(lane);
      try {
        for (int i = 0; i < mine.size(); i++) {
          Visit visit = mine.get(i);
          clock.moveTo(visit.at());
          visit(visit, counts, turns);
          turns.moved(lane, i + 1 < mine.size() ? mine.get(i + 1).order() : Long.MAX_VALUE);
        }
      } finally {
        // A lane that fails is done too, so that the other never waits for it (the failure ends the run).
        turns.moved(lane, Long.MAX_VALUE);
      }
      done[lane] = counts;
    });
    for (Activity counts : done) {
      activity.add(counts);
    }
  }

  /** The task's result once it is done; its failure ends the run. */
  private static <T> T done(Future<T> task) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the tills", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
    }
  }

  /** Runs one task per lane, on the calling thread when there is one lane, and waits for all. */
  private void onLanes(ExecutorService tills, java.util.function.IntConsumer task) {
    if (settings.lanes() == 1) {
      task.accept(0);
      return;
    }
    java.util.List<Future<?>> running = new ArrayList<>();
    for (int lane = 0; lane < settings.lanes(); lane++) {
      int l = lane;
      running.add(tills.submit(() -> task.accept(l)));
    }
    for (Future<?> lane : running) {
      done(lane);
    }
  }

  /**
   * A visit: who, when, on which lane, and its place in the day's order (by time, then member).
   */
  private record Visit(Customer customer, Instant at, int lane, long order) {}

  /**
   * Where each lane is in the day's order of visits, so that a lane takes shared stock only when
   * every other lane has served all visits before its own: the visit with the lower place in the
   * day's order always takes it first, however the threads run. Two lanes never wait for each other,
   * as only the one with the lower place can be waited for.
   */
  static final class Turns {
    private final long[] next;

    Turns(int lanes) {
      next = new long[lanes];
    }

    /** The lane's next visit has this place in the order ({@link Long#MAX_VALUE}: it is done). */
    synchronized void moved(int lane, long place) {
      next[lane] = place;
      notifyAll();
    }

    /** Waits until every other lane has served all visits before {@code place}. */
    synchronized void await(int lane, long place) {
      for (int other = 0; other < next.length; other++) {
        while (other != lane && next[other] < place) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the other tills", e);
          }
        }
      }
    }
  }

  /** The day's new members enrol, each on their lane (the enrolment dates are drawn first, in member order). */
  private void enrol(ExecutorService tills, int day) {
    java.util.List<Enrolment> enrolments = new ArrayList<>();
    for (Customer c : customers.filter(c -> c.joinsOnDay() == day)) {
      Enrolment enrolment = Enrolment.of(c.id(), IdempotencyKey.of("enrol-" + c.id().value()));
      if (day == 0) {
        // Members from before the year joined at some time in the previous two years.
        enrolment = enrolment.enrolledAt(clock.instant().minus(Duration.ofDays(1 + random.nextInt(730))));
      }
      enrolments.add(c.birthday().map(enrolment::withBirthday).getOrElse(enrolment));
    }
    Instant opening = clock.instant();
    onLanes(tills, lane -> {
      clock.reset(opening);
      for (Enrolment enrolment : enrolments) {
        if (laneOf(enrolment.member()) == lane) {
          ok(loyalty.enrol(enrolment));
        }
      }
    });
    activity.enrolments += enrolments.size();
  }

  /** Who comes in on a day, and when (07:00 to 19:00, afternoons for some), in the order they come. */
  private java.util.List<Visit> visitsOn(int day, LocalDate date) {
    boolean weekend = date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY;
    java.util.List<Visit> visits = new ArrayList<>();
    for (Customer c : customers) {
      SplittableRandom r = habitsOf(c);
      if (!c.isAround(day) || !chance(r, weekend ? c.habit().weekendBp : c.habit().weekdayBp)) {
        continue;
      }
      int minute = chance(r, c.afternoonBp()) ? 14 * 60 + r.nextInt(5 * 60) : 7 * 60 + r.nextInt(7 * 60);
      visits.add(new Visit(c, at(date, LocalTime.of(minute / 60, minute % 60, r.nextInt(60))),
          laneOf(c.id()), 0));
    }
    visits.sort(Comparator.comparing(Visit::at).thenComparing(v -> v.customer().id().value()));
    java.util.List<Visit> ordered = new ArrayList<>();
    for (Visit v : visits) {
      ordered.add(new Visit(v.customer(), v.at(), v.lane(), ordered.size()));
    }
    return ordered;
  }

  private void visit(Visit v, Activity counts, Turns turns) {
    Customer c = v.customer();
    SplittableRandom r = habitsOf(c);
    counts.visits++;
    MemberId member = c.id();
    List<LineItem> basket = basket(c, r);
    Money total = basket.map(LineItem::net).reduce(Money::plus);
    Money paidWithPoints = Money.zero(EUR);
    long available = tally.available(member);
    if (available >= 200 && chance(r, c.redeemBp())) {
      RewardId reward = rewardFor(available, r);
      if (reward.equals(BeanClub.BEANS) || reward.equals(BeanClub.TOTE)) {
        turns.await(v.lane(), v.order()); // their stock is shared: taken in the day's order
      }
      redeemAtTheTill(c, reward, counts);
    } else if (available >= 600 && chance(r, 1_500)) {
      Either<LoyaltyError, io.github.loyaltyledger.redemption.Redemption> paid = loyalty.payWithPoints(
          new PointsPayment(member, BeanClub.PAY, total, Points.of(available), TILL, key(c)));
      if (paid.isRight()) {
        paidWithPoints = paid.get().moneyApplied().get();
        counts.payments++;
      } else {
        counts.refusals++;
      }
    }
    IdempotencyKey transaction = key(c);
    ok(loyalty.earn(new Purchase(member, transaction, v.at(), TILL, EUR, basket, paidWithPoints)));
    if (chance(r, c.surveyBp())) {
      counts.surveys++;
      ok(loyalty.earn(CustomEvent.of(member, key(c), CustomEvent.SURVEY_COMPLETED, v.at(), Channel.app())));
    }
    if (basket.size() > 1 && chance(r, 60)) {
      counts.refunds++;
      ok(loyalty.refund(Refund.ofAmount(transaction, key(c), basket.last().net())));
    }
  }

  /** A free item the member can afford: the bigger rewards now and then, else a coffee or less. */
  private static RewardId rewardFor(long available, SplittableRandom r) {
    if (available >= 2_500 && chance(r, 1_500)) {
      return BeanClub.TOTE;
    }
    if (available >= 1_200 && chance(r, 2_000)) {
      return BeanClub.BEANS;
    }
    if (available >= 350) {
      return chance(r, 7_000) ? BeanClub.COFFEE : BeanClub.PASTRY;
    }
    return available >= 300 && chance(r, 5_000) ? BeanClub.PASTRY : BeanClub.ESPRESSO;
  }

  /** The till holds the reward's points while the barista makes it, then captures them. */
  private void redeemAtTheTill(Customer c, RewardId reward, Activity counts) {
    Either<LoyaltyError, Hold> hold = loyalty.authorize(
        Authorization.reward(c.id(), reward, Duration.ofMinutes(10), TILL, key(c)));
    if (hold.isLeft()) {
      counts.refusals++; // sold out, or the tote bag's once-a-year limit
      return;
    }
    ok(loyalty.capture(hold.get().id(), key(c)));
    counts.redemptions++;
  }

  private static List<LineItem> basket(Customer c, SplittableRandom r) {
    List<LineItem> lines = List.of(line(DRINKS.get(r.nextInt(DRINKS.size()))));
    int cents = lines.head().unitPrice().getAmountMinorInt();
    while (cents + 150 < c.basketCents() && lines.size() < 4) {
      Item item = r.nextInt(3) == 0 ? DRINKS.get(r.nextInt(DRINKS.size())) : FOOD.get(r.nextInt(FOOD.size()));
      lines = lines.append(line(item));
      cents += item.cents();
    }
    return lines;
  }

  private static LineItem line(Item item) {
    return LineItem.of(item.sku(), 1, Money.ofMinor(EUR, item.cents())).inCategories(item.category());
  }

  /**
   * The year's report. Its parts each read the whole ledger and do not depend on one another, so
   * they run side by side: breakage and the RFM segments on the lanes' threads, the hash chains,
   * the liability and the statements on this one.
   */
  private ProgrammeReport report(ExecutorService tills, List<String> ladder, List<ProgrammeReport.Week> weeks) {
    Instant asOf = clock.instant();
    List<MemberId> members = customers.filter(c -> c.joinsOnDay() < settings.days()).map(Customer::id);
    Future<Breakage> breakage = tills.submit(() -> loyalty.breakage(asOf, BeanClub.ZONE));
    Future<SortedMap<RfmSegment, Long>> segments =
        tills.submit(() -> loyalty.rfm(asOf, BeanClub.ZONE).segmentSizes());
    long intact = members.count(m -> loyalty.verify(m).get().isIntact());
    Liability liability = ok(loyalty.liability(asOf, BeanClub.ZONE, BeanClub.RATE));
    List<Statement> statements = statements(asOf);
    return new ProgrammeReport(settings, asOf, activity.enrolments, activity.visits, activity.redemptions,
        activity.payments, activity.surveys, activity.refunds, activity.refusals, weeks, tally.flows(),
        tally.membersPerTier(ladder), liability, done(breakage), done(segments), members.size(), intact, statements);
  }

  /**
   * Three members' statements: the biggest saver's last month, the time since a lapsed member
   * stopped coming (the earliest lapsed Green member, whose points expire), and the time since the
   * newest member with points joined (the very newest may not have been in yet).
   */
  private List<Statement> statements(Instant asOf) {
    Instant lastMonth = asOf.atZone(BeanClub.ZONE).minus(Period.ofMonths(1)).toInstant();
    Option<Statement> saver = customers.filter(c -> c.lapsesOnDay().isEmpty() && c.joinsOnDay() == 0)
        .maxBy(c -> tally.available(c.id()))
        .map(c -> statement(c, lastMonth, asOf));
    Option<Statement> lapsed = customers.filter(c -> c.lapsesOnDay().isDefined())
        .sortBy(c -> (tally.tierOf(c.id()).equals(BeanClub.GREEN) ? 0 : 1_000) + c.lapsesOnDay().get()).headOption()
        .map(c -> statement(c, dayStart(c.lapsesOnDay().get()), asOf));
    Option<Statement> newest = customers
        .filter(c -> c.joinsOnDay() > 0 && c.joinsOnDay() < settings.days() && tally.available(c.id()) > 0)
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

  private static boolean chance(SplittableRandom r, int basisPoints) {
    return r.nextInt(10_000) < basisPoints;
  }

  private static int number(Customer c) {
    return number(c.id());
  }

  private static int number(MemberId member) {
    return Integer.parseInt(member.value().substring(3));
  }

  private int laneOf(MemberId member) {
    return (number(member) - 1) % settings.lanes();
  }

  private SplittableRandom habitsOf(Customer c) {
    return habits[number(c) - 1];
  }

  /** The member's next request key: per member, so that no lane waits for another to number its requests. */
  private IdempotencyKey key(Customer c) {
    int i = number(c) - 1;
    return IdempotencyKey.of("pos-" + c.id().value() + "-" + (++requests[i]));
  }

  private static <T> T ok(Either<LoyaltyError, T> result) {
    return result.getOrElseThrow(error -> new IllegalStateException(error.message()));
  }
}
