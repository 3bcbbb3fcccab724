package io.github.loyaltyledger.ledger;

import io.vavr.control.Option;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import org.joda.money.Money;

/**
 * An unambiguous canonical encoding of a sequence of values and its SHA-256: the hash of ledger
 * entries and the fingerprint by which a replayed request is told apart from a different request
 * with the same idempotency key.
 *
 * <p>Each text is written as its 4-byte big-endian UTF-8 length followed by its bytes; an absent
 * optional value is the length -1 with no bytes; a count (of a list that follows) is a bare 4-byte
 * number. No two different sequences of calls produce the same bytes. Not thread-safe: use one
 * instance per computation.
 *
 * <p>Only well-formed UTF-16 text ({@link #isWellFormed}) has a UTF-8 encoding: a lone surrogate
 * would be written as {@code ?}, so that two different texts shared an encoding. The library
 * refuses such text wherever it accepts free text, and {@link #text} throws on it.
 */
public final class Fingerprint {

  // A plain growable array: ByteArrayOutputStream synchronises every write, and count() writes
  // byte by byte, which made fingerprints and entry hashes a large part of a posting's cost.
  private byte[] bytes;
  private int size;

  private Fingerprint(int capacity) {
    this.bytes = new byte[capacity];
  }

  /**
   * Starts an encoding with a tag naming what is encoded (e.g. {@code "credit"}), so that
   * different kinds of values never share a fingerprint.
   *
   * @param tag the tag, not null
   * @return a new encoder
   */
  public static Fingerprint of(String tag) {
    Objects.requireNonNull(tag, "tag");
    return new Fingerprint(256).text(tag);
  }

  /** Starts an encoding expected to take about {@code capacity} bytes, so that it grows once at most. */
  static Fingerprint of(String tag, int capacity) {
    return new Fingerprint(Math.max(64, capacity)).text(tag);
  }

  /**
   * Whether a text is well-formed UTF-16: every high surrogate is followed by a low surrogate, and
   * every low surrogate follows a high one. Only such a text has a UTF-8 encoding that gives it
   * back; a lone surrogate has none (Java writes it as {@code ?}, a database may refuse it). Every
   * free text the library accepts must pass the stricter {@link #isStorable}.
   *
   * @param text the text, not null
   * @return true if it has no unpaired surrogate
   */
  public static boolean isWellFormed(CharSequence text) {
    return unpaired(text) < 0;
  }

  /**
   * Where a text's first unpaired surrogate is.
   *
   * @param text the text, not null
   * @return the index of its first unpaired surrogate, or -1 if it is well-formed
   */
  public static int unpaired(CharSequence text) {
    return firstUnstorable(text, false);
  }

  /**
   * Whether every store can keep a text: it is well-formed UTF-16 ({@link #isWellFormed}) and has
   * no NUL character (U+0000), which PostgreSQL refuses in every text column while H2 and the
   * in-memory store keep it, so that a request accepted on one store would fail on another. This
   * is the check every free text the library accepts must pass (reasons, operators, details, rule
   * ids and descriptions, a plugin's texts, idempotency keys, names, profile fields…).
   *
   * @param text the text, not null
   * @return true if it has neither an unpaired surrogate nor a NUL
   */
  public static boolean isStorable(CharSequence text) {
    return firstUnstorable(text, true) < 0;
  }

  /**
   * Says what in a text not every store can keep ({@link #isStorable}), for a refusal's message.
   *
   * @param text the text, not null
   * @return its first unpaired surrogate or NUL and where it is (e.g. {@code "a NUL character
   *     (U+0000) at index 3"}), or none if every store can keep the text
   */
  public static Option<String> unstorable(CharSequence text) {
    int at = firstUnstorable(text, true);
    if (at < 0) {
      return Option.none();
    }
    return Option.some((text.charAt(at) == '\u0000' ? "a NUL character (U+0000)" : "an unpaired UTF-16 surrogate")
        + " at index " + at);
  }

