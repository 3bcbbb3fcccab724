/**
 * Loyalty Ledger core: the points ledger, the engines and the {@code Loyalty} facade. Depends only
 * on Joda-Money and Vavr.
 */
module io.github.loyaltyledger.core {
  requires transitive io.vavr;
  requires transitive org.joda.money;

  exports io.github.loyaltyledger;
  exports io.github.loyaltyledger.earning;
  exports io.github.loyaltyledger.event;
  exports io.github.loyaltyledger.expiry;
  exports io.github.loyaltyledger.insight;
  exports io.github.loyaltyledger.ledger;
  exports io.github.loyaltyledger.member;
  exports io.github.loyaltyledger.occasion;
  exports io.github.loyaltyledger.program;
  exports io.github.loyaltyledger.redemption;
  exports io.github.loyaltyledger.store;
  exports io.github.loyaltyledger.tier;

  // Not exported: io.github.loyaltyledger.internal, rules several packages share (ADR 0001).

  uses io.github.loyaltyledger.earning.EarnRule;
}
