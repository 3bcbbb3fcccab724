/**
 * Events published after each committed change ({@link io.github.loyaltyledger.event.LoyaltyEvent})
 * and the listener interface that receives them.
 */
package io.github.loyaltyledger.event;
