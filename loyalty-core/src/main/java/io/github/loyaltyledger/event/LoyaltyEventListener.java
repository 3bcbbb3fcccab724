package io.github.loyaltyledger.event;

/**
 * Receives {@link LoyaltyEvent}s after the change that caused them is committed.
 *
 * <p>Listeners are called synchronously, in registration order, on the thread that made the
 * change, once per committed change (never for refusals or replays). A listener that throws does
 * not undo the committed change: the failure goes to the facade's failure handler (by default
 * logged) and the other listeners still run, even if that handler throws in turn (what it threw is
 * logged). That holds for any exception, checked ones thrown
 * sneakily included, and for any {@link Error} (a {@link StackOverflowError} of the listener's own
 * recursion included) but an error of the virtual machine itself ({@link OutOfMemoryError},
 * {@link InternalError}), which propagates. For delivery that survives a crash between commit and
 * publication, use the JPA adapter's outbox. The same holds for a commit the store stored but
 * whose answer it lost (it threw, the connection dropped as it committed): the call throws, nothing
 * is published, and the same request sent again is a replay, which publishes nothing either; the
 * outbox has that commit's events.
 *
 * <p>A member's events arrive in the order of their changes because they are published while the
 * facade still holds the lock of the members the change touched. A change that a listener makes
 * for the same member (a first-purchase bonus, say) is published once every listener has heard the
 * event that caused it, so each listener hears the two in the order they were committed. A
 * listener must not call the facade for another member on the same thread (a referral bonus
 * credited to the referrer when the referred member earns, say): two such calls on two threads,
 * each for the other's member, wait for each other for ever. Hand such work to another thread or a queue, or use the outbox.
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
