package io.github.loyaltyledger;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Instant;

/**
 * The instants a request may carry: from {@code 0001-01-01T00:00:00Z} to
 * {@code 9999-12-31T23:59:59.999999999Z}, the years of ISO-8601 calendar dates written with four
 * digits.
 *
 * <p>{@link Instant} reaches a billion years either side, {@link java.time.LocalDate} a little
 * less: an instant near {@link Instant#MIN} or {@link Instant#MAX} has no date in a zone, so an
 * expiry, enrolment or purchase accepted there made later, unrelated calls throw (the programme's
 * liability, an anniversary index, a monthly cap). Within these years every instant has a date in
 * every zone, a date plus any expiry term or review period still has one, and every store keeps
 * it. Every instant a request carries is checked here, and one outside is refused with
 * {@link LoyaltyError.InvalidRequest} naming the field, before anything is written.
 */
final class SupportedInstants {

  /** The earliest supported instant, the first moment of year 1 (UTC). */
  static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  /** The latest supported instant, the last moment of year 9999 (UTC). */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private SupportedInstants() {}

  /**
   * Checks an instant a request carries.
   *
   * @param field the request's field, named in the refusal, not null
   * @param instant the instant, not null
   * @return the instant, or {@link LoyaltyError.InvalidRequest} for {@code field} if it is before
   *     {@link #EARLIEST} or after {@link #LATEST}
   */
  static Either<LoyaltyError, Instant> check(String field, Instant instant) {
    return isSupported(instant)
        ? Either.right(instant)
        : Either.left(new LoyaltyError.InvalidRequest(field,
            "must be between years 1 and 9999 (" + EARLIEST + " to " + LATEST + "), was " + instant));
  }

  /**
   * Checks an optional instant a request carries; an absent one passes.
   *
   * @param field the request's field, named in the refusal, not null
   * @param instant the instant, if any, not null
   * @return the option, or {@link LoyaltyError.InvalidRequest} as {@link #check(String, Instant)}
   */
  static Either<LoyaltyError, Option<Instant>> check(String field, Option<Instant> instant) {
    return instant.isEmpty() ? Either.right(instant) : check(field, instant.get()).map(Option::some);
  }

  /**
   * Checks an instant given to a method that answers without {@code Either} (a report, a daily
   * run): one outside the supported years is a programming error there.
   *
   * @param field the argument's name, for the message, not null
   * @param instant the instant, not null
   * @return the instant
   * @throws IllegalArgumentException if it is before {@link #EARLIEST} or after {@link #LATEST}
   */
  static Instant require(String field, Instant instant) {
    if (!isSupported(instant)) {
      throw new IllegalArgumentException(field + " must be between years 1 and 9999 (" + EARLIEST + " to " + LATEST
          + "), was " + instant);
    }
    return instant;
  }

  /**
   * @param instant the instant, not null
   * @return true if it is within the supported years
   */
  static boolean isSupported(Instant instant) {
    return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
  }
}
