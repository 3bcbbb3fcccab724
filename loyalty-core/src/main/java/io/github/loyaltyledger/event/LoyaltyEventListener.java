package io.github.loyaltyledger.event;

/**
 * Receives {@link LoyaltyEvent}s after the change that caused them is committed.
 *
 * <p>Listeners are called synchronously, in registration order, on the thread that made the
 * change, once per committed change (never for refusals or replays). A listener that throws does
 * not undo the committed change: the exception is logged and the other listeners still run. For
 * delivery that survives a crash between commit and publication, use the JPA adapter's outbox.
 */
@FunctionalInterface
public interface LoyaltyEventListener {

  /**
   * Handles one event.
   *
   * @param event the event, never null
   */
  void on(LoyaltyEvent event);
}
