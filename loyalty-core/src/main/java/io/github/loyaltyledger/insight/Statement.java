package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.tier.TierProgress;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * A member's points statement for a period: the balance at the start, every entry recorded in the
 * period with its plain-language reason, the balance at the end, the points expiring soon after it
 * and, when the program has a tier ladder, where the member stands.
 *
 * <p>A closed member (an erased one too) stands nowhere on the ladder: their statement shows no
 * tier, neither the one they held when the account was closed nor a next one to reach, so that it
 * promises no tier "until" a date that the closed account will never have. Its text then has no
 * {@code Tier:} line and its JSON a null {@code tier}, as for a program without tiers; the CSV
 * never shows the tier.
 *
 * <p>The period covers the entries <em>recorded</em> in {@code [from, to)}, in ledger order, so
 * that {@code opening + sum(lines) = closing} always holds even for back-dated events; each line
 * shows when its event occurred. The ledger is read as {@code Loyalty.balanceAsOf} reads it: when
 * nodes' clocks disagree, an entry recorded in the period brings along the entries the ledger
 * committed before it (see {@link Insights#statement}). Render it with {@link #toText()}, {@link #toJson()} or
 * {@link #toCsv()}.
 *
 * @param member the member
 * @param zone the zone dates are shown in (the member's)
 * @param from the start of the period, inclusive
 * @param to the end of the period, exclusive
 * @param opening the member's total before the period
 * @param lines the entries recorded in the period, oldest first
 * @param closing the member's total at the end of the period
 * @param expiringSoon the points left at the end of the period that expire at or after {@code to}
 *     and within the requested window, soonest first, one line per expiry instant
 * @param tier where the member stands on the tier ladder now, if the program has one and the member
 *     is not closed
 */
public record Statement(
    MemberId member,
    ZoneId zone,
    Instant from,
    Instant to,
    Points opening,
    List<StatementLine> lines,
    Points closing,
    List<ExpiringPoints> expiringSoon,
    Option<TierProgress> tier) {

  private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;

  /** A number of points as statements write it: {@code 1 point}, {@code 12 points}. */
  static String counted(Points points) {
    return points.value() + (points.value() == 1 ? " point" : " points");
  }

  /**
   * Validates that no field is null.
   *
   * @param member the member
   * @param zone the zone dates are shown in (the member's)
   * @param from the start of the period, inclusive
   * @param to the end of the period, exclusive
   * @param opening the member's total before the period
   * @param lines the entries recorded in the period, oldest first
   * @param closing the member's total at the end of the period
   * @param expiringSoon the points left at the end of the period that expire at or after {@code to}
   *     and within the requested window, soonest first, one line per expiry instant
   * @param tier where the member stands on the tier ladder now, if the program has one
   * @throws NullPointerException if an argument is null
   */
  public Statement {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(opening, "opening");
    Objects.requireNonNull(lines, "lines");
    Objects.requireNonNull(closing, "closing");
    Objects.requireNonNull(expiringSoon, "expiringSoon");
    Objects.requireNonNull(tier, "tier");
  }

  /**
   * Renders the statement as plain text for a letter, an e-mail or a support screen: a header naming
   * the period's first and last day (the day before {@code to} when it is a midnight), one line per
   * entry (date in the member's zone, signed points, balance after, reason), its
   * {@linkplain StatementLine#breakdown() breakdown} indented beneath (the rules of an earning entry,
   * the part of a transfer of several expiries), and for points expiring soon the last day they can be spent. A reason or breakdown stays on its line: line breaks and
   * other control characters in it are written as spaces, so that a reason cannot pass for a line
   * of its own (a balance, say).
   *
   * @return the text, lines ended by {@code \n}
   */
  public String toText() {
    StringBuilder t = new StringBuilder(512)
        .append("Points statement for ").append(member).append(", ").append(day(from)).append(" to ")
        .append(lastDayBefore(to)).append(" (").append(zone).append(")\n")
        .append("Opening balance: ").append(opening.value()).append('\n');
    for (StatementLine line : lines) {
      t.append(day(line.occurredAt())).append("  ").append(signed(line.points())).append("  balance ")
          .append(line.balance().value()).append("  ").append(oneLine(line.reason())).append('\n');
      line.breakdown().forEach(b -> t.append("    ").append(oneLine(b)).append('\n'));
    }
    t.append("Closing balance: ").append(closing.value()).append('\n');
    expiringSoon.forEach(x -> t.append("Expiring: ").append(counted(x.points())).append(", last day ")
        .append(lastDayBefore(x.expiresAt())).append('\n'));
    tier.forEach(p -> {
      t.append("Tier: ").append(p.tier().value());
      p.next().forEach(n -> t.append("; next: ").append(n.value()));
      t.append('\n');
    });
    return t.toString();
  }

  /**
   * Renders the statement as one JSON object: {@code member}, {@code zone}, {@code from},
   * {@code to} (ISO-8601 instants), {@code opening}, {@code closing}, {@code lines} (objects with
   * {@code sequence}, {@code occurredAt}, {@code kind}, {@code points}, {@code balance},
   * {@code reason}, {@code breakdown}), {@code expiringSoon} (objects with {@code expiresAt},
   * {@code points}) and {@code tier} (the tier id and next tier, or null).
   *
   * @return the JSON text
   */
  public String toJson() {
    JsonWriter j = new JsonWriter().beginObject()
        .field("member", member.value()).field("zone", zone.getId())
        .field("from", from.toString()).field("to", to.toString())
        .field("opening", opening.value()).field("closing", closing.value())
        .name("lines").beginArray();
    for (StatementLine line : lines) {
      j.beginObject().field("sequence", line.sequence()).field("occurredAt", line.occurredAt().toString())
          .field("kind", line.kind().name()).field("points", line.points().value())
          .field("balance", line.balance().value()).field("reason", line.reason()).name("breakdown").beginArray();
      line.breakdown().forEach(j::value);
      j.endArray().endObject();
    }
    j.endArray().name("expiringSoon").beginArray();
    expiringSoon.forEach(x -> j.beginObject().field("expiresAt", x.expiresAt().toString())
        .field("points", x.points().value()).endObject());
    j.endArray().name("tier");
    if (tier.isEmpty()) {
      j.nullValue();
    } else {
      TierProgress p = tier.get();
      j.beginObject().field("tier", p.tier().value()).name("next");
      if (p.next().isEmpty()) {
        j.nullValue();
      } else {
        j.value(p.next().get().value());
      }
      j.endObject();
    }
    return j.endObject().toString();
  }

  /**
   * Renders the statement as CSV (RFC 4180, CRLF line ends, a header row): {@code sequence,
   * occurred_at, kind, points, balance, reason, breakdown}, the breakdown lines joined by
   * {@code " | "}. The first row after the header is the opening balance and the last the closing
   * balance, in the same columns: {@code occurred_at} is {@code from} or {@code to}, {@code balance}
   * the balance then, {@code reason} {@code Opening balance} or {@code Closing balance}, and
   * {@code sequence}, {@code kind}, {@code points} and {@code breakdown} are empty. Between them, one
   * row per entry (its sequence is never empty), so that the file alone reconciles: the opening
   * balance plus the entries' points is the closing balance, and a period without entries still
   * says the member's balance.
   *
   * @return the CSV text
   */
  public String toCsv() {
    CsvWriter c = new CsvWriter().row("sequence", "occurred_at", "kind", "points", "balance", "reason", "breakdown")
        .row("", from.toString(), "", "", opening.value(), "Opening balance", "");
    lines.forEach(l -> c.row(l.sequence(), l.occurredAt().toString(), l.kind().name(), l.points().value(),
        l.balance().value(), l.reason(), l.breakdown().mkString(" | ")));
    return c.row("", to.toString(), "", "", closing.value(), "Closing balance", "").toString();
  }

  private String day(Instant at) {
    return DAY.format(at.atZone(zone).toLocalDate());
  }

  /**
   * The last day, in the member's zone, that an exclusive end leaves in: the day before an end at
   * midnight (a March period ends, and points valid through 31 March expire, at the start of 1 April).
   */
  private String lastDayBefore(Instant end) {
    return day(end.minusNanos(1));
  }

  private static String signed(Points p) {
    return p.isNegative() ? String.valueOf(p.value()) : "+" + p.value();
  }

  /** A text with its line breaks (U+2028 and U+2029 included) and other control characters as spaces. */
  private static String oneLine(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        if (out == null) {
          out = new StringBuilder(text);
        }
        out.setCharAt(i, ' ');
      }
    }
    return out == null ? text : out.toString();
  }
}
