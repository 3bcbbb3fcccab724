package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.Set;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * Why a member cannot redeem a reward right now. A reward may be unavailable for several reasons
 * at once; {@link RewardAvailability} and {@code LoyaltyError.RewardUnavailable} list them all.
 */
public sealed interface UnavailableReason {

  /**
   * Says what stands in the way, in plain words.
   *
   * @return a sentence, never null
   */
  String describe();

  /**
   * The member has fewer available points than the reward costs them. Points held at the till by
   * open holds are not available: {@code held} says how many there are, since voiding holds would
   * free them ({@code Loyalty.openHolds} lists them).
   *
   * @param cost what the reward costs this member
   * @param available the member's available points
   * @param missing how many points are missing, at most {@link Long#MAX_VALUE} (a member deep in
   *     deficit may miss more)
   * @param held the member's points held by open holds, not negative (zero when none are)
   */
  record NotEnoughPoints(Points cost, Points available, Points missing, Points held) implements UnavailableReason {
    /**
     * Validates the fields.
     *
     * @param cost what the reward costs this member
     * @param available the member's available points
     * @param missing how many points are missing, at most {@link Long#MAX_VALUE} (a member deep in
     *     deficit may miss more)
     * @param held the member's points held by open holds, not negative (zero when none are)
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code held} is negative
     */
    public NotEnoughPoints {
      Objects.requireNonNull(cost, "cost");
      Objects.requireNonNull(available, "available");
      Objects.requireNonNull(missing, "missing");
      Objects.requireNonNull(held, "held");
      if (held.isNegative()) {
        throw new IllegalArgumentException("held must not be negative, was " + held);
      }
    }

    /**
     * The reason for a member who has no points held by open holds.
     *
     * @param cost what the reward costs this member
     * @param available the member's available points
     * @param missing how many points are missing, at most {@link Long#MAX_VALUE}
     * @throws NullPointerException if an argument is null
     */
    public NotEnoughPoints(Points cost, Points available, Points missing) {
      this(cost, available, missing, Points.ZERO);
    }

    @Override
    public String describe() {
      // One point in the singular, as the rules' and statements' texts write it.
      return "costs " + cost + (cost.value() == 1 ? " point; " : " points; ")
          + available + (available.value() == 1 ? " is available, " : " are available, ") + missing + " missing"
          + (held.isPositive() ? "; " + held + (held.value() == 1 ? " more is" : " more are") + " held by open holds ("
              + (held.value() >= missing.value() ? "voiding them would free enough" : "not enough even if voided")
              + ")" : "");
    }
  }

  /**
   * Every unit of the reward's stock is redeemed or held.
   *
   * @param stock the reward's stock
   */
  record OutOfStock(long stock) implements UnavailableReason {
    @Override
    public String describe() {
      return stock == 0 ? "none in stock" : stock == 1 ? "the only one in stock is taken" : "all " + stock + " in stock are taken";
    }
  }

  /**
   * The instant is outside the reward's availability window {@code [from, until)}.
   *
   * @param from when the window opens, if it has a start
   * @param until when it closes, if it has an end
   * @param at the instant asked about
   */
  record OutsideWindow(Option<Instant> from, Option<Instant> until, Instant at) implements UnavailableReason {
    /**
     * Validates that no field is null.
     *
     * @param from when the window opens, if it has a start
     * @param until when it closes, if it has an end
     * @param at the instant asked about
     * @throws NullPointerException if an argument is null
     */
    public OutsideWindow {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(at, "at");
    }

    @Override
    public String describe() {
      return "offered from " + from.map(Instant::toString).getOrElse("the start")
          + " until " + until.map(Instant::toString).getOrElse("further notice") + ", not at " + at;
    }
  }

  /**
   * The reward is for members of certain tiers only.
   *
   * @param tiers the tiers that may redeem it
   * @param memberTier the member's tier, if any
   */
  record TierRequired(Set<String> tiers, Option<String> memberTier) implements UnavailableReason {
    /**
     * Validates that no field is null.
     *
     * @param tiers the tiers that may redeem it
     * @param memberTier the member's tier, if any
     * @throws NullPointerException if an argument is null
     */
    public TierRequired {
      Objects.requireNonNull(tiers, "tiers");
      Objects.requireNonNull(memberTier, "memberTier");
    }

    @Override
    public String describe() {
      return "for tiers " + tiers.toSortedSet().mkString(", ") + " only; the member's tier is "
          + memberTier.getOrElse("none");
    }
  }

  /**
   * The member has used up their redemptions of the reward for the current period.
   *
   * @param limit the limit
   * @param used how many they have redeemed (or hold) in the period
   */
  record LimitReached(RedemptionLimit limit, long used) implements UnavailableReason {
    /**
     * Validates that no field is null.
     *
     * @param limit the limit
     * @param used how many they have redeemed (or hold) in the period
     * @throws NullPointerException if an argument is null
     */
    public LimitReached {
      Objects.requireNonNull(limit, "limit");
    }

    @Override
    public String describe() {
      // EVER is no calendar unit: "1 ever", not "1 per ever".
      String per = limit.period() == LimitPeriod.EVER ? " ever"
          : " per " + limit.period().name().toLowerCase(java.util.Locale.ROOT);
      return "limited to " + limit.count() + per + "; " + used + " used";
    }
  }

  /**
   * The reward is not offered on the channel of the request.
   *
   * @param channel the request's channel type
   * @param channels the channel types the reward is offered on
   */
  record ChannelNotOffered(Channel.Type channel, Set<Channel.Type> channels) implements UnavailableReason {
    /**
     * Validates that no field is null.
     *
     * @param channel the request's channel type
     * @param channels the channel types the reward is offered on
     * @throws NullPointerException if an argument is null
     */
    public ChannelNotOffered {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(channels, "channels");
    }

    @Override
    public String describe() {
      return "offered on " + channels.map(Enum::name).toSortedSet().mkString(", ") + ", not on " + channel;
    }
  }
}
