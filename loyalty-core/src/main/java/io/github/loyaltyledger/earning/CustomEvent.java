package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Something other than a purchase that can earn: a survey completed, a review written, a referral
 * converted, an app sign-up. It goes through the same pipeline and idempotency as a purchase;
 * only rules that look at events (such as {@link EventAward}) award anything for it.
 *
 * <p>For a converted referral ({@value #REFERRAL_CONVERTED}), {@link #member()} is the referrer (who
 * earns) and {@link #counterparty()} the referred member; for its referred side
 * ({@value #REFERRAL_JOINED}), the other way round.
 *
 * @param member who earns
 * @param key the idempotency key of the request (e.g. the survey response id)
 * @param type the event type, 1 to 60 lower-case letters, digits or {@code ._-}, starting with a
 *     letter or digit, e.g. {@value #SURVEY_COMPLETED}
 * @param occurredAt when it happened
 * @param channel where it happened
 * @param counterparty the other member involved (the referred member of a referral), if any
 * @param attributes free-form facts rules may look at
 */
public record CustomEvent(
    MemberId member,
    IdempotencyKey key,
    String type,
    Instant occurredAt,
    Channel channel,
    Option<MemberId> counterparty,
    SortedMap<String, String> attributes) {

  /** A survey was completed. */
  public static final String SURVEY_COMPLETED = "survey.completed";
  /** A product review was written. */
  public static final String REVIEW_WRITTEN = "review.written";
  /** A referred friend made their first purchase; the counterparty is the referred member. */
  public static final String REFERRAL_CONVERTED = "referral.converted";
  /**
   * The referred side of a converted referral: the referred member earns; the counterparty is the
   * referrer.
   */
  public static final String REFERRAL_JOINED = "referral.joined";
  /** The member signed up in the app. */
  public static final String APP_SIGN_UP = "app.signup";

  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,59}");

  /** The order of a map made without a comparator: the attributes' key order. */
  private static final java.util.Comparator<String> KEY_ORDER = TreeMap.<String, String>empty().comparator();

  /**
   * Checks an event type as an event checks its own, for a rule that names one (a built-in rule or
   * a plugin's): a type that no event can have would never match one, and the rule would pay
   * nothing without a word. Call it where the rule is made.
   *
   * @param type the event type, not null
   * @return the type
   * @throws NullPointerException if {@code type} is null
   * @throws IllegalArgumentException naming the type if it is not 1 to 60 lower-case letters,
   *     digits or {@code ._-}, starting with a letter or digit
   */
  public static String requireType(String type) {
    Objects.requireNonNull(type, "type");
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("event type '" + type + "' can never match an event: a type is 1 to 60 of"
          + " a-z, 0-9, '._-', starting with a letter or digit");
    }
    return type;
  }

  /**
   * Validates the event.
   *
   * @param member who earns
   * @param key the idempotency key of the request (e.g. the survey response id)
   * @param type the event type, 1 to 60 lower-case letters, digits or {@code ._-}, starting with
   *     a letter or digit, e.g. {@value #SURVEY_COMPLETED}
   * @param occurredAt when it happened
   * @param channel where it happened
   * @param counterparty the other member involved (the referred member of a referral), if any
   * @param attributes free-form facts rules may look at, kept in key order whatever the map's own
   * @throws NullPointerException if an argument is null, the counterparty option holds null, or an
   *     attribute's name or value is null
   * @throws IllegalArgumentException if the type is malformed, the counterparty is the member, or a
   *     referral ({@value #REFERRAL_CONVERTED}, {@value #REFERRAL_JOINED}) names no counterparty
   */
  public CustomEvent {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(counterparty, "counterparty");
    Objects.requireNonNull(attributes, "attributes");
    // Option.some(null) and null attributes pass the checks above; the facade would then throw on them.
    counterparty.forEach(other -> Objects.requireNonNull(other, "counterparty holds null"));
    attributes.forEach((name, value) -> {
      Objects.requireNonNull(name, "attributes holds a null name");
      Objects.requireNonNull(value, "attributes holds a null value");
    });
    // In key order whatever order the caller's map sorts by, as the request is fingerprinted and
    // the entry hashed: the same event sent again with its attributes in another map is the same.
    if (attributes.comparator() != KEY_ORDER) {
      attributes = TreeMap.ofEntries(attributes);
    }
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("event type must be 1 to 60 of a-z, 0-9, '._-', starting with a letter or digit, was '"
          + type + "'");
    }
    if (counterparty.contains(member)) {
      throw new IllegalArgumentException("the counterparty must be another member than " + member);
    }
    // Without the other member, the facade could not check that the friend is a member at all.
    if (counterparty.isEmpty() && (type.equals(REFERRAL_CONVERTED) || type.equals(REFERRAL_JOINED))) {
      throw new IllegalArgumentException("a " + type + " event names the other member of the referral as its"
          + " counterparty; make it with CustomEvent.referral or CustomEvent.referred");
    }
  }

  /**
   * An event with no counterparty and no attributes.
   *
   * @param member who earns, not null
   * @param key the idempotency key, not null
   * @param type the event type, not null
   * @param occurredAt when, not null
   * @param channel where, not null
   * @return the event
   * @throws IllegalArgumentException if the type is malformed, or is a referral's (made with
   *     {@link #referral} or {@link #referred}, which name the other member)
   */
  public static CustomEvent of(MemberId member, IdempotencyKey key, String type, Instant occurredAt, Channel channel) {
    return new CustomEvent(member, key, type, occurredAt, channel, Option.none(), TreeMap.empty());
  }

  /**
   * A converted referral: the referrer earns.
   *
   * @param referrer who referred, and earns; not null
   * @param referred who was referred, not null
   * @param key the idempotency key, not null
   * @param occurredAt when, not null
   * @param channel where, not null
   * @return the event
   * @throws IllegalArgumentException if the referrer is the referred member
   */
  public static CustomEvent referral(
      MemberId referrer, MemberId referred, IdempotencyKey key, Instant occurredAt, Channel channel) {
    return new CustomEvent(referrer, key, REFERRAL_CONVERTED, occurredAt, channel, Option.some(referred), TreeMap.empty());
  }

  /**
   * The referred side of a converted referral: the referred member earns (by a rule on
   * {@value #REFERRAL_JOINED}). A referral that rewards both members is two events, this one and
   * {@link #referral}, each under its own key, since each is a request of its own member.
   *
   * @param referred who was referred, and earns; not null
   * @param referrer who referred, not null
   * @param key the idempotency key, not null; another than the referrer's event's
   * @param occurredAt when, not null
   * @param channel where, not null
   * @return the event
   * @throws IllegalArgumentException if the referred member is the referrer
   */
  public static CustomEvent referred(
      MemberId referred, MemberId referrer, IdempotencyKey key, Instant occurredAt, Channel channel) {
    return new CustomEvent(referred, key, REFERRAL_JOINED, occurredAt, channel, Option.some(referrer), TreeMap.empty());
  }
}
