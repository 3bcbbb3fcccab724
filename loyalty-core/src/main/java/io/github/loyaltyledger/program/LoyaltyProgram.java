package io.github.loyaltyledger.program;

import io.github.loyaltyledger.redemption.RewardCatalog;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;
import org.joda.money.CurrencyUnit;

/**
 * The immutable, versioned configuration of one loyalty program: its id, version, currency, the
 * time zone its calendar rules fall back to, and its policies.
 *
 * <p>Every ledger entry records the version of the program in force when it was written, so an
 * award can be explained after the rules change. Build one with {@link #builder(String)}; change
 * one by building a new version.
 *
 * @param id a short identifier of the program, e.g. {@code "bean-club"}
 * @param version the configuration version, starting at 1
 * @param currency the one currency purchases and money values are in
 * @param zone the zone for calendar rules when a member has none of their own
 * @param negativeBalancePolicy what a reversal does when the points were already spent
 * @param rewards the reward catalogue and the redemption settings
 */
public record LoyaltyProgram(
    String id,
    int version,
    CurrencyUnit currency,
    ZoneId zone,
    NegativeBalancePolicy negativeBalancePolicy,
    RewardCatalog rewards) {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  /**
   * Validates the configuration.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the id is not 1 to 40 lower-case letters, digits and
   *     hyphens, or the version is below 1
   */
  public LoyaltyProgram {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(negativeBalancePolicy, "negativeBalancePolicy");
    Objects.requireNonNull(rewards, "rewards");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "program id must be 1 to 40 lower-case letters, digits or hyphens, was '" + id + "'");
    }
    if (version < 1) {
      throw new IllegalArgumentException("program version starts at 1, was " + version);
    }
  }

  /**
   * Starts building a program. Defaults: version 1, currency EUR, zone UTC, negative-balance policy
   * {@link NegativeBalancePolicy#CLAMP}, reward catalogue {@link RewardCatalog#EMPTY}.
   *
   * @param id the program id, not null
   * @return a builder
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /**
   * Returns a builder initialised from this program, for building its next version.
   *
   * @return a builder with the version already incremented
   */
  public Builder toBuilder() {
    return new Builder(id)
        .version(version + 1)
        .currency(currency)
        .zone(zone)
        .negativeBalancePolicy(negativeBalancePolicy)
        .rewards(rewards);
  }

  /** Builds a {@link LoyaltyProgram}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private int version = 1;
    private CurrencyUnit currency = CurrencyUnit.EUR;
    private ZoneId zone = ZoneId.of("UTC");
    private NegativeBalancePolicy negativeBalancePolicy = NegativeBalancePolicy.CLAMP;
    private RewardCatalog rewards = RewardCatalog.EMPTY;

    private Builder(String id) {
      this.id = Objects.requireNonNull(id, "id");
    }

    /**
     * @param value the configuration version, at least 1
     * @return this builder
     */
    public Builder version(int value) {
      this.version = value;
      return this;
    }

    /**
     * @param value the program's currency, not null
     * @return this builder
     */
    public Builder currency(CurrencyUnit value) {
      this.currency = Objects.requireNonNull(value, "currency");
      return this;
    }

    /**
     * @param value the fallback zone for calendar rules, not null
     * @return this builder
     */
    public Builder zone(ZoneId value) {
      this.zone = Objects.requireNonNull(value, "zone");
      return this;
    }

    /**
     * @param value what a reversal of already-spent points does, not null
     * @return this builder
     */
    public Builder negativeBalancePolicy(NegativeBalancePolicy value) {
      this.negativeBalancePolicy = Objects.requireNonNull(value, "negativeBalancePolicy");
      return this;
    }

    /**
     * @param value the reward catalogue and redemption settings, not null
     * @return this builder
     */
    public Builder rewards(RewardCatalog value) {
      this.rewards = Objects.requireNonNull(value, "rewards");
      return this;
    }

    /**
     * @return the program
     * @throws IllegalArgumentException if the id or version is invalid
     */
    public LoyaltyProgram build() {
      return new LoyaltyProgram(id, version, currency, zone, negativeBalancePolicy, rewards);
    }
  }
}
