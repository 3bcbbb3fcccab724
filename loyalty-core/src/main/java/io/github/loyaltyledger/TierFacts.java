package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.github.loyaltyledger.tier.TierChange;
import io.vavr.collection.List;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * What the tier engine reads from members' ledgers — each entry's qualifying activity and the
 * recorded tier changes — decoded once and kept per member up to a sequence number, so that a
 * standing reads only the entries written since the last one (usually none, or the purchase's own)
 * instead of the member's whole window.
 *
 * <p>Entries are immutable and their sequences dense, so a kept prefix stays valid whoever appends
 * to the ledger, another node included: the account names the newest entry, and only the entries
 * after the kept one are read. The chain is checked on the way (each new entry's previous hash is
 * the kept tip's hash), so a prefix that is not the store's (a store replaced under the facade, an
 * account older than what is kept) is dropped and read again from the first entry. The facade's own
 * commits are appended as they are made ({@link #committed}), so a node that is the only writer of
 * a member reads nothing at all for its standing. The reversals that forgave or settled points
 * under {@code CLAMP} are kept too, whole (they are few), so that a return on a member whose facts
 * are kept need not read all the member's reversals ({@link #forgiving}). Bounded: once
 * more than {@code maxFacts} entries are kept, the least recently read members are forgotten.
 * Thread-safe.
 */
final class TierFacts {

  /** How many entries are kept across members unless told otherwise (some tens of bytes each). */
  static final int DEFAULT_MAX_FACTS = 1_000_000;

  private static final Kept NOTHING =
      new Kept(0, Entry.GENESIS_HASH, Vector.empty(), Vector.empty(), 0, 0, List.empty(), Option.none(), Vector.empty(),
          Option.none());

  private final Supplier<LedgerStore> store;
  private final CurrencyUnit currency;
  private final int maxFacts;
  private final LinkedHashMap<MemberId, Kept> kept = new LinkedHashMap<>(64, 0.75f, true);
  private long size;

  TierFacts(LedgerStore store, CurrencyUnit currency, int maxFacts) {
    this(always(store), currency, maxFacts);
  }

  private static Supplier<LedgerStore> always(LedgerStore store) {
    Objects.requireNonNull(store, "store");
    return () -> store;
  }

  /**
   * Facts read through whichever store {@code store} names at the time: the facade passes the view
   * of the request attempt running on the thread ({@link LedgerStore#attempt}), so that a tier check
   * inside a request reads on the request's connection rather than taking a second one.
   */
  TierFacts(Supplier<LedgerStore> store, CurrencyUnit currency, int maxFacts) {
    this.store = Objects.requireNonNull(store, "store");
    this.currency = Objects.requireNonNull(currency, "currency");
    if (maxFacts < 0) {
      throw new IllegalArgumentException("maxFacts cannot be negative, was " + maxFacts);
    }
    this.maxFacts = maxFacts;
  }

  /**
   * A member's facts up to at least the account's newest entry (or later ones, if another request
   * appended since the account was read).
   */
  Kept upTo(Account account) {
    MemberId member = account.memberId();
    Kept known = known(member);
    if (known.lastSequence() == account.lastSequence() && known.lastHash().equals(account.lastHash())) {
      return known;
    }
    Kept read = known.lastSequence() < account.lastSequence() ? extend(account, known, true) : null;
    if (read == null) {
      read = extend(account, NOTHING, true);
    }
    if (read == null) {
      // Not one hash chain (tampered; verify says where): read it as it is, and keep nothing.
      return extend(account, NOTHING, false);
    }
    keep(member, known, read);
    return read;
  }

  /**
   * The member's {@code REVERSAL} entries that forgave points under {@code CLAMP} or settled what
   * was forgiven, up to the account's newest entry, oldest first, if the member's facts are kept:
   * read as {@link #upTo} reads, so only the entries written since the kept ones (another node's
   * included). None if nothing is kept for the member (a program without a ladder, a member not
   * read yet or forgotten), or if an entry since cannot be read: the caller then reads the store's
   * reversals, which costs a read of them all rather than of the whole ledger.
   */
  Option<Vector<Entry>> forgiving(Account account) {
    if (known(account.memberId()) == NOTHING) {
      return Option.none();
    }
    try {
      return Option.some(upTo(account).forgiving().filter(e -> e.sequence() <= account.lastSequence()));
    } catch (IllegalArgumentException | java.time.DateTimeException unreadable) {
      return Option.none();
    }
  }

  /**
   * A member's facts as the ledger stood at an instant, read as {@code Loyalty.balanceAsOf} reads
   * it: up to the last entry recorded at or before {@code at}, so that an entry recorded later
   * (back-dated, or refunding an earlier purchase) does not change a past standing. When the
   * account's newest entry was recorded by then, these are the kept facts ({@link #upTo}); otherwise
   * the ledger is read from its first entry and nothing is kept.
   */
  Kept asOf(Account account, Instant at) {
    MemberId member = account.memberId();
    if (account.lastSequence() == 0 || store.get().entry(io.github.loyaltyledger.ledger.EntryId.of(member,
        account.lastSequence())).exists(newest -> !newest.recordedAt().isAfter(at))) {
      return upTo(account);
    }
    Kept read = NOTHING;
    Kept then = NOTHING;
    List<Entry> page;
    do {
      page = store.get().entries(member, read.lastSequence() + 1, EntryQuery.MAX_LIMIT);
      for (Entry entry : page) {
        read = append(read, List.of(entry), account.member().zone(), false);
        // An entry recorded "later" may come before one recorded in time (clocks that disagree).
        if (!entry.recordedAt().isAfter(at)) {
          then = read;
        }
      }
    } while (page.size() == EntryQuery.MAX_LIMIT);
    return then;
  }

  /**
   * Keeps the entries a commit of this facade appended, if the member's facts are kept up to just
   * before them, so that the next standing reads nothing. It never throws for what was committed: a
   * {@code TIER} entry it cannot read makes it forget the member, and the next standing reads the
   * ledger (and reports the entry) as without kept facts.
   */
  void committed(AccountChange change) {
    MemberId member = change.account().memberId();
    Kept known = known(member);
    if (known == NOTHING) {
      return;
    }
    try {
      Kept after = change.entries().isEmpty() ? known : append(known, change.entries(), change.account().member().zone(), true);
      boolean upToIt = after != null && after.lastSequence() == change.account().lastSequence();
      keep(member, known, upToIt ? after.withAccount(Option.some(change.account())) : known.withAccount(Option.none()));
    } catch (IllegalArgumentException | java.time.DateTimeException unreadable) {
      keep(member, known, NOTHING);
    }
  }

  /**
   * The account as this facade's latest commit for the member left it, if the kept facts are up to
   * that commit: what a check right after the commit would read from the store (a later commit of
   * another node is checked by that node after its own commit).
   */
  Option<Account> committedAccount(MemberId member) {
    return known(member).account();
  }

  /**
   * The entries after {@code from}'s tip, appended to it; null if {@code chained} and they do not
   * continue its hash chain.
   */
  private Kept extend(Account account, Kept from, boolean chained) {
    Kept read = from;
    List<Entry> page;
    do {
      page = store.get().entries(account.memberId(), read.lastSequence() + 1, EntryQuery.MAX_LIMIT);
      read = append(read, page, account.member().zone(), chained);
    } while (read != null && page.size() == EntryQuery.MAX_LIMIT);
    return read;
  }

  private Kept append(Kept from, Iterable<Entry> entries, ZoneId zone, boolean chained) {
    long sequence = from.lastSequence();
    String hash = from.lastHash();
    Vector<Fact> facts = from.facts();
    Vector<Instant> latestUpTo = from.latestUpTo();
    long pointsMagnitude = from.pointsMagnitude();
    long spendMagnitude = from.spendMagnitude();
    List<TierChange> changes = from.changes();
    Option<Instant> review = from.review();
    Vector<Entry> forgiving = from.forgiving();
    for (Entry entry : entries) {
      if (chained && (entry.sequence() != sequence + 1 || !entry.previousHash().equals(hash))) {
        return null;
      }
      sequence = entry.sequence();
      hash = entry.hash();
      review = DueWork.tierReviewAfter(review, entry, zone);
      if (entry.kind() == EntryKind.TIER && !schedulesOnly(entry)) {
        changes = changes.append(TierChange.of(entry));
      } else if (entry.kind() == EntryKind.REVERSAL || QualifyingActivity.isRecordedOn(entry)) {
        Fact fact = Fact.of(entry, currency);
        facts = facts.append(fact);
        boolean latest = latestUpTo.isEmpty() || fact.at().isAfter(latestUpTo.last());
        latestUpTo = latestUpTo.append(latest ? fact.at() : latestUpTo.last());
        pointsMagnitude = plusMagnitude(pointsMagnitude, fact.points());
        spendMagnitude = plusMagnitude(spendMagnitude, fact.spend());
      }
      if (entry.kind() == EntryKind.REVERSAL
          && (entry.details().containsKey(Loyalty.SHORTFALL) || entry.details().containsKey(Loyalty.FORGIVEN_SETTLED))) {
        forgiving = forgiving.append(entry);
      }
    }
    return new Kept(sequence, hash, facts, latestUpTo, pointsMagnitude, spendMagnitude, changes, review, forgiving,
        Option.none());
  }

  /**
   * Whether a {@code TIER} entry only schedules the member's next review for the due-work index (its
   * {@code tier.review} detail, or none) and records no change: it has none of the change's details.
   */
  static boolean schedulesOnly(Entry entry) {
    return entry.kind() == EntryKind.TIER
        && List.of(TierChange.FROM, TierChange.TO, TierChange.REASON).forAll(k -> !entry.details().containsKey(k));
  }

  /** {@code total} plus the size of {@code value}, held at {@link Long#MAX_VALUE} rather than overflowing. */
  private static long plusMagnitude(long total, long value) {
    long sum = total + (value == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(value));
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private synchronized Kept known(MemberId member) {
    return kept.getOrDefault(member, NOTHING);
  }

  private synchronized void keep(MemberId member, Kept before, Kept after) {
    Kept now = kept.getOrDefault(member, NOTHING);
    if (now != before && now.lastSequence() >= after.lastSequence()) {
      return; // another thread kept as much or more meanwhile
    }
    size -= now.facts().size();
    kept.remove(member);
    if (after == NOTHING || after.facts().size() > maxFacts) {
      return; // forgotten, or more than may be kept
    }
    kept.put(member, after);
    size += after.facts().size();
    Iterator<Map.Entry<MemberId, Kept>> eldest = kept.entrySet().iterator();
    while (size > maxFacts && eldest.hasNext()) {
      size -= eldest.next().getValue().facts().size();
      eldest.remove();
    }
  }

  /** How many entries' facts are kept, for tests. */
  synchronized long size() {
    return size;
  }

  /**
   * A member's facts up to an entry.
   *
   * @param lastSequence the newest entry read
   * @param lastHash its hash
   * @param facts the entries that may carry qualifying activity, in sequence order
   * @param latestUpTo for each fact, the latest instant at which it or a fact before it occurred: a
   *     span skips the facts before the first that reaches its start ({@link #firstInSpan}), so that a
   *     member's standing reads the facts from its window on, not the member's whole history
   * @param pointsMagnitude the qualifying points the entries record themselves, counted without sign
   *     (at most {@link Long#MAX_VALUE}); what {@link Loyalty#credit} bounds
   * @param spendMagnitude the same for the qualifying spend, in minor units
   * @param changes the recorded tier changes, oldest first
   * @param review the next tier review the due-work index holds after the newest entry
   *     ({@link DueWork#tierReviewAfter})
   * @param forgiving the {@code REVERSAL} entries with a {@code shortfall} or {@code forgiven.settled}
   *     detail, oldest first: what a return reads to settle what {@code CLAMP} forgave ({@link #forgiving})
   * @param account the account after the newest entry, if this facade committed it
   */
  record Kept(long lastSequence, String lastHash, Vector<Fact> facts, Vector<Instant> latestUpTo, long pointsMagnitude,
      long spendMagnitude, List<TierChange> changes, Option<Instant> review, Vector<Entry> forgiving,
      Option<Account> account) {

    Kept withAccount(Option<Account> value) {
      return new Kept(lastSequence, lastHash, facts, latestUpTo, pointsMagnitude, spendMagnitude, changes, review, forgiving,
          value);
    }

    /**
     * The qualifying activity of the entries that occurred in a span: the same sum as over the
     * entries themselves, a reversal without qualifying keys taking back what its original
     * recorded (looked up when counted).
     */
    QualifyingActivity between(Instant from, Instant to, CurrencyUnit currency, Function<Entry, QualifyingActivity> deferred) {
      return between(from, to, currency, deferred, true);
    }

    /**
     * As {@link #between(Instant, Instant, CurrencyUnit, Function)}, leaving out the returns
     * ({@code REVERSAL} entries) unless {@code returns} is set.
     */
    QualifyingActivity between(Instant from, Instant to, CurrencyUnit currency, Function<Entry, QualifyingActivity> deferred,
        boolean returns) {
      return between(from, to, currency, deferred, returns ? original -> true : original -> false);
    }

    /**
     * As {@link #between(Instant, Instant, CurrencyUnit, Function)}, counting a return only when
     * {@code counts} accepts the entry it takes back (given null when it names none).
     */
    QualifyingActivity between(Instant from, Instant to, CurrencyUnit currency, Function<Entry, QualifyingActivity> deferred,
        Predicate<EntryId> counts) {
      long points = 0;
      long spend = 0;
      long visits = 0;
      QualifyingActivity other = QualifyingActivity.none(currency);
      for (int i = firstInSpan(from); i < facts.size(); i++) {
        Fact fact = facts.get(i);
        if (fact.at().isBefore(from) || !fact.at().isBefore(to) || fact.returned() && !counts.test(fact.original())) {
          continue;
        }
        if (fact.deferred() != null) {
          other = other.plus(deferred.apply(fact.deferred()));
        } else {
          points = Math.addExact(points, fact.points());
          spend = Math.addExact(spend, fact.spend());
          visits = Math.addExact(visits, fact.visits());
        }
      }
      return other.plus(new QualifyingActivity(points, Money.ofMinor(currency, spend), visits));
    }

    /**
     * The index of the first fact a span from {@code from} reads: the facts before it all occurred
     * before {@code from} (the latest of them did), so skipping them leaves the span's sum as it was.
     * Facts are kept in sequence order, which is the order they occurred in unless purchases were
     * uploaded late: a late one costs nothing, while one dated far ahead makes every span from then
     * on start at it (reading more, never less).
     */
    int firstInSpan(Instant from) {
      int low = 0;
      int high = latestUpTo.size();
      while (low < high) {
        int middle = (low + high) >>> 1;
        if (latestUpTo.get(middle).isBefore(from)) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      return low;
    }
  }

  /**
   * One entry's qualifying activity and when it occurred; an entry whose activity cannot be read
   * from its own keys (a reversal without them, or keys that are not whole numbers) is kept whole
   * in {@code deferred} and read when it is counted, as the entries themselves would be;
   * {@code returned} if it is a return (a {@code REVERSAL}, a refund's or a reversal's), and then
   * {@code original} the entry it takes back (null if it names none).
   */
  record Fact(Instant at, long points, long spend, long visits, Entry deferred, boolean returned, EntryId original) {

    static Fact of(Entry entry, CurrencyUnit currency) {
      boolean returned = entry.kind() == EntryKind.REVERSAL;
      EntryId original = returned ? entry.reference().getOrNull() : null;
      if (returned && !QualifyingActivity.isRecordedOn(entry)) {
        return new Fact(entry.occurredAt(), 0, 0, 0, entry, true, original);
      }
      try {
        QualifyingActivity a = QualifyingActivity.of(entry, currency);
        return new Fact(entry.occurredAt(), a.points(), a.spend().getAmountMinorLong(), a.visits(), null, returned,
            original);
      } catch (IllegalStateException unreadable) {
        return new Fact(entry.occurredAt(), 0, 0, 0, entry, returned, original);
      }
    }
  }
}
