/**
 * Expiry policies: when the points of a lot expire. {@link io.github.loyaltyledger.expiry.ExpiryPolicy}
 * gives each lot its expiry instant when it is credited (a fixed term, optionally rounded up to the
 * end of the month, quarter or year, or a calendar date such as every 31 December);
 * {@link io.github.loyaltyledger.expiry.InactivityExpiry} expires all of a member's points after
 * months without qualifying activity. Dates are evaluated in the member's zone, and points expire
 * at the start of the day after their last valid day. The expiry run itself is
 * {@link io.github.loyaltyledger.DailyRun}.
 */
package io.github.loyaltyledger.expiry;
