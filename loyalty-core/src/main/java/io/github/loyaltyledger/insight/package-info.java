/**
 * Read models over the ledger for the people who run a programme and the members in it: a
 * member's {@link io.github.loyaltyledger.insight.Statement} (as data, text, JSON and CSV), the
 * programme's {@link io.github.loyaltyledger.insight.Liability} at a
 * {@link io.github.loyaltyledger.insight.RedemptionRate}, {@link io.github.loyaltyledger.insight.Breakage}
 * per cohort month, RFM segmentation ({@link io.github.loyaltyledger.insight.RfmModel}, also a
 * segment resolver for promotions), {@link io.github.loyaltyledger.insight.Retention} by enrolment
 * cohort, and the data-portability {@link io.github.loyaltyledger.insight.MemberExport}. Nothing
 * here writes; reports take their instant and zone as parameters and page over members through the
 * store's {@link io.github.loyaltyledger.store.MemberDirectory}, so they scale to large programmes.
 */
package io.github.loyaltyledger.insight;
