package io.github.loyaltyledger;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.event.LoyaltyEventListener;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.CounterChange;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The facade a point-of-sale, web shop or app back end calls: enrol members, credit and debit
 * points, adjust, reverse, transfer, expire and vest, and read balances, history and the
 * integrity of a member's ledger.
 *
 * <p>Every state-changing method takes a request carrying an {@link IdempotencyKey}. Sending the
 * same request with the same key again returns the first {@link Receipt} and writes nothing; the
 * same key with a different request is refused with {@link LoyaltyError.IdempotencyConflict}.
 * Business refusals are returned as the left side of an {@link Either} and write nothing; a
 * {@code null} argument throws {@link NullPointerException}, and a store failure propagates as the
 * store's unchecked exception.
 *
 * <p>Changes to one member are serialised: within this instance by a lock per member (striped),
 * across instances sharing one store by the account's version, with the request retried from
 * fresh state on a conflict. Listeners receive {@link LoyaltyEvent}s after each commit.
 *
 * <p>Instances are thread-safe. Build one with {@link #builder()}.
 */
public final class Loyalty {

  private static final System.Logger LOG = System.getLogger(Loyalty.class.getName());
  private static final int MAX_TEXT = 500;
  private static final int MAX_OPERATOR = 100;
  private static final int STRIPES = 1024;
  private static final int VERIFY_PAGE = 500;

  private final LoyaltyProgram program;
  private final LedgerStore store;
  private final Clock clock;
  private final List<LoyaltyEventListener> listeners;
  private final ListenerFailureHandler onListenerFailure;
  private final int maxAttempts;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  private Loyalty(Builder b) {
    this.program = Objects.requireNonNull(b.program, "program (call Builder.program)");
    this.store = Objects.requireNonNull(b.store, "store (call Builder.store)");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.listeners = b.listeners;
    this.onListenerFailure = b.onListenerFailure;
    this.maxAttempts = b.maxAttempts;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * Starts building a facade. A program and a store are required; the clock defaults to
   * {@link Clock#systemUTC()}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the program this facade runs */
  public LoyaltyProgram program() {
    return program;
  }

  // ---------------------------------------------------------------- members

  /**
   * Enrols a member as {@link MemberStatus#ACTIVE}.
   *
   * @param request the enrolment, not null
   * @return the receipt (no entries, an empty balance), or {@link LoyaltyError.MemberAlreadyEnrolled},
   *     {@link LoyaltyError.InvalidRequest} (enrolment instant in the future) or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> enrol(Enrolment request) {
    Objects.requireNonNull(request, "request");
    String fingerprint = Fingerprint.of("enrol").value(request.member()).optional(request.enrolledAt())
        .optional(request.birthday()).optional(request.zone()).sha256();
    return execute(request.key(), fingerprint, List.of(request.member()), now -> {
      if (request.enrolledAt().exists(at -> at.isAfter(now))) {
        return invalid("enrolledAt", "is in the future (" + request.enrolledAt().get() + ")");
      }
      if (store.account(request.member()).isDefined()) {
        return Either.left(new LoyaltyError.MemberAlreadyEnrolled(request.member()));
      }
      Member member = new Member(request.member(), request.enrolledAt().getOrElse(now),
          request.birthday(), request.zone().getOrElse(program.zone()), MemberStatus.ACTIVE);
      Account opened = Account.opened(member);
      Receipt receipt = new Receipt(request.key(), member.id(), MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      return Either.right(new Plan(List.of(new AccountChange(0, opened, List.empty())), receipt,
          List.of(new LoyaltyEvent.MemberEnrolled(member, now))));
    });
  }

  /**
   * Suspends an active member: they can neither earn nor redeem until reactivated.
   *
   * @param member the member, not null
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the receipt, or {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.StatusChangeNotAllowed},
   *     {@link LoyaltyError.InvalidRequest} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> suspend(MemberId member, String reason, IdempotencyKey key) {
    return changeStatus("suspend", member, reason, key, MemberStatus.SUSPENDED, List.of(MemberStatus.ACTIVE));
  }

  /**
   * Reactivates a suspended member.
   *
   * @param member the member, not null
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the receipt, or {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.StatusChangeNotAllowed},
   *     {@link LoyaltyError.InvalidRequest} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> reactivate(MemberId member, String reason, IdempotencyKey key) {
    return changeStatus("reactivate", member, reason, key, MemberStatus.ACTIVE, List.of(MemberStatus.SUSPENDED));
  }

  /**
   * Closes an active or suspended member for good. A non-zero balance is forfeited by a
   * {@code FORFEIT} entry that brings the total to zero; nothing is deleted.
   *
   * @param member the member, not null
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the receipt (with the forfeit entry, if any), or {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.StatusChangeNotAllowed}, {@link LoyaltyError.InvalidRequest} (open holds)
   *     or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> close(MemberId member, String reason, IdempotencyKey key) {
    return changeStatus("close", member, reason, key, MemberStatus.CLOSED,
        List.of(MemberStatus.ACTIVE, MemberStatus.SUSPENDED));
  }

  private Either<LoyaltyError, Receipt> changeStatus(
      String op, MemberId member, String reason, IdempotencyKey key, MemberStatus to, List<MemberStatus> from) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
    String fingerprint = Fingerprint.of(op).value(member).text(reason).sha256();
    return execute(key, fingerprint, List.of(member), now -> checkText("reason", reason, MAX_TEXT)
        .flatMap(ok -> load(member))
        .flatMap(account -> {
          MemberStatus current = account.member().status();
          if (!from.contains(current)) {
            return Either.left(new LoyaltyError.StatusChangeNotAllowed(member, current, to));
          }
          if (to == MemberStatus.CLOSED && account.balance().held().isPositive()) {
            return invalid("member", "has " + account.balance().held()
                + " points in open holds; capture or void them before closing");
          }
          Books books = new Books(account, program, now);
          List<LoyaltyEvent> events = List.empty();
          if (to == MemberStatus.CLOSED && !books.total().isZero()) {
            Entry forfeit = books.post(books.draft(EntryKind.FORFEIT, books.total().negated(), now,
                Channel.system(), key, reason).withMovements(books.forfeitAll()));
            events = events.append(new LoyaltyEvent.PointsForfeited(forfeit, books.balance()));
          }
          books.member(account.member().withStatus(to));
          events = events.append(new LoyaltyEvent.MemberStatusChanged(member, current, to, reason, now));
          return Either.right(single(key, books, events));
        }));
  }

  // ---------------------------------------------------------------- points

  /**
   * Credits points to an active member ({@code EARN} or {@code BONUS}), creating a lot.
   *
   * @param request the credit, not null
   * @return the receipt, or {@link LoyaltyError.InvalidRequest} (points not positive, kind not EARN
   *     or BONUS, blank reason, instants in the wrong order), {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive}, {@link LoyaltyError.BalanceOverflow} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> credit(Credit request) {
    Objects.requireNonNull(request, "request");
    Fingerprint f = Fingerprint.of("credit").value(request.member()).value(request.points())
        .value(request.kind()).text(request.reason()).optional(request.occurredAt()).value(request.channel())
        .optional(request.expiresAt()).optional(request.vestsAt()).values(request.ruleIds())
        .count(request.details().size());
    request.details().forEach((k, v) -> f.text(k).text(v));
    return execute(request.key(), f.sha256(), List.of(request.member()), now -> {
      if (request.kind() != EntryKind.EARN && request.kind() != EntryKind.BONUS) {
        return invalid("kind", "must be EARN or BONUS for a credit, was " + request.kind());
      }
      Instant occurredAt = request.occurredAt().getOrElse(now);
      return checkPositive("points", request.points())
          .flatMap(ok -> checkText("reason", request.reason(), MAX_TEXT))
          .flatMap(ok -> checkNotFuture("occurredAt", occurredAt, now))
          .flatMap(ok -> checkAfter("expiresAt", request.expiresAt(), occurredAt))
          .flatMap(ok -> load(request.member()))
          .flatMap(this::requireActive)
          .flatMap(account -> {
            Books books = new Books(account, program, now);
            if (!books.canCredit(request.points())) {
              return Either.left(new LoyaltyError.BalanceOverflow(request.member(), books.total(), request.points()));
            }
            EntryDraft draft = books.draft(request.kind(), request.points(), occurredAt, request.channel(),
                    request.key(), request.reason())
                .withRuleIds(request.ruleIds())
                .withDetails(request.details())
                .withLotTerms(request.expiresAt(), request.vestsAt());
            draft = draft.withMovements(books.addLot(request.points(), occurredAt, request.expiresAt(), request.vestsAt()));
            Entry entry = books.post(draft);
            return Either.right(single(request.key(), books,
                List.of(new LoyaltyEvent.PointsEarned(entry, books.balance()))));
          });
    });
  }

  /**
   * Spends an active member's available points ({@code REDEEM}), consuming lots soonest-expiring
   * first.
   *
   * @param request the debit, not null
   * @return the receipt, or {@link LoyaltyError.InvalidRequest}, {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive}, {@link LoyaltyError.InsufficientPoints} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> debit(Debit request) {
    Objects.requireNonNull(request, "request");
    String fingerprint = Fingerprint.of("debit").value(request.member()).value(request.points())
        .text(request.reason()).optional(request.occurredAt()).value(request.channel()).sha256();
    return execute(request.key(), fingerprint, List.of(request.member()), now -> {
      Instant occurredAt = request.occurredAt().getOrElse(now);
      return checkPositive("points", request.points())
          .flatMap(ok -> checkText("reason", request.reason(), MAX_TEXT))
          .flatMap(ok -> checkNotFuture("occurredAt", occurredAt, now))
          .flatMap(ok -> load(request.member()))
          .flatMap(this::requireActive)
          .flatMap(account -> {
            Books books = new Books(account, program, now);
            return spend(books, request.points()).map(movements -> {
              Entry entry = books.post(books.draft(EntryKind.REDEEM, request.points().negated(), occurredAt,
                  request.channel(), request.key(), request.reason()).withMovements(movements));
              return single(request.key(), books, List.of(new LoyaltyEvent.PointsRedeemed(entry, books.balance())));
            });
          });
    });
  }

  /**
   * Posts an operator's signed correction ({@code ADJUST}) for an active or suspended member.
   *
   * @param request the adjustment, not null
   * @return the receipt, or {@link LoyaltyError.InvalidRequest} (zero points, blank reason or
   *     operator), {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.MemberNotActive} (closed),
   *     {@link LoyaltyError.InsufficientPoints}, {@link LoyaltyError.BalanceOverflow} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> adjust(Adjustment request) {
    Objects.requireNonNull(request, "request");
    String fingerprint = Fingerprint.of("adjust").value(request.member()).value(request.points())
        .text(request.reason()).text(request.operator()).optional(request.expiresAt()).sha256();
    return execute(request.key(), fingerprint, List.of(request.member()), now -> {
      if (request.points().isZero()) {
        return invalid("points", "must not be zero for an adjustment");
      }
      return checkText("reason", request.reason(), MAX_TEXT)
          .flatMap(ok -> checkText("operator", request.operator(), MAX_OPERATOR))
          .flatMap(ok -> checkAfter("expiresAt", request.expiresAt(), now))
          .flatMap(ok -> load(request.member()))
          .flatMap(this::requireOpen)
          .flatMap(account -> {
            Books books = new Books(account, program, now);
            Either<LoyaltyError, List<LotMovement>> movements;
            if (request.points().isPositive()) {
              movements = books.canCredit(request.points())
                  ? Either.right(books.addLot(request.points(), now, request.expiresAt(), Option.none()))
                  : Either.left(new LoyaltyError.BalanceOverflow(request.member(), books.total(), request.points()));
            } else {
              movements = spend(books, request.points().negated());
            }
            return movements.map(moved -> {
              EntryDraft draft = books.draft(EntryKind.ADJUST, request.points(), now, Channel.system(), request.key(),
                  request.reason()).withOperator(request.operator()).withMovements(moved);
              if (request.points().isPositive()) {
                draft = draft.withLotTerms(request.expiresAt(), Option.none());
              }
              Entry entry = books.post(draft);
              return single(request.key(), books, List.of(new LoyaltyEvent.PointsAdjusted(entry, books.balance())));
            });
          });
    });
  }

  /**
   * Reverses an {@code EARN}, {@code BONUS}, {@code REDEEM} or {@code ADJUST} entry, at most once,
   * for an active or suspended member. See {@link Reversal} for how lots are affected and
   * {@link io.github.loyaltyledger.program.NegativeBalancePolicy} for reversing spent points.
   *
   * @param request the reversal, not null
   * @return the receipt, or {@link LoyaltyError.InvalidRequest}, {@link LoyaltyError.EntryNotFound},
   *     {@link LoyaltyError.NotReversible}, {@link LoyaltyError.AlreadyReversed},
   *     {@link LoyaltyError.MemberNotActive} (closed), {@link LoyaltyError.InsufficientPoints}
   *     (policy REFUSE), {@link LoyaltyError.BalanceOverflow} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> reverse(Reversal request) {
    Objects.requireNonNull(request, "request");
    String fingerprint = Fingerprint.of("reverse").value(request.entry()).text(request.reason()).sha256();
    MemberId member = request.entry().member();
    return execute(request.key(), fingerprint, List.of(member), now -> checkText("reason", request.reason(), MAX_TEXT)
        .flatMap(ok -> store.entry(request.entry())
            .toEither((LoyaltyError) new LoyaltyError.EntryNotFound(request.entry())))
        .flatMap(original -> {
          EntryKind kind = original.kind();
          if (kind != EntryKind.EARN && kind != EntryKind.BONUS && kind != EntryKind.REDEEM && kind != EntryKind.ADJUST) {
            return Either.left(new LoyaltyError.NotReversible(original.id(), kind));
          }
          Option<Entry> earlier = store.referencing(original.id()).find(e -> e.kind() == EntryKind.REVERSAL);
          if (earlier.isDefined()) {
            return Either.left(new LoyaltyError.AlreadyReversed(original.id(), earlier.get().id()));
          }
          return load(member).flatMap(this::requireOpen).flatMap(account -> {
            Books books = new Books(account, program, now);
            return (original.points().isPositive()
                    ? reverseCredit(books, original)
                    : reverseDebit(books, original))
                .map(reversal -> {
                  Entry entry = books.post(reversal.draft(books.draft(EntryKind.REVERSAL, reversal.points(), now,
                      Channel.system(), request.key(), request.reason()).withReference(original.id())));
                  return single(request.key(), books, List.of(new LoyaltyEvent.EntryReversed(entry, books.balance())));
                });
          });
        }));
  }

  /** What a reversal takes or gives back, before it is drafted. */
  private record Undo(Points points, List<LotMovement> movements, Points shortfall) {
    EntryDraft draft(EntryDraft base) {
      EntryDraft d = base.withMovements(movements);
      return shortfall.isPositive() ? d.withDetails(TreeMap.of("shortfall", shortfall.toString())) : d;
    }
  }

  private Either<LoyaltyError, Undo> reverseCredit(Books books, Entry original) {
    Points need = original.points();
    Points availableBefore = books.available();
    List<LotMovement> moved = books.takeFromLot(original.id(), need).toList();
    Points fromOwnLot = moved.map(m -> m.points().negated()).foldLeft(Points.ZERO, Points::plus);
    Points rest = need.minus(fromOwnLot);
    Points fromOthers = rest.min(books.available().max(Points.ZERO));
    moved = moved.appendAll(books.takeAvailable(fromOthers));
    Points shortfall = rest.minus(fromOthers);
    if (!shortfall.isPositive()) {
      return Either.right(new Undo(need.negated(), moved, Points.ZERO));
    }
    switch (program.negativeBalancePolicy()) {
      case REFUSE:
        return Either.left(new LoyaltyError.InsufficientPoints(original.member(), availableBefore, need));
      case CLAMP:
        return Either.right(new Undo(need.minus(shortfall).negated(), moved, shortfall));
      case ALLOW_NEGATIVE:
        books.overdraw(shortfall);
        return Either.right(new Undo(need.negated(), moved, Points.ZERO));
      default:
        throw new IllegalStateException("unknown policy " + program.negativeBalancePolicy());
    }
  }

  private Either<LoyaltyError, Undo> reverseDebit(Books books, Entry original) {
    Points back = original.points().negated();
    if (!books.canCredit(back)) {
      return Either.left(new LoyaltyError.BalanceOverflow(original.member(), books.total(), back));
    }
    return Either.right(new Undo(back, books.restore(original.movements(), store::entry), Points.ZERO));
  }

  /**
   * Moves available points from one active member to another, both sides atomically.
   *
   * @param request the transfer, not null
   * @return the receipt (for the sender, listing both entries), or {@link LoyaltyError.InvalidRequest}
   *     (same member, points not positive…), {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive}, {@link LoyaltyError.InsufficientPoints},
   *     {@link LoyaltyError.BalanceOverflow} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> transfer(Transfer request) {
    Objects.requireNonNull(request, "request");
    String fingerprint = Fingerprint.of("transfer").value(request.from()).value(request.to())
        .value(request.points()).text(request.reason()).value(request.channel()).optional(request.expiresAt()).sha256();
    return execute(request.key(), fingerprint, List.of(request.from(), request.to()), now -> {
      if (request.from().equals(request.to())) {
        return invalid("to", "must be another member than the sender");
      }
      return checkPositive("points", request.points())
          .flatMap(ok -> checkText("reason", request.reason(), MAX_TEXT))
          .flatMap(ok -> checkAfter("expiresAt", request.expiresAt(), now))
          .flatMap(ok -> load(request.from()).flatMap(this::requireActive))
          .flatMap(fromAccount -> load(request.to()).flatMap(this::requireActive).flatMap(toAccount -> {
            Books sender = new Books(fromAccount, program, now);
            Books receiver = new Books(toAccount, program, now);
            if (!receiver.canCredit(request.points())) {
              return Either.left(new LoyaltyError.BalanceOverflow(request.to(), receiver.total(), request.points()));
            }
            return spend(sender, request.points()).map(taken -> {
              Entry out = sender.post(sender.draft(EntryKind.TRANSFER_OUT, request.points().negated(), now,
                  request.channel(), request.key(), request.reason()).withCounterparty(request.to()).withMovements(taken));
              EntryDraft inDraft = receiver.draft(EntryKind.TRANSFER_IN, request.points(), now, request.channel(),
                      request.key(), request.reason())
                  .withCounterparty(request.from()).withReference(out.id())
                  .withLotTerms(request.expiresAt(), Option.none());
              Entry in = receiver.post(inDraft.withMovements(
                  receiver.addLot(request.points(), now, request.expiresAt(), Option.none())));
              Receipt receipt = new Receipt(request.key(), request.from(), sender.member().status(),
                  List.of(out, in), sender.balance());
              return new Plan(List.of(sender.change(), receiver.change()), receipt,
                  List.of(new LoyaltyEvent.PointsTransferred(out, in)));
            });
          }));
    });
  }

  /**
   * Expires what is left in a member's lots whose expiry is at or before {@code asOf}, in one
   * {@code EXPIRE} entry. When nothing is due it writes no entry (only the key). The daily run calls this for every
   * member with expiries due, with a key derived from the member and the date.
   *
   * @param member the member, not null
   * @param asOf the instant to expire as of, not after the clock's instant
   * @param key the idempotency key, not null
   * @return the receipt (no entries when nothing was due), or {@link LoyaltyError.InvalidRequest},
   *     {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> expire(MemberId member, Instant asOf, IdempotencyKey key) {
    return sweep("expire", member, asOf, key, EntryKind.EXPIRE);
  }

  /**
   * Makes pending points whose vesting instant is at or before {@code asOf} available, in one
   * {@code VEST} entry (zero points; its movements list the lots vested). Writes no entry when
   * nothing is due.
   *
   * @param member the member, not null
   * @param asOf the instant to vest as of, not after the clock's instant
   * @param key the idempotency key, not null
   * @return the receipt (no entries when nothing was due), or {@link LoyaltyError.InvalidRequest},
   *     {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> vest(MemberId member, Instant asOf, IdempotencyKey key) {
    return sweep("vest", member, asOf, key, EntryKind.VEST);
  }

  private Either<LoyaltyError, Receipt> sweep(String op, MemberId member, Instant asOf, IdempotencyKey key, EntryKind kind) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(key, "key");
    String fingerprint = Fingerprint.of(op).value(member).value(asOf).sha256();
    return execute(key, fingerprint, List.of(member), now -> checkNotFuture("asOf", asOf, now)
        .flatMap(ok -> load(member))
        .map(account -> {
          Books books = new Books(account, program, now);
          if (account.member().status() == MemberStatus.CLOSED) {
            return single(key, books, List.empty());
          }
          List<LotMovement> moved = kind == EntryKind.EXPIRE ? books.expire(asOf) : books.vest(asOf);
          if (moved.isEmpty()) {
            return single(key, books, List.empty());
          }
          Points points = kind == EntryKind.EXPIRE
              ? moved.map(LotMovement::points).foldLeft(Points.ZERO, Points::plus)
              : Points.ZERO;
          String reason = kind == EntryKind.EXPIRE ? "Points expired" : "Pending points became available";
          Entry entry = books.post(books.draft(kind, points, asOf, Channel.system(), key, reason).withMovements(moved));
          LoyaltyEvent event = kind == EntryKind.EXPIRE
              ? new LoyaltyEvent.PointsExpired(entry, books.balance())
              : new LoyaltyEvent.PointsVested(entry, books.balance());
          return single(key, books, List.of(event));
        }));
  }

  // ---------------------------------------------------------------- reads

  /**
   * Reads a member.
   *
   * @param member the member id, not null
   * @return the member, or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, Member> member(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(Account::member);
  }

  /**
   * Reads a member's current balance; costs the same whatever the length of their history.
   *
   * @param member the member id, not null
   * @return the balance, or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, Balance> balance(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(Account::balance);
  }

  /**
   * Reads a member's live lots (those with points remaining) in consumption order.
   *
   * @param member the member id, not null
   * @return the lots, or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, List<Lot>> lots(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(Account::lots);
  }

  /**
   * Computes a member's balance as the ledger stood at an instant: the entries recorded at or
   * before it, replayed. Costs time in proportion to the history.
   *
   * @param member the member id, not null
   * @param at the instant, not null
   * @return the balance then (empty before the first entry), or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, Balance> balanceAsOf(MemberId member, Instant at) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(at, "at");
    return load(member).map(account -> {
      Replay replay = new Replay();
      long from = 1;
      List<Entry> page;
      do {
        page = store.entries(member, from, VERIFY_PAGE);
        for (Entry e : page) {
          if (e.recordedAt().isAfter(at)) {
            return replay.balance();
          }
          replay.apply(e);
        }
        from += page.size();
      } while (page.size() == VERIFY_PAGE);
      return replay.balance();
    });
  }

  /**
   * Reads a page of a member's history, newest first, filtered by kind and occurred-at range.
   *
   * @param member the member id, not null
   * @param query the filter, cursor and page size, not null
   * @return the page, or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, HistoryPage> history(MemberId member, EntryQuery query) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(query, "query");
    return load(member).map(account -> {
      List<Entry> entries = store.history(member, query);
      Option<Long> next = entries.size() == query.limit() && entries.last().sequence() > 1
          ? Option.some(entries.last().sequence())
          : Option.none();
      return new HistoryPage(entries, next);
    });
  }

  /**
   * Checks the integrity of a member's stored ledger: contiguous sequence numbers, every hash
   * matching its entry and chaining to the previous one, and the account's running state agreeing
   * with the entries.
   *
   * @param member the member id, not null
   * @return the verification (intact, or the first bad sequence number and what is wrong), or
   *     {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, Verification> verify(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(account -> {
      long expected = 1;
      String previous = Entry.GENESIS_HASH;
      Points total = Points.ZERO;
      List<Entry> page;
      do {
        page = store.entries(member, expected, VERIFY_PAGE);
        for (Entry e : page) {
          long checked = expected - 1;
          if (!e.member().equals(member) || e.sequence() != expected) {
            return Verification.broken(member, checked, expected,
                "expected entry " + expected + " but found " + e.id() + ": an entry is missing or out of order");
          }
          if (!e.previousHash().equals(previous)) {
            return Verification.broken(member, checked, expected,
                "does not chain to the previous entry: an entry before it was changed, removed or reordered");
          }
          if (!e.hasValidHash()) {
            return Verification.broken(member, checked, expected, "content does not match its hash: it was altered");
          }
          previous = e.hash();
          total = total.plus(e.points());
          expected++;
        }
      } while (page.size() == VERIFY_PAGE);
      long found = expected - 1;
      if (account.lastSequence() != found) {
        return Verification.broken(member, found, Math.min(expected, account.lastSequence()),
            "the account records " + account.lastSequence() + " entries but " + found + " are stored");
      }
      if (!account.lastHash().equals(previous)) {
        return Verification.broken(member, found, Math.max(1, found), "the account's chain tip differs from the newest entry's hash");
      }
      if (!account.balance().total().equals(total)) {
        return Verification.broken(member, found, Math.max(1, found),
            "the account's total " + account.balance().total() + " differs from the entries' sum " + total);
      }
      return Verification.intact(member, found);
    });
  }

  // ---------------------------------------------------------------- machinery

  /** What an accepted request will write and answer. */
  private record Plan(
      List<AccountChange> changes, List<CounterChange> counters, Receipt receipt, List<LoyaltyEvent> events) {
    Plan(List<AccountChange> changes, Receipt receipt, List<LoyaltyEvent> events) {
      this(changes, List.empty(), receipt, events);
    }
  }

  private static Plan single(IdempotencyKey key, Books books, List<LoyaltyEvent> events) {
    Receipt receipt = new Receipt(key, books.member().id(), books.member().status(), books.written(), books.balance());
    return new Plan(books.changed() ? List.of(books.change()) : List.empty(), receipt, events);
  }

  private Either<LoyaltyError, Receipt> execute(
      IdempotencyKey key, String fingerprint, List<MemberId> members, Function<Instant, Either<LoyaltyError, Plan>> planner) {
    List<ReentrantLock> locks = members.map(m -> Math.floorMod(m.hashCode(), STRIPES)).distinct().sorted()
        .map(i -> stripes[i]);
    locks.forEach(ReentrantLock::lock);
    try {
      for (int attempt = 1; attempt <= maxAttempts; attempt++) {
        Option<IdempotencyRecord> existing = store.idempotencyRecord(key);
        if (existing.isDefined()) {
          return existing.get().fingerprint().equals(fingerprint)
              ? Either.right(existing.get().receipt())
              : Either.left(new LoyaltyError.IdempotencyConflict(key));
        }
        Either<LoyaltyError, Plan> planned = planner.apply(clock.instant());
        if (planned.isLeft()) {
          return Either.left(planned.getLeft());
        }
        Plan plan = planned.get();
        CommitOutcome outcome = store.commit(
            new Commit(plan.changes(), plan.counters(), new IdempotencyRecord(key, fingerprint, plan.receipt()),
                plan.events()));
        if (outcome == CommitOutcome.COMMITTED) {
          publish(plan.events());
          return Either.right(plan.receipt());
        }
        Thread.yield();
      }
      return Either.left(new LoyaltyError.ConcurrentModification(members.head(), maxAttempts));
    } finally {
      locks.reverse().forEach(ReentrantLock::unlock);
    }
  }

  private void publish(List<LoyaltyEvent> events) {
    for (LoyaltyEvent event : events) {
      for (LoyaltyEventListener listener : listeners) {
        try {
          listener.on(event);
        } catch (RuntimeException e) {
          onListenerFailure.failed(listener, event, e);
        }
      }
    }
  }

  private Either<LoyaltyError, Account> load(MemberId member) {
    return store.account(member).toEither(() -> new LoyaltyError.UnknownMember(member));
  }

  private Either<LoyaltyError, Account> requireActive(Account account) {
    return account.member().isActive()
        ? Either.right(account)
        : Either.left(new LoyaltyError.MemberNotActive(account.memberId(), account.member().status()));
  }

  private Either<LoyaltyError, Account> requireOpen(Account account) {
    return account.member().status() != MemberStatus.CLOSED
        ? Either.right(account)
        : Either.left(new LoyaltyError.MemberNotActive(account.memberId(), MemberStatus.CLOSED));
  }

  private static Either<LoyaltyError, List<LotMovement>> spend(Books books, Points points) {
    if (books.available().isLessThan(points)) {
      return Either.left(new LoyaltyError.InsufficientPoints(books.member().id(), books.available(), points));
    }
    return Either.right(books.takeAvailable(points));
  }

  private static <T> Either<LoyaltyError, T> invalid(String field, String reason) {
    return Either.left(new LoyaltyError.InvalidRequest(field, reason));
  }

  private static Either<LoyaltyError, Boolean> checkPositive(String field, Points points) {
    return points.isPositive() ? Either.right(true) : invalid(field, "must be positive, was " + points);
  }

  private static Either<LoyaltyError, Boolean> checkText(String field, String text, int max) {
    if (text.isBlank()) {
      return invalid(field, "must not be blank");
    }
    return text.length() <= max ? Either.right(true) : invalid(field, "must be at most " + max + " characters, was " + text.length());
  }

  private static Either<LoyaltyError, Boolean> checkNotFuture(String field, Instant at, Instant now) {
    return at.isAfter(now) ? invalid(field, "is in the future (" + at + " is after " + now + ")") : Either.right(true);
  }

  private static Either<LoyaltyError, Boolean> checkAfter(String field, Option<Instant> at, Instant earliest) {
    return at.exists(a -> !a.isAfter(earliest))
        ? invalid(field, "must be after " + earliest + ", was " + at.get())
        : Either.right(true);
  }

  /** Told when a listener throws while handling an event; the change stays committed. */
  @FunctionalInterface
  public interface ListenerFailureHandler {
    /**
     * Handles a listener's failure.
     *
     * @param listener the listener that threw
     * @param event the event it was handling
     * @param failure what it threw
     */
    void failed(LoyaltyEventListener listener, LoyaltyEvent event, RuntimeException failure);
  }

  /** Builds a {@link Loyalty} facade. Not thread-safe. */
  public static final class Builder {
    private LoyaltyProgram program;
    private LedgerStore store;
    private Clock clock = Clock.systemUTC();
    private List<LoyaltyEventListener> listeners = List.empty();
    private ListenerFailureHandler onListenerFailure = (listener, event, failure) -> LOG.log(
        System.Logger.Level.WARNING,
        "Listener " + listener + " failed on " + event + "; the change is committed regardless", failure);
    private int maxAttempts = 16;

    private Builder() {}

    /**
     * @param value the program to run, not null
     * @return this builder
     */
    public Builder program(LoyaltyProgram value) {
      this.program = Objects.requireNonNull(value, "program");
      return this;
    }

    /**
     * @param value where accounts and entries are kept, not null
     * @return this builder
     */
    public Builder store(LedgerStore value) {
      this.store = Objects.requireNonNull(value, "store");
      return this;
    }

    /**
     * @param value the clock that stamps every entry, not null; inject a fixed or simulated clock
     *     in tests
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * @param value a listener to receive events after each commit, not null
     * @return this builder
     */
    public Builder listener(LoyaltyEventListener value) {
      this.listeners = listeners.append(Objects.requireNonNull(value, "listener"));
      return this;
    }

    /**
     * @param value what to do when a listener throws (the change is committed regardless); by
     *     default a warning is logged through {@link System.Logger}; not null
     * @return this builder
     */
    public Builder onListenerFailure(ListenerFailureHandler value) {
      this.onListenerFailure = Objects.requireNonNull(value, "onListenerFailure");
      return this;
    }

    /**
     * @param value how many times a request is tried when other instances keep changing the same
     *     account, at least 1 (default 16)
     * @return this builder
     * @throws IllegalArgumentException if {@code value} is below 1
     */
    public Builder maxAttempts(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    /**
     * @return the facade
     * @throws NullPointerException if no program or store was given
     */
    public Loyalty build() {
      return new Loyalty(this);
    }
  }
}
