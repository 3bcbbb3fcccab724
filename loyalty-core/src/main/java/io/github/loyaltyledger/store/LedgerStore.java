package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.util.Objects;
import java.util.function.Function;

/**
 * The port through which the library keeps accounts, their append-only entries and idempotency
 * records. Implementations: {@link InMemoryLedgerStore} here, and the Jakarta Persistence store in
 * {@code loyalty-jpa}; any implementation must pass the contract tests published in
 * {@code loyalty-core}'s test jar ({@code LedgerStoreContract}).
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #commit} is atomic: it stores every account change, every entry, every counter change
 *       and the idempotency record, or nothing; it refuses (and stores nothing) when an account's
 *       version or a counter's value moved on, or the idempotency key is already recorded;
 *   <li>entries are never updated or deleted;
 *   <li>{@link #account} costs the same whatever the length of the member's history;
 *   <li>all methods are safe to call from many threads, and reads see only committed data;
 *   <li>it keeps one program's ledger, and records which ({@link #claimProgram}).
 * </ul>
 *
 * <p>Infrastructure failures are thrown as unchecked exceptions, never reported as "not found".
 * The facade lets them out of the call that met them unchanged, never as a {@code LoyaltyError}:
 * the call then wrote whatever its commit stored, and sending the same request again with the same
 * key is safe (see {@link #commit}). Two are not let out: a {@link ConcurrentWriteException} from
 * {@link #commit}, which is a conflict and retried as one, and a failure of the tier evaluation the
 * facade makes after a committed change, which is logged.
 */
public interface LedgerStore {

  /**
   * Reads a member's account state.
   *
   * @param member the member, not null
   * @return the account, or none if the member is not enrolled
   */
  Option<Account> account(MemberId member);

