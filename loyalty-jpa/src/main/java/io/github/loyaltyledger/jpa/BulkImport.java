package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Verification;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.MemberProfiles;
import io.github.loyaltyledger.store.ProgramMismatchException;
import io.vavr.collection.Set;
import io.vavr.control.Either;
import io.vavr.control.Option;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The bulk import behind {@link JpaLedgerStore#importMembers}: copies members, verified, from another
 * store in plain JDBC batches on the transaction's own connection ({@code callWithConnection}),
 * several members per transaction, every statement prepared once per transaction, entries and
 * requests in multi-row inserts ({@link RowBatch}), two transactions at a time on two connections,
 * committed in their order (on embedded H2 one at a time, each holding the database's {@link
 * WriteLock}).
 *
 * <p>First every member's chain in the source is verified, by the facade's own {@link
 * Loyalty#verify} on two threads, and its entries' and profile's texts checked ({@link #unstorable}),
 * so that a broken chain or a text no store can keep anywhere stops the import before anything is
 * written (naming the first such member in the caller's order). Then the members are grouped into
 * transactions in the caller's order, and two connections take the transactions in turn; a
 * transaction that has written its rows commits once the one before it has committed, and rolls back
 * if one before it failed, so the outcome is that of running them one after the other. In each
 * transaction: the members' accounts in the store are read; a member the store holds
 * with the source's chain (its tip, or an entry with the source's tip hash at the source's last
 * sequence, when it moved on since) is skipped; one held with any other chain refuses the transaction.
 * For each new member the account, its entries, one due-work row derived from the whole history, the
 * idempotency records its entries' keys name and its profile (none for a member its history says was
 * erased, whose profile in the store is deleted) are inserted, each row with the same
 * columns as its entity or table class computes ({@link AccountRow}, {@link EntryRow}, {@link
 * RequestRow}, {@link DueWorkTable}).
 *
 * <p>A record is found through the keys of the member's entries ({@link LedgerStore} can look records
 * up by key only), so the records of requests that wrote no entry (an enrolment, a status change) are
 * not copied. A record whose receipt lists an entry of another member is written once that member's
 * entries are in the store too: with the later of the two members (a member of an earlier transaction
 * of the same import counts as stored, since its transaction commits first or this one rolls back).
 */
final class BulkImport {

  /**
   * A transaction closes after the member that brings it to this many entries. On H2 in a file an
   * import of 20,000 entries in transactions of 2,000 took 13-15 µs per entry, of 5,000 17-23 µs and
   * of 20,000 about 21 µs, in alternating runs (ADR 0008). In a profile of the 5,000 case half the
   * transaction's time was its commit, most of that H2 writing pages out from within the commit's own
   * row updates: our reading is that a transaction outgrowing H2's buffer of unsaved pages has its
   * pages written before the commit and again during it.
   */
  static final int ENTRIES_PER_TRANSACTION = 2_000;

  /** A transaction holds at most this many members. */
  static final int MEMBERS_PER_TRANSACTION = 500;

  /** Transactions run on this many connections at once (and verification on as many threads). */
  static final int CONNECTIONS = 2;

  /** The longest profile text (name, contact, external system name or id) that {@link Loyalty#saveProfile} takes. */
  private static final int PROFILE_TEXT = 500;

  /** Entries are read from the source in pages of this size. */
  private static final int PAGE = 5_000;

  private static final String ENTRY_HASH = "SELECT hash FROM ledger_entry WHERE member_id = ? AND sequence_number = ?";

  private static final String REQUEST_KEY = "SELECT 1 FROM ledger_request WHERE idempotency_key = ?";

  private static final String DELETE_REFS = "DELETE FROM ledger_member_external_ref WHERE member_id = ?";
  private static final String DELETE_PROFILE = "DELETE FROM ledger_member_profile WHERE member_id = ?";
  private static final String INSERT_PROFILE = "INSERT INTO ledger_member_profile"
      + " (member_id, name, contact, marketing, birthday_offers) VALUES (?, ?, ?, ?, ?)";
  private static final String INSERT_REF = "INSERT INTO ledger_member_external_ref"
      + " (member_id, system_name, external_id) VALUES (?, ?, ?)";

  private final EntityManagerFactory factory;
  private final Transactions begin;
  private final WriteLock writeLock;
  private final Set<EntryKind> activityKinds;
  private final boolean onPostgresql;
  private final LedgerStore source;

  /** The program the source keeps, which the first transaction claims the store for; none if it keeps none. */
  private final Option<String> program;

  /**
   * The request keys whose records a transaction of this import is to write, each with the earliest
   * such transaction (see {@link #claim}).
   */
  private final Map<IdempotencyKey, Claim> claims = new ConcurrentHashMap<>();

  /** A transaction's claim on a request key: the transaction, the member whose entries name the key, its size. */
  private record Claim(int transaction, MemberId member, int members) {}

