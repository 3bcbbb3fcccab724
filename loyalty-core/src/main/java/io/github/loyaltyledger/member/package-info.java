/**
 * Members: their pseudonymous {@link io.github.loyaltyledger.member.MemberId}, the facts the
 * ledger keeps about them ({@link io.github.loyaltyledger.member.Member}) and their lifecycle
 * ({@link io.github.loyaltyledger.member.MemberStatus}); and, kept apart from the hash-chained
 * ledger so that it can be erased, their personal data and consent
 * ({@link io.github.loyaltyledger.member.MemberProfile}, {@link io.github.loyaltyledger.member.Consent}).
 */
package io.github.loyaltyledger.member;