  /**
   * Reads the record of an accepted request.
   *
   * @param key the idempotency key, not null
   * @return the record, or none if no accepted request used the key
   */
  Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key);

  /**
   * Reads one entry.
   *
   * @param id the entry id, not null
   * @return the entry, or none if there is none with this id
   */
  Option<Entry> entry(EntryId id);

  /**
   * Finds the entries that reference an entry (its reversal, the capture or release of a hold, the
   * {@code TRANSFER_IN} of a {@code TRANSFER_OUT}), of any member.
   *
   * @param original the id of the referenced entry, not null
   * @return the entries whose {@link Entry#reference()} is {@code original}, in the order they were
   *     committed (empty if none): a member's in sequence order, whatever their recorded-at instants
   *     (nodes' clocks may disagree); entries of different members in any order
   */
  List<Entry> referencing(EntryId original);

  /**
   * Reads a member's entries in ascending sequence order, as stored (used for verification and
   * replays).
   *
   * @param member the member, not null
   * @param fromSequence the first sequence number to return (at least 1)
   * @param limit the maximum number of entries, at least 1
   * @return the entries, possibly empty
   */
  List<Entry> entries(MemberId member, long fromSequence, int limit);

  /**
   * Reads a member's entries newest first, filtered by the query.
   *
   * @param member the member, not null
   * @param query the filter, cursor and limit, not null
   * @return at most {@code query.limit()} entries in descending sequence order
   */
  List<Entry> history(MemberId member, EntryQuery query);

  /**
   * Reads a named counter (see {@link CounterChange}).
   *
   * @param key the counter's name, not null
   * @return its value, 0 if it was never written
   */
  long counter(String key);

  /**
   * Reads a member's own counter: the one named {@code prefix} followed by the member id, such as
   * the member's visits counter {@code earn:<program>:visits:<member>}. It is the counter
   * {@link #counter(String)} reads by that name; a store may answer it without building the name on
   * every read (the in-memory store keeps the name with the member). The default builds the name.
   *
   * @param prefix the counter's name up to the member id, not null
   * @param member the member, not null
   * @return the value of the counter named {@code prefix + member}, 0 if it was never written
   */
  default long counter(String prefix, MemberId member) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(member, "member");
    return counter(prefix + member);
  }

  /**
   * Records which program this store keeps the ledger of, and answers the one it keeps. A store
   * keeps one program's ledger: accounts, entries and idempotency records are keyed by member, entry
   * id and key alone, not by program, so two programs on one store would share members, keys and
   * reports. The facade claims its store when it is built and refuses one that answers another
   * program ({@link ProgramMismatchException}). A store that kept no program yet (a new one, or one
   * written before stores recorded their program) adopts the first that claims it. The claim is
   * atomic: of nodes that claim a new store at once for different programs, one wins and the others
   * are answered its id.
   *
   * <p>The default records nothing and answers {@code program}, and {@link #keptProgram}'s answers
   * none: the facade cannot tell another program's facade on such a store from its own, so
   * {@code Loyalty.Builder.build()} refuses a store that keeps no program after its claim
   * ({@link IllegalStateException}) unless the builder is told that only one program runs on it
   * ({@code Loyalty.Builder.unclaimedStore()}). A store of yours should override both methods, so
   * that the claim is kept, atomically, across restarts and nodes; {@code LedgerStoreContract}
   * checks them.
   *
   * @param program the id of the program a facade runs, not null
   * @param renamedFrom the id this program had on this store before it was renamed on purpose, or
   *     none; if the store keeps that program, it keeps {@code program} from now on (its counters,
   *     named by program id, start again at zero: see the README's "Versions")
   * @return the id of the program the store keeps after the call: {@code program} if it kept none,
   *     kept it, or kept {@code renamedFrom}; otherwise the one it keeps, unchanged
   * @throws NullPointerException if an argument is null
   */
  default String claimProgram(String program, Option<String> renamedFrom) {
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(renamedFrom, "renamedFrom");
    return program;
  }

  /**
   * Reads which program this store keeps the ledger of, without claiming it: the id that
   * {@link #claimProgram} recorded, or none if no facade has claimed the store yet. A copy of
   * members from one store into another (the JPA store's bulk import) reads it of both, so that
   * members of one program are not mixed into another's ledger.
   *
   * <p>The default answers none, as a store that records no program (the default
   * {@link #claimProgram}) keeps none; a store of yours that overrides {@link #claimProgram} must
   * override this too, since the facade refuses a store that keeps no program after its claim.
   *
   * @return the id of the program the store keeps, or none; never null
   */
  default Option<String> keptProgram() {
    return Option.none();
  }

  /**
   * Stores a commit atomically.
   *
   * <p>A conflict is answered, not thrown as a failure: a version, counter or key that moved on is a
   * {@link CommitOutcome}, after which the facade reads afresh and tries again. A store whose own
   * tries met concurrent writers of its rows (a lock timeout, a deadlock) and stored nothing may
   * answer {@link CommitOutcome#STALE_ACCOUNT} or throw {@link ConcurrentWriteException}: the facade
   * tries again after either, and answers {@code LoyaltyError.ConcurrentModification} when every
   * attempt met a conflict, never letting the exception out of the call. Any other failure of the
   * store itself (the database unreachable, a statement timed out, a disk full) is thrown as an
   * unchecked exception, after which the commit must be either stored whole or not at all. The
   * store need not know which: when the failure came as it committed (the connection lost before
   * the answer came back), it may have stored the commit. The facade does not retry a thrown
   * failure, nor publish the commit's events; it throws it from the call, and the same request
   * sent again with the same key is made once, or found stored and answered from its record
   * (README, "When the store fails"; ADR 0004, amendment of 2026-11-28).
   *
   * @param commit the changes, not null
   * @return {@link CommitOutcome#COMMITTED}, or why nothing was stored
   * @throws ConcurrentWriteException if concurrent writers kept the store from committing; nothing
   *     was stored
   * @throws RuntimeException (of the store's choosing) if the store failed; the commit is then
   *     stored whole or not at all
   */
  CommitOutcome commit(Commit commit);

  /**
   * Runs one attempt of a request: {@code work} reads what it needs through the store it is given
   * and ends with at most one {@link #commit} on it. A store whose reads and commit can share one
   * database transaction (one connection, one session) overrides this to give the work a view bound
   * to such a transaction, which the view's commit commits (or, if refused, rolls back) and which
   * is rolled back if the work ends without committing, or throws. Outside {@code work} the view is
   * not to be used. The default gives the work this store, whose reads and commit stand alone.
   *
   * <p>Reads through the view see committed data, as every read does: the commit's version checks,
   * not the transaction, guard what the work read, so an attempt may still end in a conflict.
   *
   * @param work the attempt, not null
   * @param <T> its result
   * @return what the work returned
   */
  default <T> T attempt(Function<LedgerStore, T> work) {
    return work.apply(this);
  }

  /**
   * Like {@link #attempt(Function)}, for a request whose work first reads the record of {@code key}
   * and then the accounts of {@code members}: a store may read these ahead, together (a database
   * store in one round trip instead of one each). Its view must still answer every read as a view of
   * {@link #attempt(Function)} may: with committed data, read no later than the work asks for it. The
   * default ignores the hint.
   *
   * @param key the key whose record the work reads first, not null
   * @param members the members whose accounts the work reads next, not null
   * @param work the attempt, not null
   * @param <T> its result
   * @return what the work returned
   */
  default <T> T attempt(IdempotencyKey key, List<MemberId> members, Function<LedgerStore, T> work) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(members, "members");
    return attempt(work);
  }
}
