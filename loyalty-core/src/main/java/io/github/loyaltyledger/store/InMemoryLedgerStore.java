package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link LedgerStore} in memory: for tests, demos and applications that keep the ledger
 * elsewhere. Nothing survives the process.
 *
 * <p>Each member's account and entries are one immutable snapshot replaced under that member's
 * lock, so commits on different members proceed in parallel and readers never block. A commit
 * takes the locks of the members it changes in member-id order (then, if it changes counters, the
 * one counters lock), so two transfers in opposite directions cannot deadlock. Reading an account is a single map look-up whatever the length of
 * its history.
 *
 * <p>It is also a {@link DueWorkIndex}: each commit derives the members' {@link DueWork} under their
 * locks, and sorted in-memory indexes answer {@link #candidates} in proportion to the answer. A
 * query's scan of the indexes waits for the commits re-indexing a member, and holds back new ones
 * for the length of the scan, so that no commit beside it can hide a member due before and after
 * it (commits of different members still re-index in parallel with each other). And
 * it is a {@link MemberDirectory}: a sorted set of member ids, added to inside each commit; and it
 * keeps {@link MemberProfiles} in a map of their own.
 */
public final class InMemoryLedgerStore implements LedgerStore, DueWorkIndex, MemberDirectory, MemberProfiles {

  /** The id of the program whose ledger this is; null until a facade claims the store. */
  private final java.util.concurrent.atomic.AtomicReference<String> programId = new java.util.concurrent.atomic.AtomicReference<>();
  private final ConcurrentMap<MemberId, Slot> slots = new ConcurrentHashMap<>();
  private final ConcurrentMap<IdempotencyKey, IdempotencyRecord> records = new ConcurrentHashMap<>();
  private final ConcurrentMap<EntryId, List<EntryId>> references = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Long> counters = new ConcurrentHashMap<>();
  private final ReentrantLock countersLock = new ReentrantLock();
  private final DueWorkTable dueWork = new DueWorkTable();
  private final Set<EntryKind> activityKinds;
  private final ConcurrentMap<MemberId, MemberProfile> profiles = new ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentSkipListSet<MemberId> directory =
      new java.util.concurrent.ConcurrentSkipListSet<>();
  private final java.util.concurrent.atomic.LongAdder historyRead = new java.util.concurrent.atomic.LongAdder();

  /** Creates an empty store whose due-work index counts the {@link DueWorkIndex#DEFAULT_ACTIVITY_KINDS} as activity. */
  public InMemoryLedgerStore() {
    this(DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
  }

  /**
   * Creates an empty store whose due-work index counts the given kinds as activity.
   *
   * @param activityKinds the entry kinds that move a member's last activity, not null, not empty
   * @throws IllegalArgumentException if {@code activityKinds} is empty
   */
  public InMemoryLedgerStore(Set<EntryKind> activityKinds) {
    this.activityKinds = Objects.requireNonNull(activityKinds, "activityKinds");
    if (activityKinds.isEmpty()) {
      throw new IllegalArgumentException("at least one entry kind must count as activity");
    }
  }

  /**
   * {@inheritDoc} The store keeps the program's id in memory, as it keeps everything else.
   */
  @Override
  public String claimProgram(String program, Option<String> renamedFrom) {
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(renamedFrom, "renamedFrom");
    return programId.updateAndGet(kept -> kept == null || renamedFrom.contains(kept) ? program : kept);
  }

  @Override
  public Option<String> keptProgram() {
    return Option.of(programId.get());
  }

  @Override
  public Set<EntryKind> activityKinds() {
    return activityKinds;
  }

  @Override
  public Option<DueWork> dueWork(MemberId member) {
    Objects.requireNonNull(member, "member");
    return dueWork.get(member);
  }

  @Override
  public List<DueWork> candidates(DueQuery query) {
    Objects.requireNonNull(query, "query");
    return dueWork.candidates(query);
  }

  @Override
  public List<MemberId> members(Option<MemberId> after, int limit) {
    Objects.requireNonNull(after, "after");
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ", was " + limit);
    }
    java.util.NavigableSet<MemberId> tail = after.isEmpty() ? directory : directory.tailSet(after.get(), false);
    java.util.List<MemberId> page = new java.util.ArrayList<>(Math.min(limit, 256));
    for (java.util.Iterator<MemberId> it = tail.iterator(); it.hasNext() && page.size() < limit; ) {
      page.add(it.next());
    }
    return List.ofAll(page);
  }

  @Override
  public Option<MemberProfile> profile(MemberId member) {
    Objects.requireNonNull(member, "member");
    return Option.of(profiles.get(member));
  }

  @Override
  public void saveProfile(MemberProfile profile) {
    Objects.requireNonNull(profile, "profile");
    profiles.put(profile.member(), profile);
  }

  @Override
  public void deleteProfile(MemberId member) {
    Objects.requireNonNull(member, "member");
    profiles.remove(member);
  }

  @Override
  public Option<Account> account(MemberId member) {
    Objects.requireNonNull(member, "member");
    // The snapshot keeps its account found, so that this read, made by every request, allocates nothing.
    Snapshot snapshot = current(member);
    return snapshot == null ? Option.none() : snapshot.found();
  }

  @Override
  public Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key) {
    Objects.requireNonNull(key, "key");
    return Option.of(records.get(key));
  }

  @Override
  public Option<Entry> entry(EntryId id) {
    Objects.requireNonNull(id, "id");
    return snapshot(id.member()).flatMap(s -> {
      Vector<Entry> all = s.entries();
      return id.sequence() <= all.size()
          ? Option.some(all.get((int) id.sequence() - 1)).filter(e -> e.id().equals(id))
          : Option.none();
    });
  }

  @Override
  public List<Entry> referencing(EntryId original) {
    Objects.requireNonNull(original, "original");
    return references.getOrDefault(original, List.empty()).flatMap(this::entry);
  }

  @Override
  public List<Entry> entries(MemberId member, long fromSequence, int limit) {
    Objects.requireNonNull(member, "member");
    if (fromSequence < 1 || limit < 1) {
      throw new IllegalArgumentException("fromSequence and limit must be at least 1");
    }
    Vector<Entry> all = snapshot(member).map(Snapshot::entries).getOrElse(Vector.empty());
    if (fromSequence > all.size()) {
      return List.empty();
    }
    int from = (int) fromSequence - 1;
    return all.subSequence(from, (int) Math.min(all.size(), (long) from + limit)).toList();
  }

  @Override
  public List<Entry> history(MemberId member, EntryQuery query) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(query, "query");
    Vector<Entry> all = snapshot(member).map(Snapshot::entries).getOrElse(Vector.empty());
    java.util.List<Entry> page = new java.util.ArrayList<>();
    int i = query.beforeSequence().isEmpty() ? all.size() - 1 : below(all, query.beforeSequence().get()) - 1;
    int read = 0;
    for (; i >= 0 && page.size() < query.limit(); i--) {
      Entry e = all.get(i);
      read++;
      if (query.beforeSequence().exists(b -> e.sequence() >= b)) {
        continue; // only after tampering: an entry swapped below its place
      }
      if (query.matches(e.kind(), e.occurredAt())) {
        page.add(e);
      }
    }
    historyRead.add(read);
    return List.ofAll(page);
  }

  /**
   * The number of a member's entries, from the oldest, whose sequence is below {@code sequence}: a
   * page of history before it starts there, not at the newest entry, so that paging back through a
   * long history reads each entry once. A binary search rather than {@code sequence - 1}, because
   * the tamper hooks below delete entries (the sequences stay ascending, with gaps); an entry
   * at index {@code k} has a sequence of at least {@code k + 1}, so none from {@code sequence - 1} on
   * is below it. A swap (the other hook that moves entries) leaves one entry above its place, which
   * a page before it may leave out, as it did when the swapped entries straddled two pages; pages
   * of a reordered ledger were never whole, and {@code verify} reports the reordering.
   */
  private static int below(Vector<Entry> all, long sequence) {
    int low = 0;
    int high = (int) Math.max(0, Math.min(all.size(), sequence - 1));
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (all.get(middle).sequence() < sequence) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /** How many stored entries {@link #history} has looked at, for tests that count a read's work. */
  long historyRead() {
    return historyRead.sum();
  }

  @Override
  public long counter(String key) {
    Objects.requireNonNull(key, "key");
    return counters.getOrDefault(key, 0L);
  }

  /**
   * {@inheritDoc}
   *
   * <p>An enrolled member's counter name is built on its first read and kept with the member, its
   * hash with it: every quote and earn reads the member's visits counter, and building and hashing
   * a new name of some thirty characters each time was one of a quote's larger costs (ADR 0011).
   * The member keeps the name it read last, so reading one member's counters under several
   * prefixes in turn stays correct and builds each name again.
   */
  @Override
  public long counter(String prefix, MemberId member) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(member, "member");
    // No slot is made for a read: a member the store does not know gets its name built each time.
    Slot slot = slots.get(member);
    return counters.getOrDefault(slot == null ? prefix + member : slot.counterName(prefix, member), 0L);
  }

  @Override
  public CommitOutcome commit(Commit commit) {
    Objects.requireNonNull(commit, "commit");
    List<AccountChange> ordered = commit.changes().size() < 2
        ? commit.changes()
        : commit.changes().sortBy(c -> c.account().memberId());
    List<Slot> locked = List.empty();
    boolean countersLocked = false;
    try {
      for (AccountChange change : ordered) {
        Slot slot = slots.computeIfAbsent(change.account().memberId(), id -> new Slot());
        slot.lock.lock();
        locked = locked.prepend(slot);
        Snapshot current = slot.snapshot;
        long storedVersion = current == null ? 0 : current.account().version();
        if (storedVersion != change.expectedVersion()) {
          return CommitOutcome.STALE_ACCOUNT;
        }
        long nextSequence = current == null ? 1 : current.entries().size() + 1;
        if (!change.entries().isEmpty() && change.entries().head().sequence() != nextSequence) {
          throw new IllegalArgumentException("entries for " + change.account().memberId()
              + " must continue at sequence " + nextSequence);
        }
      }
      if (!commit.counters().isEmpty()) {
        countersLock.lock();
        countersLocked = true;
        for (CounterChange c : commit.counters()) {
          if (counters.getOrDefault(c.key(), 0L) != c.expected()) {
            return CommitOutcome.STALE_COUNTER;
          }
        }
      }
      // Derived and prepared for indexing before anything is stored, so that a failure (an
      // enrolment instant without a date) leaves the store untouched, as a database rolls back.
      List<DueWorkTable.Update> due = ordered.map(change -> DueWorkTable.prepare(DueWork.derive(
          dueWork.get(change.account().memberId()), change.account(), change.entries(), activityKinds)));
      if (records.putIfAbsent(commit.record().key(), commit.record()) != null) {
        return CommitOutcome.DUPLICATE_KEY;
      }
      commit.counters().forEach(c -> counters.put(c.key(), c.updated()));
      // The references and due work first, the accounts last: a reader on another facade (node)
      // that sees an account's new version must also see what its entries reference, or it could
      // plan a second reversal (or capture, or refund) of an entry already reversed against that
      // version and pass the version check. A reader that sees a reference before its account
      // finds no entry behind it yet (referencing resolves ids through the accounts' entries), and
      // its plan, made from the old version, is refused as stale.
      for (AccountChange change : ordered) {
        for (Entry e : change.entries()) {
          if (e.reference().isDefined()) {
            references.merge(e.reference().get(), List.of(e.id()), List::appendAll);
          }
        }
      }
      due.forEach(dueWork::put);
      for (AccountChange change : ordered) {
        Slot slot = slots.get(change.account().memberId());
        if (slot.snapshot == null) {
          directory.add(change.account().memberId());
        }
        Vector<Entry> before = slot.snapshot == null ? Vector.empty() : slot.snapshot.entries();
        slot.snapshot = new Snapshot(change.account(), before.appendAll(change.entries()));
      }
      return CommitOutcome.COMMITTED;
    } finally {
      if (countersLocked) {
        countersLock.unlock();
      }
      locked.forEach(slot -> slot.lock.unlock());
    }
  }

  private Option<Snapshot> snapshot(MemberId member) {
    return Option.of(current(member));
  }

  /** The member's snapshot, or null if the store has none. */
  private Snapshot current(MemberId member) {
    Slot slot = slots.get(member);
    return slot == null ? null : slot.snapshot;
  }

  /** Everything the store holds, for tests that search it (e.g. for erased personal data). */
  java.util.List<Object> contents() {
    java.util.List<Object> all = new java.util.ArrayList<>();
    slots.values().forEach(slot -> {
      Snapshot snapshot = slot.snapshot;
      if (snapshot != null) {
        all.add(snapshot.account());
        all.addAll(snapshot.entries().asJava());
      }
    });
    all.addAll(records.values());
    all.addAll(counters.keySet());
    all.addAll(profiles.values());
    dueWork.all().forEach(all::add);
    return all;
  }

  // Test-only hooks: they simulate tampering with stored entries so that tests can show that
  // verification detects it. Package-private, reachable only from tests in this package.

  void tamperReplace(Entry replacement) {
    mutate(replacement.member(), entries -> entries.update((int) replacement.sequence() - 1, replacement));
  }

  void tamperDelete(EntryId id) {
    mutate(id.member(), entries -> entries.removeAt((int) id.sequence() - 1));
  }

  void tamperSwap(EntryId a, EntryId b) {
    mutate(a.member(), entries -> {
      Entry first = entries.get((int) a.sequence() - 1);
      Entry second = entries.get((int) b.sequence() - 1);
      return entries.update((int) a.sequence() - 1, second).update((int) b.sequence() - 1, first);
    });
  }

  void tamperUnreference(EntryId original) {
    references.remove(original);
  }

  void tamperAccount(MemberId member, java.util.function.UnaryOperator<Account> change) {
    Slot slot = slots.get(member);
    slot.lock.lock();
    try {
      slot.snapshot = new Snapshot(change.apply(slot.snapshot.account()), slot.snapshot.entries());
    } finally {
      slot.lock.unlock();
    }
  }

  private void mutate(MemberId member, java.util.function.UnaryOperator<Vector<Entry>> change) {
    Slot slot = slots.get(member);
    slot.lock.lock();
    try {
      slot.snapshot = new Snapshot(slot.snapshot.account(), change.apply(slot.snapshot.entries()));
    } finally {
      slot.lock.unlock();
    }
  }

  /** A member's account, kept found (as the read returns it), and entries. */
  private record Snapshot(Option<Account> found, Vector<Entry> entries) {
    Snapshot(Account account, Vector<Entry> entries) {
      this(Option.some(account), entries);
    }

    Account account() {
      return found.get();
    }
  }

  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    volatile Snapshot snapshot;
    /** The member's counter name read last ({@link #counter(String, MemberId)}), or null. */
    volatile CounterName named;

    /** The name {@code prefix + member}, the one kept if it has that prefix. */
    String counterName(String prefix, MemberId member) {
      CounterName n = named;
      if (n == null || !n.prefix().equals(prefix)) {
        n = new CounterName(prefix, prefix + member);
        named = n;
      }
      return n.name();
    }
  }

  /** A member's counter name and the prefix it was built from. */
  private record CounterName(String prefix, String name) {}
}
