package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.Points;
import java.util.Objects;
import org.joda.money.Money;

/**
 * The outcome of {@link PaymentTerms#quote}: how much of the basket points pay, and how many
 * points that costs.
 *
 * @param applied the money paid with points, not null
 * @param charged the points it costs, not null
 */
public record PaymentQuote(Money applied, Points charged) {

  /**
   * Validates that no field is null.
   *
   * @param applied the money paid with points, not null
   * @param charged the points it costs, not null
   * @throws NullPointerException if an argument is null
   */
  public PaymentQuote {
    Objects.requireNonNull(applied, "applied");
    Objects.requireNonNull(charged, "charged");
  }
}
