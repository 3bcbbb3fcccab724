package io.github.loyaltyledger.insight;

import io.vavr.collection.List;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Breakage per cohort month: for the points issued in each month, the share that expired versus
 * the share redeemed, as the ledger stood at an instant.
 *
 * @param asOf the instant the ledger is read at (the entries up to the last one recorded at or
 *     before it, as {@code Loyalty.balanceAsOf} reads the ledger)
 * @param zone the zone that decides which month a credit belongs to
 * @param cohorts one cohort per month in which points were issued, oldest first
 */
public record Breakage(Instant asOf, ZoneId zone, List<BreakageCohort> cohorts) {

  /**
   * Validates that no field is null.
   *
   * @param asOf the instant the ledger is read at (the entries up to the last one recorded at or
   *     before it, as {@code Loyalty.balanceAsOf} reads the ledger)
   * @param zone the zone that decides which month a credit belongs to
   * @param cohorts one cohort per month in which points were issued, oldest first
   * @throws NullPointerException if an argument is null
   */
  public Breakage {
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(cohorts, "cohorts");
  }
}
