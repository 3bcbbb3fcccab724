package io.github.loyaltyledger.ledger;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a change came from: a store (with its store id), the web shop, the app, a partner (with
 * the partner's id), or the system itself (daily jobs, operators).
 *
 * <p>The channel is recorded on every entry and is part of its hash; earning rules may target
 * channels. The text form is {@code type} or {@code type:location}, e.g. {@code store:S-12}.
 *
 * <p>A value: two channels are equal when their type and location are.
 */
// A class rather than a record: parse must still build the channels of entries recorded before the
// constructor refused a store or partner without its id and a location on a type that has none,
// since their text is in their hash; a record's every instance goes through its constructor.
public final class Channel {

  private static final Pattern LOCATION = Pattern.compile("[A-Za-z0-9._@-]{0,64}");

  // The lower-case type names of the text form, computed once: every entry hash writes a channel.
  private static final String[] NAMES = java.util.Arrays.stream(Type.values())
      .map(t -> t.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

  // The channels without a location are values like any other; the library names the system
  // channel on every credit and daily change, which checked the empty location against LOCATION.
  private static final Channel WEB = new Channel(Type.WEB, "");
  private static final Channel APP = new Channel(Type.APP, "");
  private static final Channel SYSTEM = new Channel(Type.SYSTEM, "");

  private final Type type;
  private final String location;
  // The text form, made once: every request fingerprint and entry hash writes the channel.
  private final String text;

  /** The kinds of channel. */
  public enum Type {
    /** A physical store or till; the location is the store id. */
    STORE,
    /** The web shop. */
    WEB,
    /** The mobile app. */
    APP,
    /** A partner business; the location is the partner id. */
    PARTNER,
    /** The library or an operator acting on the member's behalf (daily runs, adjustments). */
    SYSTEM
  }

  /**
   * Validates the channel.
   *
   * @param type the kind of channel
   * @param location the store or partner id, or the empty string where the type has none
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the location has characters other than letters, digits
   *     and {@code ._@-}, or more than 64 of them, or if a store or partner has no id, or a web,
   *     app or system channel has a location
   */
  public Channel(Type type, String location) {
    this(type, location, true);
  }

  private Channel(Type type, String location, boolean checkShape) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(location, "location");
    if (!LOCATION.matcher(location).matches()) {
      throw new IllegalArgumentException(
          "channel location must be up to 64 letters, digits or '._@-', was '" + location + "'");
    }
    if (checkShape && hasLocation(type) == location.isEmpty()) {
      throw new IllegalArgumentException(hasLocation(type)
          ? "a " + NAMES[type.ordinal()] + " channel needs its " + NAMES[type.ordinal()] + " id"
          : "a " + NAMES[type.ordinal()] + " channel has no location, was given '" + location + "'");
    }
    this.type = type;
    this.location = location;
    this.text = location.isEmpty() ? NAMES[type.ordinal()] : NAMES[type.ordinal()] + ":" + location;
  }

  /** Whether a channel of this type names where it is: a store's or partner's id. */
  private static boolean hasLocation(Type type) {
    return type == Type.STORE || type == Type.PARTNER;
  }

  /** @return the kind of channel */
  public Type type() {
    return type;
  }

  /** @return the store or partner id, or the empty string where the type has none */
  public String location() {
    return location;
  }

  /**
   * A store or till.
   *
   * @param storeId the store id, not null
   * @return the channel
   * @throws IllegalArgumentException if the id is empty or malformed (as
   *     {@link #Channel(Type, String)} says)
   */
  public static Channel store(String storeId) {
    return new Channel(Type.STORE, storeId);
  }

  /** @return the web shop channel */
  public static Channel web() {
    return WEB;
  }

  /** @return the app channel */
  public static Channel app() {
    return APP;
  }

  /**
   * A partner business.
   *
   * @param partnerId the partner's id, not null
   * @return the channel
   * @throws IllegalArgumentException if the id is empty or malformed (as
   *     {@link #Channel(Type, String)} says)
   */
  public static Channel partner(String partnerId) {
    return new Channel(Type.PARTNER, partnerId);
  }

  /** @return the channel for changes made by the library or an operator */
  public static Channel system() {
    return SYSTEM;
  }

  /**
   * Parses the text form produced by {@link #toString()}. It also reads the text of channels
   * recorded before a store or partner needed its id and a web, app or system channel had to be
   * without a location ({@code store}, {@code web:x}), which the constructor now refuses: entries
   * keep their channel's text in their hash, so those entries stay readable and verifiable.
   *
   * @param text e.g. {@code "store:S-12"} or {@code "web"}, not null
   * @return the channel
   * @throws IllegalArgumentException if the text names no channel type, or its location has
   *     characters other than letters, digits and {@code ._@-}, or more than 64 of them
   */
  public static Channel parse(String text) {
    Objects.requireNonNull(text, "text");
    int colon = text.indexOf(':');
    String type = colon < 0 ? text : text.substring(0, colon);
    String location = colon < 0 ? "" : text.substring(colon + 1);
    Type parsed;
    try {
      parsed = Type.valueOf(type.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown channel '" + text + "'", e);
    }
    // Outside the try: a malformed location is refused for its location, not as an unknown channel.
    return new Channel(parsed, location, false);
  }

  /**
   * @param other any object, possibly null
   * @return whether it is a channel of the same type and location
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof Channel && type == ((Channel) other).type && location.equals(((Channel) other).location);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + location.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
