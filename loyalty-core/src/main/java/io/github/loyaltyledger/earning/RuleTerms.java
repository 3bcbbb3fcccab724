package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.expiry.CalendarExpiry;
import io.github.loyaltyledger.expiry.ExpiryPolicy;
import io.github.loyaltyledger.expiry.ExpiryRounding;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Period;
import java.util.Objects;

/**
 * How the engine treats one rule's proposals: stacking, the kind of entry posted, the expiry and
 * vesting of the lot, whether the points are tier-qualifying, rounding, caps, budget, frequency
 * limits (per period, per value of an event's attribute, and once per counterparty), schedule and
 * targeting (channel, tier, segment).
 * The same terms apply to built-in rules
 * and plugins (a plugin overrides {@link EarnRule#terms()}). Immutable; each method returns a
 * changed copy.
 *
 * @param stacking priority, exclusivity and group
 * @param kind {@code EARN} or {@code BONUS}
 * @param expiry how long after the purchase the points expire (in the program's zone), if they do;
 *     with neither this nor {@code expiryPolicy} the program's {@code lotExpiry} applies
 * @param vesting how long after the purchase the points stay pending, if they do; not negative, and
 *     shorter than the expiry and than 9,999 years; zero is no vesting
 * @param qualifying whether the points count as tier-qualifying credit
 * @param rounding how the rule's proposal is rounded to whole points, once (default DOWN)
 * @param perTransaction the most points per transaction, if capped
 * @param perMember the most points per member per period, if capped
 * @param budget the campaign's total budget in points across all members, if any
 * @param limit the most awards per member per period, if limited (custom events); per value of
 *     {@code limitPerAttribute} if that is set
 * @param schedule when the campaign runs, if time-boxed
 * @param channels the channel types the rule is limited to; empty means all
 * @param tiers the tier ids the rule is limited to; empty means any member
 * @param segments the segments the rule is limited to; empty means any member
 * @param expiryPolicy when the points expire by a calendar policy (in the member's zone), if they
 *     do; set by {@link #expiringBy(ExpiryPolicy)}, which takes precedence over {@code expiry}
 * @param perCounterparty whether the rule grants a member at most once per counterparty of a
 *     custom event, ever (a referrer once per referred friend); set by {@link #oncePerCounterparty()}
 * @param limitPerAttribute the custom event attribute per whose value the frequency limit
 *     ({@code limit}) counts, if it counts per value (25 points once per member per product
 *     reviewed); set by {@link #perAttribute(String)}
 */
