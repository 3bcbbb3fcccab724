package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.List;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of a {@link Statement}: one ledger entry, what it did to the balance and why, in plain
 * language.
 *
 * @param sequence the entry's sequence number in the member's ledger
 * @param occurredAt when the business event happened
 * @param kind what the entry records
 * @param points the signed change to the member's total
 * @param balance the member's total after the entry
 * @param reason the entry's plain-language reason
 * @param breakdown for an earning entry, one line per rule that granted points (its description,
 *     the points and the rule's own explanation), from the breakdown kept in the entry's details;
 *     for an entry of a transfer written in several pairs (one per expiry of the points sent), one
 *     line saying which part it is ({@code Part 1 of 2 of this transfer …}) and, for a received
 *     part, the last day its points can be spent in the member's zone; empty otherwise
 */
public record StatementLine(
    long sequence, Instant occurredAt, EntryKind kind, Points points, Points balance, String reason, List<String> breakdown) {

  /**
   * Validates that no field is null.
   *
   * @param sequence the entry's sequence number in the member's ledger
   * @param occurredAt when the business event happened
   * @param kind what the entry records
   * @param points the signed change to the member's total
   * @param balance the member's total after the entry
   * @param reason the entry's plain-language reason
   * @param breakdown for an earning entry, one line per rule that granted points (its description,
   *     the points and the rule's own explanation), from the breakdown kept in the entry's details;
   *     for an entry of a transfer written in several pairs, one line saying which part it is and,
   *     for a received part, the last day its points can be spent; empty otherwise
   * @throws NullPointerException if an argument is null
   */
  public StatementLine {
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(balance, "balance");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(breakdown, "breakdown");
  }
}
