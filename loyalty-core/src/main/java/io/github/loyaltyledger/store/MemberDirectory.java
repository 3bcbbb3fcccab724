package io.github.loyaltyledger.store;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.control.Option;

/**
 * The member directory: an optional port, implemented beside {@link LedgerStore} by stores that
 * can list their members page by page, so that programme-wide read models (liability, breakage,
 * segments, retention) visit a million members without loading them all at once.
 *
 * <p>A page costs in proportion to its size, not to the number of members (a sorted index on the
 * member id; keyset paging, never an offset).
 */
public interface MemberDirectory {

  /** The largest page {@link #members} may be asked for. */
  int MAX_PAGE = 10_000;

  /**
   * Lists enrolled members in ascending member-id order.
   *
   * @param after list only members whose id is greater than this one (the cursor: the last id of
   *     the previous page), or none for the first page; not null
   * @param limit the page size, 1 to {@value #MAX_PAGE}
   * @return at most {@code limit} member ids; fewer only on the last page
   * @throws IllegalArgumentException if {@code limit} is out of range
   */
  List<MemberId> members(Option<MemberId> after, int limit);
}
