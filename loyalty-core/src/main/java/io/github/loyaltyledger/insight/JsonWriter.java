package io.github.loyaltyledger.insight;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A minimal streaming JSON writer (RFC 8259): loyalty-core takes no JSON dependency. Strings are
 * escaped (quote, backslash, control characters, and U+2028/U+2029 so the output is also safe
 * inside JavaScript); numbers are integers, never floating point.
 */
final class JsonWriter {

  private final StringBuilder out = new StringBuilder(256);
  /** One flag per open object or array: whether a value was already written in it. */
  private final Deque<boolean[]> open = new ArrayDeque<>();
  private boolean afterName;

  JsonWriter beginObject() {
    separate();
    out.append('{');
    open.push(new boolean[1]);
    return this;
  }

  JsonWriter endObject() {
    open.pop();
    out.append('}');
    return this;
  }

  JsonWriter beginArray() {
    separate();
    out.append('[');
    open.push(new boolean[1]);
    return this;
  }

  JsonWriter endArray() {
    open.pop();
    out.append(']');
    return this;
  }

  JsonWriter name(String name) {
    separate();
    quote(name);
    out.append(':');
    afterName = true;
    return this;
  }

  JsonWriter value(String text) {
    separate();
    quote(text);
    return this;
  }

  JsonWriter value(long number) {
    separate();
    out.append(number);
    return this;
  }

  JsonWriter value(boolean flag) {
    separate();
    out.append(flag);
    return this;
  }

  JsonWriter nullValue() {
    separate();
    out.append("null");
    return this;
  }

  JsonWriter field(String name, String text) {
    return name(name).value(text);
  }

  JsonWriter field(String name, long number) {
    return name(name).value(number);
  }

  JsonWriter field(String name, boolean flag) {
    return name(name).value(flag);
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private void separate() {
    if (afterName) {
      afterName = false;
      return;
    }
    boolean[] current = open.peek();
    if (current != null) {
      if (current[0]) {
        out.append(',');
      }
      current[0] = true;
    }
  }

  private void quote(String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
