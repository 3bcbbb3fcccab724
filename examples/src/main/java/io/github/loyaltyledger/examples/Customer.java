package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.MonthDay;
import java.util.SplittableRandom;

/**
 * One generated Bean Club member and the habits the simulation gives them. Probabilities are in
 * basis points (1/10,000), so the simulation needs no floating point.
 *
 * @param id the member id
 * @param habit how often they come
 * @param joinsOnDay the simulated day on which they enrol (0 = before the year starts)
 * @param lapsesOnDay the day from which they stop coming, if they lapse
 * @param birthday their birthday, if they gave it
 * @param basketCents their usual spend on a visit, in cents
 * @param afternoonBp how often a visit falls in the afternoon (happy hour on weekdays)
 * @param redeemBp how often they redeem at a visit when they have enough points
 * @param surveyBp how often they answer the satisfaction survey after a visit
 */
record Customer(MemberId id, Habit habit, int joinsOnDay, Option<Integer> lapsesOnDay, Option<MonthDay> birthday,
    int basketCents, int afternoonBp, int redeemBp, int surveyBp) {

  /** How often a member comes, as chances of a visit on a weekday and on a weekend day. */
  enum Habit {
    /** Most working days: the office crowd. */
    DAILY(6_000, 1_500, 60),
    /** Once or twice a week. */
    REGULAR(2_000, 2_000, 240),
    /** Once or twice a month. */
    OCCASIONAL(350, 600, 700);

    final int weekdayBp;
    final int weekendBp;
    final int perMille;

    Habit(int weekdayBp, int weekendBp, int perMille) {
      this.weekdayBp = weekdayBp;
      this.weekendBp = weekendBp;
      this.perMille = perMille;
    }

    static Habit draw(SplittableRandom random) {
      int roll = random.nextInt(1_000);
      for (Habit h : values()) {
        if (roll < h.perMille) {
          return h;
        }
        roll -= h.perMille;
      }
      return OCCASIONAL;
    }
  }

  /**
   * Generates a member: 60% are members before the year starts, the others join through it; a
   * quarter lapse at some point; most give their birthday.
   */
  static Customer generate(int number, int days, SplittableRandom random) {
    Habit habit = Habit.draw(random);
    int joins = random.nextInt(100) < 60 ? 0 : 1 + random.nextInt(days - 1);
    Option<Integer> lapses = random.nextInt(100) < 25 && joins + 30 < days
        ? Option.some(joins + 30 + random.nextInt(days - joins - 30))
        : Option.none();
    Option<MonthDay> birthday = random.nextInt(100) < 80
        ? Option.some(MonthDay.of(1 + random.nextInt(12), 1 + random.nextInt(28)))
        : Option.none();
    int basket = 350 + random.nextInt(600) + (random.nextInt(10) == 0 ? 1_500 : 0);
    return new Customer(MemberId.of(String.format(java.util.Locale.ROOT, "BC-%05d", number)), habit, joins, lapses,
        birthday, basket, 1_000 + random.nextInt(4_000), 500 + random.nextInt(2_500), random.nextInt(600));
  }

  /** Whether the member comes to the shop at all on a day. */
  boolean isAround(int day) {
    return day >= joinsOnDay && lapsesOnDay.forAll(lapse -> day < lapse);
  }
}
