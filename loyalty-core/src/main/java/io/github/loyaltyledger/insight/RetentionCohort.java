package io.github.loyaltyledger.insight;

import io.vavr.collection.List;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Objects;

/**
 * The members who enrolled in one month, and how many of them were active in each month since.
 *
 * @param month the enrolment month, in the report's zone
 * @param members how many members enrolled that month
 * @param active for month offset {@code k} (0 = the enrolment month), how many of them were active
 *     in month {@code month + k}, up to the report's month
 */
public record RetentionCohort(YearMonth month, long members, List<Long> active) {

  /**
   * Validates that no field is null.
   *
   * @param month the enrolment month, in the report's zone
   * @param members how many members enrolled that month
   * @param active for month offset {@code k} (0 = the enrolment month), how many of them were active
   *     in month {@code month + k}, up to the report's month
   * @throws NullPointerException if an argument is null
   */
  public RetentionCohort {
    Objects.requireNonNull(month, "month");
    Objects.requireNonNull(active, "active");
  }

  /**
   * The share of the cohort active in a month after enrolment.
   *
   * @param offset the month offset, 0 = the enrolment month
   * @return the share, 0 to 1, half-even to 4 places; zero past the report's month
   */
  public BigDecimal share(int offset) {
    long a = offset >= 0 && offset < active.size() ? active.get(offset) : 0;
    return Share.of(a, members);
  }
}
