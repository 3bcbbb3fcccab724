package io.github.loyaltyledger.ledger;

import io.vavr.control.Option;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An unambiguous canonical encoding of a sequence of values and its SHA-256: the hash of ledger
 * entries and the fingerprint by which a replayed request is told apart from a different request
 * with the same idempotency key.
 *
 * <p>Each text is written as its 4-byte big-endian UTF-8 length followed by its bytes; an absent
 * optional value is the length -1 with no bytes; a count (of a list that follows) is a bare 4-byte
 * number. No two different sequences of calls produce the same bytes. Not thread-safe: use one
 * instance per computation.
 */
public final class Fingerprint {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);

  private Fingerprint() {}

  /**
   * Starts an encoding with a tag naming what is encoded (e.g. {@code "credit"}), so that
   * different kinds of values never share a fingerprint.
   *
   * @param tag the tag, not null
   * @return a new encoder
   */
  public static Fingerprint of(String tag) {
    return new Fingerprint().text(tag);
  }

  /**
   * Appends a text.
   *
   * @param value the text, not null
   * @return this encoder
   */
  public Fingerprint text(String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    count(b.length);
    bytes.writeBytes(b);
    return this;
  }

  /**
   * Appends the {@code toString()} of a value.
   *
   * @param value the value, not null
   * @return this encoder
   */
  public Fingerprint value(Object value) {
    return text(value.toString());
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
    bytes.write(n >>> 24);
    bytes.write(n >>> 16);
    bytes.write(n >>> 8);
    bytes.write(n);
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
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
