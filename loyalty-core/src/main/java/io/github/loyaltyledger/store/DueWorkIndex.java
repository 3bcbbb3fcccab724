package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.control.Option;

/**
 * The due-work index: an optional port, implemented beside {@link LedgerStore} by stores that
 * support the daily run, which finds the members with work due without reading every account.
 *
 * <p>The store keeps one {@link DueWork} per member, derived with {@link DueWork#derive} from the
 * new account state and the new entries inside the same atomic {@link LedgerStore#commit}, so the
 * index never disagrees with the ledger. {@link #candidates} must cost in proportion to the
 * members it answers, not to all members (sorted indexes by due instant, last activity and
 * month-day).
 */
public interface DueWorkIndex {

  /**
   * The entry kinds that count as activity unless configured otherwise: a purchase ({@code EARN}),
   * a gift such as a birthday reward ({@code BONUS}) and a redemption ({@code REDEEM},
   * {@code CAPTURE}).
   */
  Set<EntryKind> DEFAULT_ACTIVITY_KINDS =
      HashSet.of(EntryKind.EARN, EntryKind.BONUS, EntryKind.REDEEM, EntryKind.CAPTURE);

  /**
   * The entry kinds whose entries move a member's last activity (see
   * {@code io.github.loyaltyledger.expiry.InactivityExpiry}); fixed when the store is built.
   *
   * @return the kinds, not empty
   */
  Set<EntryKind> activityKinds();

  /**
   * Reads one member's due work.
   *
   * @param member the member, not null
   * @return the due work, or none if the member is not enrolled
   */
  Option<DueWork> dueWork(MemberId member);

  /**
   * Finds the members that may have work due.
   *
   * <p>The answer must hold every member of the query's partition whose due work matched the query
   * throughout the call: a commit running beside the query (another node's, a till's) must not
   * hide a member who is due both before and after it. A store may answer more: a member who
   * matched at some moment of the call and no longer does, since each member's due work is read
   * as it is when answered. The daily run checks every candidate exactly and does nothing for one
   * with nothing due. A store must not answer members outside the partition, or twice: runs on
   * several nodes would visit them more than once.
   *
   * @param query what is due and which partition, not null
   * @return the candidates' current due work, each member once, in member-id order
   */
  List<DueWork> candidates(DueQuery query);
}
