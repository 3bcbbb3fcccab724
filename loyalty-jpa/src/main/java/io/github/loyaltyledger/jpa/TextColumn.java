package io.github.loyaltyledger.jpa;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text encoding of the small lists and maps that an entry or an account carries (lot
 * movements, rule ids, details, lots), stored in one text column each instead of a child table, so
 * that writing an entry is one insert and reading an account one row.
 *
 * <p>Each element is URL-encoded (which never produces {@code ;}, {@code =} or {@code ,}) and
 * terminated by {@code ;}, so that any string, including the empty one, round-trips exactly.
 */
final class TextColumn {

  private TextColumn() {}

  static String ofList(List<String> values) {
    StringBuilder text = new StringBuilder();
    for (String value : values) {
      if (unreserved(value)) {
        text.append(value);
      } else if (ascii(value)) {
        encodeAscii(value, text);
      } else {
        text.append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
      text.append(';');
    }
    return text.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static boolean ascii(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /**
   * What {@link URLEncoder} gives for an ASCII value, without its buffers: a space as {@code +},
   * another reserved character as {@code %} and its two upper-case hex digits (its one UTF-8 byte).
   * Instants ({@code seconds:nanos}) are the usual case: every due-work field holds one.
   */
  private static void encodeAscii(String value, StringBuilder text) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (plain(c)) {
        text.append(c);
      } else if (c == ' ') {
        text.append('+');
      } else {
        text.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
  }

  /**
   * Whether the encoder would give the value back unchanged: every character is one that {@link
   * URLEncoder} never encodes ({@code a-z}, {@code A-Z}, {@code 0-9}, {@code .-*_}). Most elements
   * (ids, numbers, keys, instants) are, and are appended as they are rather than run through the
   * encoder; the stored text is the same.
   */
  private static boolean unreserved(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (!plain(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '-' || c == '*' || c == '_';
  }

  static List<String> toList(String text) {
    List<String> values = new ArrayList<>();
    int start = 0;
    for (int end = text.indexOf(';'); end >= 0; end = text.indexOf(';', start)) {
      values.add(decode(text, start, end));
      start = end + 1;
    }
    if (start != text.length()) {
      throw new IllegalStateException("stored list is not terminated: '" + text + "'");
    }
    return values;
  }

  /**
   * The element between {@code start} and {@code end}: most elements (ids, numbers, keys) have
   * nothing encoded, and are taken as they are rather than run through the decoder.
   */
  private static String decode(String text, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c == '%' || c == '+') {
        return decodeEscaped(text, start, end);
      }
    }
    return text.substring(start, end);
  }

  /**
   * What {@link URLDecoder} gives for an element with escapes: a {@code +} is a space, a {@code %}
   * with two hex digits below {@code 80} the ASCII character (instants, {@code seconds%3Anano});
   * anything else (a byte of a longer UTF-8 sequence, a malformed escape) goes to the decoder
   * itself, so that the result, or the refusal, is the decoder's.
   */
  private static String decodeEscaped(String text, int start, int end) {
    StringBuilder value = new StringBuilder(end - start);
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c == '+') {
        value.append(' ');
      } else if (c != '%') {
        value.append(c);
      } else {
        int high = i + 2 < end ? Character.digit(text.charAt(i + 1), 16) : -1;
        int low = high >= 0 ? Character.digit(text.charAt(i + 2), 16) : -1;
        if (high < 0 || high >= 8 || low < 0) {
          return URLDecoder.decode(text.substring(start, end), StandardCharsets.UTF_8);
        }
        value.append((char) (high * 16 + low));
        i += 2;
      }
    }
    return value.toString();
  }

  static String ofMap(Map<String, String> values) {
    List<String> flat = new ArrayList<>();
    values.forEach((k, v) -> {
      flat.add(k);
      flat.add(v);
    });
    return ofList(flat);
  }

  static TreeMap<String, String> toMap(String text) {
    List<String> flat = toList(text);
    TreeMap<String, String> values = new TreeMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      values.put(flat.get(i), flat.get(i + 1));
    }
    return values;
  }

  static String ofInstant(Instant at) {
    return appendInstant(new StringBuilder(24), at).toString();
  }

  /** Appends the text of {@code at} ({@code seconds:nanos}, what {@link #ofInstant} returns). */
  static StringBuilder appendInstant(StringBuilder text, Instant at) {
    return text.append(at.getEpochSecond()).append(':').append(at.getNano());
  }

  static Instant toInstant(String text) {
    return toInstant(text, 0, text.length());
  }

  /**
   * The instant that {@code text} holds from {@code from} (inclusive) to {@code to} (exclusive),
   * read in place.
   *
   * @throws IllegalArgumentException if that part is not {@code seconds:nanos}
   */
  static Instant toInstant(String text, int from, int to) {
    int colon = text.indexOf(':', from);
    if (colon < 0 || colon >= to) {
      throw new IllegalArgumentException("an instant column must read 'seconds:nanos', was '" + text.substring(from, to) + "'");
    }
    return Instant.ofEpochSecond(Long.parseLong(text, from, colon, 10), Integer.parseInt(text, colon + 1, to, 10));
  }
}
