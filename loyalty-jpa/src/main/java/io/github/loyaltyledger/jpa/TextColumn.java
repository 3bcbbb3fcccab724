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
        text.append(value).append(';');
      } else {
        text.append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append(';');
      }
    }
    return text.toString();
  }

  /**
   * Whether the encoder would give the value back unchanged: every character is one that {@link
   * URLEncoder} never encodes ({@code a-z}, {@code A-Z}, {@code 0-9}, {@code .-*_}). Most elements
   * (ids, numbers, keys, instants) are, and are appended as they are rather than run through the
   * encoder; the stored text is the same.
   */
  private static boolean unreserved(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '*' || c == '_';
      if (!plain) {
        return false;
      }
    }
    return true;
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
        return URLDecoder.decode(text.substring(start, end), StandardCharsets.UTF_8);
      }
    }
    return text.substring(start, end);
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
    return at.getEpochSecond() + ":" + at.getNano();
  }

  static Instant toInstant(String text) {
    int colon = text.indexOf(':');
    return Instant.ofEpochSecond(Long.parseLong(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
  }
}