public record RuleTerms(
    Stacking stacking,
    EntryKind kind,
    Option<Period> expiry,
    Option<Duration> vesting,
    boolean qualifying,
    RoundingMode rounding,
    Option<Long> perTransaction,
    Option<Cap> perMember,
    Option<Long> budget,
    Option<Cap> limit,
    Option<Schedule> schedule,
    SortedSet<Channel.Type> channels,
    SortedSet<String> tiers,
    SortedSet<String> segments,
    Option<ExpiryPolicy> expiryPolicy,
    boolean perCounterparty,
    Option<String> limitPerAttribute) {

  /**
   * The years the ledger supports, 1 to 9999, as a duration: a vesting at least this long ends
   * after year 9999 even for points earned at the first instant of year 1.
   */
  private static final Duration LONGEST_VESTING = Duration.ofDays(3_652_059);

  /** Stackable at priority 0, {@code EARN}, no expiry or vesting, qualifying, rounded down, no caps or targeting. */
  public static final RuleTerms DEFAULT = new RuleTerms(Stacking.STACKABLE, EntryKind.EARN, Option.none(),
      Option.none(), true, RoundingMode.DOWN, Option.none(), Option.none(), Option.none(), Option.none(),
      Option.none(), TreeSet.empty(), TreeSet.empty(), TreeSet.empty(), Option.none(), false, Option.none());

  /**
   * Validates the terms.
   *
   * @param stacking priority, exclusivity and group
   * @param kind {@code EARN} or {@code BONUS}
   * @param expiry how long after the purchase the points expire (in the program's zone), if they do;
   *     with neither this nor {@code expiryPolicy} the program's {@code lotExpiry} applies
   * @param vesting how long after the purchase the points stay pending, if they do
   * @param qualifying whether the points count as tier-qualifying credit
   * @param rounding how the rule's proposal is rounded to whole points, once (default DOWN)
   * @param perTransaction the most points per transaction, if capped
   * @param perMember the most points per member per period, if capped
   * @param budget the campaign's total budget in points across all members, if any
   * @param limit the most awards per member per period, if limited (custom events)
   * @param schedule when the campaign runs, if time-boxed
   * @param channels the channel types the rule is limited to; empty means all
   * @param tiers the tier ids the rule is limited to; empty means any member
   * @param segments the segments the rule is limited to; empty means any member
   * @param expiryPolicy when the points expire by a calendar policy (in the member's zone), if they
   *     do; set by {@link #expiringBy(ExpiryPolicy)}, which takes precedence over {@code expiry}
   * @param perCounterparty whether the rule grants a member at most once per counterparty of a
   *     custom event, ever; see {@link #oncePerCounterparty()}
   * @param limitPerAttribute the custom event attribute per whose value the frequency limit counts,
   *     if it does; see {@link #perAttribute(String)}
   * @throws NullPointerException if an argument is null, or an option or a targeting set holds null
   * @throws IllegalArgumentException if the kind is not EARN or BONUS, a cap or budget is not
   *     positive, the expiry period is not positive (the points would expire when or before they
   *     are earned) or not shorter than 9,999 years (as a {@link FixedTermExpiry}'s term), the
   *     vesting is negative or not shorter than 9,999 years (3,652,059 days: points earned at the
   *     first instant of year 1 would vest after year 9999), the vesting (unless zero) is not shorter than the
   *     least time the expiry period, or a {@link FixedTermExpiry}'s term or a
   *     {@link CalendarExpiry}'s minimum holding, can last (a month of 28 days, a year of 365, a day
   *     of 22 hours, as across a change of the clocks by two hours: the points could expire before
   *     they vest), or the rounding is
   *     {@link RoundingMode#UNNECESSARY} (a fractional proposal would fail the whole purchase), or a
   *     tier or segment id has an unpaired UTF-16 surrogate or a NUL character
   *     ({@link Fingerprint#isStorable}), or an attribute the limit counts per is given without a
   *     frequency limit or is blank, longer than 64 characters, or not storable
   */
  public RuleTerms {
    Objects.requireNonNull(stacking, "stacking");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(expiry, "expiry");
    Objects.requireNonNull(vesting, "vesting");
    Objects.requireNonNull(rounding, "rounding");
    Objects.requireNonNull(perTransaction, "perTransaction");
    Objects.requireNonNull(perMember, "perMember");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(channels, "channels");
    Objects.requireNonNull(tiers, "tiers");
    Objects.requireNonNull(segments, "segments");
    Objects.requireNonNull(expiryPolicy, "expiryPolicy");
    Objects.requireNonNull(limitPerAttribute, "limitPerAttribute");
    if (kind != EntryKind.EARN && kind != EntryKind.BONUS) {
      throw new IllegalArgumentException("a rule posts EARN or BONUS entries, not " + kind);
    }
    perTransaction.forEach(points -> positive("cappedPerTransaction", points));
    budget.forEach(points -> positive("budget", points));
    // Option.some(null) passes the checks above; the engine would then throw on every purchase.
    for (Option<?> o : List.of(expiry, vesting, perMember, limit, schedule, expiryPolicy, limitPerAttribute)) {
      o.forEach(v -> Objects.requireNonNull(v, "an optional term holds null"));
    }
    // A sorted set holds a null it was made with, and then throws when asked whether it contains a value.
    for (SortedSet<?> targets : List.<SortedSet<?>>of(channels, tiers, segments)) {
      targets.forEach(v -> Objects.requireNonNull(v, "a targeting set holds null"));
    }
    if (expiry.exists(p -> p.isNegative() || p.isZero())) {
      throw new IllegalArgumentException("points must expire after they are earned: the expiry period must be positive, was "
          + expiry.get());
    }
    // A term that dates even points of the first supported day after year 9999 failed every
    // purchase with RuleFailed: refused as a FixedTermExpiry's term is.
    expiry.forEach(p -> new FixedTermExpiry(p, ExpiryRounding.NONE));
    // A purchase outside the targeting is explained with these ids, in an entry that hashes them.
    for (String id : tiers.toList().appendAll(segments)) {
      if (!Fingerprint.isStorable(id)) {
        throw new IllegalArgumentException("a tier or segment id has " + Fingerprint.unstorable(id).get()
            + ", which no entry can record");
      }
    }
    limitPerAttribute.forEach(name -> requireAttribute(name, limit));
    if (vesting.exists(Duration::isNegative)) {
      throw new IllegalArgumentException("points vest when or after they are earned: the vesting must not be negative, was "
          + vesting.get());
    }
    if (vesting.exists(v -> v.compareTo(LONGEST_VESTING) >= 0)) {
      throw new IllegalArgumentException("a vesting must be shorter than 9,999 years (" + LONGEST_VESTING.toDays()
          + " days), was " + vesting.get() + ": added to the first instant of year 1 it must end within year 9999, the"
          + " last the ledger supports, or the points of every purchase could never be dated; give a shorter vesting");
    }
    // The engine's order: a calendar policy takes precedence over a period.
    requireVestingFirst(vesting, expiryPolicy.isDefined() ? shortest(expiryPolicy.get()) : expiry.map(RuleTerms::shortest),
        expiryPolicy.isDefined() ? expiryPolicy.get() : expiry.getOrNull(), "");
    if (rounding == RoundingMode.UNNECESSARY) {
      throw new IllegalArgumentException("a rule's proposal is rounded to whole points: use DOWN, UP, HALF_UP or another"
          + " mode than UNNECESSARY, which would fail every purchase with a fractional proposal");
    }
  }

  /**
   * Terms whose frequency limit, if any, counts per member only, as they were made before it could
   * count per value of an event's attribute.
   *
   * @param stacking priority, exclusivity and group
   * @param kind {@code EARN} or {@code BONUS}
   * @param expiry how long after the purchase the points expire (in the program's zone), if they do
   * @param vesting how long after the purchase the points stay pending, if they do
   * @param qualifying whether the points count as tier-qualifying credit
   * @param rounding how the rule's proposal is rounded to whole points, once
   * @param perTransaction the most points per transaction, if capped
   * @param perMember the most points per member per period, if capped
   * @param budget the campaign's total budget in points across all members, if any
   * @param limit the most awards per member per period, if limited (custom events)
   * @param schedule when the campaign runs, if time-boxed
   * @param channels the channel types the rule is limited to; empty means all
   * @param tiers the tier ids the rule is limited to; empty means any member
   * @param segments the segments the rule is limited to; empty means any member
   * @param expiryPolicy when the points expire by a calendar policy (in the member's zone), if they do
   * @param perCounterparty whether the rule grants a member at most once per counterparty of a
   *     custom event, ever
   * @throws NullPointerException as the canonical constructor
   * @throws IllegalArgumentException as the canonical constructor
   */
  public RuleTerms(Stacking stacking, EntryKind kind, Option<Period> expiry, Option<Duration> vesting, boolean qualifying,
      RoundingMode rounding, Option<Long> perTransaction, Option<Cap> perMember, Option<Long> budget, Option<Cap> limit,
      Option<Schedule> schedule, SortedSet<Channel.Type> channels, SortedSet<String> tiers, SortedSet<String> segments,
      Option<ExpiryPolicy> expiryPolicy, boolean perCounterparty) {
    this(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels,
        tiers, segments, expiryPolicy, perCounterparty, Option.none());
  }

  /**
   * Terms without the once-per-counterparty limit, as they were made before it existed.
   *
   * @param stacking priority, exclusivity and group
   * @param kind {@code EARN} or {@code BONUS}
   * @param expiry how long after the purchase the points expire (in the program's zone), if they do
   * @param vesting how long after the purchase the points stay pending, if they do
   * @param qualifying whether the points count as tier-qualifying credit
   * @param rounding how the rule's proposal is rounded to whole points, once
   * @param perTransaction the most points per transaction, if capped
   * @param perMember the most points per member per period, if capped
   * @param budget the campaign's total budget in points across all members, if any
   * @param limit the most awards per member per period, if limited (custom events)
   * @param schedule when the campaign runs, if time-boxed
   * @param channels the channel types the rule is limited to; empty means all
   * @param tiers the tier ids the rule is limited to; empty means any member
   * @param segments the segments the rule is limited to; empty means any member
   * @param expiryPolicy when the points expire by a calendar policy (in the member's zone), if they do
   * @throws NullPointerException as the canonical constructor
   * @throws IllegalArgumentException as the canonical constructor
   */
  public RuleTerms(Stacking stacking, EntryKind kind, Option<Period> expiry, Option<Duration> vesting, boolean qualifying,
      RoundingMode rounding, Option<Long> perTransaction, Option<Cap> perMember, Option<Long> budget, Option<Cap> limit,
      Option<Schedule> schedule, SortedSet<Channel.Type> channels, SortedSet<String> tiers, SortedSet<String> segments,
      Option<ExpiryPolicy> expiryPolicy) {
    this(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels,
        tiers, segments, expiryPolicy, false);
  }

  /**
   * The least time that a period in a zone can last, so that points vesting sooner surely vest
   * before they expire: a year counted as 365 days, a month as 28, and two hours less for a change of
   * the clocks (two hours at once in {@code Antarctica/Troll}, the largest change of today's rules).
   * The past moves across the date line that skipped a whole day (Samoa's 30 December 2011) are not
   * counted: counting them would refuse a day's expiry with any vesting; a purchase dated just before
   * one fails the rule instead (its points would expire before they vest).
   */
  static Duration shortest(Period period) {
    return Duration.ofDays(period.getYears() * 365L + period.getMonths() * 28L + period.getDays()).minusHours(2);
  }

  /**
   * The least time from earning to expiry under a policy, if it says: a fixed term or a calendar
   * date's minimum holding, counted from the end of the day earned. Other policies (never, your own)
   * are not checked.
   */
  static Option<Duration> shortest(ExpiryPolicy policy) {
    if (policy instanceof FixedTermExpiry) {
      return Option.some(shortest(((FixedTermExpiry) policy).term()));
    }
    if (policy instanceof CalendarExpiry) {
      return Option.some(shortest(((CalendarExpiry) policy).minimumHolding()));
    }
    return Option.none();
  }

  /**
   * Refuses a vesting (other than none or zero) that is not shorter than the least time to the
   * expiry: the points would expire, pending, before they ever became available.
   */
  static void requireVestingFirst(Option<Duration> vesting, Option<Duration> shortestExpiry, Object expiry, String whose) {
    if (vesting.exists(v -> !v.isZero() && shortestExpiry.exists(e -> v.compareTo(e) >= 0))) {
      throw new IllegalArgumentException(whose + "points must vest before they expire: a vesting of " + vesting.get()
          + " is not shorter than the expiry " + expiry + ", which can last as little as " + shortestExpiry.get()
          + " (a month of 28 days, a year of 365, a day of 22 hours across a change of the clocks by two hours)");
    }
  }

  /**
   * @param value the stacking priority (higher goes first)
   * @return a copy with this setting
   */
  public RuleTerms priority(int value) {
    return new RuleTerms(new Stacking(value, stacking.exclusive(), stacking.group()), kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @return a copy that, when the rule is granted, excludes every rule after it in stacking order
   */
  public RuleTerms exclusive() {
    return new RuleTerms(new Stacking(stacking.priority(), true, stacking.group()), kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param name the stackable group in which only the best deal is kept, not null; 1 to 40 of
   *     a-z, 0-9 or {@code ._-}, starting with a letter or digit
   * @return a copy with this setting
   * @throws IllegalArgumentException if the name is malformed
   */
  public RuleTerms inGroup(String name) {
    return new RuleTerms(new Stacking(stacking.priority(), stacking.exclusive(), Option.some(Objects.requireNonNull(name, "inGroup"))), kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @return a copy posting {@code BONUS} entries instead of {@code EARN}
   */
  public RuleTerms asBonus() {
    return new RuleTerms(stacking, EntryKind.BONUS, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * Gives the rule's lots their expiry a period after the purchase, counted on the program's wall
   * clock: a day after 14:00 is 14:00 the next day, 23 or 25 hours later when the clocks change in
   * between. A time the clocks skip moves on by the gap (a day after 02:30 on the eve of the night
   * Berlin skips 02:00-03:00 is 03:30); a time they repeat is the one at the purchase's offset from
   * UTC if it has it, else the earlier (a day after 02:30 summer time on the eve of the night Berlin
   * repeats 02:00-03:00 is the first 02:30), as {@link java.time.ZonedDateTime#plus} adds a period.
   *
   * @param value how long after the purchase (in the program's zone) the points expire, positive,
   *     shorter than 9,999 years, not null; replaces an {@link #expiringBy(ExpiryPolicy)}
   * @return a copy with this setting
   * @throws IllegalArgumentException if the period is zero or negative, not shorter than 9,999 years
   *     (for points that never expire use {@code expiringBy(ExpiryPolicy.never())}), or could end
   *     before the vesting does (see the constructor)
   */
  public RuleTerms expiringAfter(Period value) {
    return new RuleTerms(stacking, kind, Option.some(Objects.requireNonNull(value, "expiringAfter")), vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, Option.none(), perCounterparty, limitPerAttribute);
  }

  /**
   * Gives the rule's lots their expiry by a policy evaluated in the member's zone, e.g.
   * {@code FixedTermExpiry.months(6).roundedUpTo(ExpiryRounding.END_OF_MONTH)} ("six months after
   * the month earned") or {@link ExpiryPolicy#never()}. Replaces an {@link #expiringAfter(Period)}.
   *
   * @param value the policy, not null
   * @return a copy with this setting
   * @throws IllegalArgumentException if it is a fixed term or calendar expiry that could come before
   *     the vesting ends (see the constructor)
   */
  public RuleTerms expiringBy(ExpiryPolicy value) {
    return new RuleTerms(stacking, kind, Option.none(), vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, Option.some(Objects.requireNonNull(value, "expiringBy")), perCounterparty, limitPerAttribute);
  }

  /**
   * @param value how long after the purchase the points stay pending, not negative, shorter than
   *     9,999 years (3,652,059 days), not null; zero is no vesting (the points are available at once,
   *     in the same entry and lot as other rules' points of the same kind and expiry)
   * @return a copy with this setting
   * @throws IllegalArgumentException if the duration is negative, not shorter than 9,999 years, or
   *     not shorter than the rule's expiry can be (see the constructor)
   */
  public RuleTerms vestingAfter(Duration value) {
    return new RuleTerms(stacking, kind, expiry, Option.some(Objects.requireNonNull(value, "vestingAfter")), qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @return a copy whose points do not count as tier-qualifying credit
   */
  public RuleTerms notQualifying() {
    return new RuleTerms(stacking, kind, expiry, vesting, false, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param value how the rule's proposal is rounded to whole points, not null
   * @return a copy with this setting
   * @throws IllegalArgumentException for {@link RoundingMode#UNNECESSARY}
   */
  public RuleTerms rounding(RoundingMode value) {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, value, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param points the most points per transaction, positive
   * @return a copy with this setting
   * @throws IllegalArgumentException if {@code points} is not positive
   */
  public RuleTerms cappedPerTransaction(long points) {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, Option.some(positive("cappedPerTransaction", points)), perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param points the most points per member per period, positive
   * @param period the period, not null; {@link CapPeriod#EVER} caps the member's whole membership
   * @return a copy with this setting
   * @throws IllegalArgumentException if {@code points} is not positive
   */
  public RuleTerms cappedPerMember(long points, CapPeriod period) {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, Option.some(new Cap(points, period)), budget, limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param points the campaign's total budget in points across all members, positive
   * @return a copy with this setting
   * @throws IllegalArgumentException if {@code points} is not positive
   */
  public RuleTerms budget(long points) {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, Option.some(positive("budget", points)), limit, schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * Limits how often the rule is granted to a member; {@link #perAttribute(String)} after it counts
   * the limit per value of an event's attribute as well (once per member per product reviewed).
   * A rule has one frequency limit: this replaces any set before. For a second period ("one review a
   * day, three a month") pair it with a cap of that many awards' points,
   * {@code limitedTo(1, CapPeriod.DAY).cappedPerMember(75, CapPeriod.MONTH)} for 25 points a review.
   *
   * @param awards the most awards per member per period, positive
   * @param period the period, not null; {@link CapPeriod#EVER} for a once-only award (with one award)
   * @return a copy with this setting, counted per the attribute set by {@link #perAttribute(String)}
   *     if any
   * @throws IllegalArgumentException if {@code awards} is not positive
   */
  public RuleTerms limitedTo(long awards, CapPeriod period) {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, Option.some(new Cap(awards, period)), schedule, channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * Grants the rule to a member at most once per counterparty of a custom event, ever: a referrer
   * is paid once per referred friend ({@link CustomEvent#referral}), however many
   * {@value CustomEvent#REFERRAL_CONVERTED} events name that friend, under whatever keys. The engine
   * counts the awards of each pair in the counter named by {@link EarnEngine#counterpartyKey},
   * committed atomically with the entries, so that concurrent events for one pair never both pay
   * and the count carries over new versions of the program as other limits do. A later event for
   * the pair is granted nothing, with the reason {@link Reason.Code#LIMIT_REACHED}; an event that
   * names no counterparty, and a purchase, are granted nothing by such a rule either
   * ({@link Reason.Code#CONDITION_NOT_MET} on {@code counterparty}), so {@link RuleBook} refuses it
   * on the library's purchase rules. It combines with {@link #limitedTo}: the member is then held to
   * both. On the referred side of a referral ({@value CustomEvent#REFERRAL_JOINED}) it pays the
   * friend once per referrer; {@code limitedTo(1, CapPeriod.EVER)} welcomes them once whoever names
   * them.
   *
   * @return a copy with this setting
   */
  public RuleTerms oncePerCounterparty() {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, segments, expiryPolicy, true, limitPerAttribute);
  }

  /**
   * Counts the frequency limit ({@link #limitedTo}) per value of a custom event's attribute, as
   * well as per member: {@code limitedTo(1, CapPeriod.EVER).perAttribute("sku")} on a rule for
   * {@value CustomEvent#REVIEW_WRITTEN} pays a member once per product reviewed, however many reviews
   * of it come under whatever keys; {@code limitedTo(2, CapPeriod.MONTH).perAttribute("sku")} twice a
   * month per product. The engine counts each value's awards in a counter committed atomically with
   * the entries, as every frequency limit, {@code earn:<program>:per:<rule>:<member>:<period>:<digest>},
   * the value (free text of any length) named by a digest of the attribute's name and value so that
   * the key fits every store. When the limit bites, the award is granted nothing with the reason
   * {@link Reason.Code#LIMIT_REACHED} naming the attribute and its value (cut to 64 characters), by
   * {@code quote} and {@code earn} alike. An event without the attribute, or whose value is blank,
   * and a purchase (which has no attributes) are granted nothing by such a rule
   * ({@link Reason.Code#CONDITION_NOT_MET} on {@code attribute <name>}), so {@link RuleBook} refuses it
   * on the library's purchase rules. Like every frequency limit, a refund or a reversal of an award
   * gives no room back: the value stays counted.
   *
   * @param name the attribute's name, as the events carry it (e.g. {@code "sku"}), not null; not
   *     blank, at most 64 characters, well-formed text without NUL ({@link Fingerprint#isStorable}),
   *     since reasons recorded in entries name it
   * @return a copy with this setting
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if the terms have no frequency limit yet (call
   *     {@link #limitedTo} first), or the name is blank, longer than 64 characters or not storable
   */
  public RuleTerms perAttribute(String name) {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit,
        schedule, channels, tiers, segments, expiryPolicy, perCounterparty,
        Option.some(Objects.requireNonNull(name, "perAttribute")));
  }

  /**
   * Refuses an attribute a frequency limit cannot count per: without a limit there is nothing to
   * count, and a blank or unstorable name could never be named in the reason an entry records.
   */
  private static void requireAttribute(String name, Option<Cap> limit) {
    if (limit.isEmpty()) {
      throw new IllegalArgumentException("perAttribute(\"" + name + "\") counts the frequency limit per value of the"
          + " attribute, but the terms have none: set it first, e.g. limitedTo(1, CapPeriod.EVER).perAttribute(\""
          + name + "\") for once per member per value");
    }
    if (name.isBlank() || name.length() > 64 || !Fingerprint.isStorable(name)) {
      throw new IllegalArgumentException("the attribute a frequency limit counts per must be 1 to 64 characters, not"
          + " blank, well-formed and without NUL, as the events name it; was '" + name + "'");
    }
  }

  /**
   * @param value when the campaign runs, not null
   * @return a copy with this setting
   */
  public RuleTerms during(Schedule value) {
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, Option.some(Objects.requireNonNull(value, "during")), channels, tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param types the channel types the rule is limited to, at least one, not null
   * @return a copy with this setting
   * @throws IllegalArgumentException if none is given
   */
  public RuleTerms onChannels(Channel.Type... types) {
    atLeastOne("channel type", types);
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, TreeSet.of(types), tiers, segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param ids the tier ids the rule is limited to, at least one, not null
   * @return a copy with this setting
   * @throws IllegalArgumentException if none is given, or one has an unpaired UTF-16 surrogate or a
   *     NUL character
   */
  public RuleTerms forTiers(String... ids) {
    atLeastOne("tier id", ids);
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, TreeSet.of(ids), segments, expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * @param ids the segments the rule is limited to (a member in any of them qualifies), at least one, not null
   * @return a copy with this setting
   * @throws IllegalArgumentException if none is given, or one has an unpaired UTF-16 surrogate or a
   *     NUL character
   */
  public RuleTerms forSegments(String... ids) {
    atLeastOne("segment", ids);
    return new RuleTerms(stacking, kind, expiry, vesting, qualifying, rounding, perTransaction, perMember, budget, limit, schedule, channels, tiers, TreeSet.of(ids), expiryPolicy, perCounterparty, limitPerAttribute);
  }

  /**
   * Refuses an empty targeting list: it would mean "anyone", and silently undo an earlier one (an
   * empty list from configuration turning a gold-only promotion into one for every member).
   */
  private static void atLeastOne(String what, Object[] values) {
    Objects.requireNonNull(values, what + "s");
    if (values.length == 0) {
      throw new IllegalArgumentException("name at least one " + what + "; a rule for everyone needs no targeting");
    }
    for (Object v : values) {
      Objects.requireNonNull(v, what);
    }
  }

  private static long positive(String what, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be positive, was " + value);
    }
    return value;
  }
}
