package io.github.loyaltyledger.ledger;

import io.vavr.control.Option;
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

  // A plain growable array: ByteArrayOutputStream synchronises every write, and count() writes
  // byte by byte, which made fingerprints and entry hashes a large part of a posting's cost.
  private byte[] bytes = new byte[256];
  private int size;

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
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
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
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(bytes, 0, size);
      return HexFormat.of().formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