  /** The index of a text's first unpaired surrogate, or NUL if asked, whichever comes first; or -1. */
  private static int firstUnstorable(CharSequence text, boolean nul) {
    Objects.requireNonNull(text, "text");
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (nul && c == '\u0000') {
        return i;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == length || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return i;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Appends a text.
   *
   * @param value the text, not null and well-formed ({@link #isWellFormed})
   * @return this encoder
   * @throws IllegalArgumentException if the text has an unpaired surrogate, which UTF-8 cannot
   *     encode
   */
  public Fingerprint text(String value) {
    // String.getBytes(UTF_8) of an ASCII text is a vectorised check and one array copy; a loop
    // over its chars cost about a nanosecond per char, half the time of hashing an entry.
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    // UTF-8 writes a lone surrogate as '?', one byte for one char as for ASCII: a text of as many
    // bytes as chars is plain ASCII unless a '?' appears, so the usual text is not read again.
    if (b.length != value.length() || hasQuestionMark(b)) {
      requireWellFormed(value);
    }
    count(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
    return this;
  }

  /** Out of line, so that {@link #text} stays small enough to be inlined where it is called. */
  private static void requireWellFormed(String value) {
    int at = unpaired(value);
    if (at >= 0) {
      throw new IllegalArgumentException("a text with an unpaired UTF-16 surrogate at index " + at
          + " has no UTF-8 encoding; the request carrying it should have been refused");
    }
  }

  /**
   * Whether a byte is {@code ?}, eight bytes at a time: a byte-by-byte loop over every text of an
   * entry cost a fifth of hashing it. XOR with {@code ?} in every byte turns a {@code ?} into a zero
   * byte, and {@code (v - 0x01…01) & ~v & 0x80…80} is non-zero exactly when {@code v} has one.
   */
  private static boolean hasQuestionMark(byte[] b) {
    int i = 0;
    for (; i + Long.BYTES <= b.length; i += Long.BYTES) {
      long v = (long) LONGS.get(b, i) ^ QUESTION_MARKS;
      if (((v - ONES) & ~v & HIGH_BITS) != 0) {
        return true;
      }
    }
    for (; i < b.length; i++) {
      if (b[i] == '?') {
        return true;
      }
    }
    return false;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long QUESTION_MARKS = 0x3F3F3F3F3F3F3F3FL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * Appends the {@code toString()} of a value.
   *
   * @param value the value, not null
   * @return this encoder
   */
  public Fingerprint value(Object value) {
    // The values every entry encodes several times are written straight into the buffer, byte for
    // byte their toString(), instead of through a String and its UTF-8 array.
    if (value instanceof Instant) {
      return instant((Instant) value);
    }
    if (value instanceof Long) {
      return number((Long) value);
    }
    if (value instanceof Integer) {
      return number((Integer) value);
    }
    if (value instanceof Points) {
      return number(((Points) value).value());
    }
    if (value instanceof EntryId) {
      return entryId((EntryId) value);
    }
    if (value instanceof Money) {
      return money((Money) value);
    }
    return text(value.toString());
  }

  /**
   * Appends {@code money.toString()}: the currency code, a space and the amount as
   * {@link java.math.BigDecimal#toPlainString()} (a request fingerprint writes every line's unit
   * price and discount, and {@code toString()} made several strings for each).
   */
  private Fingerprint money(Money money) {
    java.math.BigDecimal amount = money.getAmount();
    int scale = amount.scale();
    // Joda-Money admits only currency codes of three letters A-Z, each its own byte in UTF-8.
    String code = money.getCurrencyUnit().getCode();
    // Amounts of up to 18 digits have an unscaled value whose digits are written here; longer
    // ones and a negative scale go through the text.
    if (scale < 0 || scale > 18 || amount.precision() > 18) {
      return text(money.toString());
    }
    long unscaled = amount.unscaledValue().longValue();
    long magnitude = Math.abs(unscaled);
    long whole = magnitude / TENS[scale];
    int width = width(whole);
    int length = 4 + (unscaled < 0 ? 1 : 0) + width + (scale > 0 ? scale + 1 : 0);
    count(length);
    ensure(length);
    for (int i = 0; i < 3; i++) {
      bytes[size++] = (byte) code.charAt(i);
    }
    bytes[size++] = ' ';
    if (unscaled < 0) {
      bytes[size++] = '-';
    }
    digits(whole, width);
    if (scale > 0) {
      bytes[size++] = '.';
      digits(magnitude % TENS[scale], scale);
    }
    return this;
  }

  /** Appends {@code Long.toString(n)}. */
  private Fingerprint number(long n) {
    if (n == Long.MIN_VALUE) {
      return text(Long.toString(n));
    }
    long magnitude = Math.abs(n);
    int width = width(magnitude);
    int length = n < 0 ? width + 1 : width;
    count(length);
    ensure(length);
    if (n < 0) {
      bytes[size++] = '-';
    }
    digits(magnitude, width);
    return this;
  }

  /** Appends {@code id.toString()}: the member id, {@code '#'} and the sequence number (at least 1). */
  private Fingerprint entryId(EntryId id) {
    byte[] member = id.member().value().getBytes(StandardCharsets.UTF_8);
    long sequence = id.sequence();
    int width = width(sequence);
    count(member.length + 1 + width);
    ensure(member.length + 1 + width);
    System.arraycopy(member, 0, bytes, size, member.length);
    size += member.length;
    bytes[size++] = '#';
    digits(sequence, width);
    return this;
  }

  /** The number of decimal digits of a value that is not negative. */
  private static int width(long value) {
    int width = 1;
    for (long v = value; v >= 10; v /= 10) {
      width++;
    }
    return width;
  }

  // The seconds from 1970 of 0000-01-01T00:00:00Z and of 10000-01-01T00:00:00Z: within them,
  // Instant.toString() is a four-digit year and fixed-width fields, written here without a formatter.
  private static final long YEAR_0 = -62_167_219_200L;
  private static final long YEAR_10000 = 253_402_300_800L;

  /** Appends {@code at.toString()} (ISO-8601, as {@link java.time.format.DateTimeFormatter#ISO_INSTANT}), byte for byte. */
  private Fingerprint instant(Instant at) {
    long seconds = at.getEpochSecond();
    if (seconds < YEAR_0 || seconds >= YEAR_10000) {
      return text(at.toString());
    }
    int nano = at.getNano();
    int fraction = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
    int length = 20 + (fraction == 0 ? 0 : fraction + 1);
    count(length);
    ensure(length);
    long day = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    LocalDate date = LocalDate.ofEpochDay(day);
    digits(date.getYear(), 4);
    bytes[size++] = '-';
    digits(date.getMonthValue(), 2);
    bytes[size++] = '-';
    digits(date.getDayOfMonth(), 2);
    bytes[size++] = 'T';
    digits(secondOfDay / 3600, 2);
    bytes[size++] = ':';
    digits(secondOfDay / 60 % 60, 2);
    bytes[size++] = ':';
    digits(secondOfDay % 60, 2);
    if (fraction > 0) {
      bytes[size++] = '.';
      digits(nano / TENS[9 - fraction], fraction);
    }
    bytes[size++] = 'Z';
    return this;
  }

  /** {@code TENS[i]} is 10 to the power {@code i}, for every power a long holds. */
  private static final long[] TENS = new long[19];

  static {
    TENS[0] = 1;
    for (int i = 1; i < TENS.length; i++) {
      TENS[i] = TENS[i - 1] * 10;
    }
  }

  /** Writes the last {@code width} decimal digits of a value that is not negative. */
  private void digits(long value, int width) {
    for (int i = size + width - 1; i >= size; i--) {
      bytes[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    size += width;
  }

  /**
   * Appends an optional value: its {@code toString()} if present, a distinct marker if absent.
   *
   * @param value the optional value, not null
   * @return this encoder
   */
  public Fingerprint optional(Option<?> value) {
    if (value.isDefined()) {
      return value(value.get());
    }
    return count(-1);
  }

  /**
   * Appends a count, such as the size of a list whose items follow.
   *
   * @param n the count
   * @return this encoder
   */
  public Fingerprint count(int n) {
    ensure(4);
    bytes[size++] = (byte) (n >>> 24);
    bytes[size++] = (byte) (n >>> 16);
    bytes[size++] = (byte) (n >>> 8);
    bytes[size++] = (byte) n;
    return this;
  }

  /**
   * Appends the items of an iterable, preceded by their count.
   *
   * @param items the items, not null, none null
   * @return this encoder
   */
  public Fingerprint values(io.vavr.collection.Traversable<?> items) {
    count(items.size());
    items.forEach(this::value);
    return this;
  }

  /**
   * Returns the SHA-256 of everything appended.
   *
   * @return 64 lower-case hex digits
   */
  public String sha256() {
    MessageDigest sha256 = DIGESTS.get();
    sha256.update(bytes, 0, size);
    // The 32 bytes of the digest go into the second half of the hex array, which is then filled
    // from the front: writing hex[2i] and hex[2i + 1] never overwrites a digest byte hex[32 + j]
    // with j >= i that is still to be read, so no array is made for the digest itself.
    byte[] hex = new byte[64];
    try {
      sha256.digest(hex, 32, 32);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("SHA-256 digests are 32 bytes long", e);
    }
    for (int i = 0; i < 32; i++) {
      byte b = hex[32 + i];
      hex[2 * i] = HEX[(b >> 4) & 0xf];
      hex[2 * i + 1] = HEX[b & 0xf];
    }
    return new String(hex, StandardCharsets.ISO_8859_1);
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  // One digest per thread, reset by digest(): looking a provider up for every hash cost as much
  // as hashing a short entry.
  private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  });

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
