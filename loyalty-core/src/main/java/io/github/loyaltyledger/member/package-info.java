/**
 * Members: their pseudonymous {@link io.github.loyaltyledger.member.MemberId}, the facts the
 * ledger keeps about them ({@link io.github.loyaltyledger.member.Member}) and their lifecycle
 * ({@link io.github.loyaltyledger.member.MemberStatus}).
 */
package io.github.loyaltyledger.member;