  private BulkImport(EntityManagerFactory factory, Transactions begin, WriteLock writeLock,
      Set<EntryKind> activityKinds, boolean onPostgresql, LedgerStore source, Option<String> program) {
    this.factory = factory;
    this.begin = begin;
    this.writeLock = writeLock;
    this.activityKinds = activityKinds;
    this.onPostgresql = onPostgresql;
    this.source = source;
    this.program = program;
  }

  /** See {@link JpaLedgerStore#importMembers}. */
  static ImportReport run(EntityManagerFactory factory, Transactions begin, WriteLock writeLock,
      Set<EntryKind> activityKinds, Target target, LedgerStore source, Iterable<MemberId> members) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(members, "members");
    LinkedHashSet<MemberId> ids = new LinkedHashSet<>();
    for (MemberId member : members) {
      ids.add(Objects.requireNonNull(member, "members must not contain null"));
    }
    List<MemberId> order = new ArrayList<>(ids);
    if (order.isEmpty()) {
      return ImportReport.NONE;
    }
    // Read once: the first transaction claims the store for this program and checks the answer.
    Option<String> program = source.keptProgram();
    for (String kept : target.keeps.get()) {
      if (program.exists(p -> !p.equals(kept))) {
        throw otherProgram(order.get(0), kept, program.get());
      }
    }
    verify(source, order);
    List<List<Account>> transactions = new ArrayList<>();
    List<Account> batch = new ArrayList<>();
    long entries = 0;
    for (MemberId member : order) {
      Account account = source.account(member).getOrElseThrow(() -> changed(member));
      batch.add(account);
      entries += account.lastSequence();
      if (entries >= ENTRIES_PER_TRANSACTION || batch.size() == MEMBERS_PER_TRANSACTION) {
        transactions.add(batch);
        batch = new ArrayList<>();
        entries = 0;
      }
    }
    if (!batch.isEmpty()) {
      transactions.add(batch);
    }
    return new BulkImport(factory, begin, writeLock, activityKinds, target.onPostgresql, source, program)
        .transactions(transactions);
  }

  /**
   * What the import needs to know of the store it writes to besides its connections.
   *
   * @param keeps reads the program the store keeps ({@link LedgerStore#keptProgram})
   * @param onPostgresql whether the store is on PostgreSQL (for {@link ProgramRecord#claim})
   */
  record Target(java.util.function.Supplier<Option<String>> keeps, boolean onPostgresql) {}

  /**
   * The refusal of an import whose source keeps the ledger of {@code program} into a store that keeps
   * {@code kept}'s. A source that keeps no program (a store that records none, {@link
   * LedgerStore#claimProgram}'s default) says nothing of whose members it holds, and is imported.
   */
  private static ImportRefusedException otherProgram(MemberId first, String kept, String program) {
    return new ImportRefusedException(ImportRefusedException.Reason.OTHER_PROGRAM, first, Option.none(),
        "the source keeps the ledger of program " + program + ", but this store keeps program " + kept
            + "'s, and one store keeps one program's ledger: replay the members under program " + kept
            + " (a facade of it on a new staging store), or import them into a store (a schema) of program "
            + program + "'s; nothing was written",
        new ProgramMismatchException(kept, program));
  }

  /**
   * Verifies every member's chain in the source with {@link Loyalty#verify}, on a facade of its own
   * over the source (verification reads neither the program nor the clock; the facade leaves the
   * source's program as it is, {@link Unclaimed}), on {@value #CONNECTIONS}
   * threads. The refusal names the first member, in the caller's order, that fails: every member
   * before it is verified, whichever thread finishes first.
   */
  private static void verify(LedgerStore source, List<MemberId> members) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger firstBad = new AtomicInteger(members.size());
    ImportRefusedException[] refusals = new ImportRefusedException[members.size()];
    inParallel(() -> {
      Loyalty verifier = Loyalty.builder().program(LoyaltyProgram.builder("import").build()).store(new Unclaimed(source))
          .clock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)).unclaimedStore().build();
      for (int i = next.getAndIncrement(); i < firstBad.get(); i = next.getAndIncrement()) {
        refusals[i] = refusal(verifier, source, members.get(i));
        if (refusals[i] != null) {
          firstBad.accumulateAndGet(i, Math::min);
        }
      }
    });
    if (firstBad.get() < members.size()) {
      throw refusals[firstBad.get()];
    }
  }

  /**
   * Why the member in the source cannot be imported (its chain does not verify, or it holds a text
   * not every store can keep: {@link #unstorable}), or null if it can.
   */
  private static ImportRefusedException refusal(Loyalty verifier, LedgerStore source, MemberId member) {
    Either<LoyaltyError, Verification> checked = verifier.verify(member);
    if (checked.isLeft()) {
      return new ImportRefusedException(ImportRefusedException.Reason.UNKNOWN_MEMBER, member, Option.none(),
          "member " + member + " is not in the source store: replay its history there first, or leave it out"
              + " of the import; nothing was written");
    }
    Verification v = checked.get();
    if (!v.isIntact()) {
      return new ImportRefusedException(ImportRefusedException.Reason.BROKEN_CHAIN, member, v.firstBadSequence(),
          "the chain of member " + member + " in the source breaks at entry " + v.firstBadSequence().get() + ": "
              + v.problem().get() + "; replay the member's history afresh; nothing was written");
    }
    return unstorable(source, member);
  }

  /**
   * Why a text of the member's entries or profile in the source cannot be stored, or null: one
   * that not every store can keep ({@link Fingerprint#isStorable}: PostgreSQL refuses a NUL in
   * every text column, and the whole transaction with it), or a profile text longer than {@link
   * Loyalty#saveProfile} takes. The facade refuses both; a source written before it did, or by
   * another store, may hold them, and an import must not write what the facade never would. So is
   * the fingerprint of a request that the entries' keys name, which the facade always writes as
   * {@link Fingerprint#sha256}: any other does not fit the column (longer than 128 characters),
   * cannot be stored (a NUL), or could never match a resent request.
   */
  private static ImportRefusedException unstorable(LedgerStore source, MemberId member) {
    java.util.Set<IdempotencyKey> keys = new HashSet<>();
    boolean erased = false;
    for (long next = 1; ; ) {
      io.vavr.collection.List<Entry> page = source.entries(member, next, PAGE);
      for (Entry entry : page) {
        erased |= entry.kind() == EntryKind.ERASURE;
        String problem = unstorable(entry);
        if (problem != null) {
          return new ImportRefusedException(ImportRefusedException.Reason.UNSTORABLE_TEXT, member,
              Option.some(entry.sequence()), "entry " + entry.sequence() + " of member " + member + " in the source has "
                  + problem + ", which not every store can keep; replay the member's history afresh without it;"
                  + " nothing was written");
        }
        IdempotencyKey key = entry.idempotencyKey();
        String fingerprint = keys.add(key)
            ? source.idempotencyRecord(key).map(IdempotencyRecord::fingerprint).filter(f -> !isSha256(f)).getOrNull()
            : null;
        if (fingerprint != null) {
          return new ImportRefusedException(ImportRefusedException.Reason.UNSTORABLE_TEXT, member,
              Option.some(entry.sequence()), "the record of request " + key + " (entry " + entry.sequence()
                  + " of member " + member + ") in the source has a fingerprint of " + fingerprint.length()
                  + " characters that is not the 64 lower-case hex digits of SHA-256 the facade writes: the store"
                  + " cannot keep it, or no resent request could match it; replay the member's history afresh;"
                  + " nothing was written");
        }
      }
      if (page.size() < PAGE) {
        break;
      }
      next += page.size();
    }
    // An erased member's profile is never copied (see write), so what it holds cannot stop the import.
    String problem = !erased && source instanceof MemberProfiles profiles
        ? profiles.profile(member).map(BulkImport::unstorable).getOrNull() : null;
    return problem == null ? null : new ImportRefusedException(ImportRefusedException.Reason.UNSTORABLE_TEXT, member,
        Option.none(), "the profile of member " + member + " in the source has " + problem
            + "; correct it in the source (Loyalty.saveProfile refuses such a text); nothing was written");
  }

  /**
   * What in an entry's texts not every store can keep, and where, or null. The texts are checked
   * before any message is built, as every entry of the import passes here.
   */
  private static String unstorable(Entry entry) {
    if (!Fingerprint.isStorable(entry.reason())) {
      return unstorable("its reason", entry.reason());
    }
    for (String ruleId : entry.ruleIds()) {
      if (!Fingerprint.isStorable(ruleId)) {
        return unstorable("its rule ids", ruleId);
      }
    }
    for (io.vavr.Tuple2<String, String> detail : entry.details()) {
      if (!Fingerprint.isStorable(detail._1)) {
        return unstorable("the key of one of its details", detail._1);
      }
      if (!Fingerprint.isStorable(detail._2)) {
        return unstorable("its detail " + detail._1, detail._2);
      }
    }
    return entry.operator().filter(operator -> !Fingerprint.isStorable(operator))
        .map(operator -> unstorable("its operator", operator)).getOrNull();
  }

  /** Whether the text is 64 lower-case hex digits, as {@link Fingerprint#sha256} writes. */
  private static boolean isSha256(String text) {
    if (text.length() != 64) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  /** What in a profile's texts no store can keep or is too long, and where, or null. */
  private static String unstorable(MemberProfile profile) {
    String problem = profile.name().map(name -> profileText("name", name)).getOrNull();
    problem = problem != null ? problem : profile.contact().map(contact -> profileText("contact", contact)).getOrNull();
    for (io.vavr.Tuple2<String, String> ref : profile.externalRefs()) {
      problem = problem != null ? problem : profileText("external system name", ref._1);
      // The system name is storable here, so the message may name it.
      problem = problem != null ? problem : profileText("external id for " + ref._1, ref._2);
    }
    return problem;
  }

  private static String profileText(String field, String text) {
    return text.length() > PROFILE_TEXT ? "a " + field + " of " + text.length() + " characters, more than "
        + PROFILE_TEXT : unstorable(field, text);
  }

  /** What in the text not every store can keep ({@link Fingerprint#unstorable}) and in which field, or null. */
  private static String unstorable(String field, String text) {
    return Fingerprint.unstorable(text).map(what -> what + " in " + field).getOrNull();
  }

  /**
   * Runs the work on the calling thread and on {@value #CONNECTIONS} - 1 threads of its own, and
   * returns when all have finished; what one of them threw is thrown (the others' added as
   * suppressed).
   */
  static void inParallel(Runnable work) {
    Throwable[] thrown = new Throwable[CONNECTIONS];
    List<Thread> threads = new ArrayList<>();
    for (int t = 1; t < CONNECTIONS; t++) {
      int slot = t;
      Thread thread = new Thread(() -> {
        try {
          work.run();
        } catch (Throwable e) { // handed to the calling thread below
          thrown[slot] = e;
        }
      }, "loyalty-import-" + t);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    try {
      work.run();
    } catch (Throwable e) { // thrown below, once the other threads have finished
      thrown[0] = e;
    }
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable first = null;
    for (Throwable e : thrown) {
      if (e != null && first == null) {
        first = e;
      } else if (e != null) {
        first.addSuppressed(e);
      }
    }
    if (first instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (first instanceof Error error) {
      throw error;
    }
  }

  /**
   * Runs the transactions on {@value #CONNECTIONS} connections at once, committing them in their
   * order: a transaction that has written its rows waits until the one before it has committed, and
   * rolls back if any before it failed. So the outcome is the sequential one (a refusal keeps the
   * transactions before it and nothing after it) while two transactions insert at a time.
   */
  private ImportReport transactions(List<List<Account>> transactions) {
    Map<MemberId, Integer> transactionOf = new HashMap<>();
    for (int i = 0; i < transactions.size(); i++) {
      for (Account account : transactions.get(i)) {
        transactionOf.put(account.memberId(), i);
      }
    }
    CommitOrder order = new CommitOrder();
    int[] next = {0};
    Runnable connection = () -> {
      while (true) {
        int index;
        EntityManager em;
        // Transactions take their connections in their order, so that the earliest open transaction
        // never waits for a connection that a later one holds while it waits for its turn (with a pool
        // of one connection, the two would wait for each other for ever).
        synchronized (next) {
          index = next[0]++;
          if (index >= transactions.size() || order.failedBefore(index)) {
            return;
          }
          em = opened(index, order);
        }
        if (em == null) {
          return;
        }
        writeLock.run(() -> transaction(index, em, transactions.get(index),
            m -> transactionOf.getOrDefault(m, Integer.MAX_VALUE) <= index, order));
      }
    };
    // On embedded H2 one transaction writes at a time (WriteLock), so the transactions run one after
    // the other on the calling thread: a second one would only wait for the lock, or hold it while it
    // waits for its turn to commit.
    if (writeLock.serialises()) {
      connection.run();
    } else {
      inParallel(connection);
    }
    return order.outcome();
  }

  /**
   * An entity manager with its transaction begun on a connection of its own, or null (the failure
   * recorded as the transaction's). If no connection can be had, the pool may have none to spare
   * (Hibernate's built-in pool refuses at once when it is exhausted): the transaction waits until
   * those before it have committed, and so given their connections back, and tries once more; with
   * a pool of one connection the import so runs one transaction at a time.
   */
  private EntityManager opened(int index, CommitOrder order) {
    try {
      return begun();
    } catch (RuntimeException busy) {
      if (index == 0 || !order.awaitTurn(index)) {
        order.failed(index, busy);
        return null;
      }
      try {
        return begun();
      } catch (RuntimeException e) {
        e.addSuppressed(busy);
        order.failed(index, e);
        return null;
      }
    }
  }

  private EntityManager begun() {
    EntityManager em = factory.createEntityManager();
    try {
      begin.begin(em);
      SqlWork.on(em, Connection::getAutoCommit);
      return em;
    } catch (RuntimeException e) {
      if (em.getTransaction().isActive()) {
        em.getTransaction().rollback();
      }
      em.close();
      throw e;
    }
  }

  /**
   * The commits of one import in transaction order, the reports of those committed and the first
   * failure (in transaction order).
   */
  private static final class CommitOrder {
    private int committed;
    private int failedAt = Integer.MAX_VALUE;
    private RuntimeException failure;
    private ImportReport report = ImportReport.NONE;
    private final Map<Integer, ImportRefusedException> refused = new HashMap<>();

    /** Whether a transaction before the given one failed (it and those after it must not commit). */
    synchronized boolean failedBefore(int transaction) {
      return failedAt < transaction;
    }

    /**
     * Waits until every transaction before this one has committed (true: commit now), or one of them
     * failed or {@linkplain #refuse refused} this one (false: roll back).
     */
    synchronized boolean awaitTurn(int transaction) {
      boolean interrupted = false;
      while (committed < transaction && failedAt > transaction && !refused.containsKey(transaction)) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return failedAt > transaction && !refused.containsKey(transaction);
    }

    /**
     * Refuses a transaction that has not committed yet (an earlier one of the import records a key
     * that it would record too): it rolls back at its turn, with this refusal.
     */
    synchronized void refuse(int transaction, ImportRefusedException refusal) {
      refused.putIfAbsent(transaction, refusal);
      notifyAll();
    }

    /** Why the transaction was refused by another, or null. */
    synchronized ImportRefusedException refusalOf(int transaction) {
      return refused.get(transaction);
    }

    synchronized void committed(ImportReport written) {
      committed++;
      report = report.plus(written);
      notifyAll();
    }

    synchronized void failed(int transaction, RuntimeException why) {
      if (transaction < failedAt) {
        failedAt = transaction;
        failure = why;
      }
      notifyAll();
    }

    synchronized ImportReport outcome() {
      if (failure != null) {
        throw failure;
      }
      return report;
    }
  }

  private static IllegalStateException changed(MemberId member) {
    return new IllegalStateException("the source store changed during the import (member " + member
        + "): import from a store that nothing else writes");
  }

  /**
   * One transaction, begun on the given entity manager (which it closes): the members' rows,
   * committed in its turn, or a refusal or failure and nothing.
   *
   * @param stored whether a member's source entries are in the store once this transaction commits
   *     (it or an earlier transaction of the import holds the member)
   */
  private void transaction(int index, EntityManager opened, List<Account> batch, Predicate<MemberId> stored,
      CommitOrder order) {
    RuntimeException failure = null;
    boolean committed = false;
    try (EntityManager em = opened) {
      EntityTransaction tx = em.getTransaction();
      try {
        Written written = SqlWork.on(em, connection -> write(connection, index, batch, stored, order));
        failure = written.refusal;
        if (failure == null && order.awaitTurn(index)) {
          tx.commit();
          committed = true;
          order.committed(written.report);
        } else if (failure == null) {
          failure = order.refusalOf(index);
        }
      } finally {
        if (!committed && tx.isActive()) {
          tx.rollback();
        }
      }
    } catch (RuntimeException e) {
      failure = failure == null ? e : failure;
    } finally {
      if (!committed) {
        order.failed(index, failure == null ? ABANDONED
            : failure instanceof ImportRefusedException ? failure : classified(failure, batch));
      }
    }
  }

  /** What a transaction that rolled back because an earlier one failed records (never the outcome). */
  private static final RuntimeException ABANDONED = new IllegalStateException("an earlier transaction failed");

  /** What one transaction wrote, or why it must be rolled back. */
  private record Written(ImportReport report, ImportRefusedException refusal) {}

  /** The members of one transaction that the store lacks, and those it holds already with the source's chain. */
  private record Classified(List<Account> fresh, int skipped, ImportRefusedException refusal) {}

  private Written write(Connection connection, int index, List<Account> batch, Predicate<MemberId> stored,
      CommitOrder order) throws SQLException {
    // In the first transaction, so that a refused or failed import leaves a store that kept no program
    // as it was, and a facade of another program claiming the store meanwhile cannot both win.
    if (index == 0 && program.isDefined()) {
      String kept = ProgramRecord.claim(connection, program.get(), Option.none(), onPostgresql);
      if (!kept.equals(program.get())) {
        return new Written(ImportReport.NONE, otherProgram(batch.get(0).memberId(), kept, program.get()));
      }
    }
    Classified classified = classify(connection, batch);
    if (classified.refusal != null) {
      return new Written(ImportReport.NONE, classified.refusal);
    }
    // In member-id order, as the facade's commits take their accounts: two writers of some of the
    // same members (another node's import, a commit) then wait for each other's rows in one order
    // and cannot deadlock on them; the rows of a member follow its account's.
    Map<MemberId, Account> fresh = new TreeMap<>();
    classified.fresh.forEach(a -> fresh.put(a.memberId(), a));
    // Sorted by key, so that two transactions inserting some of the same keys take their row locks in
    // one order (see claim).
    Map<IdempotencyKey, Named> records = new TreeMap<>(Comparator.comparing(IdempotencyKey::value));
    // The keys of entries whose record is not copied now (the other side of a transfer is not in the
    // store yet, or the source has no record), with the member whose entries name them first.
    Map<IdempotencyKey, MemberId> uncopied = new LinkedHashMap<>();
    List<MemberProfile> profiles = new ArrayList<>();
    // Members whose ledger records an erasure: no profile of theirs is copied, and any the store holds
    // under their id is deleted (ADR 0010), whatever the source still keeps.
    List<MemberId> erased = new ArrayList<>();
    long entries = 0;
    try (PreparedStatement accounts = connection.prepareStatement(LedgerWriter.INSERT_ACCOUNT);
        PreparedStatement dueWork = connection.prepareStatement(DueWorkTable.INSERT);
        RowBatch<Entry> entryRows = new RowBatch<>(connection, LedgerWriter.INSERT_ENTRY,
            (insert, offset, entry) -> LedgerWriter.bindEntry(insert, offset, EntryRow.of(entry)));
        PreparedStatement references = connection.prepareStatement(LedgerWriter.INSERT_REFERENCE);
        PreparedStatement entryHash = connection.prepareStatement(ENTRY_HASH)) {
      for (Account account : fresh.values()) {
        List<Entry> history = history(account);
        AccountRow.of(account).bind(accounts);
        accounts.addBatch();
        DueWorkTable.bind(dueWork,
            DueWork.derive(Option.none(), account, io.vavr.collection.List.ofAll(history), activityKinds),
            account.version());
        dueWork.addBatch();
        for (Entry entry : history) {
          entryRows.add(entry);
          if (entry.reference().isDefined()) {
            LedgerWriter.bindReference(references, entry);
            references.addBatch();
          }
        }
        collectRecords(account.memberId(), history, stored, entryHash, records, uncopied);
        if (history.stream().anyMatch(entry -> entry.kind() == EntryKind.ERASURE)) {
          erased.add(account.memberId());
        } else if (source instanceof MemberProfiles profilesOf) {
          profilesOf.profile(account.memberId()).forEach(profiles::add);
        }
      }
      accounts.executeBatch();
      dueWork.executeBatch();
      entryRows.flush();
      references.executeBatch();
      entries = entryRows.rows();
    }
    // A key the store has recorded for another request is refused even when this transaction copies
    // no record under it: the entry would carry a key that answers for another request, and the
    // member on the other side of the transfer could then never be imported (its record is refused).
    // A key this transaction copies its record under is refused by the record's insert instead.
    try (PreparedStatement recorded = connection.prepareStatement(REQUEST_KEY)) {
      for (Map.Entry<IdempotencyKey, MemberId> key : uncopied.entrySet()) {
        if (!records.containsKey(key.getKey())) {
          recorded.setString(1, key.getKey().value());
          try (ResultSet rows = recorded.executeQuery()) {
            if (rows.next()) {
              return new Written(ImportReport.NONE, keyTaken(key.getValue(), key.getKey(), batch.size()));
            }
          }
        }
      }
    }
    for (Named named : records.values()) {
      IdempotencyKey key = named.record().key();
      if (!claim(key, new Claim(index, named.member(), batch.size()), order)) {
        return new Written(ImportReport.NONE, keyTaken(named.member(), key, batch.size()));
      }
    }
    writeRecords(connection, records.values());
    writeProfiles(connection, profiles, erased);
    return new Written(new ImportReport(fresh.size(), classified.skipped, entries, records.size(), profiles.size()), null);
  }

  /**
   * Claims a request key for the given transaction before it inserts the key's record, and says
   * whether the transaction may: not if an earlier transaction of this import claimed the key (run
   * one after the other, the earlier one would have recorded it and this one would be refused with
   * {@link ImportRefusedException.Reason#KEY_TAKEN}, as it now is, before it inserts any record).
   * A later transaction that claimed the key first is refused so (through {@code order}); it rolls
   * back at its turn, and so releases the key's row, for which this transaction may be waiting in the
   * database meanwhile. So two transactions never wait for each other, one in the database for a
   * row, the other in {@link CommitOrder#awaitTurn} for the first to commit. (The facade never
   * writes one key for two requests, so only a source built otherwise can bring two transactions
   * the same key.) Each transaction inserts its records in key order, so two cannot hold rows the
   * other waits for in the database either.
   */
  private boolean claim(IdempotencyKey key, Claim claim, CommitOrder order) {
    Claim[] displaced = {null};
    Claim holder = claims.compute(key, (k, held) -> {
      if (held == null || held.transaction() > claim.transaction()) {
        displaced[0] = held;
        return claim;
      }
      return held;
    });
    if (displaced[0] != null) {
      order.refuse(displaced[0].transaction(), keyTaken(displaced[0].member(), key, displaced[0].members()));
    }
    return holder == claim;
  }

  /**
   * Sorts the transaction's members by what the store holds: nothing (to import), the source's
   * chain (to skip), or another chain (a refusal).
   */
  private static Classified classify(Connection connection, List<Account> batch) throws SQLException {
    Map<String, String[]> held = new HashMap<>();
    String in = "?, ".repeat(batch.size() - 1) + "?";
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT member_id, last_sequence, last_hash, enrolled_at_seconds, enrolled_at_nanos FROM ledger_account"
            + " WHERE member_id IN (" + in + ")")) {
      for (int i = 0; i < batch.size(); i++) {
        select.setString(i + 1, batch.get(i).memberId().value());
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          held.put(rows.getString(1), new String[] {Long.toString(rows.getLong(2)), rows.getString(3),
              Instant.ofEpochSecond(rows.getLong(4), rows.getInt(5)).toString()});
        }
      }
    }
    List<Account> fresh = new ArrayList<>();
    int skipped = 0;
    try (PreparedStatement entryHash = connection.prepareStatement(ENTRY_HASH)) {
      for (Account account : batch) {
        String[] target = held.get(account.memberId().value());
        if (target == null) {
          fresh.add(account);
        } else if (holdsChainOf(target, account, entryHash)) {
          skipped++;
        } else {
          return new Classified(List.of(), 0, new ImportRefusedException(
              ImportRefusedException.Reason.CONFLICTING_MEMBER, account.memberId(), Option.none(),
              "member " + account.memberId() + " is in the store already with another ledger (" + target[0]
                  + " entries, tip " + target[1] + ") than in the source (" + account.lastSequence() + " entries, tip "
                  + account.lastHash() + "): leave it out of the import, or remove it from the store; nothing of the "
                  + batch.size() + " members of this transaction was written, earlier transactions stay committed"));
        }
      }
    }
    return new Classified(fresh, skipped, null);
  }

  /**
   * Whether the stored account (last sequence, last hash, enrolment instant) holds the source
   * account's chain: the same tip, or the source's tip at the source's last sequence (it moved on
   * since). A source member without entries has no chain to compare: it is held if it was enrolled
   * at the same instant.
   */
  private static boolean holdsChainOf(String[] target, Account account, PreparedStatement entryHash)
      throws SQLException {
    if (account.lastSequence() == 0) {
      return target[2].equals(account.member().enrolledAt().toString());
    }
    return target[1].equals(account.lastHash())
        || entryHash(entryHash, EntryId.of(account.memberId(), account.lastSequence())).contains(account.lastHash());
  }

  private static Option<String> entryHash(PreparedStatement select, EntryId id) throws SQLException {
    select.setString(1, id.member().value());
    select.setLong(2, id.sequence());
    try (ResultSet rows = select.executeQuery()) {
      return rows.next() ? Option.some(EntryRow.hashText(rows.getBytes(1))) : Option.none();
    }
  }

  /** The member's whole history from the source, which must end at the account's chain tip. */
  private List<Entry> history(Account account) {
    List<Entry> history = new ArrayList<>((int) Math.min(account.lastSequence(), Integer.MAX_VALUE));
    while (history.size() < account.lastSequence()) {
      io.vavr.collection.List<Entry> page = source.entries(account.memberId(), history.size() + 1L, PAGE);
      if (page.isEmpty()) {
        break;
      }
      page.forEach(history::add);
    }
    if (history.size() != account.lastSequence()
        || (!history.isEmpty() && !history.get(history.size() - 1).hash().equals(account.lastHash()))) {
      throw changed(account.memberId());
    }
    return history;
  }

  /**
   * Adds the records that the entries' keys name, once each (with the member whose entries named it
   * first), if every entry their receipts list is in the store after this transaction (written by it,
   * or there already); the other keys go to {@code uncopied}.
   */
  private void collectRecords(MemberId member, List<Entry> history, Predicate<MemberId> written,
      PreparedStatement entryHash, Map<IdempotencyKey, Named> records, Map<IdempotencyKey, MemberId> uncopied)
      throws SQLException {
    java.util.Set<IdempotencyKey> seen = new HashSet<>();
    for (Entry entry : history) {
      IdempotencyKey key = entry.idempotencyKey();
      if (!seen.add(key) || records.containsKey(key)) {
        continue;
      }
      Option<IdempotencyRecord> record = source.idempotencyRecord(key);
      if (record.isDefined() && listedEntriesStored(record.get(), written, entryHash)) {
        records.put(key, new Named(record.get(), member));
      } else {
        uncopied.putIfAbsent(key, member);
      }
    }
  }

  private static boolean listedEntriesStored(IdempotencyRecord record, Predicate<MemberId> written,
      PreparedStatement entryHash) throws SQLException {
    for (Entry listed : record.receipt().entries()) {
      if (!written.test(listed.member()) && entryHash(entryHash, listed.id()).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** A record to copy, with the member of the transaction whose entries name its key. */
  private record Named(IdempotencyRecord record, MemberId member) {}

  private static void writeRecords(Connection connection, Iterable<Named> records) throws SQLException {
    try (RowBatch<IdempotencyRecord> insert = new RowBatch<>(connection, LedgerWriter.INSERT_REQUEST,
        (statement, offset, record) -> RequestRow.of(record).bind(statement, offset))) {
      for (Named named : records) {
        insert.add(named.record());
      }
      insert.flush();
    }
  }

  /**
   * Replaces each member's profile and external references (a new member may have had a profile
   * saved), and deletes those of the erased members.
   */
  private static void writeProfiles(Connection connection, List<MemberProfile> profiles, List<MemberId> erased)
      throws SQLException {
    if (profiles.isEmpty() && erased.isEmpty()) {
      return;
    }
    try (PreparedStatement deleteRefs = connection.prepareStatement(DELETE_REFS);
        PreparedStatement deleteProfile = connection.prepareStatement(DELETE_PROFILE);
        PreparedStatement insertProfile = connection.prepareStatement(INSERT_PROFILE);
        PreparedStatement insertRef = connection.prepareStatement(INSERT_REF)) {
      for (MemberProfile profile : profiles) {
        String member = profile.member().value();
        delete(deleteRefs, deleteProfile, member);
        insertProfile.setString(1, member);
        SqlWork.bind(insertProfile, 2, profile.name().getOrNull(), Types.VARCHAR);
        SqlWork.bind(insertProfile, 3, profile.contact().getOrNull(), Types.VARCHAR);
        insertProfile.setBoolean(4, profile.consent().marketing());
        insertProfile.setBoolean(5, profile.consent().birthdayOffers());
        insertProfile.addBatch();
        for (io.vavr.Tuple2<String, String> ref : profile.externalRefs()) {
          insertRef.setString(1, member);
          insertRef.setString(2, ref._1);
          insertRef.setString(3, ref._2);
          insertRef.addBatch();
        }
      }
      for (MemberId member : erased) {
        delete(deleteRefs, deleteProfile, member.value());
      }
      deleteRefs.executeBatch();
      deleteProfile.executeBatch();
      insertProfile.executeBatch();
      insertRef.executeBatch();
    }
  }

  /** Adds the deletion of a member's external references and profile to the batches. */
  private static void delete(PreparedStatement deleteRefs, PreparedStatement deleteProfile, String member)
      throws SQLException {
    deleteRefs.setString(1, member);
    deleteRefs.addBatch();
    deleteProfile.setString(1, member);
    deleteProfile.addBatch();
  }

  /**
   * After the database refused a write as a conflict with a concurrent transaction (a unique key, a
   * deadlock, a serialization failure, a lock timeout: {@link LedgerWriter#CONFLICT_STATES}): a
   * member was created by another writer meanwhile (a conflicting or an identical member), a request
   * key is taken, or the import lost a race and may run again. Anything else is thrown as it is.
   */
  private RuntimeException classified(RuntimeException failure, List<Account> batch) {
    if (!isConflict(failure)) {
      return failure instanceof PersistenceException ? failure : new PersistenceException("bulk import failed", failure);
    }
    return begin.read(em -> SqlWork.on(em, connection -> {
        Classified now = classify(connection, batch);
        if (now.refusal != null) {
          return now.refusal;
        }
        try (PreparedStatement key = connection.prepareStatement(REQUEST_KEY)) {
          for (Account account : now.fresh) {
            for (Entry entry : history(account)) {
              key.setString(1, entry.idempotencyKey().value());
              try (ResultSet rows = key.executeQuery()) {
                if (rows.next()) {
                  return keyTaken(account.memberId(), entry.idempotencyKey(), batch.size());
                }
              }
            }
          }
        }
        return new PersistenceException("bulk import conflicted with a concurrent writer; run it again to resume"
            + " (nothing of the " + batch.size() + " members of this transaction was written, earlier transactions"
            + " stay committed)", failure);
      }));
  }

  /**
   * Whether the database refused a write as a conflict with a concurrent transaction, anywhere among
   * the failure's causes and a batch's chained exceptions.
   */
  static boolean isConflict(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      for (SQLException e = t instanceof SQLException sql ? sql : null; e != null; e = e.getNextException()) {
        if (LedgerWriter.CONFLICT_STATES.contains(e.getSQLState())) {
          return true;
        }
      }
    }
    return false;
  }

  private static ImportRefusedException keyTaken(MemberId member, IdempotencyKey key, int members) {
    return new ImportRefusedException(ImportRefusedException.Reason.KEY_TAKEN, member, Option.none(),
        "the store has recorded idempotency key " + key + ", which a request of member " + member
            + " used in the source, for another request: leave the member out of the import, or give the source's"
            + " request another key; nothing of the " + members + " members of this transaction was written,"
            + " earlier transactions stay committed");
  }

  /**
   * The source as the verifier reads it: every read goes to the source, and the facade's claim of the
   * store for its program is answered without asking the source ({@link LedgerStore#claimProgram}'s
   * default, which the verifier's builder accepts with {@link Loyalty.Builder#unclaimedStore()}), so
   * that verifying leaves the program the source keeps, or none, as it was.
   */
  private static final class Unclaimed implements LedgerStore {

    private final LedgerStore source;

    Unclaimed(LedgerStore source) {
      this.source = source;
    }

    @Override
    public Option<Account> account(MemberId member) {
      return source.account(member);
    }

    @Override
    public Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key) {
      return source.idempotencyRecord(key);
    }

    @Override
    public Option<Entry> entry(EntryId id) {
      return source.entry(id);
    }

    @Override
    public io.vavr.collection.List<Entry> referencing(EntryId original) {
      return source.referencing(original);
    }

    @Override
    public io.vavr.collection.List<Entry> entries(MemberId member, long fromSequence, int limit) {
      return source.entries(member, fromSequence, limit);
    }

    @Override
    public io.vavr.collection.List<Entry> history(MemberId member, io.github.loyaltyledger.store.EntryQuery query) {
      return source.history(member, query);
    }

    @Override
    public long counter(String key) {
      return source.counter(key);
    }

    @Override
    public io.github.loyaltyledger.store.CommitOutcome commit(io.github.loyaltyledger.store.Commit commit) {
      throw new UnsupportedOperationException("verifying an import writes nothing to its source");
    }
  }
}
