package io.github.loyaltyledger.store;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory due-work index: each member's {@link DueWork}, plus sorted sets by due instant per
 * track, by last activity (members with live lots), and sets by birthday and enrolment month-day
 * (of members who receive occasions: a closed member is in neither).
 * Updates of one member are serialised by the store (under that member's lock), and updates of
 * different members run in parallel. A query does not run beside them: moving a member's entry
 * is a removal and an addition, and a query reading the sets between the two (or past the point
 * where the new entry went in) would miss a member due before and after the move, whose work then
 * slipped to the next run. So updates share {@link #scans}' read lock and a query's scan takes its
 * write lock, which costs what the scan costs, in proportion to the answer.
 */
final class DueWorkTable {

  private record Due(Instant at, MemberId member) {}

  private static final Comparator<Due> ORDER = Comparator.comparing(Due::at).thenComparing(Due::member);

  private final ConcurrentMap<MemberId, DueWork> work = new ConcurrentHashMap<>();
  private final EnumMap<DueTrack, NavigableSet<Due>> tracks = new EnumMap<>(DueTrack.class);
  private final NavigableSet<Due> activity = new ConcurrentSkipListSet<>(ORDER);
  private final ConcurrentMap<MonthDay, Set<MemberId>> birthdays = new ConcurrentHashMap<>();
  private final ConcurrentMap<MonthDay, Set<MemberId>> anniversaries = new ConcurrentHashMap<>();

  /** Held shared by updates and exclusively by a query's scan; see the class comment. */
  private final ReentrantReadWriteLock scans = new ReentrantReadWriteLock();
  /** Runs after each removal from an index; a seam for tests that pause a writer there. */
  private final Runnable afterRemoval;

  DueWorkTable() {
    this(() -> {});
  }

  DueWorkTable(Runnable afterRemoval) {
    this.afterRemoval = afterRemoval;
    for (DueTrack track : DueTrack.values()) {
      tracks.put(track, new ConcurrentSkipListSet<>(ORDER));
    }
  }

  /** Every member's due work and the month-day indexes, for tests that search the store. */
  java.util.List<Object> all() {
    java.util.List<Object> all = new java.util.ArrayList<>(work.values());
    all.add(birthdays.toString());
    all.add(anniversaries.toString());
    return all;
  }

  Option<DueWork> get(MemberId member) {
    return Option.of(work.get(member));
  }

  /**
   * A member's due work with what indexing it computes, computed before the table changes: the
   * enrolment day needs a date, which fails for an instant {@link java.time.LocalDate} cannot
   * represent, and a failure must leave the store untouched.
   */
  record Update(DueWork after, MonthDay enrolmentDay) {}

  /**
   * Computes everything {@link #put} needs that can fail, changing nothing.
   *
   * @throws java.time.DateTimeException if the member's enrolment has no date in their zone
   */
  static Update prepare(DueWork after) {
    return new Update(after, after.enrolmentDay());
  }

  /** Stores and indexes a member's due work; nothing here throws for a prepared update. */
  void put(Update update) {
    scans.readLock().lock();
    try {
      reindex(update);
    } finally {
      scans.readLock().unlock();
    }
  }

  private void reindex(Update update) {
    DueWork after = update.after();
    DueWork before = work.put(after.memberId(), after);
    if (before == null) {
      index(after, update.enrolmentDay(), true);
      return;
    }
    // Re-index only what changed: most commits move no due instant and leave the member as is.
    MemberId id = after.memberId();
    for (DueTrack track : DueTrack.values()) {
      Option<Instant> was = before.next(track);
      Option<Instant> is = after.next(track);
      if (!was.equals(is)) {
        was.forEach(at -> change(tracks.get(track), new Due(at, id), false));
        is.forEach(at -> change(tracks.get(track), new Due(at, id), true));
      }
    }
    if (before.holdsPoints() != after.holdsPoints() || !before.lastActivity().equals(after.lastActivity())) {
      if (before.holdsPoints()) {
        change(activity, new Due(before.lastActivity(), id), false);
      }
      if (after.holdsPoints()) {
        change(activity, new Due(after.lastActivity(), id), true);
      }
    }
    // Only a day that changes is re-indexed: a suspension keeps both days, a closing drops both.
    Option<MonthDay> bornWas = birthday(before);
    Option<MonthDay> bornIs = birthday(after);
    if (!bornWas.equals(bornIs)) {
      bornIs.forEach(day -> change(birthdays, day, id, true));
      bornWas.forEach(day -> change(birthdays, day, id, false));
    }
    if (!before.member().equals(after.member())) {
      Option<MonthDay> enrolledWas = before.receivesOccasions() ? Option.some(before.enrolmentDay()) : Option.none();
      Option<MonthDay> enrolledIs = after.receivesOccasions() ? Option.some(update.enrolmentDay()) : Option.none();
      if (!enrolledWas.equals(enrolledIs)) {
        enrolledIs.forEach(day -> change(anniversaries, day, id, true));
        enrolledWas.forEach(day -> change(anniversaries, day, id, false));
      }
    }
  }

  /** The day a member is indexed under for birthdays: none for a member with no birthday or no occasions. */
  private static Option<MonthDay> birthday(DueWork w) {
    return w.receivesOccasions() ? w.member().birthday() : Option.none();
  }

  private void index(DueWork w, MonthDay enrolmentDay, boolean add) {
    MemberId id = w.memberId();
    for (DueTrack track : DueTrack.values()) {
      w.next(track).forEach(at -> change(tracks.get(track), new Due(at, id), add));
    }
    if (w.holdsPoints()) {
      change(activity, new Due(w.lastActivity(), id), add);
    }
    birthday(w).forEach(day -> change(birthdays, day, id, add));
    if (w.receivesOccasions()) {
      change(anniversaries, enrolmentDay, id, add);
    }
  }

  private void change(NavigableSet<Due> set, Due due, boolean add) {
    if (add) {
      set.add(due);
    } else {
      set.remove(due);
      afterRemoval.run();
    }
  }

  private void change(ConcurrentMap<MonthDay, Set<MemberId>> byDay, MonthDay day, MemberId id, boolean add) {
    // Atomic per day, and an emptied day is dropped, so that no trace of an erased birthday remains.
    if (add) {
      byDay.compute(day, (d, members) -> {
        Set<MemberId> kept = members == null ? ConcurrentHashMap.newKeySet() : members;
        kept.add(id);
        return kept;
      });
    } else {
      byDay.computeIfPresent(day, (d, members) -> {
        members.remove(id);
        return members.isEmpty() ? null : members;
      });
      afterRemoval.run();
    }
  }

  List<DueWork> candidates(DueQuery query) {
    TreeSet<MemberId> found = new TreeSet<>();
    scans.writeLock().lock();
    try {
      collect(tracks.get(DueTrack.VESTING), query.asOf(), found);
      collect(tracks.get(DueTrack.HOLD_EXPIRY), query.asOf(), found);
      collect(tracks.get(DueTrack.TIER_REVIEW), query.reviewsBy(), found);
      collect(tracks.get(DueTrack.LOT_EXPIRY), query.expiringBy(), found);
      query.lastActiveBy().forEach(cutoff -> collect(activity, cutoff, found));
      query.birthdays().forEach(day -> found.addAll(birthdays.getOrDefault(day, Set.of())));
      query.anniversaries().forEach(day -> found.addAll(anniversaries.getOrDefault(day, Set.of())));
    } finally {
      scans.writeLock().unlock();
    }
    // Each member's latest due work, which may have moved since: the run checks it exactly.
    return List.ofAll(found).filter(query.partition()::contains).flatMap(this::get);
  }

  private static void collect(NavigableSet<Due> set, Instant until, Set<MemberId> into) {
    for (Due due : set) {
      if (due.at().isAfter(until)) {
        return;
      }
      into.add(due.member());
    }
  }
}
