package io.github.loyaltyledger.insight;

/**
 * A minimal CSV writer (RFC 4180): fields separated by commas, records ended by CRLF; a field that
 * holds a comma, a double quote, a CR or an LF is enclosed in double quotes with its quotes doubled.
 * A text field starting with {@code = + - @}, a tab or a carriage return (the triggers OWASP lists)
 * is prefixed with a single quote, so that a spreadsheet never runs a reason text as a formula;
 * numbers are written as they are.
 */
final class CsvWriter {

  private final StringBuilder out = new StringBuilder(256);

  CsvWriter row(Object... fields) {
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      Object f = fields[i];
      out.append(f instanceof Number ? f.toString() : escape(String.valueOf(f)));
    }
    out.append("\r\n");
    return this;
  }

  static String escape(String text) {
    String safe = !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    boolean quote = false;
    for (int i = 0; i < safe.length() && !quote; i++) {
      char c = safe.charAt(i);
      quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    return quote ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
