package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.collection.Set;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An entry of the reward catalogue: what a member gets ({@link RewardKind}), what it costs in
 * points (optionally per tier), and when, where, for whom and how often it can be redeemed.
 * Immutable; build one with {@link #builder}.
 *
 * <p>The facade redeems a reward as the program offers it: with the reward benefits of the
 * program's tier ladder folded in ({@code TierBenefits.rewardAccess} adds the tiers listing the
 * reward to {@code tiers}; {@code TierBenefits.rewardCosts} adds costs for the tiers
 * {@code costByTier} has none for). {@code Loyalty.availableRewards} shows the outcome.
 *
 * @param id the reward's stable id
 * @param name the name shown to members
 * @param kind what the member gets
 * @param cost the points it costs (for points as payment: the minimum charged), not negative
 * @param costByTier a different cost for members of these tiers (tier id to points)
 * @param from when it becomes available (inclusive), if not always
 * @param until when it stops being available (exclusive), if ever
 * @param channels the channel types it is offered on; empty means every channel
 * @param tiers the tiers that may redeem it; empty means every member, with or without a tier
 * @param stock how many can be redeemed in all (across members), if limited
 * @param limit how often one member may redeem it, if limited
 */
public record Reward(
    RewardId id,
    String name,
    RewardKind kind,
    Points cost,
    SortedMap<String, Points> costByTier,
    Option<Instant> from,
    Option<Instant> until,
    Set<Channel.Type> channels,
    Set<String> tiers,
    Option<Long> stock,
    Option<RedemptionLimit> limit) {

  /** The library's kinds by their codes, which entries record and capture reads ("voucher"). */
  private static final Map<String, Class<? extends RewardKind>> BUILT_IN_KINDS = HashMap.of(
      "voucher", RewardKind.Voucher.class, "free-item", RewardKind.FreeItem.class,
      "money-off", RewardKind.MoneyOff.class, "points-as-payment", RewardKind.PointsAsPayment.class);

  private static final Pattern KIND_CODE = Pattern.compile("[a-z0-9-]{1,40}");

  /** The first instant the ledger supports, the start of year 1 (UTC). */
  private static final Instant FIRST_SUPPORTED = Instant.parse("0001-01-01T00:00:00Z");

  /** The last instant the ledger supports, the end of year 9999 (UTC). */
  private static final Instant LAST_SUPPORTED = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /**
   * Validates the reward.
   *
   * @param id the reward's stable id
   * @param name the name shown to members
   * @param kind what the member gets
   * @param cost the points it costs (for points as payment: the minimum charged), not negative
   * @param costByTier a different cost for members of these tiers (tier id to points)
   * @param from when it becomes available (inclusive), if not always
   * @param until when it stops being available (exclusive), if ever
   * @param channels the channel types it is offered on; empty means every channel
   * @param tiers the tiers that may redeem it; empty means every member, with or without a tier
   * @param stock how many can be redeemed in all (across members), if limited
   * @param limit how often one member may redeem it, if limited
   * @throws NullPointerException if an argument is null, or the channels or tiers hold null
   * @throws IllegalArgumentException if the name is blank, over 200 characters or has an unpaired
   *     surrogate or a NUL ({@link Fingerprint#isStorable}), a cost is
   *     negative, the window is empty, opens after year 9999 or closes by the start of year 1 (the
   *     years the ledger supports: it would never open), the stock is negative, or the kind's {@link RewardKind#code()}
   *     is not 1 to 40 lower-case letters, digits and hyphens or is a built-in kind's code on
   *     another kind
   */
  public Reward {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(cost, "cost");
    Objects.requireNonNull(costByTier, "costByTier");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(channels, "channels");
    Objects.requireNonNull(tiers, "tiers");
    Objects.requireNonNull(stock, "stock");
    Objects.requireNonNull(limit, "limit");
    // A null taken here would throw later, from the message of a refusal that names the set.
    if (channels.contains(null) || tiers.contains(null)) {
      throw new NullPointerException("channels and tiers cannot hold null: " + channels + ", " + tiers);
    }
    if (name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("a reward needs a name of 1 to 200 characters, was '" + name + "'");
    }
    if (!Fingerprint.isStorable(name)) {
      throw new IllegalArgumentException("a reward's name must not have an unpaired UTF-16 surrogate or a NUL, found "
          + Fingerprint.unstorable(name).get());
    }
    if (cost.isNegative() || costByTier.values().exists(Points::isNegative)) {
      throw new IllegalArgumentException("reward costs cannot be negative: " + cost + ", " + costByTier);
    }
    if (from.isDefined() && until.isDefined() && !until.get().isAfter(from.get())) {
      throw new IllegalArgumentException("reward window is empty: " + from.get() + " to " + until.get());
    }
    // Members redeem within the years the ledger supports: a window outside them never opens.
    if (from.exists(f -> f.isAfter(LAST_SUPPORTED)) || until.exists(u -> !u.isAfter(FIRST_SUPPORTED))) {
      throw new IllegalArgumentException("reward window " + from.map(Instant::toString).getOrElse("…") + " to "
          + until.map(Instant::toString).getOrElse("…") + " lies outside years 1 to 9999, the years the ledger supports,"
          + " so the reward would never be available; check its instants (an epoch in milliseconds read as seconds?)");
    }
    if (stock.exists(s -> s < 0)) {
      throw new IllegalArgumentException("stock cannot be negative, was " + stock.get());
    }
    requireOwnCode(kind);
  }

  /**
   * Refuses a kind whose code is not of the documented form, or is a built-in kind's code on
   * another kind: the entries record the code, and a hold recorded as a voucher's is captured only
   * with a voucher's code, so a kind of one's own claiming "voucher" could never be captured.
   */
  private static void requireOwnCode(RewardKind kind) {
    String code = kind.code();
    if (code == null || !KIND_CODE.matcher(code).matches()) {
      throw new IllegalArgumentException("a reward kind's code must be 1 to 40 lower-case letters, digits and hyphens, was "
          + (code == null ? "null" : "'" + code + "'"));
    }
    Option<Class<? extends RewardKind>> owner = BUILT_IN_KINDS.get(code);
    if (owner.exists(type -> !type.isInstance(kind))) {
      throw new IllegalArgumentException("the code '" + code + "' is the library's " + owner.get().getSimpleName()
          + " kind's; give a kind of your own a code of its own");
    }
  }

  /**
   * Starts building a reward available always, everywhere, to everyone, without stock or limit.
   *
   * @param id the id, not null
   * @param name the name, not blank
   * @param kind what the member gets, not null
   * @param cost the points it costs, not negative ({@link Builder#build()} refuses a negative cost)
   * @return a builder
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(RewardId id, String name, RewardKind kind, Points cost) {
    return new Builder(id, name, kind, cost);
  }

  /**
   * Returns what the reward costs a member of a tier.
   *
   * @param tier the member's tier, if any; not null
   * @return the tier's cost, or the base cost
   */
  public Points costFor(Option<String> tier) {
    Objects.requireNonNull(tier, "tier");
    return tier.flatMap(costByTier::get).getOrElse(cost);
  }

  /**
   * Returns the fewest points a member of a tier can spend on this reward: its cost for the tier;
   * for points as payment, the larger of that cost (the minimum charged) and the payment terms'
   * minimum, below which no payment goes through, and at least one point (a payment of none pays
   * nothing and is refused), rounded up to the fewest points a payment can charge (at an odd rate
   * not every number of points is one: at 3 points = 0.01, a payment of at least 50 charges 51).
   *
   * @param tier the member's tier, if any; not null
   * @return the points
   */
  public Points leastCharge(Option<String> tier) {
    Points price = costFor(tier);
    return kind instanceof RewardKind.PointsAsPayment payment
        ? payment.terms().fewestChargeOfAtLeast(price.max(payment.terms().minimumPoints()).max(Points.of(1)))
        : price;
  }

  /**
   * Lists every reason a member could not redeem this reward in the given situation.
   *
   * @param at the instant, not null
   * @param channel the request's channel type, not null
   * @param tier the member's tier then, if any; not null
   * @param available the member's available points, not null; may be negative (a member in deficit,
   *     who cannot redeem a reward that costs points but can redeem a free one)
   * @param stockTaken how many of the stock are redeemed or held, across members
   * @param usedInPeriod how many the member redeemed or holds in the current limit period
   * @return the reasons in the order of {@link UnavailableReason}'s records; empty if available
   */
  public List<UnavailableReason> reasonsUnavailable(
      Instant at, Channel.Type channel, Option<String> tier, Points available, long stockTaken, long usedInPeriod) {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(available, "available");
    Points price = leastCharge(tier);
    List<UnavailableReason> reasons = List.empty();
    // A free reward takes no points, so a member in deficit (a negative available balance under
    // ALLOW_NEGATIVE) is not short of any.
    if (price.isPositive() && available.isLessThan(price)) {
      // A member deep in deficit may miss more points than a long holds: held at the most it can.
      Points missing = available.isNegative() && price.value() > Long.MAX_VALUE + available.value()
          ? Points.of(Long.MAX_VALUE) : price.minus(available);
      reasons = reasons.append(new UnavailableReason.NotEnoughPoints(price, available, missing));
    }
    if (stock.exists(s -> stockTaken >= s)) {
      reasons = reasons.append(new UnavailableReason.OutOfStock(stock.get()));
    }
    if (from.exists(f -> at.isBefore(f)) || until.exists(u -> !at.isBefore(u))) {
      reasons = reasons.append(new UnavailableReason.OutsideWindow(from, until, at));
    }
    if (!tiers.isEmpty() && !tier.exists(tiers::contains)) {
      reasons = reasons.append(new UnavailableReason.TierRequired(tiers, tier));
    }
    if (limit.exists(l -> usedInPeriod >= l.count())) {
      reasons = reasons.append(new UnavailableReason.LimitReached(limit.get(), usedInPeriod));
    }
    if (!channels.isEmpty() && !channels.contains(channel)) {
      reasons = reasons.append(new UnavailableReason.ChannelNotOffered(channel, channels));
    }
    return reasons;
  }

  /** Builds a {@link Reward}. Not thread-safe. */
  public static final class Builder {
    private final RewardId id;
    private final String name;
    private final RewardKind kind;
    private final Points cost;
    private SortedMap<String, Points> costByTier = TreeMap.empty();
    private Option<Instant> from = Option.none();
    private Option<Instant> until = Option.none();
    private Set<Channel.Type> channels = HashSet.empty();
    private Set<String> tiers = HashSet.empty();
    private Option<Long> stock = Option.none();
    private Option<RedemptionLimit> limit = Option.none();

    private Builder(RewardId id, String name, RewardKind kind, Points cost) {
      this.id = Objects.requireNonNull(id, "id");
      this.name = Objects.requireNonNull(name, "name");
      this.kind = Objects.requireNonNull(kind, "kind");
      this.cost = Objects.requireNonNull(cost, "cost");
    }

    /**
     * @param tier a tier id, not null; one of the tiers the reward is offered to if {@link #forTiers}
     *     limits them ({@link #build()} refuses a price that could never be charged)
     * @param tierCost what the reward costs members of that tier, not negative ({@link #build()}
     *     refuses a negative cost)
     * @return this builder
     * @throws IllegalArgumentException if the reward already has a cost for the tier (the builder
     *     keeps the one it had)
     */
    public Builder costForTier(String tier, Points tierCost) {
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(tierCost, "tierCost");
      costByTier.get(tier).forEach(given -> {
        throw new IllegalArgumentException("reward '" + id + "' already costs " + given + " points for tier '" + tier
            + "'; give each tier one cost (" + tierCost + " was given)");
      });
      this.costByTier = costByTier.put(tier, tierCost);
      return this;
    }

    /**
     * @param fromInclusive when the reward becomes available, not null; not after year 9999
     * @param untilExclusive when it stops, not null; after {@code fromInclusive} ({@link #build()}
     *     refuses an empty window) and the start of year 1 (a later instant than year 9999, such as
     *     {@link Instant#MAX}, never stops it)
     * @return this builder
     */
    public Builder availableBetween(Instant fromInclusive, Instant untilExclusive) {
      this.from = Option.some(Objects.requireNonNull(fromInclusive, "fromInclusive"));
      this.until = Option.some(Objects.requireNonNull(untilExclusive, "untilExclusive"));
      return this;
    }

    /**
     * @param types the channel types the reward is offered on, not null, not empty (leave it out
     *     for every channel)
     * @return this builder
     * @throws NullPointerException if a type is null
     * @throws IllegalArgumentException if no type is given
     */
    public Builder channels(Channel.Type... types) {
      Objects.requireNonNull(types, "types");
      if (types.length == 0) {
        throw new IllegalArgumentException(
            "a reward must be offered on at least one channel; leave channels out for every channel");
      }
      List.of(types).forEach(t -> Objects.requireNonNull(t, "types holds null"));
      this.channels = HashSet.of(types);
      return this;
    }

    /**
     * @param tierIds the tiers that may redeem the reward, not null, none null, not empty (leave it
     *     out for every member)
     * @return this builder
     * @throws NullPointerException if a tier id is null
     * @throws IllegalArgumentException if no tier is given
     */
    public Builder forTiers(String... tierIds) {
      Objects.requireNonNull(tierIds, "tierIds");
      // An empty list (from configuration, say) would mean every member: a gold-only reward for anyone.
      if (tierIds.length == 0) {
        throw new IllegalArgumentException("a reward for some tiers names at least one; leave forTiers out for every member");
      }
      List.of(tierIds).forEach(t -> Objects.requireNonNull(t, "tierIds holds null"));
      this.tiers = HashSet.of(tierIds);
      return this;
    }

    /**
     * @param units how many can be redeemed in all, not negative ({@link #build()} refuses a negative
     *     stock); 0 lists the reward as out of stock until a later program version raises the stock
     *     (the units taken are counted by reward id, under every version that sets a stock; units taken
     *     while a version sets none are not counted, so a version that sets a stock again should set
     *     the units left)
     * @return this builder
     */
    public Builder stock(long units) {
      this.stock = Option.some(units);
      return this;
    }

    /**
     * @param count the most redemptions per member per period, positive
     * @param period the period, not null; counted in the member's zone ({@link LimitPeriod}). Uses
     *     are counted by reward id, member and period under every program version that sets a limit
     *     (a later version with another count but the same period counts the uses already made);
     *     uses while a version sets none are not counted, and a version that sets another period
     *     counts its own periods from nothing
     * @return this builder
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    public Builder limit(int count, LimitPeriod period) {
      this.limit = Option.some(new RedemptionLimit(count, period));
      return this;
    }

    /**
     * @return the reward
     * @throws IllegalArgumentException if the reward is invalid (see {@link Reward}), or it has a
     *     {@link #costForTier} for a tier that {@link #forTiers} leaves out: that price could never
     *     be charged
     */
    public Reward build() {
      // A price for a tier the reward is not offered to is a typo, or a tier left out of forTiers by
      // mistake. Checked here, where a catalogue is written, not in the record: a tier ladder's
      // benefits may price a reward for a tier they give no access to, and the facade combines them.
      if (!tiers.isEmpty()) {
        Option<String> unoffered = costByTier.keySet().toSortedSet().find(t -> !tiers.contains(t));
        if (unoffered.isDefined()) {
          throw new IllegalArgumentException("reward " + id + " has a price for tier '" + unoffered.get()
              + "', which it is not offered to (forTiers " + tiers.toSortedSet().mkString(", ")
              + "), so that price could never be charged: offer it to that tier too, or leave the price out");
        }
      }
      return new Reward(id, name, kind, cost, costByTier, from, until, channels, tiers, stock, limit);
    }
  }
}
