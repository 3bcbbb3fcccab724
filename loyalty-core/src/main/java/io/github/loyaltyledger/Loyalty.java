package io.github.loyaltyledger;

import io.github.loyaltyledger.earning.AmountBase;
import io.github.loyaltyledger.earning.Clawback;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EarnContext;
import io.github.loyaltyledger.earning.EarnDecision;
import io.github.loyaltyledger.earning.EarnEngine;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.MemberTiers;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleOutcome;
import io.github.loyaltyledger.earning.SegmentResolver;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.event.LoyaltyEventListener;
import io.github.loyaltyledger.insight.Breakage;
import io.github.loyaltyledger.insight.Insights;
import io.github.loyaltyledger.insight.IssuedPoints;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.MemberExport;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.insight.Retention;
import io.github.loyaltyledger.insight.RfmModel;
import io.github.loyaltyledger.insight.Statement;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.occasion.Occasion;
import io.github.loyaltyledger.occasion.OccasionGrant;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.PaymentQuote;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardAvailability;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.redemption.TierSource;
import io.github.loyaltyledger.redemption.UnavailableReason;
import io.github.loyaltyledger.redemption.VoucherIssuer;
import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.ConcurrentWriteException;
import io.github.loyaltyledger.store.CounterChange;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.MemberDirectory;
import io.github.loyaltyledger.store.MemberProfiles;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierActivity;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierChangeReason;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierOverride;
import io.github.loyaltyledger.tier.TierProgress;
import io.github.loyaltyledger.tier.TierStanding;
import io.github.loyaltyledger.tier.TierWarning;
import io.github.loyaltyledger.tier.UpgradePolicy;
import io.vavr.Lazy;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * The facade a point-of-sale, web shop or app back end calls, built with {@link #builder()} on a
 * {@link LoyaltyProgram} and a {@link LedgerStore}:
 *
 * <ul>
 *   <li>members: {@link #enrol}, {@link #suspend}, {@link #reactivate}, {@link #close},
 *       {@link #member}; their personal data: {@link #saveProfile}, {@link #export}, {@link #erase};
 *   <li>the ledger: {@link #credit}, {@link #debit}, {@link #adjust}, {@link #reverse},
 *       {@link #transfer}, and reads of {@link #balance}, {@link #lots}, {@link #history} and the
 *       chain's integrity, {@link #verify};
 *   <li>earning at the till: {@link #quote(Purchase)} (writes nothing), {@link #earn(Purchase)},
 *       {@link #refund}, and {@link #explain} later;
 *   <li>redemption: {@link #availableRewards(MemberId, Channel.Type)}, {@link #redeem},
 *       {@link #payWithPoints}, holds ({@link #authorize(Authorization)}, a payment's
 *       {@link #authorize(PointsPayment, Duration)}, then {@link #capture(EntryId, IdempotencyKey)}
 *       or {@link #voidHold}) and {@link #cancelRedemption(EntryId, String, IdempotencyKey)}, of a
 *       payment in part too ({@link #cancelRedemption(EntryId, Money, String, IdempotencyKey)});
 *   <li>tiers: {@link #tierOf}, {@link #tierProgress}, {@link #tierHistory}, {@link #overrideTier};
 *   <li>the dated work that {@link DailyRun} does for the members due ({@link #expire},
 *       {@link #vest}, {@link #releaseExpiredHolds}, {@link #reviewTier}…);
 *   <li>reports: {@link #statement}, {@link #liability}, {@link #breakage}, {@link #retention},
 *       {@link #rfm}.
 * </ul>
 *
 * <p>Every state-changing method takes a request carrying an {@link IdempotencyKey}. Sending the
 * same request with the same key again returns the first {@link Receipt} and writes nothing; the
 * same key with a different request is refused with {@link LoyaltyError.IdempotencyConflict}.
 * A key of a shape the library derives for its own work ({@code tier:<purchase key>},
 * {@code birthday:<member>:<year>}…, see {@link IdempotencyKey}) is refused with
 * {@link LoyaltyError.InvalidRequest} on {@code key}, except by the operations that do that work.
 * Every free text a request carries (reasons, operators, rule ids, details, profile fields) must
 * be one every store can keep ({@link Fingerprint#isStorable}): one with an unpaired surrogate or
 * a NUL character (U+0000) is refused with {@link LoyaltyError.InvalidRequest}. Business refusals
 * are returned as the left side of an {@link Either} and write nothing; of several things wrong, a
 * call names first what the request itself gets wrong (a reason, points or money, an instant),
 * before the member and the ledger ({@link #refund} and {@link #reassign} look their purchase up
 * first). A {@code null} argument throws {@link NullPointerException}, and a store failure is
 * thrown as the store's unchecked exception, not retried: the same request sent
 * again with the same key is made once. Two are not thrown: a {@link ConcurrentWriteException}
 * from a commit is a conflict, retried as one, and a failure of the tier evaluation made after a
 * committed change is logged, the call answering its receipt (README, "When the store fails").
 *
 * <p>Changes to one member are serialised: within this instance by a lock per member (striped),
 * across instances sharing one store by the account's version, with the request retried from
 * fresh state on a conflict. Every state-changing method may therefore also return
 * {@link LoyaltyError.ConcurrentModification} when other instances kept changing the member, or
 * other members' requests (on any instance) kept changing a counter the request shares with them
 * (a campaign budget, a reward's stock), for all {@link Builder#maxAttempts} attempts; sending the
 * same request with the same key again is safe.
 * Listeners receive {@link LoyaltyEvent}s after each commit.
 *
 * <p>Instances are thread-safe. Build one with {@link #builder()}.
 */
public final class Loyalty {

  private static final System.Logger LOG = System.getLogger(Loyalty.class.getName());
  private static final int MAX_TEXT = 500;
  private static final int MAX_OPERATOR = 100;
  /**
   * The most qualifying points, and spend in minor units, that a member's entries may record, counted
   * without sign: half a long, so that no sum the tier engine makes over them (a reversal without
   * keys counting its original's again) can overflow.
   */
  private static final long MAX_QUALIFYING = Long.MAX_VALUE / 2;
  /** The prefix of the detail keys the tier engine writes and the due-work index reads ({@code tier.to}…). */
  private static final String TIER_DETAIL_PREFIX = "tier.";
  private static final int STRIPES = 1024;
  private static final int VERIFY_PAGE = 500;
  /**
   * The keys the library derives for work that only it does: the tier evaluation after a purchase
   * ({@code tier:<purchase key>}), the daily tier review ({@code tier-review:<member>:<date>}), the
   * run's vesting, expiry, inactivity expiry and notices ({@code expire:<member>:<instant>}) and the
   * occasions ({@code birthday:<member>:<year>}). Not the tasks' keys
   * ({@code hold-timeout:<member>:<instant>}): a task's operation may write under its key through any
   * request.
   */
  /** {@link #DERIVED_KEY}'s shapes as a refusal names them. */
  private static final String DERIVED_SHAPES = "tier:<purchase key>, tier-review:<member>:<date>, "
      + "vest:, expire:, inactivity: or expiry-notice: then <member>:<instant>, "
      + List.of(Occasion.values()).map(o -> o.tag() + ":").mkString(" or ") + " then <member>:<year>";
  private static final Pattern DERIVED_KEY = Pattern.compile("tier:.*"
      + "|tier-review:.+:\\d{4}-\\d{2}-\\d{2}"
      + "|(vest|expire|inactivity|expiry-notice):.+:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z"
      + "|(" + List.of(Occasion.values()).map(Occasion::tag).mkString("|") + "):.+:\\d{4}");

  private final LoyaltyProgram program;
  private final LedgerStore store;
  private final Clock clock;
  private final List<LoyaltyEventListener> listeners;
  private final ListenerFailureHandler onListenerFailure;
  private final int maxAttempts;
  private final MemberTiers memberTiers;
  /** The earn multiplier of each tier of the ladder that has one other than 1; empty when none has. */
  private final java.util.Map<String, java.math.BigDecimal> earnMultipliers;
  /** {@link EarnEngine#visitsKey} without the member: the store reads the member's visits by it and the member. */
  private final String visitsPrefix;
  /** Where redemption learns a member's tier: the catalogue's source, or the tier engine by default ({@link TierSource#LADDER}). */
  private final TierSource rewardTiers;
  private final SegmentResolver segmentResolver;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final Insights insights;
  private final TierFacts tierFacts;
  /** The catalogue's rewards as offered, with the tier ladder's reward benefits ({@link LadderBenefits#offered}). */
  private final io.vavr.collection.Map<RewardId, Reward> offered;
  /** The store view of the request attempt running on each thread ({@link #reads}). */
  private final ThreadLocal<LedgerStore> attemptView = new ThreadLocal<>();
  /** The events still to publish on each thread while it publishes ({@link #publish}); none when it does not. */
  private final ThreadLocal<java.util.ArrayDeque<LoyaltyEvent>> publishing = new ThreadLocal<>();

  private Loyalty(Builder b) {
    this.program = Objects.requireNonNull(b.program, "program (call Builder.program)");
    this.store = Objects.requireNonNull(b.store, "store (call Builder.store)");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.listeners = b.listeners;
    this.onListenerFailure = b.onListenerFailure;
    this.maxAttempts = b.maxAttempts;
    this.tierFacts = new TierFacts(this::reads, program.currency(), TierFacts.DEFAULT_MAX_FACTS);
    this.memberTiers = b.memberTiersSet || program.tierLadder().isEmpty() ? b.memberTiers : this::tierOf;
    // Members' tiers are then the ladder's (none without one): a rule for another tier never applies.
    if (!b.memberTiersSet) {
      program.earnRules().requireTiersAmong(
          program.tierLadder().map(ladder -> ladder.tiers().map(t -> t.id().value())).getOrElse(List.empty()));
    }
    // LADDER is a marker, whose own tierOf throws: without a ladder nobody has a tier.
    this.rewardTiers = program.rewards().tiers() != TierSource.LADDER ? program.rewards().tiers()
        : program.tierLadder().isDefined() ? this::tierOf : TierSource.NONE;
    this.offered = program.rewards().rewards().mapValues(r -> LadderBenefits.offered(r, program.tierLadder()));
    this.earnMultipliers = earnMultipliers(program);
    this.visitsPrefix = EarnEngine.visitsPrefix(program.id());
    // Segment-targeted promotions are marketing: members who refused it are in no segment. With
    // no resolver every member is in none, so the consent need not be read on every purchase.
    this.segmentResolver = b.segmentResolver == SegmentResolver.NONE ? SegmentResolver.NONE
        : (member, at) -> consent(member).marketing()
            ? b.segmentResolver.segmentsOf(member, at) : io.vavr.collection.HashSet.empty();
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    this.insights = new Insights(store, store instanceof MemberDirectory directory ? directory : (after, limit) -> {
      throw new IllegalStateException(store.getClass().getName() + " cannot list members: it is no MemberDirectory;"
          + " to read reports over all members, use a store that implements MemberDirectory, as InMemoryLedgerStore and"
          + " JpaLedgerStore do");
    }, this::tierAsOf, program.currency());
    // Last, so that a builder refused above leaves a new store unclaimed.
    String kept = store.claimProgram(program.id(), b.renamedFrom);
    if (!kept.equals(program.id())) {
      throw new io.github.loyaltyledger.store.ProgramMismatchException(kept, program.id());
    }
    // A store that keeps no program after a claim (LedgerStore's defaults) would answer a facade of
    // any other program as its own: two brands on it would share members, keys and reports.
    if (!b.unclaimedStore && store.keptProgram().isEmpty()) {
      throw new IllegalStateException(store.getClass().getName() + " records no program: it answered the claim of '"
          + program.id() + "' but keeps none (LedgerStore.keptProgram), so a facade of another program on it would share"
          + " its members, keys and reports unnoticed; override claimProgram and keptProgram to keep the program's id"
          + " (LedgerStoreContract checks them), or, if only this program ever runs on the store, build with"
          + " Loyalty.builder()...unclaimedStore()");
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
   *     {@link LoyaltyError.InvalidRequest} (enrolment instant in the future or outside years 1 to
   *     9999) or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> enrol(Enrolment request) {
    Objects.requireNonNull(request, "request");
    String fingerprint = Fingerprint.of("enrol").value(request.member()).optional(request.enrolledAt())
        .optional(request.birthday()).optional(request.zone()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.member()), now -> {
      Either<LoyaltyError, Boolean> supported = checkSupported("enrolledAt", request.enrolledAt());
      if (supported.isLeft()) {
        return Either.left(supported.getLeft());
      }
      if (request.enrolledAt().exists(at -> at.isAfter(now))) {
        return invalid("enrolledAt", "is in the future (" + request.enrolledAt().get() + ")");
      }
      Option<Account> enrolled = reads().account(request.member());
      if (enrolled.isDefined()) {
        return Either.left(new LoyaltyError.MemberAlreadyEnrolled(request.member(), enrolled.get().member().status()));
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
    Option<LoyaltyError> malformed = unstorable("reason", reason);
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    String fingerprint = Fingerprint.of(op).value(member).text(reason).sha256();
    return executeRequest(key, fingerprint, List.of(member), now -> checkText("reason", reason, MAX_TEXT)
        .flatMap(ok -> load(member))
        .flatMap(account -> {
          MemberStatus current = account.member().status();
          if (!from.contains(current)) {
            return Either.left(new LoyaltyError.StatusChangeNotAllowed(member, current, to));
          }
          if (to == MemberStatus.CLOSED && account.balance().held().isPositive()) {
            return advised("member", "has " + account.balance().held()
                + " points in open holds; void them (voidHold; a capture needs an active member) before closing");
          }
          Books books = new Books(account, program, now);
          List<LoyaltyEvent> events = to == MemberStatus.CLOSED ? forfeitAll(books, key, reason, now) : List.empty();
          books.member(account.member().withStatus(to));
          events = events.append(new LoyaltyEvent.MemberStatusChanged(member, current, to, reason, now,
              Option.some(account.version() + 1)));
          return Either.right(single(key, books, events));
        }));
  }

  /** Gives up the whole balance of an account being closed; no entry if it is zero. */
  private static List<LoyaltyEvent> forfeitAll(Books books, IdempotencyKey key, String reason, Instant now) {
    if (books.total().isZero()) {
      return List.empty();
    }
    Entry forfeit = books.post(books.draft(EntryKind.FORFEIT, books.total().negated(), now, Channel.system(), key,
        reason).withMovements(books.forfeitAll()));
    return List.of(new LoyaltyEvent.PointsForfeited(forfeit, books.balance()));
  }

  // ---------------------------------------------------------------- points

  /**
   * Credits points to an active member ({@code EARN} or {@code BONUS}), creating a lot.
   *
   * @param request the credit, not null
   * @return the receipt, or {@link LoyaltyError.InvalidRequest} (points not positive, kind not EARN
   *     or BONUS, blank reason, instants in the wrong order (an expiry not after the credit, a vesting
   *     before the credit or not before the expiry) or outside years 1 to 9999, a
   *     {@code qualifying.*} detail that is not a whole number, qualifying points or spend that
   *     would bring what the member's entries record of them, counted without sign, beyond
   *     {@code Long.MAX_VALUE / 2}, or, on a program with a tier ladder, a {@code tier.*} detail,
   *     which is the tier engine's: without a ladder, {@code tier.to}, {@code tier.until} and
   *     {@code tier.review} are how an application's own tier engine schedules its reviews for the
   *     daily run, see {@link DueTask}),
   *     {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive}, {@link LoyaltyError.BalanceOverflow} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> credit(Credit request) {
    return credit(request, true);
  }

  /**
   * Credits an occasion's points under the grant's key, which has the shape the run derives for it
   * ({@code birthday:<member>:<year>}), refused for an application's own credit.
   */
  Either<LoyaltyError, Receipt> creditOccasion(Credit request) {
    return credit(request, false);
  }

  private Either<LoyaltyError, Receipt> credit(Credit request, boolean applicationKey) {
    Objects.requireNonNull(request, "request");
    Option<LoyaltyError> malformed = unstorable("reason", request.reason());
    if (malformed.isEmpty() && !request.ruleIds().isEmpty()) {
      malformed = unstorable("ruleIds", request.ruleIds());
    }
    if (malformed.isEmpty() && !request.details().isEmpty()) {
      // The details' keys, then their values, then the tier-qualifying ones: a usual credit has none.
      SortedMap<String, String> details = request.details();
      malformed = unstorable("details", details.keySet())
          .orElse(() -> unstorable("details", details.values()))
          .orElse(() -> malformedQualifying(details));
    }
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    Fingerprint f = Fingerprint.of("credit").value(request.member()).value(request.points())
        .value(request.kind()).text(request.reason()).optional(request.occurredAt()).value(request.channel())
        .optional(request.expiresAt()).optional(request.vestsAt()).values(request.ruleIds())
        .count(request.details().size());
    request.details().forEach((k, v) -> f.text(k).text(v));
    Function<Instant, Either<LoyaltyError, Plan>> planner = now -> {
      if (request.kind() != EntryKind.EARN && request.kind() != EntryKind.BONUS) {
        return invalid("kind", "must be EARN or BONUS for a credit, was " + request.kind());
      }
      Option<String> tierKey = tierEngineDetail(request.details());
      if (tierKey.isDefined()) {
        return advised("details", tierKey.get() + " is the tier engine's: with a tier ladder, tier changes and reviews"
            + " are recorded by evaluateTier, reviewTier and overrideTier, not by a credit");
      }
      Instant occurredAt = request.occurredAt().getOrElse(now);
      return checkPositive("points", request.points())
          .flatMap(ok -> checkText("reason", request.reason(), MAX_TEXT))
          .flatMap(ok -> checkSupported("occurredAt", request.occurredAt()))
          .flatMap(ok -> checkSupported("expiresAt", request.expiresAt()))
          .flatMap(ok -> checkSupported("vestsAt", request.vestsAt()))
          .flatMap(ok -> checkNotFuture("occurredAt", occurredAt, now))
          .flatMap(ok -> checkExpiryAfterOccurred(request.expiresAt(), occurredAt))
          .flatMap(ok -> checkVesting(request.vestsAt(), occurredAt, request.expiresAt()))
          .flatMap(ok -> load(request.member()))
          .flatMap(this::requireActive)
          .flatMap(account -> {
            Option<LoyaltyError> beyond = qualifyingBeyondBound(account, request.details());
            if (beyond.isDefined()) {
              return Either.left(beyond.get());
            }
            Books books = new Books(account, program, now);
            if (!books.canCredit(request.points())) {
              return Either.left(new LoyaltyError.BalanceOverflow(request.member(), books.total(), request.points()));
            }
            Entry entry = books.post(books.crediting(request.kind(), request.points(), occurredAt, request.channel(),
                request.key(), request.reason(), request.ruleIds(), request.details(), request.expiresAt(),
                request.vestsAt()));
            return Either.right(single(request.key(), books,
                List.of(new LoyaltyEvent.PointsEarned(entry, books.balance()))));
          });
    };
    String fingerprint = f.sha256();
    return applicationKey ? executeRequest(request.key(), fingerprint, List.of(request.member()), planner)
        : execute(request.key(), fingerprint, List.of(request.member()), planner);
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
    Option<LoyaltyError> malformed = unstorable("reason", request.reason());
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    String fingerprint = Fingerprint.of("debit").value(request.member()).value(request.points())
        .text(request.reason()).optional(request.occurredAt()).value(request.channel()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.member()), now -> {
      Instant occurredAt = request.occurredAt().getOrElse(now);
      return checkPositive("points", request.points())
          .flatMap(ok -> checkText("reason", request.reason(), MAX_TEXT))
          .flatMap(ok -> checkSupported("occurredAt", request.occurredAt()))
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
   * @return the receipt, or {@link LoyaltyError.InvalidRequest} (zero points or
   *     {@code Long.MIN_VALUE} points, an expiry on a negative adjustment, blank reason or operator), {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.MemberNotActive} (closed),
   *     {@link LoyaltyError.InsufficientPoints}, {@link LoyaltyError.BalanceOverflow} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> adjust(Adjustment request) {
    Objects.requireNonNull(request, "request");
    Option<LoyaltyError> malformed = unstorable("reason", request.reason()).orElse(() -> unstorable("operator", request.operator()));
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    String fingerprint = Fingerprint.of("adjust").value(request.member()).value(request.points())
        .text(request.reason()).text(request.operator()).optional(request.expiresAt()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.member()), now -> {
      if (request.points().isZero()) {
        return invalid("points", "must not be zero for an adjustment");
      }
      if (request.points().value() == Long.MIN_VALUE) {
        // Its negation, the points a negative adjustment spends, is beyond a long.
        return invalid("points", "must be at least " + -Long.MAX_VALUE + ", was " + request.points());
      }
      if (request.points().isNegative() && request.expiresAt().isDefined()) {
        // A negative adjustment takes points from existing lots and creates none that could expire.
        return advised("expiresAt", "only a positive adjustment's points can expire; leave it out of a negative one");
      }
      return checkText("reason", request.reason(), MAX_TEXT)
          .flatMap(ok -> checkText("operator", request.operator(), MAX_OPERATOR))
          .flatMap(ok -> checkSupported("expiresAt", request.expiresAt()))
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
   * {@link io.github.loyaltyledger.program.NegativeBalancePolicy} for reversing spent points. A
   * credit's points that expired unused are not taken back (its {@code expired} detail counts them).
   * Points of it that an open hold holds are not spent: under {@code REFUSE} and {@code CLAMP}, a
   * reversal that needs them is refused with {@link LoyaltyError.PointsOnHold} until the hold is
   * captured or voided; under {@code REFUSE}, one that would lack points even after the void is
   * refused with {@link LoyaltyError.InsufficientPoints}. Under {@code CLAMP}, a credit's spent points
   * the reversal cannot take are forgiven until points come back (ADR 0006); the reversal of a
   * debit, which gives points back, then also settles them: its receipt holds a {@code REVERSAL} of
   * each such credit ({@code forgiven.settled}), each published as an
   * {@link LoyaltyEvent.EntryReversed}.
   * On a ladder that {@linkplain TierLadder#returnsRevokeUpgrades() revokes upgrades on returns},
   * the tier is evaluated after the reversal, as after a refund (keyed {@code "tier:" + key}, see {@link IdempotencyKey}).
   *
   * @param request the reversal, not null
   * @return the receipt, or {@link LoyaltyError.InvalidRequest} (a blank reason, or, on {@code entry},
   *     the {@code REDEEM} entry of a reward: of {@link #redeem}, {@link #payWithPoints}, also one
   *     given back in part, or an occasion's gift, which {@link #cancelRedemption} cancels),
   *     {@link LoyaltyError.EntryNotFound},
   *     {@link LoyaltyError.NotReversible}, {@link LoyaltyError.AlreadyReversed},
   *     {@link LoyaltyError.MemberNotActive} (closed), {@link LoyaltyError.InsufficientPoints}
   *     (policy REFUSE), {@link LoyaltyError.PointsOnHold} (policy REFUSE or CLAMP),
   *     {@link LoyaltyError.BalanceOverflow} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> reverse(Reversal request) {
    Objects.requireNonNull(request, "request");
    Option<LoyaltyError> malformed = unstorable("reason", request.reason());
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    String fingerprint = Fingerprint.of("reverse").value(request.entry()).text(request.reason()).sha256();
    MemberId member = request.entry().member();
    boolean[] planned = {false};
    return executeRequest(request.key(), fingerprint, List.of(member), now -> planning(planned,
        readFirst(member, current -> checkText("reason", request.reason(), MAX_TEXT)
        .flatMap(ok -> reads().entry(request.entry())
            .toEither((LoyaltyError) new LoyaltyError.EntryNotFound(request.entry())))
        .flatMap(original -> {
          EntryKind kind = original.kind();
          if (kind != EntryKind.EARN && kind != EntryKind.BONUS && kind != EntryKind.REDEEM && kind != EntryKind.ADJUST) {
            return Either.left(notReversible(original, current));
          }
          List<Entry> reversals = reads().referencing(original.id()).filter(e -> e.kind() == EntryKind.REVERSAL);
          Option<Money> paid = original.details().get(PAYMENT_APPLIED).map(Money::parse);
          if (paid.isDefined()) {
            // A payment given back in part is not reversed yet: the advice below sends the rest to
            // cancelRedemption. Once all its money is back, it is, as cancelRedemption says.
            Either<LoyaltyError, Return> rest = returnable(original, paid, Option.none(), reversals, isClosed(current));
            if (rest.isLeft()) {
              return Either.left(rest.getLeft());
            }
          } else if (reversals.nonEmpty()) {
            return Either.left(new LoyaltyError.AlreadyReversed(original.id(), reversals.head().id(),
                reversals.head().details().get(REFUND_OF).map(IdempotencyKey::of), isClosed(current)));
          }
          // After the member: cancelRedemption refuses a closed member as reverse does.
          return current.flatMap(this::requireOpen).flatMap(account -> original.details().containsKey(REWARD_ID)
              ? advised("entry", "records a reward redemption; cancel it with cancelRedemption")
              : Either.right(account)).flatMap(account -> {
            Books books = new Books(account, program, now);
            return (original.points().isPositive()
                    ? reverseCredit(books, original)
                    : reverseDebit(books, original))
                .map(reversal -> {
                  Entry entry = books.post(reversal.draft(books.draft(EntryKind.REVERSAL, reversal.points(), now,
                      Channel.system(), request.key(), request.reason()).withReference(original.id())));
                  return single(request.key(), books, List.<LoyaltyEvent>of(new LoyaltyEvent.EntryReversed(entry,
                      books.balance())).appendAll(settle(books, reversal.settled(),
                      reversal.points().isPositive() ? reversal.movements() : List.empty(), request.key())._1));
                });
          });
        })))).peek(receipt -> qualifyAfterReturn(planned, member, request.key()));
  }

  /**
   * Reads the member's account before the plan checks other entries (an open hold, an earlier
   * reversal or refund). The account's version guards the commit: a conflicting request that
   * another node commits after this read makes this commit stale, so it is planned again, and one
   * committed before it is seen by the checks that follow. Reading the account after those checks
   * let two nodes both capture one hold.
   */
  private <T> T readFirst(MemberId member, java.util.function.Function<Either<LoyaltyError, Account>, T> plan) {
    Either<LoyaltyError, Account> read = load(member);
    try {
      return plan.apply(read);
    } catch (RuntimeException failure) {
      // Another node committed for this member after the account was read: the entries the plan
      // read since (a refund that took points in place of those a void gives back) may not add up
      // with the account as read, and the plan fail on what cannot be (a lot given back more than it
      // held). Its commit would have been refused as stale anyway, so it is planned again from the
      // new state. A failure on a ledger that did not move is a fault, and propagates.
      boolean moved;
      try {
        moved = read.isRight() && load(member).exists(now -> now.version() != read.get().version());
      } catch (RuntimeException unread) {
        // The store failed again (still down): the failure that stopped the plan is the one to
        // report, not that of a read made only to look at it.
        if (unread != failure) {
          failure.addSuppressed(unread);
        }
        throw failure;
      }
      if (moved) {
        throw new StalePlan(failure);
      }
      throw failure;
    }
  }

  /**
   * A plan made on an account that another node changed while it was planned, and that failed on
   * the mix ({@link #readFirst}): the attempt is made again, as for a stale commit.
   */
  private static final class StalePlan extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StalePlan(RuntimeException failure) {
      super("planned on an account that changed meanwhile", failure, false, false);
    }
  }

  /**
   * What a reversal takes or gives back, before it is drafted; {@code expired}, what it spared of a
   * credit because it expired unused; {@code details}, those of a debit's reversal on where the
   * points it gives back went ({@link #pastRefunds}, {@link #repaidBy}), or of a credit's on the
   * credit's own points it took back from grace lots ({@link #GRACE_TAKEN}); {@code settled}, what
   * of the points a debit's reversal gives back settles what reversals of their credits forgave.
   */
  private record Undo(Points points, List<LotMovement> movements, Points shortfall, Points expired,
      SortedMap<String, String> details, List<Settlement> settled) {
    Undo(Points points, List<LotMovement> movements, Points shortfall, Points expired, SortedMap<String, String> details) {
      this(points, movements, shortfall, expired, details, List.empty());
    }

    Undo(Points points, List<LotMovement> movements, Points shortfall) {
      this(points, movements, shortfall, Points.ZERO, TreeMap.empty());
    }

    EntryDraft draft(EntryDraft base) {
      SortedMap<String, String> all = details;
      all = shortfall.isPositive() ? all.put(SHORTFALL, shortfall.toString()) : all;
      all = expired.isPositive() ? all.put(EXPIRED, expired.toString()) : all;
      EntryDraft d = base.withMovements(movements);
      return all.isEmpty() ? d : d.withDetails(all);
    }
  }

  /**
   * The detail of a credit's reversal (or a refund's) under {@code CLAMP}: the points it needed and
   * could not take (spent), which it forgave until points come back ({@link #forgivenOf}).
   */
  static final String SHORTFALL = "shortfall";

  /** The detail of a reversal saying how many points of the credit it spared because they expired unused. */
  static final String EXPIRED = "expired";

  /**
   * Takes back a credit less what expired unused of its lot's points (wherever they expired), as a
   * refund does: those points were lost once already, and the member never had them to spend (ADR
   * 0003).
   */
  private Either<LoyaltyError, Undo> reverseCredit(Books books, Entry original) {
    Lazy<SortedMap<EntryId, IssuedPoints>> issued = issuedPoints(original.member());
    Points need = Points.of(refundable(books, original, original.points().value(), issued));
    Points expired = original.points().minus(need);
    return clawBack(books, original.id(), original.member(), need, issued)
        .map(u -> new Undo(u.points(), u.movements(), u.shortfall(), expired, u.details()));
  }

  /**
   * What became of the points of a member's credits outside their lots ({@link
   * Insights#issuedPointsOf}): read at most once per plan, and only when a lot cannot cover what a
   * reversal or refund asks of it.
   */
  private Lazy<SortedMap<EntryId, IssuedPoints>> issuedPoints(MemberId member) {
    return issuedPoints(reads(), member);
  }

  private static Lazy<SortedMap<EntryId, IssuedPoints>> issuedPoints(LedgerStore ledger, MemberId member) {
    return Lazy.of(() -> Insights.issuedPointsOf(ledger, member));
  }

  /**
   * Takes {@code need} points back for a credit: from its own lot, then from grace lots its points
   * were given back to after it expired ({@code issued}; recorded as {@link #GRACE_TAKEN}), then
   * other available lots, then per policy.
   */
  private Either<LoyaltyError, Undo> clawBack(Books books, EntryId lot, MemberId member, Points need,
      Lazy<SortedMap<EntryId, IssuedPoints>> issued) {
    Points availableBefore = books.available();
    List<LotMovement> moved = books.takeFromLot(lot, need).toList();
    SortedMap<String, String> details = TreeMap.empty();
    if (movedOut(moved).isLessThan(need)) {
      // Still the credit's points: taking others' in their place, which expire there later, would
      // leave both counted, the credit's as expired and the others' as spent (IssuedPoints.inGraceLots).
      for (io.vavr.Tuple2<EntryId, Points> grace : issued.get().get(lot).map(IssuedPoints::inGraceLots)
          .getOrElse(TreeMap.empty())) {
        List<LotMovement> own = books.takeFromLot(grace._1, grace._2.min(need.minus(movedOut(moved)))).toList();
        moved = moved.appendAll(own);
        if (movedOut(own).isPositive()) {
          details = details.put(GRACE_TAKEN + grace._1, movedOut(own).toString());
        }
      }
    }
    Points rest = need.minus(movedOut(moved));
    Points fromOthers = rest.min(books.available().max(Points.ZERO));
    moved = moved.appendAll(books.takeAvailable(fromOthers));
    Points shortfall = rest.minus(fromOthers);
    if (!shortfall.isPositive()) {
      return Either.right(new Undo(need.negated(), moved, Points.ZERO, Points.ZERO, details));
    }
    if (program.negativeBalancePolicy() != NegativeBalancePolicy.ALLOW_NEGATIVE) {
      // Points an open hold took from the lot are not spent: refused as spent, the operator is told
      // the wrong thing; clamped, they come back to the reversed lot when the hold is voided. So are
      // those another credit's reversal took from the lot in place of its points a hold holds, also
      // one this request made (a refund's earlier award): the void gives them back here
      // (pastRefunds). So are the credit's points a hold took from a grace lot they were given back
      // to: the void gives them back there, still the credit's. And so are its points in grace lots
      // that the reversal of a credit whose points a hold holds took in place of the held ones: the
      // void gives them back there too (heldFor).
      List<io.vavr.Tuple2<Entry, Points>> holding = openHolds(member, books.balance().held())
          .map(h -> io.vavr.Tuple.of(h, heldFor(h, lot, issued.get(), books.written())))
          .filter(t -> t._2.isPositive()).sortBy(t -> t._1.sequence());
      Points held = holding.foldLeft(Points.ZERO, (sum, t) -> sum.plus(t._2));
      // Under REFUSE, a shortfall that voiding those holds could not cover is refused as what stays
      // true after the void: asking the till to void a customer's hold for nothing helps no one. The
      // void gives back all a hold holds, of other lots too, which the reversal may then take.
      Points freed = holding.flatMap(t -> t._1.movements()).foldLeft(Points.ZERO, (sum, m) -> sum.minus(m.points()));
      boolean hopeless = program.negativeBalancePolicy() == NegativeBalancePolicy.REFUSE
          && shortfall.isGreaterThan(freed);
      if (!holding.isEmpty() && !hopeless) {
        return Either.left(new LoyaltyError.PointsOnHold(lot, held, holding.map(t -> t._1.id()),
            books.account().member().status()));
      }
    }
    switch (program.negativeBalancePolicy()) {
      case REFUSE:
        return Either.left(new LoyaltyError.InsufficientPoints(member, availableBefore, need, books.balance().held()));
      case CLAMP:
        return Either.right(new Undo(need.minus(shortfall).negated(), moved, shortfall, Points.ZERO, details));
      case ALLOW_NEGATIVE:
        if (!books.canOverdraw(shortfall)) {
          return Either.left(new LoyaltyError.BalanceOverflow(member, books.total(), need.negated()));
        }
        books.overdraw(shortfall);
        return Either.right(new Undo(need.negated(), moved, Points.ZERO, Points.ZERO, details));
      default:
        throw new IllegalStateException("unknown policy " + program.negativeBalancePolicy());
    }
  }

  /**
   * The detail of a credit's reversal, followed by a grace lot's id: how many of the credit's own
   * points (given back to that grace lot after the credit's lot expired) it took back from there, with
   * its first movement on that lot. They are not points taken in place of the credit's spent or held
   * ones, so a return does not move the credit's points there ({@link #inPlaceOf}).
   */
  private static final String GRACE_TAKEN = "grace.taken.";

  /**
   * The points a credit's reversal took from other lots in place of the credit's own (spent or held),
   * in order, each with when it took them: its movements on lots other than the credit's, less the
   * credit's own points it took from grace lots ({@link #GRACE_TAKEN}), the first on each.
   */
  private static List<Books.Taken> inPlaceOf(Entry reversal, EntryId credit) {
    java.util.Map<EntryId, Long> own = new java.util.HashMap<>();
    List<Books.Taken> instead = List.empty();
    for (LotMovement o : reversal.movements().filter(o -> !o.lot().equals(credit))) {
      long skip = Math.min(-o.points().value(), own.computeIfAbsent(o.lot(), id -> detail(reversal, GRACE_TAKEN + id)));
      own.merge(o.lot(), -skip, Long::sum);
      if (o.points().value() + skip < 0) {
        instead = instead.append(new Books.Taken(new LotMovement(o.lot(), Points.of(o.points().value() + skip)),
            reversal.recordedAt()));
      }
    }
    return instead;
  }

  /**
   * The points of a credit ({@code lot}) that an open hold holds in substance, which its void gives
   * back as the credit's: those it took from lots for which {@link #standsFor} holds, those of the
   * credit it took from grace lots ({@link IssuedPoints#takenFromGraceLots}), and the credit's points
   * in grace lots that the reversals of another credit took in place of that credit's points the hold
   * holds (in its lot or in grace lots; {@link IssuedPoints#takenInPlace}). Each hold's movements are
   * walked once: standsFor reads the store along the chain.
   */
  private Points heldFor(Entry hold, EntryId lot, SortedMap<EntryId, IssuedPoints> issued, List<Entry> written) {
    Points held = Points.ZERO;
    java.util.Map<EntryId, Points> others = new java.util.HashMap<>();
    for (LotMovement m : hold.movements()) {
      if (standsFor(m.lot(), lot, HashSet.empty(), written)) {
        held = held.plus(m.points().negated());
      } else {
        others.merge(m.lot(), m.points().negated(), Points::plus);
      }
    }
    for (IssuedPoints credit : issued.values()) {
      Points inGrace = credit.takenFromGraceLots().get(hold.id())
          .map(byLot -> byLot.values().foldLeft(Points.ZERO, Points::plus)).getOrElse(Points.ZERO);
      if (credit.credit().equals(lot)) {
        held = held.plus(inGrace);
      } else if (inGrace.isPositive()) {
        others.merge(credit.credit(), inGrace, Points::plus);
      }
    }
    SortedMap<EntryId, Points> inPlace = issued.get(lot).map(IssuedPoints::takenInPlace).getOrElse(TreeMap.empty());
    for (java.util.Map.Entry<EntryId, Points> other : others.entrySet()) {
      held = held.plus(other.getValue().min(inPlace.get(other.getKey()).getOrElse(Points.ZERO)));
    }
    return held;
  }

  /** The points that movements taking them moved out of lots. */
  private static Points movedOut(List<LotMovement> taken) {
    return taken.map(m -> m.points().negated()).foldLeft(Points.ZERO, Points::plus);
  }

  /**
   * Whether points given back to lot {@code taken} end up in lot {@code lot}: it is that lot, or a
   * reversal of its credit took points from a lot for which this holds (a chain, as {@link
   * #pastRefunds} follows it): one stored, or one of the request being planned ({@code written},
   * such as a refund's reversal of another award); {@code seen}, the lots already visited.
   */
  private boolean standsFor(EntryId taken, EntryId lot, io.vavr.collection.Set<EntryId> seen, List<Entry> written) {
    return taken.equals(lot) || !seen.contains(taken) && reads().referencing(taken)
        .appendAll(written.filter(e -> e.reference().contains(taken))).filter(Loyalty::takesBackACredit)
        .flatMap(e -> inPlaceOf(e, taken)).exists(t -> standsFor(t.movement().lot(), lot, seen.add(taken), written));
  }

  private Either<LoyaltyError, Undo> reverseDebit(Books books, Entry original) {
    Points back = original.points().negated();
    if (!books.canCredit(back)) {
      return Either.left(new LoyaltyError.BalanceOverflow(original.member(), books.total(), back));
    }
    // As when a redemption is cancelled: points of a credit reversed since go to the lots its
    // reversal took in their place, not back to life in its lot (pastRefunds). No grace: a lot that
    // expired meanwhile gets them back and loses them at the next expiry run.
    Returning taken = pastRefunds(original.member(), Option.some(original.id()), original.movements(),
        original.recordedAt(), books);
    List<LotMovement> returned = books.giveBack(taken.back(), id -> reads().entry(id), Option.none());
    return Either.right(new Undo(back, returned, Points.ZERO, Points.ZERO, taken.details().merge(repaidBy(books)),
        taken.settled()));
  }

  /**
   * Moves available points from one active member to another, both sides atomically. Without an
   * expiry of its own ({@link Transfer#expiresAt}) the received points keep the expiries of the
   * sender's lots they are taken from: one {@code TRANSFER_OUT} and its {@code TRANSFER_IN} per
   * expiry, soonest first. For each such pair it publishes {@link LoyaltyEvent.PointsTransferred},
   * then each side with its member's balance after it: {@link LoyaltyEvent.PointsSent} for the sender
   * and {@link LoyaltyEvent.PointsReceived} for the receiver.
   *
   * @param request the transfer, not null
   * @return the receipt (for the sender, listing the entries of both sides, each {@code TRANSFER_OUT}
   *     followed by its {@code TRANSFER_IN}), or {@link LoyaltyError.InvalidRequest}
   *     (same member, points not positive…), {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive}, {@link LoyaltyError.InsufficientPoints},
   *     {@link LoyaltyError.BalanceOverflow} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> transfer(Transfer request) {
    Objects.requireNonNull(request, "request");
    Option<LoyaltyError> malformed = unstorable("reason", request.reason());
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    String fingerprint = Fingerprint.of("transfer").value(request.from()).value(request.to())
        .value(request.points()).text(request.reason()).value(request.channel()).optional(request.expiresAt()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.from(), request.to()), now -> {
      if (request.from().equals(request.to())) {
        return invalid("to", "must be another member than the sender");
      }
      return checkPositive("points", request.points())
          .flatMap(ok -> checkText("reason", request.reason(), MAX_TEXT))
          .flatMap(ok -> checkSupported("expiresAt", request.expiresAt()))
          .flatMap(ok -> checkAfter("expiresAt", request.expiresAt(), now))
          .flatMap(ok -> load(request.from()).flatMap(this::requireActive))
          .flatMap(fromAccount -> load(request.to()).flatMap(this::requireActive).flatMap(toAccount -> {
            Books sender = new Books(fromAccount, program, now);
            Books receiver = new Books(toAccount, program, now);
            if (!receiver.canCredit(request.points())) {
              return Either.left(new LoyaltyError.BalanceOverflow(request.to(), receiver.total(), request.points()));
            }
            // Without an expiry of its own, the transfer keeps the expiries of the lots it takes:
            // one pair of entries per expiry, each TRANSFER_IN creating the lot of its part.
            return requireAvailable(sender, request.points()).map(ok -> {
              List<io.vavr.Tuple2<Option<Instant>, Points>> parts = request.expiresAt().isDefined()
                  ? List.of(io.vavr.Tuple.of(request.expiresAt(), request.points()))
                  : sender.availableByExpiry(request.points());
              java.util.List<Entry> written = new java.util.ArrayList<>();
              java.util.List<LoyaltyEvent> published = new java.util.ArrayList<>();
              for (int n = 1; n <= parts.size(); n++) {
                io.vavr.Tuple2<Option<Instant>, Points> part = parts.get(n - 1);
                // Numbered when there are several, so that a listener knows a transfer's last part.
                SortedMap<String, String> numbered = parts.size() == 1 ? TreeMap.empty()
                    : TreeMap.of(Transfer.PART_DETAIL, Integer.toString(n), Transfer.PARTS_DETAIL,
                        Integer.toString(parts.size()));
                Entry out = sender.post(sender.draft(EntryKind.TRANSFER_OUT, part._2.negated(), now, request.channel(),
                    request.key(), request.reason()).withCounterparty(request.to()).withDetails(numbered)
                    .withMovements(sender.takeAvailable(part._2)));
                EntryDraft inDraft = receiver.draft(EntryKind.TRANSFER_IN, part._2, now, request.channel(),
                        request.key(), request.reason())
                    .withCounterparty(request.from()).withReference(out.id()).withDetails(numbered)
                    .withLotTerms(part._1, Option.none());
                Entry in = receiver.post(inDraft.withMovements(receiver.addLot(part._2, now, part._1, Option.none())));
                written.add(out);
                written.add(in);
                published.add(new LoyaltyEvent.PointsTransferred(out, in));
                published.add(new LoyaltyEvent.PointsSent(out, sender.balance()));
                published.add(new LoyaltyEvent.PointsReceived(in, receiver.balance()));
              }
              Receipt receipt = new Receipt(request.key(), request.from(), sender.member().status(),
                  List.ofAll(written), sender.balance());
              return new Plan(List.of(sender.change(), receiver.change()), receipt, List.ofAll(published));
            });
          }));
    });
  }

  /**
   * Expires what is left in a member's lots whose expiry is at or before {@code asOf}, in one
   * {@code EXPIRE} entry occurring at {@code asOf}, or when the last of those lots arrived if that is
   * later (a transfer received after {@code asOf} brings points of the sender's lots that expired by
   * then). When nothing is due it writes no entry (only the key). The daily run calls this for every
   * member with expiries due, with a key derived from the member and the date.
   *
   * @param member the member, not null
   * @param asOf the instant to expire as of, not after the clock's instant
   * @param key the idempotency key, not null
   * @return the receipt (no entries when nothing was due), or {@link LoyaltyError.InvalidRequest},
   *     {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> expire(MemberId member, Instant asOf, IdempotencyKey key) {
    return sweep("expire", member, asOf, key, EntryKind.EXPIRE, "Points expired", books -> books.expire(asOf));
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
    return sweep("vest", member, asOf, key, EntryKind.VEST, "Pending points became available",
        books -> books.vest(asOf));
  }

  private Either<LoyaltyError, Receipt> sweep(String op, MemberId member, Instant asOf, IdempotencyKey key, EntryKind kind,
      String reason, Function<Books, List<LotMovement>> select) {
    return sweep(op, member, asOf, key, kind, reason, Option.none(), select);
  }

  /**
   * {@link #sweep} of a request decided on the member's entries up to the sequence {@code decidedOn},
   * if given: refused with {@link LoyaltyError.ConcurrentModification}, writing nothing, when the
   * account has moved past it (checked on the state the sweep commits on). The sequence is not part
   * of the request: a request recorded under the key replays whatever it was decided on.
   */
  private Either<LoyaltyError, Receipt> sweep(String op, MemberId member, Instant asOf, IdempotencyKey key, EntryKind kind,
      String reason, Option<Long> decidedOn, Function<Books, List<LotMovement>> select) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(key, "key");
    String fingerprint = Fingerprint.of(op).value(member).value(asOf).sha256();
    return execute(key, fingerprint, List.of(member), now -> checkSupported("asOf", asOf)
        .flatMap(ok -> checkNotFuture("asOf", asOf, now))
        .flatMap(ok -> load(member))
        .flatMap(account -> decidedOn.exists(sequence -> sequence != account.lastSequence())
            ? Either.left(new LoyaltyError.ConcurrentModification(member, 1))
            : Either.right(account))
        .map(account -> {
          Books books = new Books(account, program, now);
          if (account.member().status() == MemberStatus.CLOSED) {
            return single(key, books, List.empty());
          }
          io.vavr.collection.Seq<Lot> lots = books.lots();
          List<LotMovement> moved = select.apply(books);
          if (moved.isEmpty()) {
            return single(key, books, List.empty());
          }
          Points points = kind == EntryKind.EXPIRE
              ? moved.map(LotMovement::points).foldLeft(Points.ZERO, Points::plus)
              : Points.ZERO;
          Instant occurredAt = kind == EntryKind.EXPIRE ? arrivedBy(asOf, lots, moved) : asOf;
          Entry entry = books.post(books.draft(kind, points, occurredAt, Channel.system(), key, reason).withMovements(moved));
          LoyaltyEvent event = kind == EntryKind.EXPIRE
              ? new LoyaltyEvent.PointsExpired(entry, books.balance())
              : new LoyaltyEvent.PointsVested(entry, books.balance());
          return single(key, books, List.of(event));
        }));
  }

  /**
   * When an expiry as of {@code asOf} occurs: then, or, if one of the lots it empties arrived later
   * (points a transfer received after {@code asOf} from a lot of the sender's that expired by then,
   * found by a late run), when the last of them arrived, so that the {@code EXPIRE} entry never
   * occurs before the entry that gave its points.
   */
  private static Instant arrivedBy(Instant asOf, io.vavr.collection.Seq<Lot> lots, List<LotMovement> moved) {
    io.vavr.collection.Set<EntryId> emptied = moved.map(LotMovement::lot).toSet();
    return lots.filter(lot -> emptied.contains(lot.id())).map(Lot::earnedAt).foldLeft(asOf,
        (latest, at) -> at.isAfter(latest) ? at : latest);
  }

  // ---------------------------------------------------------------- tiers

  /**
   * Evaluates a member's tier now and records what is due: reviews that fell due and are not
   * recorded yet, then an upgrade if the ladder upgrades immediately and the current window's
   * qualifying activity reaches a higher tier. Call it after posting qualifying credits (the
   * earning engine does, with a key derived from the purchase's key, e.g. {@code "tier:" + key});
   * the crossing purchase itself earned at the old rate. Writes nothing when nothing is due, except
   * that on a {@link UpgradePolicy#NEXT_PERIOD} ladder the first evaluation in a period that earns a
   * higher tier writes a zero-point {@code TIER} entry that only schedules the review at the period's
   * end ({@link TierChange#REVIEW}), so that the daily run records the upgrade then.
   *
   * @param member the member, not null
   * @param key the evaluation's idempotency key, not null
   * @return the receipt with the {@code TIER} entries written, or {@link LoyaltyError.NoTierLadder},
   *     {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.MemberNotActive} (closed) or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> evaluateTier(MemberId member, IdempotencyKey key) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(key, "key");
    return execute(key, Fingerprint.of("evaluate-tier").value(member).sha256(), List.of(member),
        now -> withLadder(member).flatMap(this::requireOpen).map(account -> {
          Books books = new Books(account, program, now);
          TierStanding standing = standing(account);
          List<LoyaltyEvent> events = recordTiers(books, standing.evaluate(now), key);
          scheduleReview(books, account, standing, now, now, key);
          return single(key, books, events);
        }));
  }

  /**
   * The daily review of one member's tier as of the start of {@code date} in the member's zone:
   * records every review that fell due by then (downgrades, soft landings, renewals, the end of
   * overrides, next-period upgrades) and announces a coming downgrade once, within the ladder's
   * warning days of the review, unless what is recorded when it runs keeps the member from holding
   * that status until the review (an override set since the start of the date, an upgrade), or the
   * review has already passed when it runs (a day of the warning days reviewed late), or no review
   * could record it (one after year 9999, a downgrade the history never makes).
   * Idempotent per member and date: the key is derived from both, and
   * running it again for the same date returns the first receipt. A closed member is left alone.
   *
   * @param member the member, not null
   * @param date the day of the run, not null; its start must not be after the clock's instant
   * @return the receipt with the {@code TIER} entries written, or {@link LoyaltyError.NoTierLadder},
   *     {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.InvalidRequest} (a future date, one
   *     before the member's enrolment date in their zone, or one whose start in the member's zone
   *     is outside years 1 to 9999 UTC: in a zone ahead of UTC, 1 January of year 10000 starts
   *     within them and is accepted); a refusal writes nothing, not even the receipt under the
   *     date's key
   */
  public Either<LoyaltyError, Receipt> reviewTier(MemberId member, LocalDate date) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(date, "date");
    IdempotencyKey key = IdempotencyKey.of("tier-review:" + member + ":" + date);
    return execute(key, Fingerprint.of("review-tier").value(member).value(date).sha256(), List.of(member),
        now -> withLadder(member).flatMap(account -> {
          Instant asOf = date.atStartOfDay(account.member().zone()).toInstant();
          return checkSupported("date", asOf).flatMap(ok -> checkNotFuture("date", asOf, now))
              .flatMap(ok -> checkEnrolledBy(date, account.member())).map(ok -> {
            Books books = new Books(account, program, now);
            if (account.member().status() == MemberStatus.CLOSED) {
              return single(key, books, List.empty());
            }
            TierStanding standing = standing(account);
            List<LoyaltyEvent> events = recordTiers(books, standing.pending(asOf), key);
            scheduleReview(books, account, standing, asOf, now, key);
            Plan plan = single(key, books, events);
            Option<TierWarning> warning = downgradeToAnnounce(standing, account.member().zone(), asOf, now);
            String counter = warning.map(w -> "tier-warning:" + member + ":" + w.reviewAt()).getOrElse("");
            if (warning.isEmpty() || reads().counter(counter) != 0) {
              return plan;
            }
            return new Plan(plan.changes(), List.of(new CounterChange(counter, 0, 1)), plan.receipt(),
                plan.events().append(new LoyaltyEvent.TierWillDowngrade(member, warning.get(), now)));
          });
        }));
  }

  /**
   * Refuses a review of a date before the member's enrolment date in their zone: no review falls due
   * before it, and one accepted would keep an empty receipt under the date's key. The enrolment day
   * itself is reviewed (as of its start, which may precede the enrolment instant).
   */
  private static Either<LoyaltyError, Boolean> checkEnrolledBy(LocalDate date, Member member) {
    LocalDate enrolled = LocalDate.ofInstant(member.enrolledAt(), member.zone());
    return date.isBefore(enrolled)
        ? advised("date", "is before the member's enrolment on " + enrolled + " (" + member.enrolledAt()
            + ", zone " + member.zone() + "), was " + date + "; review a date on or after it")
        : Either.right(true);
  }

  /**
   * The coming downgrade the daily review of the date that starts at {@code dayStart} announces:
   * the one {@link TierStanding#warning} finds as of that start, judged on everything recorded by
   * {@code now}, as the next review is: only if the review is still ahead of {@code now} and the
   * member then holds the status reviewed then, not overridden. An override set since the start of
   * the date may hold the tier past the review, and then no downgrade is coming; nor is one whose
   * review has passed (a day of the warning days reviewed late): no activity can stop it any more;
   * nor is one that no review can record (after year 9999), which the ledger never makes.
   */
  private Option<TierWarning> downgradeToAnnounce(TierStanding standing, ZoneId zone, Instant dayStart, Instant now) {
    return standing.warning(dayStart).filter(w -> {
      if (!w.reviewAt().isAfter(now) || !recordable(w.reviewAt(), zone)) {
        return false;
      }
      TierProgress progress = standing.progress(now);
      return !progress.overridden()
          && progress.until().exists(until -> program.tierLadder().get().reviewAt(until, zone).equals(w.reviewAt()));
    });
  }

  /**
   * Whether {@link #reviewTier} of the date of {@code asOf} in the member's zone, run now, would
   * announce a coming downgrade at {@code review}. The daily run asks before it visits a member
   * within the ladder's warning days of their next review: a member who keeps their tier has none
   * to announce, nor has one whose review is the end of an override or a period's end that brings a
   * {@link UpgradePolicy#NEXT_PERIOD} upgrade (nothing is lost there).
   */
  boolean announcesDowngradeAt(MemberId member, Instant review, Instant asOf) {
    return withLadder(member).exists(account -> {
      ZoneId zone = account.member().zone();
      Instant dayStart = LocalDate.ofInstant(asOf, zone).atStartOfDay(zone).toInstant();
      return downgradeToAnnounce(standing(account), zone, dayStart, clock.instant())
          .exists(w -> w.reviewAt().equals(review));
    });
  }

  /**
   * Sets a member's tier by hand until an end date, after which the computed tier resumes (reads
   * show it from that instant; the daily review of the first date that starts at or after it records
   * it: the review of that date for an end at the start of a day in the member's zone, else of the
   * next date). Reviews due before now are recorded first. Any tier on the
   * ladder may be set, also one below a lifetime tier the member reached: that tier resumes when
   * the override ends (see {@link TierOverride}). So may the tier the member already holds: that
   * holds it until the end date through reviews that would lower it, and is recorded as an
   * {@code OVERRIDE} from the tier to itself, which publishes no {@link LoyaltyEvent.TierUpgraded} or
   * {@link LoyaltyEvent.TierDowngraded}, as no tier changes.
   *
   * @param request the override, not null
   * @return the receipt with the {@code TIER} entries written, or {@link LoyaltyError.NoTierLadder},
   *     {@link LoyaltyError.UnknownTier}, {@link LoyaltyError.InvalidRequest} (blank reason or
   *     operator, end not in the future, or after the start of the last day of year 9999 in the
   *     member's zone, which no review could record), {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive} (closed) or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> overrideTier(TierOverride request) {
    Objects.requireNonNull(request, "request");
    Option<LoyaltyError> malformed = unstorable("reason", request.reason()).orElse(() -> unstorable("operator", request.operator()));
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    String fingerprint = Fingerprint.of("override-tier").value(request.member()).value(request.tier())
        .text(request.reason()).text(request.operator()).value(request.until()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.member()), now -> checkText("reason", request.reason(),
            MAX_TEXT)
        .flatMap(ok -> checkText("operator", request.operator(), MAX_OPERATOR))
        .flatMap(ok -> checkSupported("until", request.until()))
        .flatMap(ok -> checkAfter("until", Option.some(request.until()), now))
        .flatMap(ok -> withLadder(request.member()))
        .flatMap(this::requireOpen)
        .flatMap(account -> checkRecordable(request.until(), account.member().zone()).map(ok -> account))
        .flatMap(account -> {
          if (program.tierLadder().get().tier(request.tier()).isEmpty()) {
            return Either.left(new LoyaltyError.UnknownTier(request.tier()));
          }
          Books books = new Books(account, program, now);
          List<TierChange> changes = standing(account).override(now, request.tier(), request.until(), request.operator());
          List<LoyaltyEvent> events = recordTiers(books, changes.init(), request.key());
          Entry entry = books.post(tierDraft(books, changes.last(), request.key(), request.reason())
              .withOperator(request.operator()));
          return Either.right(single(request.key(), books, events.appendAll(tierEvents(changes.last(), entry))));
        }));
  }

  /**
   * Where a member stands on the ladder now: tier and since when, the current window's qualifying
   * activity, the next tier and what is missing for it, what is needed to keep the tier, and the
   * next review. Reviews that fell due and are not recorded yet are taken into account. A closed
   * (or erased) member stands nowhere on the ladder, as their statement shows: a tier "until" a
   * date, or a next tier to reach, would promise what the closed account can never have; the tiers
   * they held stay in {@link #tierHistory}.
   *
   * @param member the member, not null
   * @return the progress, or {@link LoyaltyError.NoTierLadder}, {@link LoyaltyError.UnknownMember} or
   *     {@link LoyaltyError.MemberNotActive} (closed)
   */
  public Either<LoyaltyError, TierProgress> tierProgress(MemberId member) {
    Objects.requireNonNull(member, "member");
    return withLadder(member).flatMap(this::requireOpen).map(account -> standing(account).progress(clock.instant()));
  }

  /**
   * A member's recorded tier changes, oldest first (qualifications, reviews, overrides and their
   * end), as kept by {@code TIER} entries. Reviews that fell due but were not run yet are not listed.
   * A closed (or erased) member's history is still answered, as a record of the tiers they held,
   * though they stand on no tier now ({@link #tierOf} answers none).
   *
   * @param member the member, not null
   * @return the changes, or {@link LoyaltyError.NoTierLadder} or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, List<TierChange>> tierHistory(MemberId member) {
    Objects.requireNonNull(member, "member");
    return withLadder(member).map(account -> tierFacts.upTo(account).changes());
  }

  /**
   * The tier a member held at an instant (the shape of the earning engine's {@code MemberTiers}
   * port): the recorded changes up to then, with reviews due by then applied. Before the member's
   * enrolment it is the tier they started in, the base tier: a purchase made just before the member
   * enrolled (an occurred-at before the enrolment, as a till may send) earns in it. A closed (or
   * erased) member holds no tier, at any instant: the ledger does not date every closing (one that
   * forfeits nothing writes no entry), and the tier it held would otherwise read as a standing the
   * closed account still has;
   * {@link #tierHistory} lists the tiers they held, each change with its instant: what a closed
   * member held at a past instant is read there.
   *
   * @param member the member, not null
   * @param at the instant, not null
   * @return the tier id, or none if the program has no tiers, no member has that id or the member is
   *     closed
   * @throws IllegalArgumentException if {@code at} is outside years 1 to 9999
   */
  public Option<String> tierOf(MemberId member, Instant at) {
    Objects.requireNonNull(member, "member");
    SupportedInstants.require("at", Objects.requireNonNull(at, "at"));
    return withLadder(member).flatMap(this::requireOpen).toOption().map(account -> standing(account).tierAt(at).value());
  }

  /**
   * The tier a member held at an instant as the ledger stood then (entries recorded at or before it,
   * as {@link #balanceAsOf} reads them), for reports as of a past instant: unlike {@link #tierOf},
   * which reads the whole ledger, an entry recorded later (a back-dated purchase, say) does not move
   * a past liability's points to another tier.
   */
  private Option<String> tierAsOf(MemberId member, Instant at) {
    return withLadder(member).toOption().map(account -> standing(account, tierFacts.asOf(account, at)).tierAt(at).value());
  }

  /** The member's tier as the catalogue's {@link TierSource} tells it, a null answer named. */
  private Option<String> rewardTierOf(MemberId member, Instant at) {
    return portTier("a TierSource", rewardTiers.tierOf(member, at), member);
  }

  /**
   * A tier port's answer for a member, refused when it is null or holds null with a message naming
   * the port and the member: the reward's price or the birthday's terms would otherwise refuse it
   * unnamed, or take a tier of null for no tier.
   *
   * @throws NullPointerException if the answer is null or holds null
   */
  static Option<String> portTier(String port, Option<String> answer, MemberId member) {
    if (answer == null || answer.exists(Objects::isNull)) {
      throw new NullPointerException(port + " answered " + (answer == null ? "null" : "Some(null)") + " for member '"
          + member + "': it answers Option.none() for a member without a tier");
    }
    return answer;
  }

  private Either<LoyaltyError, Account> withLadder(MemberId member) {
    return program.tierLadder().isEmpty()
        ? Either.left(new LoyaltyError.NoTierLadder(program.id()))
        : load(member);
  }

  /** The member's standing from the tier facts kept up to the account's newest entry ({@link TierFacts}). */
  private TierStanding standing(Account account) {
    return standing(account, tierFacts.upTo(account));
  }

  /** The member's standing from the given tier facts (a prefix of the ledger, or all of it). */
  private TierStanding standing(Account account, TierFacts.Kept facts) {
    CurrencyUnit currency = program.currency();
    java.util.function.Function<Entry, QualifyingActivity> deferred = e -> e.kind() == EntryKind.REVERSAL
        && !QualifyingActivity.isRecordedOn(e)
        ? e.reference().flatMap(id -> reads().entry(id)).map(o -> QualifyingActivity.of(o, currency).negated())
            .getOrElse(() -> QualifyingActivity.none(currency))
        : QualifyingActivity.of(e, currency);
    TierActivity activity = new TierActivity() {
      @Override
      public QualifyingActivity between(Instant from, Instant to) {
        return facts.between(from, to, currency, deferred);
      }

      @Override
      public QualifyingActivity beforeReturns(Instant from, Instant to) {
        return facts.between(from, to, currency, deferred, false);
      }

      @Override
      public QualifyingActivity ofCreditsFrom(Instant from, Instant to) {
        // Read only for the returns in the span, when a revocation is weighed: rare, so not kept.
        return facts.between(from, to, currency, deferred,
            original -> original == null || reads().entry(original).forAll(o -> !o.occurredAt().isBefore(from)));
      }
    };
    return TierStanding.of(program.tierLadder().get(), account.member(), facts.changes(), activity);
  }

  private List<LoyaltyEvent> recordTiers(Books books, List<TierChange> changes, IdempotencyKey key) {
    return changes.flatMap(c -> tierEvents(c, books.post(tierDraft(books, c, key,
        "Tier " + c.from() + " to " + c.to() + " (" + c.reason().name().toLowerCase(java.util.Locale.ROOT) + ")"))));
  }

  /**
   * The {@code TIER} entry recording a change. When the review does not happen at the status's end,
   * the entry also says when it does ({@link TierChange#REVIEW}): the due-work index reads the review
   * from the entry, and scheduling it at the end made the daily run review (and warn about) the
   * member every day of the grace period, and every hour from an override's end in the middle of a
   * day to the next day, whose review records it ({@link #reviewDay}).
   */
  private EntryDraft tierDraft(Books books, TierChange change, IdempotencyKey key, String reason) {
    SortedMap<String, String> details = change.details();
    if (change.until().isDefined()) {
      ZoneId zone = books.member().zone();
      Instant until = change.until().get();
      Instant review = reviewDay(change.reason() == TierChangeReason.OVERRIDE ? until
          : program.tierLadder().get().reviewAt(until, zone), zone);
      details = review.equals(until) ? details : details.put(TierChange.REVIEW, review.toString());
    }
    return books.draft(EntryKind.TIER, Points.ZERO, change.at(), Channel.system(), key, reason).withDetails(details);
  }

  /**
   * On a {@link UpgradePolicy#NEXT_PERIOD} ladder, keeps the due-work index's tier review on the next
   * review that records a change ({@link TierStanding#nextReview}). An upgrade due at a period's end
   * is written by no entry until then, and the index learns of reviews from entries only, so the daily
   * run never visited the member at that end: a zero-point {@code TIER} entry that carries only
   * {@link TierChange#REVIEW} (none when no review is coming) schedules it. Written only when the
   * index would otherwise be wrong: by the first evaluation in a period that earns a higher tier, by
   * a review that renews a status ending after the period's end, and by the review at a period's end
   * whose upgrade returns took back (or the member would be visited every day after it).
   * Immediate ladders need none: every review they schedule records a change.
   */
  private void scheduleReview(Books books, Account account, TierStanding standing, Instant asOf, Instant now,
      IdempotencyKey key) {
    reviewToSchedule(account, books.written(), standing, asOf, now).forEach(next -> {
      SortedMap<String, String> details = next.isDefined()
          ? TreeMap.of(TierChange.REVIEW, next.get().toString()) : TreeMap.empty();
      books.post(books.draft(EntryKind.TIER, Points.ZERO, asOf, Channel.system(), key,
          next.map(at -> "Tier review due " + at).getOrElse("No tier review due")).withDetails(details));
    });
  }

  /**
   * The review {@link #scheduleReview} writes, if it writes one: on a {@link UpgradePolicy#NEXT_PERIOD}
   * ladder, the next review that records a change (none if none is coming) when the due-work index,
   * after the account's entries and those {@code written} since, would hold another. Reviews up to
   * {@code asOf} are recorded by the request; the next one is judged on everything recorded by
   * {@code now}: a review of a date (as of its start) after a purchase or an override that day must
   * not take them back out of the index. A change falling due between the two (an override ending
   * that morning) is the next review, as the next day's review records it.
   */
  private Option<Option<Instant>> reviewToSchedule(Account account, List<Entry> written, TierStanding standing,
      Instant asOf, Instant now) {
    if (program.tierLadder().get().upgrade() != UpgradePolicy.NEXT_PERIOD) {
      return Option.none();
    }
    ZoneId zone = account.member().zone();
    Option<Instant> indexed = written
        .foldLeft(tierFacts.upTo(account).review(), (review, entry) -> DueWork.tierReviewAfter(review, entry, zone));
    Option<Instant> next = standing.pending(now).find(c -> c.at().isAfter(asOf)).map(TierChange::at)
        .orElse(() -> standing.nextReview(now)).map(due -> reviewDay(due, zone));
    return indexed.equals(next) ? Option.none() : Option.some(next);
  }

  /**
   * When the daily review records what falls due at {@code due}: {@link #reviewTier} reviews a date
   * as of its start in the member's zone, so what falls due after the start of a day (an override
   * ending at 15:00) is recorded by the review of the next day; statuses and periods end at the start
   * of a day and are recorded by that day's review.
   */
  private static Instant reviewDay(Instant due, ZoneId zone) {
    LocalDate day = LocalDate.ofInstant(due, zone);
    return day.atStartOfDay(zone).toInstant().equals(due) ? due : day.plusDays(1).atStartOfDay(zone).toInstant();
  }

  /**
   * Whether a review could record what falls due at {@code due}: the review of its day
   * ({@link #reviewDay}) starts within years 1 to 9999, by {@link SupportedInstants#LATEST}.
   */
  private static boolean recordable(Instant due, ZoneId zone) {
    return SupportedInstants.isSupported(reviewDay(due, zone));
  }

  /**
   * Refuses an override's end that no supported review could record: an end after the start of the
   * last day that starts within years 1 to 9999 in the member's zone is recorded by the review of the
   * next day, which starts after {@link SupportedInstants#LATEST}. Reads would show the computed tier
   * from the end on while the history kept the override for good.
   */
  private static Either<LoyaltyError, Boolean> checkRecordable(Instant until, ZoneId zone) {
    if (recordable(until, zone)) {
      return Either.right(true);
    }
    Instant lastEnd = LocalDate.ofInstant(SupportedInstants.LATEST, zone).atStartOfDay(zone).toInstant();
    return advised("until", "would be recorded by the review of the next day in the member's zone " + zone
        + ", after " + SupportedInstants.LATEST + ", the last instant the ledger supports, was " + until
        + "; end the override at or before " + lastEnd);
  }

  /**
   * The event of a recorded change: up or down the ladder, none for a renewal, and
   * {@link LoyaltyEvent.TierReassigned} for a move off (or onto) a tier the ladder does not have, which
   * it cannot order: a tier removed by a later program version is neither above nor below the others.
   */
  private List<LoyaltyEvent> tierEvents(TierChange change, Entry entry) {
    TierLadder ladder = program.tierLadder().get();
    int from = ladder.rank(change.from());
    int to = ladder.rank(change.to());
    if (change.movesTier() && (from < 0 || to < 0)) {
      return List.of(new LoyaltyEvent.TierReassigned(entry.member(), change, entry.recordedAt(),
          Option.some(entry.id())));
    }
    int up = Integer.compare(to, from);
    return up > 0 ? List.of(new LoyaltyEvent.TierUpgraded(entry.member(), change, entry.recordedAt(),
        Option.some(entry.id())))
        : up < 0 ? List.of(new LoyaltyEvent.TierDowngraded(entry.member(), change,
            entry.recordedAt(), Option.some(entry.id())))
        : List.empty();
  }

  // ---------------------------------------------------------------- daily run

  /**
   * Expires everything left in a member's lots, pending or not, in one {@code EXPIRE} entry,
   * whatever their own expiry: what the {@link DailyRun} calls when the program's
   * {@link io.github.loyaltyledger.expiry.InactivityExpiry} finds that the member has been inactive
   * too long (this method does not check activity itself). Writes no entry when there are no lots.
   *
   * @param member the member, not null
   * @param asOf the instant to expire as of, not after the clock's instant
   * @param key the idempotency key, not null
   * @return the receipt (no entries when nothing was left), or {@link LoyaltyError.InvalidRequest},
   *     {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> expireInactive(MemberId member, Instant asOf, IdempotencyKey key) {
    return sweep("expire-inactive", member, asOf, key, EntryKind.EXPIRE, "Points expired after inactivity",
        Option.none(), books -> books.expireWhere(lot -> true));
  }

  /**
   * {@link #expireInactive(MemberId, Instant, IdempotencyKey)} for the {@link DailyRun}, which
   * decided that the member is inactive, and the instant {@code asOf}, on their entries up to the
   * sequence {@code decidedOn}: refused with {@link LoyaltyError.ConcurrentModification}, writing
   * nothing, when another request for the member has committed since (a credit the expiry would take
   * although it occurred after {@code asOf}, or activity), so that the run decides again.
   */
  Either<LoyaltyError, Receipt> expireInactive(MemberId member, Instant asOf, IdempotencyKey key, long decidedOn) {
    return sweep("expire-inactive", member, asOf, key, EntryKind.EXPIRE, "Points expired after inactivity",
        Option.some(decidedOn), books -> books.expireWhere(lot -> true));
  }

  /**
   * Announces the points that will expire at an instant: publishes one
   * {@link LoyaltyEvent.PointsExpiringSoon} with the points the expiry then will take if nothing else
   * happens meanwhile (no spending, capture or void): what is left of the member's lots expiring then,
   * with the points that open holds timing out by then give back to them, once the pending lots
   * vesting by then have repaid any deficit (pending points are counted: they expire too); points
   * still held at the instant are not counted, since the expiry leaves them to the hold. It records
   * the key so that a repeated announcement publishes nothing. Writes no entry; publishes nothing if
   * no points expire then or the instant has passed. The points announced are
   * remembered with the key (a counter committed with its record), and an announcement of the
   * same instant under another key publishes only when more points expire then than the last notice
   * said (points that arrived since, such as a late upload, a transfer in or a credit, or points a
   * hold gave back), with the new total: never twice for the same points.
   *
   * @param member the member, not null
   * @param expiresAt the expiry instant to announce, not null
   * @param key the idempotency key, not null
   * @return the receipt (no entries), or {@link LoyaltyError.InvalidRequest} (an instant outside
   *     years 1 to 9999), {@link LoyaltyError.UnknownMember} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> announceExpiry(MemberId member, Instant expiresAt, IdempotencyKey key) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(key, "key");
    String fingerprint = Fingerprint.of("announce-expiry").value(member).value(expiresAt).sha256();
    return execute(key, fingerprint, List.of(member), now -> checkSupported("expiresAt", expiresAt)
        .flatMap(ok -> load(member))
        .map(account -> {
          Points points = expiringAt(account, expiresAt, now, key);
          String counter = expiryNoticeCounter(member, expiresAt);
          long announced = reads().counter(counter);
          Plan plan = single(key, new Books(account, program, now), List.empty());
          if (points.value() <= announced || !now.isBefore(expiresAt)) {
            return plan;
          }
          return new Plan(plan.changes(), List.of(new CounterChange(counter, announced, points.value())), plan.receipt(),
              List.of(new LoyaltyEvent.PointsExpiringSoon(member, points, expiresAt, now)));
        }));
  }

  /**
   * The points the expiry at {@code expiresAt} will take if nothing else happens meanwhile (no
   * spending, capture or void): what is left of the lots expiring then once the open holds that time
   * out by then have given their points back (the daily run releases them before it expires lots)
   * and the pending lots vesting by then have vested (vesting, like a release, repays a deficit
   * first), each in the order it falls due, a release before a vesting at the same instant as in a
   * run. Points held past the instant are not counted: the expiry at the instant leaves them to the
   * hold (they go back after it without grace and expire then, ADR 0006).
   */
  Points expiringAt(Account account, Instant expiresAt, Instant now, IdempotencyKey key) {
    return ahead(account, expiresAt, now, key).account().lots().filter(lot -> lot.expiresAt().contains(expiresAt))
        .map(Lot::remaining).foldLeft(Points.ZERO, Points::plus);
  }

  /**
   * The expiry instants after {@code asOf} and by {@code horizon} of the member's lots once the
   * holds timing out and the lots vesting by {@code horizon} have (see
   * {@link #expiringAt(Account, Instant, Instant, IdempotencyKey)}), soonest first: a lot that open
   * holds emptied expires with the points they give back.
   */
  List<Instant> expiriesAhead(Account account, Instant asOf, Instant horizon, Instant now, IdempotencyKey key) {
    return ahead(account, horizon, now, key).account().lots().flatMap(Lot::expiresAt)
        .filter(at -> at.isAfter(asOf) && !at.isAfter(horizon)).distinct().sorted().toList();
  }

  /**
   * The member's books once the open holds that time out by {@code until} have given their points
   * back and the pending lots vesting by then have vested, each in the order it falls due, a release
   * before a vesting at the same instant as in a run; nothing is written.
   */
  private Books ahead(Account account, Instant until, Instant now, IdempotencyKey key) {
    Books ahead = new Books(account, program, now);
    List<Entry> holds = account.balance().held().isPositive()
        ? openHolds(account.member().id(), account.balance().held())
            .filter(h -> h.expiresAt().exists(at -> !at.isAfter(until)))
            .sortBy(h -> h.expiresAt().get())
        : List.empty();
    List<Instant> vestings = account.lots().filter(Lot::pending).flatMap(Lot::vestsAt)
        .filter(at -> !at.isAfter(until)).distinct().sorted().toList();
    Tally ignored = new Tally();
    while (!holds.isEmpty() || !vestings.isEmpty()) {
      if (!holds.isEmpty() && (vestings.isEmpty() || !holds.head().expiresAt().get().isAfter(vestings.head()))) {
        release(ahead, holds.head(), "Hold expired", key, now, holds.head().expiresAt().get(), ignored);
        holds = holds.tail();
      } else {
        ahead.vest(vestings.head());
        vestings = vestings.tail();
      }
    }
    return ahead;
  }

  /**
   * The name of the counter that remembers how many points the last notice of an expiry announced
   * (none before 2026-11-28: a notice recorded earlier left it at zero), committed with the notice,
   * so that nodes announcing at once serialise on it and a later notice announces only a larger total.
   */
  static String expiryNoticeCounter(MemberId member, Instant expiresAt) {
    return "expiry-notice:" + member + ":" + expiresAt;
  }

  /** The store, for the {@link DailyRun} built around this facade. */
  LedgerStore store() {
    return store;
  }

  /** The clock, for the {@link DailyRun} built around this facade. */
  Clock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- earning

  /**
   * Earns points on a purchase: every rule of the program's {@link RuleBook} is evaluated, then
   * stacking, caps, budgets and rounding decide what is granted, and the grants are posted in one
   * commit as {@code EARN}/{@code BONUS} entries (one per kind, expiry and vesting) whose details
   * keep the breakdown per rule ({@link EarnQuote#fromEntries}) and the tier-qualifying keys
   * {@code qualifying.points}, {@code qualifying.spend} and {@code qualifying.visit}. A purchase
   * that earns nothing still writes one zero-point {@code EARN} entry, so the visit and its
   * explanation are on the ledger. The transaction id is the idempotency key.
   *
   * @param purchase the purchase, not null
   * @return the receipt, or {@link LoyaltyError.CurrencyMismatch}, {@link LoyaltyError.InvalidRequest}
   *     (on {@code occurredAt}: after the clock's instant or outside years 1 to 9999; on
   *     {@code lines}: earning lines beyond a {@code long} of minor units, or, on a program with a
   *     tier ladder, a net spend or qualifying points that would bring what the member's entries
   *     record of them, counted without sign, beyond {@code Long.MAX_VALUE / 2}; on {@code key}: a
   *     transaction id of a shape the library derives for its own work),
   *     {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.MemberNotActive},
   *     {@link LoyaltyError.RuleFailed}, {@link LoyaltyError.BalanceOverflow} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> earn(Purchase purchase) {
    Objects.requireNonNull(purchase, "purchase");
    boolean[] planned = {false};
    return award(purchase.transaction(), fingerprint(purchase), purchase.member(), Option.some(purchase), Option.none(),
        planned).peek(receipt -> qualifyIfPlanned(planned, purchase.member(), purchase.transaction()));
  }

  /**
   * Earns points on a custom event (survey, review, referral, sign-up) through the same pipeline
   * and idempotency as a purchase; only rules that look at events award anything.
   *
   * @param event the event, not null
   * @return the receipt, or {@link LoyaltyError.InvalidRequest} (on {@code occurredAt}: after the
   *     clock's instant or outside years 1 to 9999; on {@code attributes}: a name or value with an
   *     unpaired surrogate or a NUL; on {@code event}: on a program with a tier ladder, qualifying
   *     points that would bring what the member's entries record of them, counted without sign,
   *     beyond {@code Long.MAX_VALUE / 2}; on {@code key}: a shape the library derives for its own
   *     work), {@link LoyaltyError.UnknownMember}
   *     (the member, or the event's counterparty, such as a referral's friend, is not enrolled),
   *     {@link LoyaltyError.MemberNotActive} (the member is not active, or the counterparty is
   *     closed; the member is checked before the counterparty, as a transfer's sender before its
   *     receiver), {@link LoyaltyError.RuleFailed},
   *     {@link LoyaltyError.BalanceOverflow} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> earn(CustomEvent event) {
    Objects.requireNonNull(event, "event");
    // Checked before the fingerprint, which cannot encode such a text.
    Option<LoyaltyError> malformed = malformedAttributes(event);
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    boolean[] planned = {false};
    return award(event.key(), fingerprint(event), event.member(), Option.none(), Option.some(event), planned)
        .peek(receipt -> qualifyIfPlanned(planned, event.member(), event.key()));
  }

  /**
   * After qualifying credits, records an immediate tier upgrade (programs with a tier ladder): the
   * crossing purchase earned at the old rate, the next one earns at the new rate. On a
   * {@link UpgradePolicy#NEXT_PERIOD} ladder it schedules the review at the end of the period the
   * purchase earned an upgrade in, as {@link #evaluateTier} does. After a return
   * (a refund or a reversal), on a ladder that {@linkplain TierLadder#returnsRevokeUpgrades()
   * revokes upgrades on returns}, records the revocation, so that the next purchase does not earn at
   * the revoked tier's rate.
   * Keyed by the purchase's (or return's) key, so that it is recorded once however often it is made;
   * a replayed request makes none (it writes and publishes nothing, see the README's "When the store
   * fails"). A refusal here cannot undo the posted points; it is logged, and the next purchase or evaluation
   * records the change. So is a failure of the store here (its read or the evaluation's commit): the
   * purchase is committed, and a caller told it failed would send it again, to be answered from its
   * record, which records no evaluation either (a replay writes nothing).
   *
   * <p>Most purchases change no tier: the standing is read first, and only a member with a change
   * due, or a review to schedule, is evaluated under its lock, so the common purchase costs one commit, not two. (A
   * concurrent purchase that the read missed runs this after its own commit and sees both.)
   */
  private void qualify(MemberId member, IdempotencyKey purchaseKey) {
    if (program.tierLadder().isEmpty()) {
      return;
    }
    try {
      evaluateAfter(member, purchaseKey);
    } catch (RuntimeException failure) {
      LOG.log(System.Logger.Level.WARNING, "Tier evaluation after " + purchaseKey + " failed; " + purchaseKey
          + " is committed regardless, and evaluateTier or the member's next purchase records the change", failure);
    }
  }

  /** {@link #qualify} on a program with a tier ladder; what the store throws propagates. */
  private void evaluateAfter(MemberId member, IdempotencyKey purchaseKey) {
    Instant now = clock.instant();
    // The account as this purchase's commit left it (the tier facts keep it), else read again.
    Option<Account> committed = tierFacts.committedAccount(member);
    boolean due = (committed.isDefined() ? Either.<LoyaltyError, Account>right(committed.get()) : load(member))
        .flatMap(this::requireOpen)
        .map(account -> {
          // A next-period upgrade is no change now, but its period's end must be scheduled.
          TierStanding standing = standing(account);
          return !standing.evaluate(now).isEmpty() || reviewToSchedule(account, List.empty(), standing, now, now).isDefined();
        })
        .getOrElse(true);
    if (!due) {
      return;
    }
    String derived = "tier:" + purchaseKey.value();
    IdempotencyKey key = IdempotencyKey.of(derived.length() <= 128
        ? derived
        : "tier:" + Fingerprint.of("tier-key").value(purchaseKey).sha256());
    evaluateTier(member, key).orElseRun(error -> LOG.log(System.Logger.Level.WARNING,
        "Tier evaluation after " + purchaseKey + " was refused (" + error.message()
            + "); evaluateTier or the member's next purchase records it"));
  }

  /**
   * Says what a purchase would earn now and why, by the same pipeline as {@link #earn(Purchase)},
   * without writing anything.
   *
   * <p>A quote does not look its transaction id up: for a purchase already earned it says what the
   * purchase would earn if it were new now (as the member's next visit, without a first-purchase
   * bonus already granted), not the receipt that {@code earn} answers when the purchase is sent
   * again. What a recorded purchase earned, and why, is {@link #explain(IdempotencyKey)}.
   *
   * @param purchase the purchase, not null
   * @return the breakdown per rule, or the refusal {@link #earn(Purchase)} would give now, a
   *     {@link LoyaltyError.BalanceOverflow} included, except {@link LoyaltyError.IdempotencyConflict}
   *     and {@link LoyaltyError.ConcurrentModification}
   */
  public Either<LoyaltyError, EarnQuote> quote(Purchase purchase) {
    Objects.requireNonNull(purchase, "purchase");
    // Refused as earn refuses it, so that a purchase quoted is one that can be earned.
    if (isDerived(purchase.transaction())) {
      return derivedKey(purchase.transaction());
    }
    return quoteEarning(clock.instant(), purchase.member(), Option.some(purchase), Option.none());
  }

  /**
   * Says what a custom event would earn now and why, without writing anything. Like
   * {@link #quote(Purchase)}, it does not look its key up: what a recorded event earned is
   * {@link #explain(IdempotencyKey)}.
   *
   * @param event the event, not null
   * @return the breakdown per rule, or the refusal {@link #earn(CustomEvent)} would give now, a
   *     {@link LoyaltyError.BalanceOverflow} included, except {@link LoyaltyError.IdempotencyConflict}
   *     and {@link LoyaltyError.ConcurrentModification}
   */
  public Either<LoyaltyError, EarnQuote> quote(CustomEvent event) {
    Objects.requireNonNull(event, "event");
    Option<LoyaltyError> malformed = malformedAttributes(event);
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    if (isDerived(event.key())) {
      return derivedKey(event.key());
    }
    return quoteEarning(clock.instant(), event.member(), Option.none(), Option.some(event));
  }

  /**
   * Answers "why did I get these points?" for a purchase or custom event posted earlier, from the
   * ledger alone: the breakdown per rule (rule id, program version, description, desired, granted
   * and the reason when not applied or reduced) as it was decided when it was posted, whatever the
   * program is now. Later refunds do not change it: they are entries of their own, referencing
   * the award's entries. A purchase {@linkplain #reassign reassigned} is explained as it was earned
   * for the member who has it now (the quote's member and transaction are that member and the
   * reassignment's key), as a refund under its transaction id is taken from them; the wrong
   * member's award stays on their entries, which {@link EarnQuote#fromEntries} explains.
   *
   * <p>A credit that carries its own breakdown ({@link Credit#explainedBy}) is explained by it too,
   * as its entries are read like an award's.
   *
   * @param transaction the purchase's transaction id or the event's key, not null
   * @return the breakdown, equal to what {@link #quote(Purchase)} said just before the purchase was
   *     earned, or {@link LoyaltyError.PurchaseNotFound} if nothing was earned under that key with a
   *     breakdown (no purchase, custom event or explained credit)
   */
  public Either<LoyaltyError, EarnQuote> explain(IdempotencyKey transaction) {
    Objects.requireNonNull(transaction, "transaction");
    // A reassigned purchase is explained by what the member who has it now earned on it.
    IdempotencyKey where = purchaseAwards(transaction).headOption().map(Entry::idempotencyKey).getOrElse(transaction);
    return reads().idempotencyRecord(where)
        .flatMap(record -> EarnQuote.fromEntries(record.receipt().entries()))
        .toEither(() -> new LoyaltyError.PurchaseNotFound(transaction));
  }

  /**
   * Takes back what a purchase earned, for an amount or units returned: each rule's award in
   * proportion (see {@link io.github.loyaltyledger.earning.Clawback}: an award based on some lines,
   * such as a multiplier's or a unit bonus's, in proportion to the part of those lines returned; a
   * threshold bonus goes whole once the kept basket is below its threshold, a first-purchase or
   * Nth-visit bonus only on a full refund), with cumulative rounding so that partial refunds add up
   * to the award exactly; a refund takes back, per rule, what the clawback then gives less what the
   * earlier refunds took, and never gives points back. An amount returned names no lines: it comes off the earning lines kept in
   * proportion to their net, so a line returned after it returns what is left of its net (in its
   * {@code refund.net}), and the refund bringing back the last unit of the earning lines completes
   * the return: a unit bought is never refused as too much.
   * Each award entry gets a {@code REVERSAL} entry referencing it and recording its rule ids (what
   * each gives back is in the {@code refund.rule.<id>} details), taking the points from its own
   * lot first (pending or not), then from other available points, then per the program's
   * {@link io.github.loyaltyledger.program.NegativeBalancePolicy}. An award entry gives back at most
   * what it credited less what expired unused of its lot's points (in the lot, or in a grace lot they
   * were given back to after it expired) and what earlier refunds took: points the
   * member spent are taken back, points that expired were lost once already (the entry's
   * {@code refund.expired} detail says how many of its clawback were not taken for that). The
   * qualifying keys are reduced in full, expired or not ({@code qualifying.visit} is {@code -1} on
   * the refund that completes a full return). Units of lines that never earn return no amount (of a
   * SKU sold on both kinds of line, the units that earned come back first); a
   * purchase of such lines only is returned in full when all their units are back. A purchase whose
   * earning lines are all free (net zero) is counted in units of those lines, the refund bringing
   * back the last one completing it. Caps and budgets are not given back, nor is a points payment
   * made on the purchase (its {@code REDEEM}): cancel that with {@link #cancelRedemption}. On a
   * ladder that {@linkplain TierLadder#returnsRevokeUpgrades() revokes upgrades on returns}, the tier
   * is evaluated after the refund, as after a purchase (keyed {@code "tier:" + key}, see {@link IdempotencyKey}), so an upgrade
   * whose credit it took back is revoked at once. A refund of lines is the same request whatever the
   * order of its lines and however a SKU's units are split over them: sent again so under its key,
   * it replays the first result. A purchase moved with {@link #reassign} is refunded under its
   * transaction id from the member who has it now.
   *
   * @param refund the refund, not null
   * @return the receipt, or {@link LoyaltyError.PurchaseNotFound}, {@link LoyaltyError.CurrencyMismatch},
   *     {@link LoyaltyError.RefundExceedsPurchase}, {@link LoyaltyError.InvalidRequest} (on
   *     {@code original}: the key of a custom event, whose points {@link #reverse} takes back; unknown SKU,
   *     a SKU or reason with an unpaired surrogate or a NUL, a blank reason or one over 500 characters),
   *     {@link LoyaltyError.AlreadyReversed} (an award entry was reversed by hand),
   *     {@link LoyaltyError.MemberNotActive} (closed; under a custom event's key too, whose
   *     {@code reverse} a closed member would refuse), {@link LoyaltyError.InsufficientPoints} (policy
   *     REFUSE: the points available before the refund, and all the points it takes back),
   *     {@link LoyaltyError.PointsOnHold} (policy REFUSE or CLAMP: points of an award that the refund
   *     needs are held by an open hold; capture or void it first. Under REFUSE only when the void
   *     would leave the member enough points; otherwise {@code InsufficientPoints}),
   *     {@link LoyaltyError.BalanceOverflow} (policy ALLOW_NEGATIVE, a deficit beyond a
   *     {@code long}) or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> refund(Refund refund) {
    Objects.requireNonNull(refund, "refund");
    // Checked before the fingerprint, which cannot encode such a text.
    Option<LoyaltyError> malformed = unstorable("reason", refund.reason())
        .orElse(() -> unstorable("returned", refund.returned().getOrElse(List.empty()).map(ReturnedLine::sku)));
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    return onHolder(refund.original(), "original", current -> beforeThePurchase(refund.reason(), current),
        (holder, moved) -> {
      // Planned by this call, not a replay: the tier check after it may revoke an upgrade the return undid.
      boolean[] planned = {false};
      return executeRequest(refund.key(), fingerprint(refund), formerFingerprint(refund), List.of(holder),
          now -> planning(planned, readFirst(holder, current -> heldBy(refund.original(), holder, moved)
              .flatMap(awards -> planRefund(refund, awards, now, current, TreeMap.empty())))))
          .peek(receipt -> qualifyAfterReturn(planned, holder, refund.key()));
    });
  }

  /**
   * Runs a request on the purchase earned under {@code transaction} for the member who has it (the
   * holder, locked by the request), again for the new holder if a reassignment committed meanwhile
   * moved it ({@code moved[0]}, set by {@link #heldBy}); {@link LoyaltyError.PurchaseNotFound} if
   * nothing was earned on a purchase under it, or an {@link LoyaltyError.InvalidRequest} on
   * {@code field} advising {@link #reverse} if a custom event was: after the refusals the request
   * would give before looking at a purchase ({@code first}, on the event's member as read), as its
   * advice names calls that a closed member refuses.
   */
  private Either<LoyaltyError, Receipt> onHolder(IdempotencyKey transaction, String field,
      Function<Either<LoyaltyError, Account>, Either<LoyaltyError, Account>> first,
      java.util.function.BiFunction<MemberId, boolean[], Either<LoyaltyError, Receipt>> request) {
    Either<LoyaltyError, Receipt> result = Either.left(new LoyaltyError.PurchaseNotFound(transaction));
    boolean[] moved = {true};
    for (int attempt = 1; moved[0] && attempt <= maxAttempts; attempt++) {
      // Read before the lock, to know whose it is; read again in the plan (heldBy).
      List<Entry> found = purchaseAwards(transaction);
      if (!earnedOnAPurchase(found)) {
        return found.headOption().flatMap(award -> award.details().get(EVENT_TYPE)).isDefined()
            ? first.apply(load(found.head().member())).flatMap(ok -> eventNotPurchase(field, transaction, found))
            : Either.left(new LoyaltyError.PurchaseNotFound(transaction));
      }
      moved[0] = false;
      result = request.apply(found.head().member(), moved);
    }
    return result;
  }

  /**
   * The refusal of a refund or reassignment under the key of a custom event (a review, a referral):
   * it is known, so {@code PurchaseNotFound}, whose advice is to send the purchase first, would
   * mislead; no purchase can ever be earned under it. What takes an event's points back is
   * {@link #reverse}, entry by entry, as its award was posted: the advice names the entries not
   * reversed yet, as {@code reverse} refuses one that was ({@code AlreadyReversed}); for a closed
   * member, whose entries {@code reverse} refuses, the status instead, as a refund of a purchase.
   */
  private <T> Either<LoyaltyError, T> eventNotPurchase(String field, IdempotencyKey key, List<Entry> awards) {
    String type = awards.head().details().get(EVENT_TYPE).get();
    Points earned = awards.foldLeft(Points.ZERO, (sum, e) -> sum.plus(e.points()));
    List<Entry> left = awards.filter(e -> e.points().isPositive()
        && !reads().referencing(e.id()).exists(r -> r.kind() == EntryKind.REVERSAL));
    // A closed member was refused before (onHolder's first): its entries are not reversed.
    String entries = left.map(e -> e.id().toString()).mkString(", ");
    String elsewhere = field.equals("purchase") ? "earn the event for the right member under a key of its own" : "";
    return advised(field, "'" + key + "' is the key of custom event " + type + " of member '" + awards.head().member()
        + "', not of a purchase: " + (field.equals("purchase") ? "only a purchase is reassigned" : "only a purchase is refunded")
        + (left.nonEmpty()
            ? "; take the event's points back with reverse, one Reversal per entry of its award not reversed yet ("
                + entries + ")" + (elsewhere.isEmpty() ? "" : ", then " + elsewhere)
            : (earned.isPositive() ? "; its points were taken back already by reverse"
                : "; it earned no points") + ", so there is nothing to take back"
                + (elsewhere.isEmpty() ? "" : ": " + elsewhere)));
  }

  /**
   * The purchase's award entries as the plan reads them, if {@code holder} still has it; else a
   * refusal, which writes nothing, with {@code moved[0]} set so that {@link #onHolder} plans the
   * request again under the new holder's lock.
   */
  private Either<LoyaltyError, List<Entry>> heldBy(IdempotencyKey transaction, MemberId holder, boolean[] moved) {
    List<Entry> awards = purchaseAwards(transaction);
    moved[0] = !awards.head().member().equals(holder);
    return moved[0] ? Either.left(new LoyaltyError.ConcurrentModification(holder, maxAttempts)) : Either.right(awards);
  }

  /**
   * Moves a purchase earned on the wrong member's card to the member who made it, in one commit
   * over both members: the member who has it returns it in full, as {@link #refund} would (a
   * {@code REVERSAL} per award entry, detail {@link Reassignment#TO_DETAIL}, taking back its
   * bonuses and tier activity), and loses its visit, so that its next purchase earns as if this one
   * had never been theirs; the member {@code to} earns it as {@link #earn(Purchase)} would now, as of
   * the purchase's {@code occurredAt}, under the request's key (so with {@code to}'s tier, segments,
   * visit count, caps and budgets: what {@link #quote(Purchase)} of the purchase for {@code to}
   * says), with details {@link Reassignment#FROM_DETAIL} and {@link Reassignment#OF_DETAIL} on its
   * first entry. Caps and budgets the first member's award used are not given back, as by a refund.
   * Later {@link #refund}s under the purchase's transaction id return it from {@code to}; a purchase
   * may be reassigned again, from whoever has it. A purchase refunded in part, or whose award was
   * reversed by hand, is refused: refund the rest under the transaction id and earn it again on
   * the right member under a key of its own instead.
   *
   * @param request the reassignment, not null
   * @return the receipt for {@code to} (the {@code REVERSAL} entries of the member it was taken from,
   *     then {@code to}'s award entries, and {@code to}'s balance), or
   *     {@link LoyaltyError.PurchaseNotFound} (nothing earned on a purchase under its transaction id),
   *     {@link LoyaltyError.InvalidRequest} (on {@code purchase}: not the purchase as it was earned,
   *     refunded or reversed in part already, or its transaction id the key of a custom event; on {@code to}: the member who has it already; on
   *     {@code reason}: blank, over 500 characters, or unstorable), {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive} ({@code to} not active, or the member who has it, or whose
   *     custom event's key it is, closed),
   *     {@link LoyaltyError.InsufficientPoints} or {@link LoyaltyError.PointsOnHold} (the points it
   *     takes back were spent or held, under the program's negative-balance policy, as for a refund),
   *     {@link LoyaltyError.CurrencyMismatch} (the program's currency is no longer the purchase's),
   *     {@link LoyaltyError.RuleFailed}, {@link LoyaltyError.BalanceOverflow} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> reassign(Reassignment request) {
    Objects.requireNonNull(request, "request");
    Option<LoyaltyError> malformed = unstorable("reason", request.reason());
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    Purchase bought = request.purchase();
    IdempotencyKey transaction = bought.transaction();
    String earned = fingerprint(bought);
    String fingerprint = Fingerprint.of("reassign").text(earned).value(request.to()).text(request.reason()).sha256();
    MemberId to = request.to();
    // The tier evaluation after the return, on the member who had the purchase, needs a key apart
    // from the one `to`'s evaluation derives from the request's key; within 128 characters whatever
    // the request's key's length.
    IdempotencyKey returnKey = IdempotencyKey.of(Fingerprint.of("reassigned-from").value(request.key()).sha256());
    return onHolder(transaction, "purchase", current -> beforeThePurchase(request, current), (holder, moved) -> {
      boolean[] planned = {false};
      return executeRequest(request.key(), fingerprint, List.of(holder, to), now -> planning(planned,
          readFirst(holder, current -> heldBy(transaction, holder, moved)
              .flatMap(awards -> planReassignment(request, earned, holder, awards, now, current)))))
          .peek(receipt -> {
            qualifyAfterReturn(planned, holder, returnKey);
            qualifyIfPlanned(planned, to, request.key());
          });
    });
  }

  /**
   * What a reassignment refuses before its purchase: its reason, then the member who has it
   * ({@code current}) closed, or {@code to} not active; else the holder's account.
   */
  private Either<LoyaltyError, Account> beforeThePurchase(Reassignment request, Either<LoyaltyError, Account> current) {
    MemberId to = request.to();
    return beforeThePurchase(request.reason(), current)
        .flatMap(open -> open.memberId().equals(to) ? current : load(to).flatMap(this::requireActive));
  }

  /**
   * What a return (a refund, a reassignment) refuses before its purchase: a blank, over-long or
   * unstorable {@code reason}, then the member who has it closed; else that member's account.
   */
  private Either<LoyaltyError, Account> beforeThePurchase(String reason, Either<LoyaltyError, Account> current) {
    return checkText("reason", reason, MAX_TEXT).flatMap(ok -> current).flatMap(this::requireOpen);
  }

  /**
   * Plans a reassignment of the purchase whose award entries are {@code awards}, held by
   * {@code holder} (whose account was read as {@code current}); {@code earned}, the fingerprint the
   * request's purchase must have been earned under.
   */
  private Either<LoyaltyError, Plan> planReassignment(Reassignment request, String earned, MemberId holder,
      List<Entry> awards, Instant now, Either<LoyaltyError, Account> current) {
    Purchase bought = request.purchase();
    IdempotencyKey transaction = bought.transaction();
    MemberId to = request.to();
    // The request's own text first, as every desk call checks it before the ledger; then the
    // members: the refusals below advise a refund on the holder and an earn on `to`, which a closed
    // holder or a `to` not active would refuse in turn.
    Either<LoyaltyError, Account> members = beforeThePurchase(request, current);
    if (members.isLeft()) {
      return Either.left(members.getLeft());
    }
    if (!reads().idempotencyRecord(transaction).exists(r -> r.fingerprint().equals(earned))) {
      return advised("purchase", "is not the purchase earned under '" + transaction
          + "': pass the Purchase exactly as it was earned (its member, time, channel and lines)");
    }
    if (holder.equals(to)) {
      return invalid("to", "already has purchase '" + transaction + "'");
    }
    Option<Entry> returned = awards.flatMap(a -> reads().referencing(a.id())).find(e -> e.kind() == EntryKind.REVERSAL);
    if (returned.isDefined()) {
      return advised("purchase", "'" + transaction + "' was refunded or reversed in part already (entry "
          + returned.get().id() + "); refund the rest under '" + transaction
          + "' and earn it on the right member under a key of its own");
    }
    Refund whole = new Refund(transaction, request.key(),
        Either.right(bought.lines().map(l -> new ReturnedLine(l.sku(), l.quantity()))), request.reason());
    Purchase theirs = new Purchase(to, request.key(), bought.occurredAt(), bought.channel(), bought.currency(),
        bought.lines(), bought.paidWithPoints());
    return planRefund(whole, awards, now, current, TreeMap.of(Reassignment.TO_DETAIL, to.toString()))
        .flatMap(back -> decideEarning(now, to, Option.some(theirs), Option.none())
            .flatMap(decided -> planAward(request.key(), now, decided._1, decided._2, Option.some(theirs),
                Option.none(), TreeMap.of(Reassignment.FROM_DETAIL, holder.toString(),
                    Reassignment.OF_DETAIL, transaction.toString())))
            .map(earn -> {
              long visits = reads().counter(visitsPrefix, holder);
              // The visit goes with the purchase: the first member's next purchase is counted as if
              // this one had never been theirs (a first-purchase bonus included).
              List<CounterChange> counters = visits <= 0 ? earn.counters()
                  : earn.counters().append(new CounterChange(EarnEngine.visitsKey(program.id(), holder),
                      visits, visits - 1));
              Receipt receipt = new Receipt(request.key(), to, earn.receipt().status(),
                  back.receipt().entries().appendAll(earn.receipt().entries()), earn.receipt().balance());
              return new Plan(back.changes().appendAll(earn.changes()), counters, receipt,
                  back.events().appendAll(earn.events()));
            }));
  }

  /**
   * The award entries of the purchase earned under {@code transaction}, where they are now: those
   * it earned, or, once it was {@linkplain #reassign reassigned}, those the last reassignment earned
   * for the member who has it. Empty if nothing was earned under that key.
   */
  private List<Entry> purchaseAwards(IdempotencyKey transaction) {
    List<Entry> awards = awardsOf(transaction);
    for (int hops = 0; !awards.isEmpty() && hops < MAX_REASSIGNMENTS; hops++) {
      Option<Entry> moved = reads().referencing(awards.head().id())
          .find(e -> e.kind() == EntryKind.REVERSAL && e.details().containsKey(Reassignment.TO_DETAIL));
      if (moved.isEmpty()) {
        return awards;
      }
      MemberId to = MemberId.of(moved.get().details().get(Reassignment.TO_DETAIL).get());
      awards = awardsOf(moved.get().idempotencyKey()).filter(e -> e.member().equals(to));
    }
    return awards;
  }

  /** The EARN and BONUS entries recorded under a key, of whichever members. */
  private List<Entry> awardsOf(IdempotencyKey key) {
    return reads().idempotencyRecord(key)
        .map(r -> r.receipt().entries().filter(e -> e.kind() == EntryKind.EARN || e.kind() == EntryKind.BONUS))
        .getOrElse(List.empty());
  }

  /**
   * Plans a refund of the purchase whose award entries are {@code awards} (the holder's), on the
   * holder's account as read ({@code current}); {@code marks}, details added to each of its
   * {@code REVERSAL} entries (a reassignment's).
   */
  private Either<LoyaltyError, Plan> planRefund(Refund refund, List<Entry> awards, Instant now,
      Either<LoyaltyError, Account> current, SortedMap<String, String> marks) {
    Entry first = awards.head();
    // Before what is left to return: advice to refund at most that would be refused by a closed account.
    return beforeThePurchase(refund.reason(), current)
        .flatMap(ok -> returnedNet(refund, first))
        .flatMap(returned -> current.flatMap(this::requireOpen).flatMap(account -> {
          // Each award's referencing entries, read once: for a reversal by hand here, and for what
          // earlier refunds took per rule below.
          java.util.Map<EntryId, List<Entry>> referencing = new java.util.HashMap<>();
          for (Entry award : awards) {
            List<Entry> references = reads().referencing(award.id());
            referencing.put(award.id(), references);
            Option<Entry> manual = references
                .find(e -> e.kind() == EntryKind.REVERSAL && !e.details().containsKey(REFUND_OF)
                    && !e.details().containsKey(FORGIVEN_SETTLED));
            if (manual.isDefined()) {
              return Either.left(new LoyaltyError.AlreadyReversed(award.id(), manual.get().id()));
            }
          }
          Books books = new Books(account, program, now);
          // Read once for all the awards, and only if a lot cannot cover what the refund asks of it.
          Lazy<SortedMap<EntryId, IssuedPoints>> issued = issuedPoints(first.member());
          boolean byUnits = returnedByUnits(first);
          // What a full return reaches: the net amount of the earning lines, or their units.
          long whole = byUnits ? unitsBought(first) : detail(first, PURCHASE_NET);
          long spend = detail(first, PURCHASE_SPEND);
          // Written only when a granted threshold measured the basket gross; the net spend otherwise.
          long grossSpend = first.details().get(PURCHASE_SPEND_GROSS).map(Long::parseLong).getOrElse(spend);
          long before = returned._1;
          long after = before + returned._2;
          // The baskets kept after this refund: the net one scaled by the share kept; the gross one by
          // the gross of the lines kept where the purchase recorded it. Rounded down: a threshold is
          // whole minor units, so a basket a fraction of one below it is below it.
          long keptAfter = share(spend, whole - after, whole);
          // The lines and amounts returned with this refund, read if a clawback needs them.
          Lazy<Returns> returnsAfter = Lazy.of(() -> returnsOf(first).plus(refund, byUnits ? 0 : returned._2));
          long grossKeptAfter = first.details().keySet().exists(k -> k.startsWith(PURCHASE_GROSS))
              ? keptGross(first, grossSpend, returnsAfter.get())
              : share(grossSpend, whole - after, whole);
          // Earlier refunds took what they recorded per rule, and nothing was taken before the first,
          // even where that is the whole award: a plugin's threshold may be above the basket bought.
          boolean firstRefund = returned._3;
          // An earlier refund reaching the whole completed the return.
          boolean completed = before == whole && !firstRefund;
          // What each award entry gives back, worked out before any is taken: a refusal names all the
          // refund needs, not what the entry it stopped at lacked.
          java.util.List<io.vavr.Tuple3<Entry, Long, TreeMap<String, String>>> reversals = new java.util.ArrayList<>();
          long needed = 0;
          for (Entry award : awards) {
            long need = 0;
            long qualifying = 0;
            TreeMap<String, String> details = TreeMap.of(REFUND_OF, refund.original().toString()).merge(marks);
            // What earlier refunds took per rule, as they recorded it: the clawback at what they
            // returned, unless one was worth less than the refund before it had taken (below).
            List<Entry> earlier = firstRefund ? List.empty() : referencing.get(award.id())
                .filter(e -> e.kind() == EntryKind.REVERSAL && e.details().containsKey(REFUND_OF));
            for (String rule : award.ruleIds()) {
              RuleOutcome outcome = RuleOutcome.fromDetails(rule, award.programVersion(), award.details(),
                  award.expiresAt(), award.vestsAt()).get();
              boolean gross = outcome.clawback().base() == AmountBase.GROSS;
              long was = earlier.map(e -> detail(e, "refund.rule." + rule)).sum().longValue();
              // Never below zero: a line returned after an amount re-attributes that amount to the lines,
              // so a rule on another line (a unit bonus on the beans kept) can be worth less taken after
              // than before; a return takes points back, it never gives any. The rest is taken later.
              long claw = Math.max(0, clawedBack(outcome, after, whole, gross ? grossKeptAfter : keptAfter, first, returnsAfter) - was);
              need += claw;
              qualifying += outcome.qualifying() ? claw : 0;
              details = details.put("refund.rule." + rule, Long.toString(claw));
            }
            if (need == 0 && award != first) {
              continue;
            }
            long expired = need - refundable(books, award, need, issued);
            if (expired > 0) {
              details = details.put(REFUND_EXPIRED, Long.toString(expired));
              need -= expired;
            }
            details = details.put(QUALIFYING_POINTS, Long.toString(-qualifying));
            if (award == first) {
              details = details.put(REFUND_NET, Long.toString(byUnits ? 0 : returned._2))
                  .put(QUALIFYING_SPEND, Long.toString(-(share(spend, after, whole) - share(spend, before, whole))));
              if (after == whole && !completed) {
                details = details.put(QUALIFYING_VISIT, "-1");
              }
              // A SKU named on several lines is recorded once, with all its units: later refunds count them.
              for (io.vavr.Tuple2<String, List<ReturnedLine>> bySku : refund.returned().getOrElse(List.empty())
                  .groupBy(ReturnedLine::sku)) {
                details = details.put(REFUND_SKU + bySku._1, Long.toString(bySku._2.map(ReturnedLine::quantity).sum().longValue()));
              }
            }
            reversals.add(io.vavr.Tuple.of(award, need, details));
            needed += need;
          }
          Points availableBefore = books.available();
          List<LoyaltyEvent> events = List.empty();
          Lazy<SortedMap<EntryId, IssuedPoints>> sharesNow = issued;
          for (io.vavr.Tuple3<Entry, Long, TreeMap<String, String>> reversal : reversals) {
            Entry award = reversal._1;
            TreeMap<String, String> details = reversal._3;
            Either<LoyaltyError, Undo> undo = reversal._2 == 0
                ? Either.right(new Undo(Points.ZERO, List.empty(), Points.ZERO))
                : clawBack(books, award.id(), award.member(), Points.of(reversal._2), sharesNow);
            if (undo.isLeft()) {
              return Either.left(undo.getLeft() instanceof LoyaltyError.InsufficientPoints
                  ? new LoyaltyError.InsufficientPoints(award.member(), availableBefore, Points.of(needed),
                      books.balance().held())
                  : undo.getLeft());
            }
            Undo u = undo.get();
            details = details.merge(u.details());
            if (u.shortfall().isPositive()) {
              details = details.put(SHORTFALL, u.shortfall().toString());
            }
            // The rules whose awards it takes back (refund.rule.<id>), as on the award; the program
            // version is the one in force, as on every entry (the award's is on the award).
            Entry entry = books.post(books.draft(EntryKind.REVERSAL, u.points(), now, award.channel(), refund.key(),
                refund.reason()).withReference(award.id()).withRuleIds(award.ruleIds()).withMovements(u.movements())
                .withDetails(details));
            events = events.append(new LoyaltyEvent.EntryReversed(entry, books.balance()));
            // Points this reversal took beyond the award's lot may be another award's share of a grace
            // lot (the member's other points it took, as the replay counts them): the next award finds
            // its own points in grace lots as the ledger stands with this entry, not as stored.
            if (entry.movements().exists(m -> !m.lot().equals(award.id()))) {
              sharesNow = issuedPoints(new PlannedLedger(reads(), books.written()), award.member());
            }
          }
          return Either.right(single(refund.key(), books, events));
        }));
  }

  /**
   * The tier evaluation after a return this call made ({@link #refund}, {@link #reverse}): only a
   * ladder that revokes upgrades on returns has anything to record then that the next purchase's
   * evaluation would not, and that purchase should not earn at a revoked tier's rate.
   */
  private void qualifyAfterReturn(boolean[] planned, MemberId member, IdempotencyKey key) {
    if (program.tierLadder().exists(TierLadder::returnsRevokeUpgrades)) {
      qualifyIfPlanned(planned, member, key);
    }
  }

  /** The plan, having set {@code planned[0]} if there is one (see {@link #qualifyIfPlanned}). */
  private static Either<LoyaltyError, Plan> planning(boolean[] planned, Either<LoyaltyError, Plan> plan) {
    planned[0] |= plan.isRight();
    return plan;
  }

  /**
   * Whether award entries are a purchase's, as {@link #earn(Purchase)} writes them: the purchase's
   * amounts on the first, each rule's outcome on its entry. A credit can carry any details
   * ({@link Credit#explainedBy}), so one imitating them in part is not taken for a purchase; a
   * refund of it would fail half-way on what it lacks.
   */
  private static boolean earnedOnAPurchase(List<Entry> awards) {
    if (awards.isEmpty()) {
      return false;
    }
    SortedMap<String, String> facts = awards.head().details();
    try {
      if (Long.parseLong(facts.get(PURCHASE_NET).getOrElse("-1")) < 0
          || Long.parseLong(facts.get(PURCHASE_SPEND).getOrElse("-1")) < 0
          || Long.parseLong(facts.get(PURCHASE_SPEND_GROSS).getOrElse("0")) < 0) {
        return false;
      }
      for (io.vavr.Tuple2<String, String> fact : facts) {
        if (fact._1.startsWith(PURCHASE_SKU)) {
          String[] units = fact._2.split(":", -1);
          if (units.length != 2 || Long.parseLong(units[0]) <= 0 || Long.parseLong(units[1]) < 0) {
            return false;
          }
        }
        if (fact._1.startsWith(PURCHASE_OTHER) && Long.parseLong(fact._2) <= 0) {
          return false;
        }
        if (fact._1.startsWith(PURCHASE_GROSS) && Long.parseLong(fact._2) < 0) {
          return false;
        }
      }
      for (Entry award : awards) {
        for (String rule : award.ruleIds()) {
          if (RuleOutcome.fromDetails(rule, award.programVersion(), award.details(), award.expiresAt(), award.vestsAt())
              .isEmpty()) {
            return false;
          }
        }
      }
      return true;
    } catch (RuntimeException malformed) {
      // A number that does not parse: not what earn writes. (An outcome that does not parse is
      // none, above.)
      return false;
    }
  }

  /** How many reassignments of one purchase a refund follows (a loop would be a corrupt ledger). */
  private static final int MAX_REASSIGNMENTS = 1_000;

  private static final String PURCHASE_NET = "purchase.net";
  /** The type of a custom event, on the first entry of its award. */
  private static final String EVENT_TYPE = "event.type";
  private static final String PURCHASE_SPEND = "purchase.spend";
  private static final String PURCHASE_SPEND_GROSS = "purchase.spend.gross";
  private static final String PURCHASE_SKU = "purchase.sku.";
  private static final String PURCHASE_GROSS = "purchase.gross.";
  private static final String PURCHASE_OTHER = "purchase.other.";
  private static final String QUALIFYING_POINTS = "qualifying.points";
  private static final String QUALIFYING_SPEND = "qualifying.spend";
  private static final String QUALIFYING_VISIT = "qualifying.visit";
  private static final String REFUND_OF = "refund.of";
  private static final String REFUND_NET = "refund.net";
  private static final String REFUND_SKU = "refund.sku.";
  static final String REFUND_EXPIRED = "refund.expired";

  /**
   * A refund's fingerprint. Lines are fingerprinted as the units returned of each SKU, in SKU
   * order: a refund counts a SKU's units together, so a till that lists the lines in another order,
   * or splits a SKU's units otherwise, sends the same return.
   */
  private static String fingerprint(Refund refund) {
    Fingerprint f = Fingerprint.of("refund").value(refund.original()).text(refund.reason());
    if (refund.returned().isLeft()) {
      return f.value(refund.returned().getLeft()).sha256();
    }
    // Tagged apart from the lines as sent (formerFingerprint), so that the two never meet.
    SortedMap<String, Long> units = TreeMap.empty();
    for (ReturnedLine line : refund.returned().get()) {
      units = units.put(line.sku(), (long) line.quantity(), Long::sum);
    }
    f.text("units").count(units.size());
    units.forEach((sku, n) -> f.text(sku).value(n));
    return f.sha256();
  }

  /**
   * The fingerprint refunds of lines were recorded under before {@link #fingerprint(Refund)}: the
   * lines as sent, in their order. Such a record still replays the refund sent again as it was.
   */
  private static Option<String> formerFingerprint(Refund refund) {
    return refund.returned().toOption().map(lines -> Fingerprint.of("refund").value(refund.original())
        .text(refund.reason()).values(lines).sha256());
  }

  private static String fingerprint(Purchase p) {
    Fingerprint f = Fingerprint.of("earn-purchase").value(p.member()).value(p.occurredAt()).value(p.channel())
        .value(p.currency()).value(p.paidWithPoints()).count(p.lines().size());
    for (LineItem l : p.lines()) {
      f.text(l.sku()).values(l.categories()).count(l.quantity()).value(l.unitPrice()).value(l.discount()).value(l.kind());
    }
    return f.sha256();
  }

  private static String fingerprint(CustomEvent e) {
    Fingerprint f = Fingerprint.of("earn-event").value(e.member()).text(e.type()).value(e.occurredAt())
        .value(e.channel()).optional(e.counterparty()).count(e.attributes().size());
    e.attributes().forEach((k, v) -> f.text(k).text(v));
    return f.sha256();
  }

  private Either<LoyaltyError, io.vavr.Tuple2<Account, EarnDecision>> decideEarning(
      Instant now, MemberId member, Option<Purchase> purchase, Option<CustomEvent> event) {
    // The store's view is looked up once (a thread-local): the account and every counter come from it.
    LedgerStore view = reads();
    Either<LoyaltyError, Account> earning = earningAccount(view, now, member, purchase, event);
    if (earning.isLeft()) {
      return Either.left(earning.getLeft());
    }
    Account account = earning.get();
    Either<LoyaltyError, EarnDecision> decided = EarnEngine.decide(program.earnRules(),
        earnContext(view, account, purchase, event), view::counter, program.lotExpiry());
    LoyaltyError undated = decided.isLeft() ? decided.getLeft() : beyondSupportedYears(decided.get().quote());
    if (undated == null) {
      undated = qualifyingBeyondBound(account, decided.get().quote(), purchase).getOrNull();
    }
    return undated != null ? Either.left(undated) : Either.right(io.vavr.Tuple.of(account, decided.get()));
  }

  /**
   * Refuses a decision that dates a rule's points (their expiry or vesting) beyond the supported
   * years, as a credit's expiry is refused: no instant there has a date in every zone, nor does
   * every store keep it.
   *
   * @return the {@link LoyaltyError.RuleFailed} naming the first such rule, or null
   */
  private static LoyaltyError beyondSupportedYears(EarnQuote quote) {
    // Walked by head and tail rather than an iterator: this runs for every earn and every quote.
    for (List<RuleOutcome> rest = quote.outcomes(); !rest.isEmpty(); rest = rest.tail()) {
      RuleOutcome o = rest.head();
      Option<Instant> expires = o.expiresAt().filter(at -> !SupportedInstants.isSupported(at));
      Option<Instant> vests = o.vestsAt().filter(at -> !SupportedInstants.isSupported(at));
      if (expires.isDefined() || vests.isDefined()) {
        return new LoyaltyError.RuleFailed(o.ruleId(), "its points would " + (expires.isDefined() ? "expire at " + expires.get()
            : "vest at " + vests.get()) + ", after " + SupportedInstants.LATEST + ", the last instant the ledger supports");
      }
    }
    return null;
  }

  /** What {@link #decideEarning} decides, without the counter changes: a quote commits nothing. */
  private Either<LoyaltyError, EarnQuote> quoteEarning(
      Instant now, MemberId member, Option<Purchase> purchase, Option<CustomEvent> event) {
    LedgerStore view = reads();
    Either<LoyaltyError, Account> earning = earningAccount(view, now, member, purchase, event);
    if (earning.isLeft()) {
      return Either.left(earning.getLeft());
    }
    Either<LoyaltyError, EarnQuote> quote = EarnEngine.quote(program.earnRules(),
        earnContext(view, earning.get(), purchase, event), view::counter, program.lotExpiry());
    LoyaltyError undated = quote.isLeft() ? null : beyondSupportedYears(quote.get());
    if (undated == null && quote.isRight()) {
      undated = qualifyingBeyondBound(earning.get(), quote.get(), purchase).getOrNull();
    }
    // Refused as posting refuses it, so that a till that quotes and then earns is not surprised.
    Balance balance = earning.get().balance();
    if (undated == null && quote.isRight() && !Books.canCredit(balance, quote.get().total())) {
      undated = new LoyaltyError.BalanceOverflow(member, balance.total(), quote.get().total());
    }
    return undated != null ? Either.left(undated) : quote;
  }

  /** The account that earns, or why a purchase or event cannot earn now. */
  private Either<LoyaltyError, Account> earningAccount(LedgerStore view,
      Instant now, MemberId member, Option<Purchase> purchase, Option<CustomEvent> event) {
    // Straight-line code rather than a chain of lambdas: this runs for every earn and every quote.
    if (purchase.isDefined() && !purchase.get().currency().equals(program.currency())) {
      return Either.left(new LoyaltyError.CurrencyMismatch(program.currency(), purchase.get().currency()));
    }
    if (purchase.isDefined() && !grossFitsALong(purchase.get())) {
      java.math.BigDecimal gross = purchase.get().earningTotal(AmountBase.GROSS);
      return advised("lines", "the earning lines add up to " + program.currency().getCode() + " " + gross.toPlainString()
          + ", more than the ledger records (" + Money.ofMinor(program.currency(), Long.MAX_VALUE)
          + "); split the purchase");
    }
    Instant occurredAt = purchase.isDefined() ? purchase.get().occurredAt() : event.get().occurredAt();
    if (!SupportedInstants.isSupported(occurredAt)) {
      return Either.left(SupportedInstants.check("occurredAt", occurredAt).getLeft());
    }
    if (occurredAt.isAfter(now)) {
      return Either.left(checkNotFuture("occurredAt", occurredAt, now).getLeft());
    }
    Option<Account> found = view.account(member);
    if (found.isEmpty()) {
      return Either.left(new LoyaltyError.UnknownMember(member));
    }
    // The earning member first, as a transfer names its sender before its receiver: a suspended
    // member is told of the suspension whoever the event names.
    Either<LoyaltyError, Account> active = requireActive(found.get());
    Option<MemberId> counterparty = event.isDefined() ? event.get().counterparty() : Option.none();
    if (active.isLeft() || counterparty.isEmpty()) {
      return active;
    }
    // The other member of an event (the referred friend of a referral) is a member too, and not a
    // closed one: a closed account is final, so it can neither have converted nor have referred anyone now.
    Option<Account> other = view.account(counterparty.get());
    if (other.isEmpty()) {
      return Either.left(new LoyaltyError.UnknownMember(counterparty.get()));
    }
    return requireOpen(other.get()).map(open -> found.get());
  }

  private static final java.math.BigDecimal MAX_MINOR = java.math.BigDecimal.valueOf(Long.MAX_VALUE);
  private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
      100_000_000L, 1_000_000_000L};

  /**
   * Whether the gross of a purchase's earning lines, in minor units, fits a long, as the ledger
   * records the earning lines (purchase.net, each SKU's net; no net or part of them exceeds the
   * gross). Decided first by a bound and no arithmetic on the amounts, as for any till's basket: a
   * price of {@code d} digits is below 10<sup>d</sup> minor units (a {@code Money}'s scale is its
   * currency's), so a line is below quantity × 10<sup>d</sup>; exactly when that bound is too
   * coarse.
   */
  private boolean grossFitsALong(Purchase purchase) {
    long bound = 0;
    for (List<LineItem> rest = purchase.lines(); !rest.isEmpty(); rest = rest.tail()) {
      LineItem line = rest.head();
      if (!line.kind().earns()) {
        continue;
      }
      int digits = line.unitPrice().getAmount().precision();
      // At most 2^31 × 10^9 < 2^62: no overflow.
      long below = digits < POWERS_OF_TEN.length ? line.quantity() * POWERS_OF_TEN[digits] : -1;
      if (below < 0 || below > Long.MAX_VALUE - bound) {
        return purchase.earningTotal(AmountBase.GROSS).movePointRight(program.currency().getDecimalPlaces())
            .compareTo(MAX_MINOR) <= 0;
      }
      bound += below;
    }
    return true;
  }

  /** The facts the rules decide on, for an account that may earn. */
  private EarnContext earnContext(LedgerStore view, Account account, Option<Purchase> purchase, Option<CustomEvent> event) {
    MemberId member = account.member().id();
    Instant occurredAt = purchase.isDefined() ? purchase.get().occurredAt() : event.get().occurredAt();
    Channel channel = purchase.isDefined() ? purchase.get().channel() : event.get().channel();
    // Read for events too: a rule on an event may ask how many purchases came before it (a review
    // rewarded for customers only). Only a purchase moves the counter.
    // By prefix and member (the counter EarnEngine.visitsKey names): the in-memory store then keeps
    // the name with the member instead of hashing a new one for every purchase.
    long visits = view.counter(visitsPrefix, member);
    // A port's null answer is named here: the lookup of its multiplier below, or EarnContext, would
    // refuse it with a message naming neither the port nor the member.
    Option<String> tier = Objects.requireNonNull(memberTiers.tierOf(member, occurredAt), () -> "a MemberTiers port"
        + " answered null for member '" + member + "': it answers Option.none() for a member without a tier");
    io.vavr.collection.Set<String> segments = Objects.requireNonNull(segmentResolver.segmentsOf(member, occurredAt),
        () -> "a SegmentResolver answered null for member '" + member + "': it answers an empty set for a member in"
            + " no segment");
    // The tier that targeted rules see gives the multiplier; a tier the ladder does not know has none.
    // A port's Some(null) is left to EarnContext to name: the map of multipliers refuses a null key unnamed.
    java.math.BigDecimal multiplier = earnMultipliers.isEmpty() || tier.isEmpty() || tier.get() == null
        ? java.math.BigDecimal.ONE
        : earnMultipliers.getOrDefault(tier.get(), java.math.BigDecimal.ONE);
    return new EarnContext(program.id(), program.version(), program.zone(), program.currency(),
        account.member(), occurredAt, channel, purchase, event, tier,
        segments, visits, multiplier);
  }

  /**
   * The earn multipliers of the program's tiers, by tier id, of those whose multiplier is not 1:
   * without any, a purchase looks none up.
   */
  private static java.util.Map<String, java.math.BigDecimal> earnMultipliers(LoyaltyProgram program) {
    java.util.Map<String, java.math.BigDecimal> multipliers = new java.util.HashMap<>();
    for (Tier tier : program.tierLadder().map(TierLadder::tiers).getOrElse(List.empty())) {
      java.math.BigDecimal multiplier = tier.benefits().earnMultiplier();
      if (multiplier.compareTo(java.math.BigDecimal.ONE) != 0) {
        multipliers.put(tier.id().value(), multiplier);
      }
    }
    return java.util.Map.copyOf(multipliers);
  }

  /** The entry an award's granted outcomes go to: one per kind, expiry and vesting. */
  private record AwardGroup(EntryKind kind, Option<Instant> expiresAt, Option<Instant> vestsAt) {}

  /**
   * Earns on a purchase or event; sets {@code planned[0]} when this call planned the award (the
   * answer is a commit of this call, or of a concurrent same request), not when it answered a
   * replay from the record at once.
   */
  private Either<LoyaltyError, Receipt> award(IdempotencyKey key, String fingerprint, MemberId member,
      Option<Purchase> purchase, Option<CustomEvent> event, boolean[] planned) {
    return executeRequest(key, fingerprint, List.of(member), now -> {
      Either<LoyaltyError, io.vavr.Tuple2<Account, EarnDecision>> decided = decideEarning(now, member, purchase, event);
      return planning(planned, decided.isLeft() ? Either.left(decided.getLeft())
          : planAward(key, now, decided.get()._1, decided.get()._2, purchase, event, TreeMap.empty()));
    });
  }

  /**
   * The tier evaluation after an award this call made. A replay writes nothing (the receipt comes
   * from the record): if the award changed no tier then, the member's standing since then is not
   * this request's to record, and the next purchase or the daily review records it.
   */
  private void qualifyIfPlanned(boolean[] planned, MemberId member, IdempotencyKey key) {
    if (planned[0]) {
      qualify(member, key);
    }
  }

  /** Plans an award; {@code marks}, details added to its first entry (a reassignment's). */
  private Either<LoyaltyError, Plan> planAward(IdempotencyKey key, Instant now, Account account, EarnDecision decision,
      Option<Purchase> purchase, Option<CustomEvent> event, SortedMap<String, String> marks) {
    Books books = new Books(account, program, now);
    EarnQuote quote = decision.quote();
    if (!books.canCredit(quote.total())) {
      return Either.left(new LoyaltyError.BalanceOverflow(account.memberId(), books.total(), quote.total()));
    }
    Instant occurredAt = purchase.isDefined() ? purchase.get().occurredAt() : event.get().occurredAt();
    Channel channel = purchase.isDefined() ? purchase.get().channel() : event.get().channel();
    StringBuilder ruleIds = new StringBuilder();
    for (RuleOutcome o : quote.outcomes()) {
      ruleIds.append(ruleIds.length() == 0 ? "" : ",").append(o.ruleId());
    }
    TreeMap<String, String> facts = TreeMap.of(EarnQuote.RULES_KEY, ruleIds.toString()).merge(marks);
    if (purchase.isDefined()) {
      Purchase p = purchase.get();
      String spend = Long.toString(minor(p.earningAmount(AmountBase.NET)));
      facts = facts.put(PURCHASE_NET, Long.toString(minor(p.earningTotal(AmountBase.NET))))
          .put(PURCHASE_SPEND, spend)
          .put(QUALIFYING_SPEND, spend)
          .put(QUALIFYING_VISIT, "1");
      // A threshold measured gross is kept or taken back on the gross basket a refund leaves: that of
      // the lines kept, from each SKU's gross; a multiplier on the gross as the gross of its lines comes back.
      boolean grossBasket = false;
      for (RuleOutcome o : quote.outcomes()) {
        if (o.granted().isPositive() && o.clawback().base() == AmountBase.GROSS) {
          if (o.clawback().mode() == Clawback.Mode.THRESHOLD && !facts.containsKey(PURCHASE_SPEND_GROSS)) {
            facts = facts.put(PURCHASE_SPEND_GROSS, Long.toString(minor(p.earningAmount(AmountBase.GROSS))));
          }
          grossBasket = true;
        }
      }
      for (LineItem line : p.lines()) {
        if (!line.kind().earns()) {
          // Counted so that a refund can return them: they earn nothing, but the visit counts them.
          Option<String> was = facts.get(PURCHASE_OTHER + line.sku());
          facts = facts.put(PURCHASE_OTHER + line.sku(),
              Long.toString(was.map(Long::parseLong).getOrElse(0L) + line.quantity()));
          continue;
        }
        String sku = PURCHASE_SKU + line.sku();
        Option<String> was = facts.get(sku);
        facts = facts.put(sku, was.isDefined()
            ? plusLine(was.get(), line)
            : line.quantity() + ":" + line.net().getAmountMinorLong());
        if (grossBasket) {
          // Within a long: the gross of all the earning lines is (grossFitsALong).
          long gross = facts.get(PURCHASE_GROSS + line.sku()).map(Long::parseLong).getOrElse(0L);
          facts = facts.put(PURCHASE_GROSS + line.sku(), Long.toString(gross + line.gross().getAmountMinorLong()));
        }
      }
    } else {
      facts = facts.put(EVENT_TYPE, event.get().type());
      if (event.get().counterparty().isDefined()) {
        facts = facts.put("event.counterparty", event.get().counterparty().get().toString());
      }
    }
    java.util.Map<AwardGroup, java.util.List<RuleOutcome>> groups = new java.util.LinkedHashMap<>();
    java.util.List<RuleOutcome> ungranted = new java.util.ArrayList<>();
    for (RuleOutcome o : quote.outcomes()) {
      if (o.granted().isPositive()) {
        groups.computeIfAbsent(new AwardGroup(o.kind(), o.expiresAt(), o.vestsAt()), g -> new java.util.ArrayList<>()).add(o);
      } else {
        ungranted.add(o);
      }
    }
    if (groups.isEmpty()) {
      groups.put(new AwardGroup(EntryKind.EARN, Option.none(), Option.none()), new java.util.ArrayList<>());
    }
    List<LoyaltyEvent> events = List.empty();
    boolean firstEntry = true;
    for (java.util.List<RuleOutcome> group : groups.values()) {
      long points = 0;
      long qualifying = 0;
      SortedMap<String, String> details = firstEntry ? facts : TreeMap.empty();
      List<String> groupRules = List.empty();
      for (RuleOutcome o : group) {
        points = Math.addExact(points, o.granted().value());
        qualifying += o.qualifying() ? o.granted().value() : 0;
        details = details.put(o.detail());
        groupRules = groupRules.prepend(o.ruleId());
      }
      if (firstEntry) {
        for (RuleOutcome o : ungranted) {
          details = details.put(o.detail());
        }
      }
      details = details.put(QUALIFYING_POINTS, Long.toString(qualifying));
      EntryKind kind = group.isEmpty() ? EntryKind.EARN : group.get(0).kind();
      Option<Instant> expiresAt = group.isEmpty() ? Option.none() : group.get(0).expiresAt();
      Option<Instant> vestsAt = group.isEmpty() ? Option.none() : group.get(0).vestsAt();
      String reason = kind == EntryKind.BONUS ? bonusReason(group)
          : purchase.isDefined() ? "Purchase " + key : "Event " + event.get().type();
      Points granted = Points.of(points);
      Entry entry = books.post(books.crediting(kind, granted, occurredAt, channel, key, shortened(reason),
          groupRules.reverse(), details, expiresAt, vestsAt));
      events = events.append(new LoyaltyEvent.PointsEarned(entry, books.balance()));
      firstEntry = false;
    }
    Plan single = single(key, books, events);
    return Either.right(new Plan(single.changes(), decision.counters(), single.receipt(), single.events()));
  }

  /**
   * A BONUS entry's reason: {@code "Bonus: "} and its rules' descriptions, separated by {@code "; "}.
   * Written only for a BONUS entry: an EARN entry's reason names the purchase or event.
   */
  private static String bonusReason(java.util.List<RuleOutcome> group) {
    StringBuilder bonus = new StringBuilder(64 * group.size());
    for (RuleOutcome o : group) {
      bonus.append(bonus.length() == 0 ? "Bonus: " : "; ").append(o.description());
    }
    return bonus.toString();
  }

  /** The text cut to an entry's {@value #MAX_TEXT} characters, without splitting a surrogate pair. */
  private static String shortened(String text) {
    if (text.length() <= MAX_TEXT) {
      return text;
    }
    return text.substring(0, Character.isHighSurrogate(text.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT);
  }

  /**
   * The units of a SKU a purchase's details record: {@code units:net} on an earning line
   * ({@code purchase.sku.}), {@code units} on one that never earns ({@code purchase.other.}).
   */
  private static long unitsOf(String bought) {
    return Long.parseLong(bought.split(":")[0]);
  }

  /** The net of a SKU's earning lines, in minor units, that a purchase's {@code units:net} detail records. */
  private static long netOf(String bought) {
    return Long.parseLong(bought.split(":")[1]);
  }

  private static String plusLine(String was, LineItem line) {
    String[] parts = was.split(":");
    return (Long.parseLong(parts[0]) + line.quantity()) + ":" + (Long.parseLong(parts[1]) + line.net().getAmountMinorLong());
  }

  private long minor(java.math.BigDecimal amount) {
    return amount.movePointRight(program.currency().getDecimalPlaces()).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
  }

  private static long detail(Entry entry, String key) {
    return Long.parseLong(entry.details().get(key).getOrElse("0"));
  }

  /**
   * How many of the {@code need} points a refund asks of an award (or a reversal of a credit) it
   * may take: at most what the award credited, less what expired unused of the points its lot issued
   * (there, or in a grace lot they were given back to after it expired) and what earlier refunds of
   * it took.
   * Points the member spent are taken back; points that expired were lost once already. The lot
   * never holds more than that, so the ledger is read ({@code issued}) only when it cannot cover
   * {@code need}.
   */
  private long refundable(Books books, Entry award, long need, Lazy<SortedMap<EntryId, IssuedPoints>> issued) {
    long left = books.lots().find(l -> l.id().equals(award.id())).map(l -> l.remaining().value()).getOrElse(0L);
    if (need <= left) {
      return need;
    }
    long taken = reads().referencing(award.id()).filter(e -> e.details().containsKey(REFUND_OF))
        .map(e -> e.points().negated().value()).sum().longValue();
    long expired = issued.get().get(award.id()).map(i -> i.expired().value()).getOrElse(0L);
    return Math.max(0, Math.min(need, award.points().value() - expired - taken));
  }

  /** floor(total × part / whole), exact for any longs; the whole total when part reaches whole. */
  private static long share(long total, long part, long whole) {
    if (whole == 0 || part >= whole) {
      return part >= whole ? total : 0;
    }
    return java.math.BigInteger.valueOf(total).multiply(java.math.BigInteger.valueOf(part))
        .divide(java.math.BigInteger.valueOf(whole)).longValueExact();
  }

  /**
   * How much of a rule's award is taken back once {@code returned} of {@code whole} is returned (in
   * minor units of the net amount, or in units for a purchase returned by units), leaving a basket
   * of {@code kept} minor units on the rule's threshold base; the lines and amounts returned are
   * {@code returns}, for an award based on lines.
   */
  private static long clawedBack(RuleOutcome outcome, long returned, long whole, long kept, Entry first,
      Lazy<Returns> returns) {
    long granted = outcome.granted().value();
    switch (outcome.clawback().mode()) {
      case PROPORTIONAL:
        // A full return takes back every award whole, whatever it was based on.
        return outcome.clawback().basis().isEmpty() || returned >= whole || granted == 0
            ? share(granted, returned, whole)
            : clawedBackOnBasis(granted, outcome.clawback(), first, returns.get())
                .getOrElse(() -> share(granted, returned, whole));
      case THRESHOLD:
        // Compared as a decimal: a plugin's threshold may be beyond a long of minor units (never reached).
        // A full return takes it back whatever its threshold: a plugin's may be nothing, which the
        // basket kept, nothing, is not below, yet a returned purchase earned nothing.
        return returned >= whole
            || java.math.BigDecimal.valueOf(kept).compareTo(outcome.clawback().threshold().get().getAmountMinor()) < 0
            ? granted : 0;
      case FULL_REFUND:
        return returned >= whole ? granted : 0;
      default:
        throw new IllegalStateException("unknown clawback " + outcome.clawback());
    }
  }

  /**
   * What a purchase's refunds returned: the units of each SKU named in returns of lines, and the net
   * returned in all, in minor units. An amount names no lines, so it is taken from the earning lines
   * kept in proportion to their net, as refunds by amount always were; a line returned after it
   * returns what the amount left of its net. So the net not returned is what is left of the earning
   * lines kept, each in proportion to its net.
   *
   * @param units the units returned of each SKU, those of lines that never earn included
   * @param returned the net returned, by amount and by lines, in minor units ({@code refund.net})
   */
  private record Returns(java.util.Map<String, Long> units, long returned) {

    /** With a refund's lines, if it names lines, and {@code now}, the net it returns. */
    Returns plus(Refund refund, long now) {
      if (refund.returned().isLeft()) {
        return new Returns(units, returned + now);
      }
      java.util.Map<String, Long> more = new java.util.HashMap<>(units);
      for (ReturnedLine line : refund.returned().get()) {
        more.merge(line.sku(), (long) line.quantity(), Long::sum);
      }
      return new Returns(more, returned + now);
    }

    /**
     * Of a SKU's earning lines, the units returned (those of its lines that never earn, which come
     * back after them, count nothing) and their net, in minor units; none if it was not bought on one.
     */
    Option<io.vavr.Tuple2<Long, Long>> earningReturned(Entry first, String sku) {
      return first.details().get(PURCHASE_SKU + sku).map(bought -> {
        long boughtUnits = unitsOf(bought);
        long back = Math.min(units.getOrDefault(sku, 0L), boughtUnits);
        return io.vavr.Tuple.of(back, share(netOf(bought), back, boughtUnits));
      });
    }

    /** The net of the earning lines returned by lines, in minor units. */
    long netOfLines(Entry first) {
      long net = 0;
      for (String sku : units.keySet()) {
        net += earningReturned(first, sku).map(r -> r._2).getOrElse(0L);
      }
      return net;
    }
  }

  /** What a purchase's earlier refunds returned (see {@link Returns}). */
  private Returns returnsOf(Entry first) {
    java.util.Map<String, Long> units = new java.util.HashMap<>();
    long returned = 0;
    for (Entry e : reads().referencing(first.id()).filter(e -> e.details().containsKey(REFUND_NET))) {
      SortedMap<String, String> skus = e.details().filterKeys(k -> k.startsWith(REFUND_SKU));
      returned += detail(e, REFUND_NET);
      for (io.vavr.Tuple2<String, String> d : skus) {
        units.merge(d._1.substring(REFUND_SKU.length()), Long.parseLong(d._2), Long::sum);
      }
    }
    return new Returns(units, returned);
  }

  /**
   * How much of an award based on the earning lines of the SKUs of its clawback's basis is taken back
   * once {@code returns} are: {@code floor(granted × (1 - basis kept / basis))}, the basis kept being
   * its net (its gross, for a clawback measured gross) less that of its lines returned, times
   * {@code (net - returned) / net left}, where the net left is that of the earning lines kept and
   * {@code net - returned} what is left of it (an amount comes off them in proportion to their net).
   * By units where its lines are free (of no
   * gross, for one measured gross), which no amount comes off. On their net, for one measured gross
   * of a purchase that recorded no gross of its lines. None if the purchase recorded none of its
   * SKUs: then it is taken back as one based on the whole basket.
   */
  private static Option<Long> clawedBackOnBasis(long granted, Clawback clawback, Entry first, Returns returns) {
    // Measured as the award was earned: the gross of its lines (recorded for such an award) for a
    // multiplier on the gross, their net otherwise, and where the purchase recorded no gross of its
    // lines (history imported from before that detail was), as entries written before were: counting
    // their units instead would weigh a pack of cheap teas as much as a bag of beans each.
    boolean gross = clawback.base() == AmountBase.GROSS
        && clawback.basis().exists(sku -> first.details().containsKey(PURCHASE_GROSS + sku));
    long net = 0;
    // The part of the basis returned, exactly: netBack / per. Each SKU's part is its amount times the
    // units returned over those bought, not rounded to a minor unit, so that a unit bonus goes by the
    // units returned (25 a bag of three bags for 16.66 takes 25 for the first back, not 24).
    java.math.BigInteger netBack = java.math.BigInteger.ZERO;
    java.math.BigInteger per = java.math.BigInteger.ONE;
    long units = 0;
    long unitsBack = 0;
    for (String sku : clawback.basis()) {
      Option<String> bought = first.details().get(PURCHASE_SKU + sku);
      if (bought.isDefined()) {
        long back = returns.earningReturned(first, sku).get()._1;
        long amount = gross ? detail(first, PURCHASE_GROSS + sku) : netOf(bought.get());
        java.math.BigInteger skuUnits = java.math.BigInteger.valueOf(unitsOf(bought.get()));
        net += amount;
        netBack = netBack.multiply(skuUnits).add(java.math.BigInteger.valueOf(amount).multiply(java.math.BigInteger.valueOf(back)).multiply(per));
        per = per.multiply(skuUnits);
        java.math.BigInteger common = netBack.gcd(per);
        if (common.signum() > 0) {
          netBack = netBack.divide(common);
          per = per.divide(common);
        }
        units += unitsOf(bought.get());
        unitsBack += back;
      }
    }
    if (units == 0) {
      return Option.none();
    }
    if (net == 0) {
      return Option.some(share(granted, unitsBack, units));
    }
    java.math.BigInteger basis = java.math.BigInteger.valueOf(net).multiply(per);
    java.math.BigInteger points = java.math.BigInteger.valueOf(granted);
    long left = detail(first, PURCHASE_NET) - returns.netOfLines(first);
    if (left == 0) {
      // No net kept for an amount to come off: a purchase of free lines only, whose gross a
      // multiplier on the gross earned on. The share of the basis returned alone.
      return Option.some(points.multiply(netBack).divide(basis).longValueExact());
    }
    java.math.BigInteger whole = basis.multiply(java.math.BigInteger.valueOf(left));
    // What is left of the net of the lines kept: the net not returned, by amount or by lines.
    long netKept = detail(first, PURCHASE_NET) - returns.returned();
    java.math.BigInteger kept = basis.subtract(netBack).multiply(java.math.BigInteger.valueOf(netKept));
    return Option.some(points.multiply(whole.subtract(kept)).divide(whole).longValueExact());
  }

  /**
   * The gross basket kept once {@code returns} are, of a purchase that recorded the gross of each
   * SKU's earning lines ({@code purchase.gross.<sku>}): the recorded basket ({@code
   * purchase.spend.gross}) times {@code (gross - gross of lines returned) / gross} times {@code (net -
   * returned) / net left}, where the net left is that of the earning lines kept; rounded down,
   * as the estimate from the net (for a purchase that recorded no such gross) is, so that refunds by
   * amount alone keep what that gives.
   */
  private static long keptGross(Entry first, long grossSpend, Returns returns) {
    long gross = first.details().filterKeys(k -> k.startsWith(PURCHASE_GROSS)).values()
        .map(Long::parseLong).sum().longValue();
    long net = detail(first, PURCHASE_NET);
    // The gross and net of the earning lines returned.
    long grossReturned = 0;
    long netReturned = 0;
    for (String sku : returns.units().keySet()) {
      Option<io.vavr.Tuple2<Long, Long>> back = returns.earningReturned(first, sku);
      if (back.isDefined()) {
        grossReturned += share(detail(first, PURCHASE_GROSS + sku), back.get()._1, unitsOf(first.details().get(PURCHASE_SKU + sku).get()));
        netReturned += back.get()._2;
      }
    }
    java.math.BigInteger whole = java.math.BigInteger.valueOf(gross);
    java.math.BigInteger kept = java.math.BigInteger.valueOf(gross - grossReturned);
    // A purchase of net zero is returned by units, never by amount: its lines' gross alone counts.
    if (net > 0) {
      whole = whole.multiply(java.math.BigInteger.valueOf(net - netReturned));
      kept = kept.multiply(java.math.BigInteger.valueOf(net - returns.returned()));
    }
    if (whole.signum() == 0) {
      return 0;
    }
    return java.math.BigInteger.valueOf(grossSpend).multiply(kept).divide(whole).longValueExact();
  }

  /**
   * What earlier refunds returned and what this one returns, in minor units of the net price of
   * the earning lines (in units of its counted lines for a purchase returned by units, see
   * {@link #returnedByUnits}), and whether this is the first refund to return any of them (one of
   * lines that never earn alone returns none); refuses over-returns.
   */
  private Either<LoyaltyError, io.vavr.Tuple3<Long, Long, Boolean>> returnedNet(Refund refund, Entry first) {
    List<Entry> earlier = reads().referencing(first.id()).filter(e -> e.details().containsKey(REFUND_NET));
    long before = earlier.map(e -> detail(e, REFUND_NET)).sum().longValue();
    long net = detail(first, PURCHASE_NET);
    // Refunds of lines that never earn alone return nothing of the earning lines: a later refund of
    // those is still their first.
    boolean firstOfEarning = !earlier.exists(e -> detail(e, REFUND_NET) > 0 || e.details().keySet()
        .exists(k -> k.startsWith(REFUND_SKU) && first.details().containsKey(PURCHASE_SKU + k.substring(REFUND_SKU.length()))));
    if (refund.returned().isLeft()) {
      Money amount = refund.returned().getLeft();
      if (!amount.getCurrencyUnit().equals(program.currency())) {
        return Either.left(new LoyaltyError.CurrencyMismatch(program.currency(), amount.getCurrencyUnit()));
      }
      java.math.BigDecimal minor = amount.getAmountMinor();
      if (minor.compareTo(java.math.BigDecimal.valueOf(net - before)) > 0) {
        // Compared before it is made a long: an amount beyond a long's minor units is an over-return too.
        return Either.left(new LoyaltyError.RefundExceedsPurchase(refund.original(), "amount", money(net),
            money(before), amount.toString()));
      }
      return checkReturn(refund, "amount", net, before, minor.longValueExact(), this::money)
          .map(now -> io.vavr.Tuple.of(before, now, firstOfEarning));
    }
    long now = 0;
    boolean earning = false;
    for (io.vavr.Tuple2<String, List<ReturnedLine>> bySku : refund.returned().get().groupBy(ReturnedLine::sku)) {
      String sku = bySku._1;
      Option<String> bought = first.details().get(PURCHASE_SKU + sku);
      Option<String> other = first.details().get(PURCHASE_OTHER + sku);
      if (bought.isEmpty() && other.isEmpty()) {
        return invalid("returned", "SKU '" + sku + "' was not bought on " + refund.original());
      }
      // A line that never earns (a gift card) returns no amount, only its units. A SKU sold on both
      // kinds of line returns the units that earned first, then the others.
      long units = bought.isDefined() ? unitsOf(bought.get()) : 0;
      long lineNet = bought.isDefined() ? netOf(bought.get()) : 0;
      long otherUnits = other.isDefined() ? Long.parseLong(other.get()) : 0;
      long returnedUnits = earlier.map(e -> detail(e, REFUND_SKU + sku)).sum().longValue();
      long asked = bySku._2.map(ReturnedLine::quantity).sum().longValue();
      Either<LoyaltyError, Long> ok = checkReturn(refund, sku, units + otherUnits, returnedUnits, asked, Long::toString);
      if (ok.isLeft()) {
        return Either.left(ok.getLeft());
      }
      long earningBefore = Math.min(returnedUnits, units);
      long earningAfter = Math.min(returnedUnits + asked, units);
      earning |= earningAfter > earningBefore;
      now += share(lineNet, earningAfter, units) - share(lineNet, earningBefore, units);
    }
    if (returnedByUnits(first)) {
      // Every SKU was checked against its units, so the units returned never exceed those bought.
      // Of a SKU sold on both kinds of line, only the units of the counted lines count, and they come
      // back first: a SKU's count is capped at its counted units.
      String counted = countedLines(first);
      java.util.Map<String, Long> returnedBefore = new java.util.HashMap<>();
      for (Entry e : earlier) {
        for (io.vavr.Tuple2<String, String> d : e.details().filterKeys(k -> k.startsWith(REFUND_SKU))) {
          returnedBefore.merge(d._1.substring(REFUND_SKU.length()), Long.parseLong(d._2), Long::sum);
        }
      }
      long unitsBefore = 0;
      for (java.util.Map.Entry<String, Long> sku : returnedBefore.entrySet()) {
        unitsBefore += countedUnits(first, counted, sku.getKey(), sku.getValue());
      }
      long unitsNow = 0;
      for (io.vavr.Tuple2<String, List<ReturnedLine>> bySku : refund.returned().get().groupBy(ReturnedLine::sku)) {
        long was = returnedBefore.getOrDefault(bySku._1, 0L);
        unitsNow += countedUnits(first, counted, bySku._1, was + bySku._2.map(ReturnedLine::quantity).sum().longValue())
            - countedUnits(first, counted, bySku._1, was);
      }
      return Either.right(io.vavr.Tuple.of(unitsBefore, unitsNow, unitsBefore == 0 && unitsNow > 0));
    }
    if (!earning) {
      // Not a first refund either: it neither takes back nor completes anything.
      return Either.right(io.vavr.Tuple.of(before, 0L, false));
    }
    return Either.right(io.vavr.Tuple.of(before, leftOfLines(first, earlier, now, net - before), firstOfEarning));
  }

  /**
   * Of the {@code lines} of net a return of lines brings back, what earlier refunds by amount left:
   * an amount came off the earning lines kept in proportion to their net, so each keeps {@code kept}
   * (the net not yet returned) over the net of those lines. All that is kept once every unit of them
   * is back: the last line completes the return, and nothing is more than is left. Without an
   * amount, {@code kept} is the net of the lines kept, so the lines bring back their net.
   */
  private static long leftOfLines(Entry first, List<Entry> earlier, long lines, long kept) {
    java.util.Map<String, Long> back = new java.util.HashMap<>();
    for (Entry e : earlier) {
      for (io.vavr.Tuple2<String, String> d : e.details().filterKeys(k -> k.startsWith(REFUND_SKU))) {
        back.merge(d._1.substring(REFUND_SKU.length()), Long.parseLong(d._2), Long::sum);
      }
    }
    long linesKept = 0;
    for (io.vavr.Tuple2<String, String> bought : first.details().filterKeys(k -> k.startsWith(PURCHASE_SKU))) {
      String sku = bought._1.substring(PURCHASE_SKU.length());
      long units = unitsOf(bought._2);
      long before = Math.min(back.getOrDefault(sku, 0L), units);
      linesKept += netOf(bought._2) - share(netOf(bought._2), before, units);
    }
    // Once every unit is back, the lines bring back exactly what the lines kept, so all kept is
    // returned: share gives the whole for a part that is the whole, also when both are zero.
    return share(kept, lines, linesKept);
  }

  /**
   * Whether a purchase's return is counted in units of its lines rather than in the net amount of
   * its earning lines, which is zero: a purchase of free items, or with no earning line at all (gift
   * cards only, say), still counted as a visit, and is returned in full once every unit of its
   * earning lines (or, with none, of its lines) is back.
   */
  private static boolean returnedByUnits(Entry first) {
    return detail(first, PURCHASE_NET) == 0 && first.details().keySet()
        .exists(k -> k.startsWith(PURCHASE_SKU) || k.startsWith(PURCHASE_OTHER));
  }

  /**
   * The prefix of the lines whose units count in a return by units: the earning lines, or the lines
   * that never earn when there is none (units of those return nothing of earning lines).
   */
  private static String countedLines(Entry first) {
    return first.details().keySet().exists(k -> k.startsWith(PURCHASE_SKU)) ? PURCHASE_SKU : PURCHASE_OTHER;
  }

  /** The units bought of a purchase's counted lines (see {@link #countedLines}). */
  private static long unitsBought(Entry first) {
    String counted = countedLines(first);
    return first.details().filterKeys(k -> k.startsWith(counted)).values()
        .map(Loyalty::unitsOf).sum().longValue();
  }

  /**
   * Of the units of a SKU returned in all, those of a purchase's counted lines (see {@link
   * #countedLines}): at most the units of the SKU bought on them.
   */
  private static long countedUnits(Entry first, String counted, String sku, long returned) {
    Option<String> bought = first.details().get(counted + sku);
    return bought.isEmpty() ? 0 : Math.min(returned, unitsOf(bought.get()));
  }

  /** Refuses returning more than is left; the figures are written by {@code text} (units, or money). */
  private static Either<LoyaltyError, Long> checkReturn(Refund refund, String item, long bought, long before, long asked,
      java.util.function.LongFunction<String> text) {
    // Never more returned than bought (0 <= before <= bought): bought - before cannot overflow,
    // before + asked could.
    if (asked > bought - before) {
      return Either.left(new LoyaltyError.RefundExceedsPurchase(refund.original(), item, text.apply(bought),
          text.apply(before), text.apply(asked)));
    }
    return Either.right(asked);
  }

  /** Minor units of the program's currency as money, e.g. {@code EUR 20.00}. */
  private String money(long minor) {
    return Money.ofMinor(program.currency(), minor).toString();
  }

  // ---------------------------------------------------------------- redemption

  private static final String REWARD_ID = "reward.id";
  private static final String REWARD_KIND = "reward.kind";
  /** How a reward hold's reason starts; the reward's name follows, as it was when the hold was taken. */
  private static final String HOLD_FOR_REWARD = "Hold for reward: ";
  /** The {@link RewardKind#code()} of a voucher. */
  private static final String VOUCHER = "voucher";
  private static final String VOUCHER_CODE = "voucher.code";
  private static final String STOCK_COUNTER = "stock.counter";
  private static final String LIMIT_COUNTER = "limit.counter";
  private static final String PAYMENT_APPLIED = "payment.applied";
  private static final int MAX_VOUCHER_CODE = 100;

  /**
   * Lists every reward of the catalogue with what it costs the member and the reasons, if any,
   * they cannot redeem it on a channel at an instant. The window, the member's tier and the limit
   * period are taken at {@code at}; the available points, stock and limit usage are as they stand.
   * Cost and tier gating are the reward's own, with the reward benefits of the member's tier on the
   * ladder ({@link io.github.loyaltyledger.tier.TierBenefits}) where the reward sets none for it,
   * as {@link #redeem} charges and checks them. Each line's {@link RewardAvailability#reward()} is
   * the reward as offered, with the ladder's benefits folded in (its {@code tiers} and
   * {@code costByTier} agree with the cost and a {@code TierRequired} reason), not the catalogue's
   * own object; it equals the catalogue's reward when no tier's benefits mention it.
   *
   * @param member the member, not null
   * @param channel the channel type of the till, shop or app asking, not null
   * @param at the instant to check the window, tier and limit period at, not null
   * @return the rewards in catalogue order, or {@link LoyaltyError.InvalidRequest} (an instant
   *     outside years 1 to 9999), {@link LoyaltyError.UnknownMember} or
   *     {@link LoyaltyError.MemberNotActive}
   */
  public Either<LoyaltyError, List<RewardAvailability>> availableRewards(MemberId member, Channel.Type channel, Instant at) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(at, "at");
    return checkSupported("at", at).flatMap(ok -> load(member)).flatMap(this::requireActive)
        .map(account -> {
          // Once per call: by default the tier is the tier engine's, which reads the member's ledger.
          Option<String> tier = rewardTierOf(member, at);
          return program.rewards().list().map(reward -> offered.get(reward.id()).get()).map(asOffered ->
              new RewardAvailability(asOffered, asOffered.leastCharge(tier),
                  reasonsAgainst(asOffered, account, channel, at, tier, usage(asOffered, account.member(), at))));
        });
  }

  /**
   * {@link #availableRewards(MemberId, Channel.Type, Instant)} at the clock's instant.
   *
   * @param member the member, not null
   * @param channel the channel type asking, not null
   * @return the rewards, or {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.MemberNotActive}
   */
  public Either<LoyaltyError, List<RewardAvailability>> availableRewards(MemberId member, Channel.Type channel) {
    return availableRewards(member, channel, clock.instant());
  }

  /**
   * Redeems a reward for an active member in one atomic step: checks every condition, spends its
   * cost from the lots soonest-expiring first ({@code REDEEM}), takes one unit of its stock, counts
   * one use of the member's limit and issues the voucher code, if it is a voucher. An unknown or
   * inactive member is refused as such before a points-as-payment reward is sent to
   * {@link #payWithPoints}, which would refuse them too.
   *
   * @param member the member, not null
   * @param reward the reward, not null; not a points-as-payment reward (see {@link #payWithPoints})
   * @param channel where the request comes from, not null
   * @param key the idempotency key, not null; not of a shape the library derives for its own work
   *     ({@link IdempotencyKey}) other than the member's own occasion keys ({@code birthday:<member>:<year>},
   *     {@code anniversary:<member>:<year>}), under which an application's {@link RewardGrant} may redeem
   *     the member's gift
   * @return the redemption, or {@link LoyaltyError.UnknownReward}, {@link LoyaltyError.RewardUnavailable}
   *     (with every reason), {@link LoyaltyError.InvalidRequest} (a points-as-payment reward, or on
   *     {@code key} a key the library derives),
   *     {@link LoyaltyError.VoucherIssuerFailed}
   *     (the voucher issuer returned an unusable code), {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Redemption> redeem(MemberId member, RewardId reward, Channel channel, IdempotencyKey key) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(key, "key");
    String fingerprint = Fingerprint.of("redeem").value(member).value(reward).value(channel).sha256();
    return execute(key, fingerprint, List.of(member), now -> (isDerivedForRedemption(key, member)
            ? Loyalty.<Reward>derivedKey(key) : catalogued(reward))
        .flatMap(r -> activeFor(member, r.kind() instanceof RewardKind.PointsAsPayment
            ? Option.some("'" + reward + "' is points as payment; use payWithPoints") : Option.none()).flatMap(account -> {
          Books books = new Books(account, program, now);
          return claim(r, books, channel, now, Option.none()).flatMap(claim -> withVoucher(claim.details(), r, member).map(details -> {
            Entry entry = books.post(books.draft(EntryKind.REDEEM, claim.cost().negated(), now, channel, key,
                    "Reward: " + r.name())
                .withMovements(books.takeAvailable(claim.cost()))
                .withDetails(details));
            return single(key, books, List.of(new LoyaltyEvent.PointsRedeemed(entry, books.balance()))).withCounters(claim.counters());
          }));
        })))
        .map(Loyalty::redemptionOf);
  }

  /**
   * Issues the catalogue reward of an occasion grant (a birthday cake, an anniversary voucher) to
   * the member at no cost: the default {@link RewardGrant} of the {@link DailyRun}, which calls it
   * for every catalogue reward an occasion rule finds due. Idempotent under {@link OccasionGrant#key()}
   * (e.g. {@code birthday:<member>:<year>}): the same grant again, as of any instant, is answered
   * from the record and changes nothing.
   *
   * <p>It writes one {@code REDEEM} entry of <b>zero points</b> and no lot movements, as redeeming a
   * free reward does, on the system channel at {@code asOf}, with the rule's id and the details of a
   * redemption ({@code reward.id}, {@code reward.kind}, {@code stock.counter}, the voucher code of a
   * voucher reward) and those of the occasion ({@code occasion}, {@code occasion.year}), which the
   * due-work index reads to know the occasion was granted that year. It takes one unit of the
   * reward's stock, and is refused when the stock is out or {@code asOf} is outside the reward's
   * window. The reward's cost, its tiers, channels and the member's per-period limit do not apply
   * and the limit is not counted: the occasion rule decides who gets the gift and how often (once a
   * year), and a gift uses up none of what the member may redeem. Like any redemption it counts as
   * activity under the default activity kinds. {@link #cancelRedemption} cancels it: the stock is
   * given back, and no points.
   *
   * @param grant the grant, not null; its reward must be a catalogue item
   *     ({@link io.github.loyaltyledger.occasion.OccasionReward#rewardId()})
   * @param asOf the instant the gift is made as of (the run's), not after the clock's instant; not null
   * @return the redemption (zero points), or {@link LoyaltyError.UnknownReward},
   *     {@link LoyaltyError.RewardUnavailable} ({@code OutOfStock}, {@code OutsideWindow}),
   *     {@link LoyaltyError.InvalidRequest} (a points grant, a malformed reward id, a reward or rule id
   *     with an unpaired surrogate or a NUL, a points-as-payment reward, {@code asOf} in the future or outside years 1 to 9999), {@link LoyaltyError.VoucherIssuerFailed},
   *     {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.MemberNotActive} or
   *     {@link LoyaltyError.IdempotencyConflict}; nothing is written when it is refused
   */
  public Either<LoyaltyError, Redemption> grantOccasionReward(OccasionGrant grant, Instant asOf) {
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(asOf, "asOf");
    IdempotencyKey key = grant.key();
    // Checked before the fingerprint, which cannot encode such a text.
    Option<LoyaltyError> malformed = unstorableGrant(grant);
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    return execute(key, grantFingerprint("grantOccasionReward", grant), List.of(grant.member()), now -> giftedReward(grant)
        .flatMap(r -> checkSupported("asOf", asOf).flatMap(ok -> checkNotFuture("asOf", asOf, now)).map(ok -> r))
        .flatMap(r -> load(grant.member()).flatMap(this::requireActive).flatMap(account -> {
          Books books = new Books(account, program, now);
          Usage usage = usage(r, account.member(), asOf);
          // Only the stock and the window refuse a gift: Reward.reasonsUnavailable, so that a gift
          // and a redemption can never disagree on them.
          List<UnavailableReason> reasons = r.reasonsUnavailable(asOf, Channel.Type.SYSTEM, Option.none(),
                  Points.ZERO, usage.stockTaken(), 0)
              .filter(reason -> reason instanceof UnavailableReason.OutOfStock
                  || reason instanceof UnavailableReason.OutsideWindow);
          if (!reasons.isEmpty()) {
            return Either.left(new LoyaltyError.RewardUnavailable(r.id(), reasons));
          }
          Usage stockOnly = new Usage(usage.stockKey(), usage.stockTaken(), Option.none(), 0);
          SortedMap<String, String> details = stockOnly.details().put(REWARD_ID, r.id().value())
              .put(REWARD_KIND, r.kind().code()).merge(grant.details());
          String occasion = grant.occasion() == Occasion.BIRTHDAY
              ? "Birthday gift " : "Membership anniversary gift ";
          return withVoucher(details, r, grant.member()).map(issued -> {
            Entry entry = books.post(books.draft(EntryKind.REDEEM, Points.ZERO, asOf, Channel.system(), key,
                    shortened(occasion + grant.year() + ": " + r.name()))
                .withRuleIds(List.of(grant.ruleId()))
                .withDetails(issued));
            return single(key, books, List.of(new LoyaltyEvent.PointsRedeemed(entry, books.balance())))
                .withCounters(stockOnly.claimOne());
          });
        })))
        .map(Loyalty::redemptionOf);
  }

  /**
   * Records under the grant's key that the {@link DailyRun} handed an occasion's catalogue reward to
   * an application's {@link RewardGrant}, which succeeded without recording that key itself (it
   * issued the reward outside the ledger): an idempotency record only, no entry and no event. The
   * run then finds the grant made, as it finds one {@link #grantOccasionReward} made, and does not
   * hand it over again.
   */
  Either<LoyaltyError, Receipt> recordOccasionGrant(OccasionGrant grant) {
    Option<LoyaltyError> malformed = unstorableGrant(grant);
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    return execute(grant.key(), grantFingerprint("occasion-handed-over", grant), List.of(grant.member()),
        now -> load(grant.member()).map(account -> single(grant.key(), new Books(account, program, now), List.empty())));
  }

  /** A grant's reward and rule ids are free text: refused if one is not well-formed. */
  private static Option<LoyaltyError> unstorableGrant(OccasionGrant grant) {
    return unstorable("grant", grant.reward().rewardId().toList().append(grant.ruleId()));
  }

  /**
   * The fingerprint of a request about an occasion grant: the member, occasion, year, reward and
   * rule. Not the run's instant: a run at another hour, or on another node, sends the same grant as
   * the same request.
   */
  private static String grantFingerprint(String operation, OccasionGrant grant) {
    return Fingerprint.of(operation).value(grant.member()).text(grant.occasion().tag())
        .value(grant.year()).optional(grant.reward().rewardId()).text(grant.ruleId()).sha256();
  }

  /** The catalogue reward an occasion grant gives, if it gives one that can be gifted. */
  private Either<LoyaltyError, Reward> giftedReward(OccasionGrant grant) {
    Option<String> id = grant.reward().rewardId();
    if (id.isEmpty()) {
      return invalid("grant", "gives points, which the daily run credits; only a catalogue reward is gifted");
    }
    RewardId reward;
    try {
      reward = RewardId.of(id.get());
    } catch (IllegalArgumentException e) {
      return invalid("grant", e.getMessage());
    }
    return catalogued(reward).flatMap(r -> r.kind() instanceof RewardKind.PointsAsPayment
        ? invalid("grant", "'" + reward + "' is points as payment, which cannot be gifted")
        : Either.<LoyaltyError, Reward>right(r));
  }

  /**
   * Pays part of a basket with points under a points-as-payment reward's {@link PaymentTerms}: works
   * out the money applied and the points charged ({@link PaymentTerms#quote}) and spends them
   * ({@code REDEEM}). The money applied must not earn points: send the purchase to earning with
   * that amount marked as paid with points. The reward's availability is checked first, as by
   * {@link #redeem}: a member outside its window, tiers, channels, stock or limit is refused with
   * {@code RewardUnavailable} listing every reason (a shortage of points among them), whatever the
   * offer; a shortage of points alone is refused in the payment's terms ({@code InvalidRequest} for
   * a charge below the least charge, else {@code InsufficientPoints}). After the basket and offer
   * are checked, an unknown or inactive member is refused as such before a reward that is not a
   * payment is sent to {@link #redeem}.
   *
   * @param request the payment, not null
   * @return the redemption with {@link Redemption#moneyApplied()}, or {@link LoyaltyError.UnknownReward},
   *     {@link LoyaltyError.RewardUnavailable}, {@link LoyaltyError.CurrencyMismatch} (a basket in another
   *     currency than the program's), {@link LoyaltyError.InvalidRequest} (not a points-as-payment
   *     reward, a basket or offer that is not positive, a charge below the reward's least charge: on
   *     {@code basket} when the basket's share is worth less than that whatever the offer),
   *     {@link LoyaltyError.InsufficientPoints} (fewer available than the points charged; the points
   *     offered are the most the member would use, and may be more than they have),
   *     {@link LoyaltyError.UnknownMember},
   *     {@link LoyaltyError.MemberNotActive} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Redemption> payWithPoints(PointsPayment request) {
    Objects.requireNonNull(request, "request");
    String fingerprint = Fingerprint.of("payWithPoints").value(request.member()).value(request.reward())
        .value(request.basket()).value(request.offered()).value(request.channel()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.member()), now -> quoted(request, now,
        Option.none()).map(q -> {
          Entry entry = q.books().post(q.books().draft(EntryKind.REDEEM, q.quote().charged().negated(), now,
                  request.channel(), request.key(), PAID + q.quote().applied() + WITH_POINTS)
              .withMovements(q.books().takeAvailable(q.quote().charged()))
              .withDetails(q.details()));
          return single(request.key(), q.books(), List.of(new LoyaltyEvent.PointsRedeemed(entry, q.books().balance())))
              .withCounters(q.claim().counters());
        }))
        .map(Loyalty::redemptionOf);
  }

  /** The start of the reason of a payment's {@code REDEEM} or {@code CAPTURE}: "Paid EUR 5.00 with points". */
  private static final String PAID = "Paid ";
  private static final String WITH_POINTS = " with points";
  /** The start of the reason of a payment's {@code HOLD}, which its capture's reason is made from. */
  private static final String HOLD_TO_PAY = "Hold to pay ";

  /** A payment checked and quoted: the reward's claim and the quote, ready to post on {@code books}. */
  private record Quoted(Books books, Claim claim, PaymentQuote quote) {
    /** The details of the entry that spends or holds the points: the claim's and the money applied. */
    SortedMap<String, String> details() {
      return claim.details().put(PAYMENT_APPLIED, quote.applied().toString());
    }
  }

  /**
   * Checks and quotes a payment as {@link #payWithPoints} does, for it and for a payment hold: the
   * reward, the request's own fields ({@code ttl}, a hold's, after the basket and offer), the member,
   * the reward's availability, then the least charge and the points available.
   */
  private Either<LoyaltyError, Quoted> quoted(PointsPayment request, Instant now, Option<Duration> ttl) {
    return catalogued(request.reward())
        .flatMap(r -> {
          // The request's own fields first, then the member, then whether the reward is a payment: as
          // authorize checks its ttl and points, and so that advice to redeem goes only to a member
          // who may.
          if (!request.basket().getCurrencyUnit().equals(program.currency())) {
            return Either.left(new LoyaltyError.CurrencyMismatch(program.currency(), request.basket().getCurrencyUnit()));
          }
          if (!request.basket().isPositive()) {
            return invalid("basket", "must be positive, was " + request.basket());
          }
          return checkPositive("offered", request.offered())
              .flatMap(ok -> ttl.isEmpty() ? Either.right(ok) : checkTtl(ttl.get(), now))
              .flatMap(ok -> activeFor(request.member(), r.kind() instanceof RewardKind.PointsAsPayment
                  ? Option.none() : Option.some("'" + r.id() + "' is not points as payment; use "
                      + (ttl.isEmpty() ? "redeem" : "authorize(Authorization.reward(...))"))))
              .flatMap(account -> {
                PaymentTerms terms = ((RewardKind.PointsAsPayment) r.kind()).terms();
                Books books = new Books(account, program, now);
                PaymentQuote quote = terms.quote(request.basket(), request.offered());
                // The reward's availability comes first, as redeem's: a member outside its window, tiers,
                // channels, stock or limit is told every reason, a shortage of points among them, rather
                // than that the offer is too low or the points too few. A shortage alone is told below in
                // the payment's own terms, since what counts is the charge, not the least charge.
                return claim(r, books, request.channel(), now, Option.some(quote.charged()), true)
                    .flatMap(claim -> payable(request, r, terms, quote, books, now).map(ok -> new Quoted(books, claim, quote)));
              });
        });
  }

  /** Refuses a payment below the reward's least charge or beyond the points available. */
  private Either<LoyaltyError, Boolean> payable(PointsPayment request, Reward r, PaymentTerms terms, PaymentQuote quote,
      Books books, Instant now) {
    // The reward's cost for the member's tier is the minimum charged, as are the terms' (and one point).
    Points minimum = r.leastCharge(rewardTierOf(request.member(), now));
    if (quote.charged().isLessThan(minimum)) {
      // When the basket's share, not the offer, keeps the charge low, no offer can pay it.
      PaymentQuote most = terms.quote(request.basket(), Points.of(Long.MAX_VALUE));
      return most.charged().isLessThan(minimum)
          ? invalid("basket", request.basket() + " is too small to pay with points: at most " + most.applied()
              + " of it, for " + most.charged() + " points, below the minimum of " + minimum + " points")
          : invalid("offered", "would pay " + quote.applied() + " for " + quote.charged()
              + " points, below the minimum of " + minimum + " points");
    }
    // The points offered are the most the member would use: the payment needs those it charges.
    return requireAvailable(books, quote.charged()).map(ok -> true);
  }

  /**
   * Holds the points a payment with points would charge, to capture when the sale completes: the
   * two-phase {@link #payWithPoints}. The payment is checked and quoted exactly as
   * {@link #payWithPoints} checks and quotes it (the same refusals, in the same order, with the same
   * messages), then its charge is held ({@code HOLD}, zero points) for {@code ttl}, and one unit of
   * the reward's stock and one use of the member's limit are reserved, as for a reward hold. The
   * hold records the money applied ({@link Hold#moneyApplied()}); {@link #capture(EntryId,
   * IdempotencyKey)} spends the held points ({@code CAPTURE}) and answers a {@link Redemption} whose
   * {@link Redemption#moneyApplied()} is that money, as {@link #payWithPoints} would have. A payment
   * hold is captured whole: a till whose basket changed voids it and authorizes the new payment
   * (ADR 0006). It is voided, released at expiry by the daily run, listed by {@link #openHolds} and
   * replayed under its key as any hold. The time-to-live is checked after the basket and offer,
   * before the member.
   *
   * @param request the payment to hold, not null; its key is the authorization's
   * @param ttl how long the hold may be captured, not null: positive, at most the catalogue's
   *     {@code maxHoldTtl} and not ending the hold after year 9999
   * @return the hold, or the refusals of {@link #payWithPoints} (with, on {@code reward}, advice to
   *     authorize a reward that is not a payment as a reward), or {@link LoyaltyError.InvalidRequest}
   *     on {@code ttl}
   */
  public Either<LoyaltyError, Hold> authorize(PointsPayment request, Duration ttl) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(ttl, "ttl");
    String fingerprint = Fingerprint.of("authorizePayment").value(request.member()).value(request.reward())
        .value(request.basket()).value(request.offered()).value(ttl).value(request.channel()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.member()), now -> quoted(request, now,
        Option.some(ttl)).map(q -> {
          Entry entry = q.books().post(q.books().draft(EntryKind.HOLD, Points.ZERO, now, request.channel(), request.key(),
                  HOLD_TO_PAY + q.quote().applied() + WITH_POINTS)
              .withMovements(q.books().hold(q.quote().charged()))
              .withLotTerms(Option.some(now.plus(ttl)), Option.none())
              .withDetails(q.details()));
          return single(request.key(), q.books(), List.of(new LoyaltyEvent.PointsHeld(entry, q.books().balance())))
              .withCounters(q.claim().counters());
        }))
        .map(Loyalty::holdOf);
  }

  /**
   * A hold's time-to-live: positive, at most the catalogue's longest, and not ending the hold after
   * the last instant the ledger supports.
   */
  private Either<LoyaltyError, Boolean> checkTtl(Duration ttl, Instant now) {
    Duration maxTtl = program.rewards().maxHoldTtl();
    if (ttl.isZero() || ttl.isNegative() || ttl.compareTo(maxTtl) > 0) {
      return invalid("ttl", "must be positive and at most " + maxTtl + ", was " + ttl);
    }
    // The hold's expiry is an instant it carries: one past the supported years is refused, as a
    // credit's expiry is (and now + ttl may not even be an Instant).
    if (ttl.compareTo(Duration.between(now, SupportedInstants.LATEST)) > 0) {
      return invalid("ttl", "would end the hold after " + SupportedInstants.LATEST
          + ", the last instant the ledger supports, was " + ttl);
    }
    return Either.right(true);
  }

  /**
   * Holds points at the till ({@code HOLD}, zero points): they leave the available balance at once
   * and are held until {@link #capture}, {@link #voidHold} or {@link #releaseExpiredHolds}. A hold
   * for a reward holds its cost and reserves one unit of its stock and one use of the member's
   * limit. An unknown or inactive member is refused as such before a points-as-payment reward is
   * sent to {@link #authorize(PointsPayment, Duration)}, which holds a payment.
   *
   * @param request the authorization, not null
   * @return the hold, or {@link LoyaltyError.InvalidRequest} (points not positive, time-to-live not
   *     positive, longer than the catalogue allows or ending after year 9999, a points-as-payment
   *     reward, or a free reward the member could redeem), {@link LoyaltyError.UnknownReward},
   *     {@link LoyaltyError.RewardUnavailable} (listing every reason, as {@link #redeem} does; for a
   *     free reward too), {@link LoyaltyError.InsufficientPoints},
   *     {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.MemberNotActive} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Hold> authorize(Authorization request) {
    Objects.requireNonNull(request, "request");
    // A hold for a reward ignores the points (it holds the reward's cost): they are no part of the
    // request, and zero, as Authorization.reward gives, keeps the fingerprints recorded before.
    String fingerprint = Fingerprint.of("authorize").value(request.member()).optional(request.reward())
        .value(request.reward().isDefined() ? Points.ZERO : request.points()).value(request.ttl())
        .value(request.channel()).sha256();
    return executeRequest(request.key(), fingerprint, List.of(request.member()), now -> {
      Either<LoyaltyError, Option<Reward>> reward = checkTtl(request.ttl(), now).flatMap(valid -> request.reward().isEmpty()
          ? checkPositive("points", request.points()).map(ok -> Option.<Reward>none())
          : catalogued(request.reward().get()).map(Option::some));
      // The member, then the reward's availability, come before the reward's cost, which depends on
      // the member's tier: an unknown or inactive member is told so, and a member outside a free
      // reward's window, tiers, channels, stock or limit is told every reason, as redeem tells them,
      // not to redeem a reward that redeem would refuse.
      return reward.flatMap(r -> activeFor(request.member(), r.filter(x -> x.kind() instanceof RewardKind.PointsAsPayment)
          .map(x -> "'" + x.id() + "' is points as payment, which is not held as a reward: hold the payment"
              + " (authorize(PointsPayment, ttl)), which quotes it as payWithPoints does")).flatMap(account -> {
        Books books = new Books(account, program, now);
        Either<LoyaltyError, Claim> claim = r.isDefined()
            ? claim(r.get(), books, request.channel(), now, Option.none()).flatMap(c -> c.cost().isZero()
                ? advised("reward", "'" + r.get().id() + "' costs the member no points, so there is nothing to hold: redeem it")
                : Either.right(c))
            : books.available().isLessThan(request.points())
                ? Either.left(insufficient(books, request.points()))
                : Either.right(new Claim(request.points(), List.empty(), TreeMap.empty()));
        return claim.map(c -> {
          Entry entry = books.post(books.draft(EntryKind.HOLD, Points.ZERO, now, request.channel(), request.key(),
                  r.map(x -> HOLD_FOR_REWARD + x.name()).getOrElse("Hold of " + c.cost() + " points"))
              .withMovements(books.hold(c.cost()))
              .withLotTerms(Option.some(now.plus(request.ttl())), Option.none())
              .withDetails(c.details()));
          return single(request.key(), books, List.of(new LoyaltyEvent.PointsHeld(entry, books.balance()))).withCounters(c.counters());
        });
      }));
    }).map(Loyalty::holdOf);
  }

  /** The hold an authorization's receipt answers. */
  private static Hold holdOf(Receipt receipt) {
    Entry hold = receipt.entries().find(e -> e.kind() == EntryKind.HOLD).get();
    return new Hold(hold.id(), Books.heldBy(hold), hold.expiresAt().get(),
        hold.details().get(REWARD_ID).map(RewardId::of), receipt, hold.details().get(PAYMENT_APPLIED).map(Money::parse));
  }

  /** An open hold as {@link #authorize} answered it: from the record of the request that wrote it. */
  private Hold authorized(Entry hold) {
    return holdOf(reads().idempotencyRecord(hold.idempotencyKey()).map(IdempotencyRecord::receipt)
        .filter(receipt -> receipt.entries().exists(e -> e.id().equals(hold.id())))
        .getOrElseThrow(() -> new IllegalStateException("The store holds hold " + hold.id()
            + " but no record of the authorization that wrote it under key " + hold.idempotencyKey()
            + ": the store is inconsistent (were its requests' records lost in a copy?)")));
  }

  /**
   * Captures all the points of an open hold ({@code CAPTURE}); for a voucher reward, issues its
   * code. A hold is captured as the kind of reward it recorded when authorized, whatever the
   * catalogue in force says of that id now: a free-item hold issues no voucher even if a later
   * program version made the reward a voucher, and a voucher hold whose reward the catalogue in
   * force no longer has as a voucher is refused with {@link LoyaltyError.VoucherWithdrawn} (nothing is
   * written; void the hold to give the points back). The {@code CAPTURE} entry's reason names the
   * reward as the hold recorded it ("Reward: Free coffee (captured hold ada#3)"), so statements and
   * history say what was bought. See {@link #capture(EntryId, Points, IdempotencyKey)}; a capture
   * naming all the held points is the same request as this one, so a till may retry under the same
   * key with either overload.
   *
   * @param hold the hold's id, not null
   * @param key the idempotency key, not null
   * @return the redemption, or the refusals of the other overload
   */
  public Either<LoyaltyError, Redemption> capture(EntryId hold, IdempotencyKey key) {
    return capture(hold, Option.none(), key);
  }

  /**
   * Captures part of an open hold of plain points ({@code CAPTURE}): the points leave the balance,
   * and the rest of the hold returns to the lots it came from (see {@link ReturnedPoints}). A hold
   * resolves at most once, and cannot be captured at or after its expiry by the clock. Under
   * {@code CLAMP}, the rest given back first settles what earlier reversals forgave (ADR 0006): the
   * receipt then also holds a {@code REVERSAL} of each such credit ({@code forgiven.settled}), each
   * published as an {@link LoyaltyEvent.EntryReversed}.
   *
   * @param hold the hold's id, not null
   * @param points the points to capture, positive and at most the held points; a reward hold and a
   *     payment hold ({@link #authorize(PointsPayment, Duration)}) are captured whole
   * @param key the idempotency key, not null
   * @return the redemption, or {@link LoyaltyError.HoldNotFound}, {@link LoyaltyError.HoldAlreadyResolved},
   *     {@link LoyaltyError.HoldExpired}, {@link LoyaltyError.CaptureExceedsHold},
   *     {@link LoyaltyError.VoucherWithdrawn} (a voucher hold whose reward the catalogue in force no
   *     longer issues as a voucher), {@link LoyaltyError.VoucherIssuerFailed}, {@link LoyaltyError.InvalidRequest}
   *     (points that are not positive, named before anything about the hold or its member, or part of
   *     a reward or payment hold), {@link LoyaltyError.MemberNotActive} (suspended or closed, named
   *     before anything about the hold) or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Redemption> capture(EntryId hold, Points points, IdempotencyKey key) {
    return capture(hold, Option.some(Objects.requireNonNull(points, "points")), key);
  }

  private Either<LoyaltyError, Redemption> capture(EntryId hold, Option<Points> points, IdempotencyKey key) {
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(key, "key");
    // Capturing all of a hold is one request whether the till names the points or not (the held
    // points are fixed when the hold is written): it is fingerprinted as naming none, and a capture
    // naming them that was recorded before under its own fingerprint still replays.
    Option<Points> held = reads().entry(hold).filter(e -> e.kind() == EntryKind.HOLD).map(Books::heldBy);
    boolean whole = points.isEmpty() || held.equals(points);
    String fingerprint = Fingerprint.of("capture").value(hold).optional(whole ? Option.none() : points).sha256();
    Option<String> former = whole ? held.map(p -> Fingerprint.of("capture").value(hold).optional(Option.some(p)).sha256()) : Option.none();
    // Points that are not positive are the request's own fault: named before the hold and its member.
    return executeRequest(key, fingerprint, former, List.of(hold.member()), now -> readFirst(hold.member(), current -> (points.isDefined()
        ? checkPositive("points", points.get()) : Either.<LoyaltyError, Boolean>right(true))
        .flatMap(positive -> statusAllows(current, this::requireActive)).flatMap(ok -> openHold(hold)).flatMap(h -> {
      Points amount = Books.heldBy(h);
      Points captured = points.getOrElse(amount);
      if (!now.isBefore(h.expiresAt().get())) {
        return Either.left(new LoyaltyError.HoldExpired(hold, h.expiresAt().get(), now));
      }
      if (!captured.isPositive()) {
        // A whole capture of a hold of no points: the points named were checked first.
        return invalid("points", "must be positive, was " + captured);
      }
      if (captured.isGreaterThan(amount)) {
        return Either.left(new LoyaltyError.CaptureExceedsHold(hold, amount, captured));
      }
      if (h.details().containsKey(PAYMENT_APPLIED) && !captured.equals(amount)) {
        // A smaller charge would pay less money, which the till must be told before the sale ends.
        return advised("points", "a hold of a payment with points is captured whole (" + amount + " points for "
            + h.details().get(PAYMENT_APPLIED).get() + "); void it and authorize the payment the basket now comes to");
      }
      if (h.details().containsKey(REWARD_ID) && !captured.equals(amount)) {
        return invalid("points", "a hold for a reward is captured whole (" + amount + " points)");
      }
      // The hold recorded the kind of reward it was for; a later program version may have removed
      // the reward or given its id another kind. Only a voucher hold issues a voucher, and it needs
      // a voucher reward of that id in the catalogue in force to issue it.
      Option<Reward> reward = h.details().get(REWARD_KIND).contains(VOUCHER)
          ? h.details().get(REWARD_ID).flatMap(id -> program.rewards().reward(RewardId.of(id)))
              .filter(r -> r.kind() instanceof RewardKind.Voucher)
          : Option.none();
      if (h.details().get(REWARD_KIND).contains(VOUCHER) && reward.isEmpty()) {
        return Either.left(new LoyaltyError.VoucherWithdrawn(hold, RewardId.of(h.details().get(REWARD_ID).get())));
      }
      return current.flatMap(this::requireActive).flatMap(account -> reward.fold(
          () -> Either.<LoyaltyError, SortedMap<String, String>>right(h.details()),
          r -> withVoucher(h.details(), r, hold.member())).map(details -> {
        Books books = new Books(account, program, now);
        // Not the hold's: which of its points in a grace lot are a reversed credit's (pastRefunds)
        // depends on the order it took them, which the ledger does not record.
        Returning rest = pastRefunds(hold.member(), Option.none(), Books.split(h.movements(), captured)._2,
            h.recordedAt(), books);
        List<LotMovement> back = books.unhold(h, rest.back(), id -> reads().entry(id), grace());
        SortedMap<String, String> repaid = repaidBy(books);
        // A statement or history line should say what was bought: the reward named when the hold was taken.
        String reason = h.details().containsKey(REWARD_ID) && h.reason().startsWith(HOLD_FOR_REWARD)
            ? shortened("Reward: " + h.reason().substring(HOLD_FOR_REWARD.length()) + " (captured hold " + hold + ")")
            : h.details().containsKey(PAYMENT_APPLIED)
                ? shortened(PAID + h.details().get(PAYMENT_APPLIED).get() + WITH_POINTS + " (captured hold " + hold + ")")
                : "Captured hold " + hold;
        Entry entry = books.post(returning(books, books.draft(EntryKind.CAPTURE, captured.negated(), now, h.channel(), key,
            reason).withReference(hold).withDetails(details.merge(rest.details()).merge(repaid)), back));
        return single(key, books, settledThenExpired(new LoyaltyEvent.HoldCaptured(entry, books.balance()), books, back,
            rest.settled(), key));
      }));
    }))).map(Loyalty::redemptionOf);
  }

  /**
   * Voids an open hold ({@code RELEASE}, zero points): the held points return to the lots they
   * came from (see {@link ReturnedPoints}), and a reward hold gives back its stock and limit use.
   * An expired hold can still be voided; it held its points until it lapsed, so, as on the daily
   * run's release ({@link #releaseExpiredHolds}), those of a lot that expired after the lapse go back
   * to it without grace. Under {@code CLAMP}, the points it gives back first settle what earlier
   * reversals forgave (ADR 0006): the receipt then also holds a {@code REVERSAL} of each such
   * credit ({@code forgiven.settled}), each published as an {@link LoyaltyEvent.EntryReversed}.
   *
   * @param hold the hold's id, not null
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the receipt, or {@link LoyaltyError.HoldNotFound}, {@link LoyaltyError.HoldAlreadyResolved},
   *     {@link LoyaltyError.InvalidRequest} (a reason that is blank, over 500 characters or has an
   *     unpaired surrogate or a NUL), {@link LoyaltyError.MemberNotActive} (closed) or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> voidHold(EntryId hold, String reason, IdempotencyKey key) {
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
    Option<LoyaltyError> malformed = unstorable("reason", reason);
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    String fingerprint = Fingerprint.of("voidHold").value(hold).text(reason).sha256();
    return executeRequest(key, fingerprint, List.of(hold.member()), now -> readFirst(hold.member(), current -> checkText("reason", reason, MAX_TEXT)
        .flatMap(ok -> statusAllows(current, this::requireOpen))
        .flatMap(ok -> openHold(hold))
        .flatMap(h -> current.flatMap(this::requireOpen).map(account -> {
          Books books = new Books(account, program, now);
          Tally counters = new Tally();
          // A hold that lapsed kept its points from the member until its lapse, not until this void:
          // judged so, the void ends as the daily run's release of it would, whichever comes first.
          Instant heldUntil = h.expiresAt().filter(lapse -> lapse.isBefore(now)).getOrElse(now);
          return single(key, books, release(books, h, reason, key, now, heldUntil, counters))
              .withCounters(counters.changes(reads()));
        }))));
  }

  /**
   * Releases a member's open holds whose expiry is at or before {@code asOf}, one {@code RELEASE}
   * entry each (under {@code CLAMP}, each followed by a {@code REVERSAL} of every credit whose
   * forgiven points the returned ones settle, as on {@link #voidHold}); the daily run calls this for
   * every member with points held. Writes no entry when nothing is due. A hold held its points until
   * it lapsed: those of a lot that expired after that go back to it without grace
   * ({@link ReturnedPoints}), whenever the release comes.
   *
   * @param member the member, not null
   * @param asOf the instant to release as of, not after the clock's instant
   * @param key the idempotency key, not null; not of a shape the library derives for its own work
   *     ({@link IdempotencyKey}; the daily run's {@code hold-timeout:<member>:<instant>} is not one)
   * @return the receipt (no entries when nothing was due), or {@link LoyaltyError.InvalidRequest}
   *     ({@code asOf}, or {@code key} of a shape the library derives),
   *     {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> releaseExpiredHolds(MemberId member, Instant asOf, IdempotencyKey key) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(key, "key");
    String fingerprint = Fingerprint.of("releaseExpiredHolds").value(member).value(asOf).sha256();
    return executeRequest(key, fingerprint, List.of(member), now -> checkSupported("asOf", asOf)
        .flatMap(ok -> checkNotFuture("asOf", asOf, now))
        .flatMap(ok -> readFirst(member, current -> current.map(account -> {
          Books books = new Books(account, program, now);
          Tally counters = new Tally();
          List<LoyaltyEvent> events = List.empty();
          for (Entry h : openHolds(member, account.balance().held())) {
            if (!h.expiresAt().get().isAfter(asOf)) {
              // Its points were kept from the member until it lapsed, not until this release.
              events = events.appendAll(release(books, h, "Hold expired", key, now, h.expiresAt().get(), counters));
            }
          }
          return single(key, books, events).withCounters(counters.changes(reads()));
        }))));
  }

  /**
   * Cancels a redemption — a {@code REDEEM} entry or a captured hold's {@code CAPTURE} — at most
   * once ({@code REVERSAL}): the points go back to the lots they came from (those that expired
   * meanwhile follow {@link ReturnedPoints}; those of a purchase that a refund, or of a credit that a
   * reversal, took from other lots meanwhile go back to those lots, as on a void or a partial
   * capture), and a reward's stock and limit use are given back. Under {@code CLAMP}, the points it
   * gives back first settle what earlier reversals forgave (ADR 0006): the receipt then also holds
   * a {@code REVERSAL} of each such credit ({@code forgiven.settled}), each published as an
   * {@link LoyaltyEvent.EntryReversed}. A payment with points given back in part
   * ({@link #cancelRedemption(EntryId, Money, String, IdempotencyKey)}) is cancelled for the rest:
   * the points and money left, and then its stock and limit use.
   *
   * @param redemption the id of the {@code REDEEM} or {@code CAPTURE} entry, not null
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the receipt, or {@link LoyaltyError.EntryNotFound}, {@link LoyaltyError.NotReversible}
   *     (another kind of entry), {@link LoyaltyError.AlreadyReversed}, {@link LoyaltyError.InvalidRequest}
   *     (a reason that is blank, over 500 characters or has an unpaired surrogate or a NUL),
   *     {@link LoyaltyError.MemberNotActive} (closed), {@link LoyaltyError.BalanceOverflow} or
   *     {@link LoyaltyError.IdempotencyConflict}
   */
  public Either<LoyaltyError, Receipt> cancelRedemption(EntryId redemption, String reason, IdempotencyKey key) {
    return cancel(redemption, Option.none(), reason, key);
  }

  /**
   * Gives back part of a payment with points ({@link #payWithPoints}, or a captured payment hold) when
   * the customer returns goods: the till says how much of the points tender to give back, as money
   * of the payment's currency. The points go back at the payment's own rate (points charged / money
   * applied), rounded down, except that the return that brings the money given back to the whole
   * money applied gives back every point left; so the returns together never give back more points
   * than were charged. Each return writes one {@code REVERSAL} referencing the payment, reasoned "Gave
   * back EUR 6.00 of EUR 20.00 paid with points: " and the reason, recording the money
   * ({@code payment.returned}), and publishes {@link LoyaltyEvent.RedemptionCancelled}. Returns add
   * up; {@link #cancelRedemption(EntryId, String, IdempotencyKey)} after some gives back the rest. The
   * points go back to the lots the payment took them from, in the order it took them, as a whole
   * cancellation's do (those that a refund or reversal of their credit took elsewhere meanwhile go to
   * those lots; those of a lot that expired meanwhile follow {@link ReturnedPoints}); under
   * {@code CLAMP} they first settle what earlier reversals forgave, as on a whole cancellation. The
   * reward's stock and limit use are given back by the return that completes the money.
   *
   * @param redemption the id of the payment's {@code REDEEM} or {@code CAPTURE} entry, not null
   * @param applied the money to give back, not null: positive, in the payment's currency, at most
   *     what the payment has left
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the receipt, or the refusals of {@link #cancelRedemption(EntryId, String, IdempotencyKey)},
   *     {@link LoyaltyError.InvalidRequest} on {@code applied} (money that is not positive, named
   *     right after the reason, before anything about the redemption or its member; or a redemption
   *     that is no payment with points, which is only cancelled whole),
   *     {@link LoyaltyError.CurrencyMismatch} (money in another currency than the payment's) or
   *     {@link LoyaltyError.ReturnExceedsPayment} (more than is left, which it says)
   */
  public Either<LoyaltyError, Receipt> cancelRedemption(EntryId redemption, Money applied, String reason,
      IdempotencyKey key) {
    return cancel(redemption, Option.some(Objects.requireNonNull(applied, "applied")), reason, key);
  }

  /** The detail of a payment's cancellation or partial return: the money it gave back. */
  private static final String PAYMENT_RETURNED = "payment.returned";

  /** Cancels a redemption whole ({@code applied} none) or gives back part of a payment. */
  private Either<LoyaltyError, Receipt> cancel(EntryId redemption, Option<Money> applied, String reason,
      IdempotencyKey key) {
    Objects.requireNonNull(redemption, "redemption");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
    Option<LoyaltyError> malformed = unstorable("reason", reason);
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    // A whole cancellation keeps the fingerprint it always had, so that its records still replay.
    String fingerprint = Fingerprint.of("cancelRedemption").value(redemption).text(reason).sha256();
    if (applied.isDefined()) {
      fingerprint = Fingerprint.of("cancelRedemption").value(redemption).value(applied.get()).text(reason).sha256();
    }
    // Money that is not positive is the request's own fault: named with the reason, before the ledger.
    return executeRequest(key, fingerprint, List.of(redemption.member()), now -> readFirst(redemption.member(), current -> checkText("reason", reason, MAX_TEXT)
        .flatMap(ok -> applied.isEmpty() || applied.get().isPositive() ? Either.<LoyaltyError, Boolean>right(true)
            : invalid("applied", "must be positive, was " + applied.get()))
        .flatMap(ok -> reads().entry(redemption).toEither((LoyaltyError) new LoyaltyError.EntryNotFound(redemption)))
        .flatMap(original -> {
          if (original.kind() != EntryKind.REDEEM && original.kind() != EntryKind.CAPTURE) {
            return Either.left(notReversible(original, current));
          }
          Option<Money> paid = original.details().get(PAYMENT_APPLIED).map(Money::parse);
          List<Entry> reversals = reads().referencing(redemption).filter(e -> e.kind() == EntryKind.REVERSAL);
          Either<LoyaltyError, Return> returnable = returnable(original, paid, applied, reversals, isClosed(current));
          // Its refusals but AlreadyReversed (which tells a closed member the account is final) advise
          // another return (of what is left, of the whole), which a closed account would refuse in turn.
          boolean advisesAReturn = returnable.isLeft() && !(returnable.getLeft() instanceof LoyaltyError.AlreadyReversed);
          return (advisesAReturn ? current.flatMap(this::requireOpen).flatMap(open -> returnable) : returnable)
              .flatMap(step -> current
              .flatMap(this::requireOpen).flatMap(account -> {
                Books books = new Books(account, program, now);
                Points back = step.points();
                if (!books.canCredit(back)) {
                  return Either.left(new LoyaltyError.BalanceOverflow(redemption.member(), books.total(), back));
                }
                Entry spent = original.kind() == EntryKind.REDEEM ? original : reads().entry(original.reference().get()).get();
                // The points of the payment's charge, in the order taken; earlier returns gave back the first ones.
                List<LotMovement> charged = Books.split(spent.movements(), original.points().negated())._1;
                List<LotMovement> slice = Books.split(Books.split(charged, step.returnedBefore())._2, back)._1;
                // Which of the charge's points in a grace lot are a reversed credit's is known for the whole
                // charge only (as on a partial capture): a part gives them back to the grace lot.
                Returning taken = pastRefunds(redemption.member(), step.whole() ? Option.some(redemption) : Option.none(),
                    slice, spent.recordedAt(), books);
                List<LotMovement> returned = books.giveBack(taken.back(), id -> reads().entry(id), grace());
                SortedMap<String, String> repaid = repaidBy(books);
                SortedMap<String, String> moneyBack = step.money().map(m -> TreeMap.of(PAYMENT_RETURNED, m.toString()))
                    .getOrElse(TreeMap.empty());
                String said = step.money().isDefined() && !step.money().equals(paid)
                    ? shortened("Gave back " + step.money().get() + " of " + paid.get() + " paid with points"
                        + ": " + reason)
                    : reason;
                Entry entry = books.post(returning(books, books.draft(EntryKind.REVERSAL, back, now, Channel.system(), key, said)
                    .withReference(redemption).withDetails(original.details().filterKeys(k -> k.startsWith("reward."))
                        .merge(moneyBack).merge(taken.details()).merge(repaid)),
                    returned));
                Tally counters = new Tally();
                if (step.last()) {
                  counters.giveBack(original.details());
                }
                return Either.right(single(key, books,
                    settledThenExpired(new LoyaltyEvent.RedemptionCancelled(entry, books.balance()), books, returned,
                        taken.settled(), key))
                    .withCounters(counters.changes(reads())));
              }));
        })));
  }

  /**
   * One return of a redemption's points: how many, after how many earlier returns gave back, the money
   * (of a payment), whether it gives back the whole redemption at once, and whether it is the last.
   */
  private record Return(Points points, Points returnedBefore, Option<Money> money, boolean whole, boolean last) {}

  /**
   * What a cancellation ({@code applied} none) or a partial return gives back, after the
   * {@code reversals} already written for the redemption; or why it is refused.
   */
  private static Either<LoyaltyError, Return> returnable(Entry original, Option<Money> paid, Option<Money> applied,
      List<Entry> reversals, boolean closed) {
    if (applied.isDefined() && paid.isEmpty()) {
      return advised("applied", "'" + original.id() + "' is no payment with points, and only a payment is given back"
          + " in part: cancel it whole with cancelRedemption(redemption, reason, key)");
    }
    if (applied.isDefined() && !applied.get().getCurrencyUnit().equals(paid.get().getCurrencyUnit())) {
      return Either.left(new LoyaltyError.CurrencyMismatch(paid.get().getCurrencyUnit(), applied.get().getCurrencyUnit()));
    }
    // A cancellation without money given back (of old, or of a redemption that is no payment) took all.
    Option<Entry> whole = reversals.find(e -> paid.isEmpty() || !e.details().containsKey(PAYMENT_RETURNED));
    // Summed over the returns that recorded their money: a whole cancellation of old recorded none.
    Money returnedMoney = paid.map(p -> reversals.flatMap(e -> e.details().get(PAYMENT_RETURNED))
        .foldLeft(Money.zero(p.getCurrencyUnit()), (sum, m) -> sum.plus(Money.parse(m)))).getOrNull();
    if (whole.isDefined() || paid.isDefined() && !returnedMoney.isLessThan(paid.get())) {
      return Either.left(new LoyaltyError.AlreadyReversed(original.id(),
          whole.getOrElse(() -> reversals.maxBy(Entry::sequence).get()).id(), Option.none(), closed));
    }
    Points charged = original.points().negated();
    if (paid.isEmpty()) {
      return Either.right(new Return(charged, Points.ZERO, Option.none(), true, true));
    }
    Money left = paid.get().minus(returnedMoney);
    Money asked = applied.getOrElse(left);
    if (asked.isGreaterThan(left)) {
      return Either.left(new LoyaltyError.ReturnExceedsPayment(original.id(), paid.get(), returnedMoney, asked));
    }
    Points before = Points.of(reversals.map(e -> e.points().value()).sum().longValue());
    boolean last = asked.equals(left);
    // At the payment's own rate, rounded down; the last return gives back every point left.
    Points points = last ? charged.minus(before)
        : Points.of(java.math.BigInteger.valueOf(charged.value()).multiply(asked.getAmountMinor().toBigInteger())
            .divide(paid.get().getAmountMinor().toBigInteger()).longValueExact());
    return Either.right(new Return(points, before, Option.some(asked), last && reversals.isEmpty(), last));
  }

  /** What redeeming or holding a reward costs and reserves. */
  private record Claim(Points cost, List<CounterChange> counters, SortedMap<String, String> details) {}

  /** Counter changes gathered by key, so that one commit changes each counter once. */
  private static final class Tally {
    private final java.util.Map<String, Long> deltas = new java.util.TreeMap<>();

    private void add(String counter, long delta) {
      deltas.merge(counter, delta, Long::sum);
    }

    void giveBack(SortedMap<String, String> details) {
      details.get(STOCK_COUNTER).forEach(c -> add(c, -1));
      details.get(LIMIT_COUNTER).forEach(c -> add(c, -1));
    }

    List<CounterChange> changes(LedgerStore store) {
      return List.ofAll(deltas.entrySet()).filter(d -> d.getValue() != 0).map(d -> {
        long current = store.counter(d.getKey());
        return new CounterChange(d.getKey(), current, Math.max(0, current + d.getValue()));
      });
    }
  }

  /** The reward as offered: its own terms with the tier ladder's reward benefits ({@link LadderBenefits#offered}). */
  private Either<LoyaltyError, Reward> catalogued(RewardId reward) {
    return offered.get(reward).toEither(() -> new LoyaltyError.UnknownReward(reward));
  }

  /**
   * A reward's counters as read once: the same values decide availability and are the expected
   * values of the claim, so a concurrent redemption committed in between makes the claim stale.
   */
  private record Usage(Option<String> stockKey, long stockTaken, Option<String> limitKey, long used) {
    List<CounterChange> claimOne() {
      return stockKey.map(k -> new CounterChange(k, stockTaken, stockTaken + 1)).toList()
          .appendAll(limitKey.map(k -> new CounterChange(k, used, used + 1)));
    }

    SortedMap<String, String> details() {
      SortedMap<String, String> d = TreeMap.empty();
      d = stockKey.isDefined() ? d.put(STOCK_COUNTER, stockKey.get()) : d;
      return limitKey.isDefined() ? d.put(LIMIT_COUNTER, limitKey.get()) : d;
    }
  }

  /**
   * A reward's counters for {@code member} at {@code at}. The stock counter is claimed only while the
   * version in force sets a stock: a reward without one (points as payment at every till) then has no
   * counter that every member's redemption changes (README, "Stock across versions").
   */
  private Usage usage(Reward reward, Member member, Instant at) {
    Option<String> stockKey = reward.stock().map(s -> "reward-stock:" + reward.id());
    Option<String> limitKey = reward.limit().map(l -> "reward-limit:" + reward.id() + ":" + member.id() + ":"
        + l.period().label(LocalDate.ofInstant(at, member.zone())));
    return new Usage(stockKey, stockKey.map(counter -> reads().counter(counter)).getOrElse(0L), limitKey, limitKey.map(counter -> reads().counter(counter)).getOrElse(0L));
  }

  private static List<UnavailableReason> reasonsAgainst(Reward reward, Account account, Channel.Type channel, Instant at,
      Option<String> tier, Usage usage) {
    // Points held by open holds are not available; a member short of points is told how many are held.
    Points held = account.balance().held();
    return reward.reasonsUnavailable(at, channel, tier, account.balance().available(), usage.stockTaken(), usage.used())
        .map(reason -> reason instanceof UnavailableReason.NotEnoughPoints notEnough && held.isPositive()
            ? new UnavailableReason.NotEnoughPoints(notEnough.cost(), notEnough.available(), notEnough.missing(), held)
            : reason);
  }

  /** Checks every condition of a reward and works out its cost (or takes {@code cost}) and counters. */
  private Either<LoyaltyError, Claim> claim(Reward reward, Books books, Channel channel, Instant now, Option<Points> cost) {
    return claim(reward, books, channel, now, cost, false);
  }

  /**
   * As {@link #claim(Reward, Books, Channel, Instant, Option)}; when {@code pointsCheckedByCaller}, a
   * shortage of points alone does not refuse (the caller tells it in its own terms), but it is listed
   * among the reasons of a refusal for any other.
   */
  private Either<LoyaltyError, Claim> claim(Reward reward, Books books, Channel channel, Instant now, Option<Points> cost,
      boolean pointsCheckedByCaller) {
    Account account = books.account();
    Option<String> tier = rewardTierOf(account.memberId(), now);
    Usage usage = usage(reward, account.member(), now);
    List<UnavailableReason> reasons = reasonsAgainst(reward, account, channel.type(), now, tier, usage);
    if (reasons.exists(reason -> !pointsCheckedByCaller || !(reason instanceof UnavailableReason.NotEnoughPoints))) {
      return Either.left(new LoyaltyError.RewardUnavailable(reward.id(), reasons));
    }
    SortedMap<String, String> details = usage.details().put(REWARD_ID, reward.id().value()).put(REWARD_KIND, reward.kind().code());
    return Either.right(new Claim(cost.getOrElse(() -> reward.costFor(tier)), usage.claimOne(), details));
  }

  /**
   * The details with the code a voucher reward's issuer issues; refused if the issuer throws or its
   * code is unusable.
   */
  private static Either<LoyaltyError, SortedMap<String, String>> withVoucher(SortedMap<String, String> details,
      Reward reward, MemberId member) {
    if (!(reward.kind() instanceof RewardKind.Voucher)) {
      return Either.right(details);
    }
    VoucherIssuer issuer = ((RewardKind.Voucher) reward.kind()).issuer();
    String code;
    try {
      code = issuer.issue(reward.id(), member);
    } catch (Throwable e) {
      // The issuer is a plugin: its faults are refused as an earning rule's are, not thrown.
      return Either.left(new LoyaltyError.VoucherIssuerFailed(reward.id(), DailyRun.said(issuer),
          "threw " + DailyRun.pluginFailure(e)));
    }
    String problem = code == null ? "returned no code"
        : code.isBlank() ? "returned a blank code"
        : code.length() > MAX_VOUCHER_CODE ? "returned a code of " + code.length() + " characters, over " + MAX_VOUCHER_CODE
        : Fingerprint.unstorable(code).map(what -> "returned a code with " + what).getOrNull();
    return problem == null ? Either.right(details.put(VOUCHER_CODE, code))
        : Either.left(new LoyaltyError.VoucherIssuerFailed(reward.id(), DailyRun.said(issuer), problem));
  }

  /** Finds a hold that is still open. */
  private Either<LoyaltyError, Entry> openHold(EntryId hold) {
    Option<Entry> entry = reads().entry(hold).filter(e -> e.kind() == EntryKind.HOLD);
    if (entry.isEmpty()) {
      return Either.left(new LoyaltyError.HoldNotFound(hold));
    }
    Option<Entry> resolution = reads().referencing(hold)
        .find(e -> e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE);
    return resolution.isDefined()
        ? Either.left(new LoyaltyError.HoldAlreadyResolved(hold, resolution.get().id(), resolution.get().kind()))
        : Either.right(entry.get());
  }

  /** A member's open holds, newest first: HOLD entries are read back until those found hold all the held points. */
  private List<Entry> openHolds(MemberId member, Points held) {
    return openHolds(member, held, Long.MAX_VALUE);
  }

  /**
   * A member's open holds among the entries up to this sequence, newest first. A read outside a
   * commit bounds them by the account it read the held points from: a hold another till made since
   * would otherwise count towards those points and hide an older open hold.
   */
  private List<Entry> openHolds(MemberId member, Points held, long upTo) {
    List<Entry> open = List.empty();
    Points found = Points.ZERO;
    EntryQuery query = EntryQuery.newest(VERIFY_PAGE).withKinds(io.vavr.collection.HashSet.of(EntryKind.HOLD));
    if (upTo < Long.MAX_VALUE) {
      query = query.before(upTo + 1);
    }
    while (found.isLessThan(held)) {
      List<Entry> page = reads().history(member, query);
      for (Entry h : page) {
        if (openHold(h.id()).isRight()) {
          open = open.append(h);
          found = found.plus(Books.heldBy(h));
        }
      }
      if (page.size() < VERIFY_PAGE) {
        break;
      }
      query = query.before(page.last().sequence());
    }
    return open;
  }

  private List<LoyaltyEvent> release(Books books, Entry hold, String reason, IdempotencyKey key, Instant now,
      Instant heldUntil, Tally counters) {
    Returning held = pastRefunds(hold.member(), Option.some(hold.id()), hold.movements(), hold.recordedAt(), books);
    List<LotMovement> back = books.unhold(hold, held.back(), id -> reads().entry(id), grace(), heldUntil);
    SortedMap<String, String> repaid = repaidBy(books);
    Entry entry = books.post(returning(books, books.draft(EntryKind.RELEASE, Points.ZERO, now, Channel.system(), key, reason)
        .withReference(hold.id()).withDetails(hold.details().filterKeys(k -> k.startsWith("reward.")).merge(held.details())
            .merge(repaid)), back));
    counters.giveBack(hold.details());
    return settledThenExpired(new LoyaltyEvent.HoldReleased(entry, books.balance()), books, back, held.settled(), key);
  }

  private Option<Duration> grace() {
    return program.rewards().returnedPoints().grace();
  }

  /**
   * The detail of an entry giving points back: how many of a reversed credit's lot (a refunded
   * award's, or a credit reversed by hand) went to other lots.
   */
  private static final String REFUND_RETURNED = "refund.returned.";

  /**
   * The points to give back of those a redemption or hold took ({@code taken}), after reversals of
   * the credits they came from: refunds, and reversals by hand. A reversal takes a credit's points
   * from its own lot first, and from other lots what that lot no longer has because they were spent
   * or held. When those points come back, as many as a reversal took elsewhere for them go back to
   * the lots it took them from, not to the credit's lot: it was reversed, and its points would
   * otherwise come back to life, and expire with it, taking points the member kept; so do those
   * owed to the credits that repaid what it overdrew ({@link #toRepayers}). The rest go back to
   * their lots as before, first of all: a deficit of {@code books} (one a reversal overdrew under
   * {@code ALLOW_NEGATIVE}) is repaid by the points given back first ({@link Books#restore}), and it
   * should be these that repay it, not points of other lots. The details record per reversed
   * lot how many went elsewhere ({@code refund.returned.<lot>}), so that a later return, or one
   * {@code books} already wrote in this request, does not move them again. A chain is followed:
   * points moved to a lot whose own credit was reversed since (its reversal took as many from yet
   * another lot) move on in the same way, after the points taken, so that no reversed credit's lot
   * gets points back for which its reversal took others. Each movement comes with when its points
   * were taken ({@code takenAt}, or when the reversal took those it moved to), from which {@link
   * Books#giveBack} judges whether its lot expired since. Points of a reversed credit that the debit
   * took from a grace lot they were given back to ({@code debit}, whose points all come back; {@link
   * IssuedPoints#takenFromGraceLots}) are its points too: as many as its reversals took elsewhere go
   * to those lots in the same way; the rest go back to the grace lot. Of the points that reach a
   * reversed credit's lot (or its points' grace lot), as many as its reversals forgave under {@code
   * CLAMP} and returns have not settled yet ({@link #forgivenOf}) are owed: they go back to that
   * lot itself, first (without grace), and are listed as {@code settled}, for the request to take
   * them back ({@link #settle}), as a deficit under {@code ALLOW_NEGATIVE} is repaid.
   */
  private Returning pastRefunds(MemberId member, Option<EntryId> debit, List<LotMovement> taken, Instant takenAt,
      Books books) {
    List<Books.Taken> toReversedLots = List.empty();
    List<Books.Taken> back = List.empty();
    List<Books.Taken> settling = List.empty();
    List<Settlement> settled = List.empty();
    // Per reversed credit, what its reversals forgave and no return has settled, less what this one settles.
    Lazy<java.util.Map<EntryId, Long>> forgiven = Lazy.of(() -> forgivenOf(member, books));
    SortedMap<String, String> details = TreeMap.empty();
    long owedLeft = books.deficit().value();
    java.util.ArrayDeque<Books.Taken> toPlace = new java.util.ArrayDeque<>(taken.map(m -> new Books.Taken(m, takenAt)).asJava());
    // Per grace lot and credit, the credit's points the debit took there and not yet placed.
    Lazy<java.util.Map<EntryId, java.util.Map<EntryId, Long>>> inGrace = Lazy.of(() -> takenFromGraceLots(member, debit));
    int debitsLeft = taken.size();
    while (!toPlace.isEmpty()) {
      Books.Taken t = toPlace.poll();
      boolean debits = debitsLeft-- > 0;
      LotMovement m = t.movement();
      List<Entry> refunds = reads().referencing(m.lot()).filter(Loyalty::takesBackACredit);
      if (refunds.isEmpty()) {
        long kept = -m.points().value();
        // The debit's own movements come off the queue first; those queued after them are moved points.
        if (debits && debit.isDefined() && reads().entry(m.lot()).exists(e -> GIVES_BACK.contains(e.kind()))) {
          // A grace lot: its points of reversed credits, credit by credit, go where their reversals took others.
          for (java.util.Map.Entry<EntryId, Long> credit : inGrace.get().getOrDefault(m.lot(), java.util.Map.of()).entrySet()) {
            long part = Math.min(kept, credit.getValue());
            credit.setValue(credit.getValue() - part);
            io.vavr.Tuple2<Long, SortedMap<String, String>> moved = moveInPlace(member, credit.getKey(),
                reads().referencing(credit.getKey()).filter(Loyalty::takesBackACredit), part, books, details, toPlace);
            details = moved._2;
            kept -= moved._1;
            // The credit's points that stay in the grace lot settle what its reversals forgave there.
            long owed = owe(forgiven, credit.getKey(), part - moved._1);
            if (owed > 0) {
              settled = settled.append(new Settlement(credit.getKey(), m.lot(), owed));
            }
          }
        } else if (kept > 0) {
          // A reversal that took none of the lot's points (all forgiven) is not listed among refunds.
          long owed = owe(forgiven, m.lot(), kept);
          if (owed > 0) {
            settling = settling.append(new Books.Taken(new LotMovement(m.lot(), Points.of(-owed)), t.at(), true));
            settled = settled.append(new Settlement(m.lot(), m.lot(), owed));
            kept -= owed;
          }
        }
        if (kept > 0) {
          back = back.append(new Books.Taken(new LotMovement(m.lot(), Points.of(-kept)), t.at()));
        }
        continue;
      }
      long took = m.points().negated().value();
      io.vavr.Tuple2<Long, SortedMap<String, String>> moved = moveInPlace(member, m.lot(), refunds, took, books, details,
          toPlace);
      details = moved._2;
      long left = took - moved._1;
      if (left > 0) {
        // What the reversals overdrew (ALLOW_NEGATIVE) and later credits repaid: those credits' points.
        io.vavr.Tuple2<List<Books.Taken>, SortedMap<String, String>> repaid = toRepayers(member,
            refunds.map(Entry::sequence).min().get(), left, books, details);
        long repaidPoints = repaid._1.map(r -> r.movement().points().negated().value()).sum().longValue();
        repaid._1.forEach(toPlace::add);
        details = repaid._2;
        if (repaidPoints > 0) {
          details = details.put(REFUND_DEFICIT + m.lot(), Long.toString(detail(details, REFUND_DEFICIT + m.lot()) + repaidPoints));
        }
        left -= repaidPoints;
      }
      // Those left repay the deficit. Not before: a lot further down a chain (a repayer reversed
      // since) would find the deficit its reversal overdrew repaid and get the points back itself.
      long owed = Math.min(left, owedLeft);
      owedLeft -= owed;
      left -= owed;
      if (owed > 0) {
        // First of all, and not into a grace lot if the credit's lot expired: they are not the member's.
        toReversedLots = toReversedLots.prepend(new Books.Taken(new LotMovement(m.lot(), Points.of(-owed)), t.at(), true));
      }
      long forgave = owe(forgiven, m.lot(), left);
      if (forgave > 0) {
        settling = settling.append(new Books.Taken(new LotMovement(m.lot(), Points.of(-forgave)), t.at(), true));
        settled = settled.append(new Settlement(m.lot(), m.lot(), forgave));
        left -= forgave;
      }
      if (left > 0) {
        toReversedLots = toReversedLots.append(new Books.Taken(new LotMovement(m.lot(), Points.of(-left)), t.at()));
      }
    }
    // The points repaying a deficit first (Books.restore), then those settling what was forgiven.
    return new Returning(toReversedLots.filter(Books.Taken::repays).appendAll(settling)
        .appendAll(toReversedLots.filter(r -> !r.repays())).appendAll(back), details, settled);
  }

  /**
   * What a return gives back ({@link #pastRefunds}): the points taken, to give back in this order;
   * the details of the returning entry; and the points of reversed credits that settle what their
   * reversals forgave, which the request takes back after the returning entry ({@link #settle}).
   */
  private record Returning(List<Books.Taken> back, SortedMap<String, String> details, List<Settlement> settled) {}

  /**
   * Points of a reversed credit ({@code credit}) that a return gave back to a lot ({@code lot}: the
   * credit's, or a grace lot its points were given back to) and that settle what the credit's
   * reversals forgave.
   */
  private record Settlement(EntryId credit, EntryId lot, long points) {}

  /**
   * The detail of a credit's {@code REVERSAL} written after a return: how many of the points given
   * back settle what the credit's reversals forgave under {@code CLAMP} ({@code shortfall}: points
   * spent, which a later return gave back).
   */
  static final String FORGIVEN_SETTLED = "forgiven.settled";

  /**
   * Of {@code points} of a credit's coming back, those that settle what its reversals forgave and
   * no return settled yet; counted in {@code forgiven} (per credit, what is left to settle).
   */
  private static long owe(Lazy<java.util.Map<EntryId, Long>> forgiven, EntryId credit, long points) {
    long left = points <= 0 ? 0 : forgiven.get().getOrDefault(credit, 0L);
    long owed = Math.min(points, left);
    if (owed > 0) {
      forgiven.get().put(credit, left - owed);
    }
    return owed;
  }

  /**
   * Per credit of the member whose reversals forgave points under {@code CLAMP} (their {@code
   * shortfall}: points spent), what no return has settled yet ({@link #FORGIVEN_SETTLED}), stored or
   * written by this request; in the order of the reversals that forgave them, oldest first.
   */
  private java.util.Map<EntryId, Long> forgivenOf(MemberId member, Books books) {
    List<Entry> reversals = books.written().filter(e -> e.kind() == EntryKind.REVERSAL)
        .appendAll(books.storedReversals(() -> tierFacts.forgiving(books.opened()).map(List::ofAll)
            .getOrElse(() -> storedReversals(member))));
    java.util.Map<EntryId, Long> owed = new java.util.LinkedHashMap<>();
    reversals.filter(e -> e.details().containsKey(SHORTFALL) && e.reference().isDefined()).sortBy(Entry::sequence)
        .forEach(e -> owed.merge(e.reference().get(), detail(e, SHORTFALL), Long::sum));
    reversals.filter(e -> e.details().containsKey(FORGIVEN_SETTLED) && e.reference().isDefined())
        .forEach(e -> owed.computeIfPresent(e.reference().get(), (credit, points) -> points - detail(e, FORGIVEN_SETTLED)));
    owed.values().removeIf(points -> points <= 0);
    return owed;
  }

  /** The member's stored {@code REVERSAL} entries, newest first, page by page. */
  private List<Entry> storedReversals(MemberId member) {
    EntryQuery query = EntryQuery.newest(VERIFY_PAGE).withKinds(HashSet.of(EntryKind.REVERSAL));
    List<Entry> reversals = List.empty();
    while (true) {
      List<Entry> page = reads().history(member, query);
      reversals = reversals.appendAll(page);
      if (page.size() < VERIFY_PAGE) {
        return reversals;
      }
      query = query.before(page.last().sequence());
    }
  }

  /**
   * Takes back, after an entry that gave points back ({@code returned}), the points that settle what
   * reversals forgave under {@code CLAMP}, as a deficit under {@code ALLOW_NEGATIVE} is repaid out of
   * them: first the forgiving credits' own points ({@code own}, from the lot they went back to,
   * recorded as {@link #GRACE_TAKEN} for a grace lot), then, for what the member's reversals still
   * forgive, oldest first, the other points given back, in order (in place of the credit's, as its
   * reversal would have taken them had they been there). One {@code REVERSAL} per credit and step,
   * referencing the credit. Returns the events and, per lot, the points taken.
   */
  private io.vavr.Tuple2<List<LoyaltyEvent>, java.util.Map<EntryId, Long>> settle(Books books, List<Settlement> own,
      List<LotMovement> returned, IdempotencyKey key) {
    List<LoyaltyEvent> events = List.empty();
    java.util.Map<EntryId, Long> taken = new java.util.HashMap<>();
    for (Settlement s : own) {
      List<LotMovement> took = books.takeFromLot(s.lot(), Points.of(s.points())).toList();
      events = events.appendAll(settlement(books, s.credit(), took, !s.lot().equals(s.credit()), key));
      took.forEach(m -> taken.merge(m.lot(), m.points().negated().value(), Long::sum));
    }
    java.util.Map<EntryId, Long> owed = own.isEmpty() && returned.isEmpty() ? java.util.Map.of()
        : forgivenOf(books.member().id(), books);
    // The points given back that are still there, per lot in the order given back.
    java.util.Map<EntryId, Long> pool = new java.util.LinkedHashMap<>();
    returned.forEach(m -> pool.merge(m.lot(), m.points().value(), Long::sum));
    taken.forEach((lot, points) -> pool.computeIfPresent(lot, (l, there) -> there - points));
    for (java.util.Map.Entry<EntryId, Long> credit : owed.entrySet()) {
      long left = credit.getValue();
      List<LotMovement> took = List.empty();
      for (java.util.Map.Entry<EntryId, Long> there : pool.entrySet()) {
        Option<LotMovement> part = left <= 0 || there.getValue() <= 0 ? Option.none()
            : books.takeFromLot(there.getKey(), Points.of(Math.min(left, there.getValue())));
        for (LotMovement m : part) {
          long n = m.points().negated().value();
          took = took.append(m);
          left -= n;
          there.setValue(there.getValue() - n);
          taken.merge(m.lot(), n, Long::sum);
        }
      }
      events = events.appendAll(settlement(books, credit.getKey(), took, false, key));
    }
    return io.vavr.Tuple.of(events, taken);
  }

  /** Posts the {@code REVERSAL} of a credit that settles what its reversals forgave out of points given back. */
  private List<LoyaltyEvent> settlement(Books books, EntryId credit, List<LotMovement> took, boolean ownInGrace,
      IdempotencyKey key) {
    if (took.isEmpty()) {
      return List.empty();
    }
    Points points = took.map(LotMovement::points).foldLeft(Points.ZERO, Points::plus);
    // No qualifying activity: the reversal that forgave the points took the credit's back already, and
    // a reversal without the keys reads as taking back all the credit's activity (tiers, RFM).
    SortedMap<String, String> details = TreeMap.of(FORGIVEN_SETTLED, points.negated().toString(),
        QualifyingActivity.POINTS, "0", QualifyingActivity.SPEND, "0", QualifyingActivity.VISIT, "0");
    if (ownInGrace) {
      details = details.put(GRACE_TAKEN + took.head().lot(), points.negated().toString());
    }
    // Named as the credit's own line reads: a statement shows no entry ids.
    String of = reads().entry(credit).map(Entry::reason).getOrElse(credit::toString);
    Entry entry = books.post(books.draft(EntryKind.REVERSAL, points, books.written().last().occurredAt(),
        Channel.system(), key, shortened("Points of \"" + of + "\" that were spent when they were taken back, settled as"
            + " points came back")).withReference(credit).withMovements(took).withDetails(details));
    return List.of(new LoyaltyEvent.EntryReversed(entry, books.balance()));
  }

  /**
   * The events of an entry that gave points back ({@code returned}): its own, then those of the
   * entries settling what reversals forgave ({@link #settle}), then, under {@link
   * ReturnedPoints#expireAtOnce()}, that of the {@code EXPIRE} entry for the rest of the points
   * returned to expired lots ({@link #expireAtOnce}).
   */
  private List<LoyaltyEvent> settledThenExpired(LoyaltyEvent returning, Books books, List<LotMovement> returned,
      List<Settlement> settled, IdempotencyKey key) {
    io.vavr.Tuple2<List<LoyaltyEvent>, java.util.Map<EntryId, Long>> settlements = settle(books, settled, returned, key);
    List<LotMovement> left = List.empty();
    for (LotMovement m : returned) {
      long away = Math.min(m.points().value(), settlements._2.getOrDefault(m.lot(), 0L));
      settlements._2.merge(m.lot(), -away, Long::sum);
      if (m.points().value() > away) {
        left = left.append(new LotMovement(m.lot(), Points.of(m.points().value() - away)));
      }
    }
    List<LoyaltyEvent> events = expireAtOnce(returning, books, left, key);
    return events.take(1).appendAll(settlements._1).appendAll(events.drop(1));
  }

  /**
   * Of {@code points} of a credit ({@code lot}) coming back, as many as its reversals ({@code refunds})
   * took from other lots in their place, after those earlier returns moved there: queued for those
   * lots ({@code toPlace}) and counted in the details ({@code refund.returned.<lot>}). Returns how
   * many, and the details.
   */
  private io.vavr.Tuple2<Long, SortedMap<String, String>> moveInPlace(MemberId member, EntryId lot, List<Entry> refunds,
      long points, Books books, SortedMap<String, String> details, java.util.Queue<Books.Taken> toPlace) {
    List<Books.Taken> elsewhere = refunds.flatMap(e -> inPlaceOf(e, lot));
    long substituted = elsewhere.map(o -> o.movement().points().negated().value()).sum().longValue();
    long before = substituted == 0 ? 0
        : returnedElsewhere(member, lot, refunds.map(Entry::sequence).min().get(), books.written())
            + detail(details, REFUND_RETURNED + lot);
    long moved = Math.max(0, Math.min(points, substituted - before));
    if (moved == 0) {
      return io.vavr.Tuple.of(0L, details);
    }
    // The points the refunds took elsewhere after those moved by earlier returns.
    Books.Taken.between(elsewhere, before, before + moved).forEach(toPlace::add);
    return io.vavr.Tuple.of(moved,
        details.put(REFUND_RETURNED + lot, Long.toString(detail(details, REFUND_RETURNED + lot) + moved)));
  }

  /**
   * Per grace lot, the points of each credit (in ledger order) that a debit took there and has not
   * given back ({@link IssuedPoints#takenFromGraceLots}); none without a debit.
   */
  private java.util.Map<EntryId, java.util.Map<EntryId, Long>> takenFromGraceLots(MemberId member, Option<EntryId> debit) {
    java.util.Map<EntryId, java.util.Map<EntryId, Long>> byLot = new java.util.HashMap<>();
    if (debit.isDefined()) {
      issuedPoints(member).get().forEach((credit, issued) -> issued.takenFromGraceLots().get(debit.get())
          .forEach(lots -> lots.forEach((lot, points) -> byLot.computeIfAbsent(lot, l -> new java.util.TreeMap<>())
              .put(credit, points.value()))));
    }
    return byLot;
  }

  /**
   * The detail of an entry giving points back: how many of a reversed credit's lot went to the lots
   * of later credits that repaid the deficit its reversal overdrew ({@link #toRepayers}).
   */
  private static final String REFUND_DEFICIT = "refund.deficit.";

  /**
   * The detail of an entry giving points back: how many went to the lot of a credit that repaid a
   * deficit (the lot's id follows), so that no later return gives it more than it repaid.
   */
  private static final String DEFICIT_RETURNED = "deficit.returned.";

  /**
   * The detail of an entry giving points back: how many of the points it gave back for a lot (the
   * lot's id follows) repaid a deficit instead ({@link Books#lastRepaid}), so that the lot can get
   * them back when the points of the reversal that overdrew the deficit come back ({@link #toRepayers}).
   */
  private static final String DEFICIT_REPAID = "deficit.repaid.";

  /** The kinds of entry that give points back to lots, and so write the details above. */
  private static final io.vavr.collection.Set<EntryKind> GIVES_BACK =
      HashSet.of(EntryKind.REVERSAL, EntryKind.RELEASE, EntryKind.CAPTURE);

  /**
   * Up to {@code points} returned for a reversed credit's lot that no other lot gave in their place:
   * its reversal overdrew them (ALLOW_NEGATIVE), and since then ({@code since}, its first reversal)
   * credits repaid that deficit out of their points, which their lots never got (ADR 0003), or
   * returns out of points they gave back ({@code deficit.repaid.<lot>}). The points go to those lots,
   * in the order they repaid, each up to what it repaid less what returns gave it
   * ({@code deficit.returned.<lot>}) beyond what it repaid of earlier deficits, with the instant it
   * repaid. A deficit repaid by vesting leaves them with the reversed lot, as before.
   */
  private io.vavr.Tuple2<List<Books.Taken>, SortedMap<String, String>> toRepayers(MemberId member, long since, long points,
      Books books, SortedMap<String, String> details) {
    List<Entry> later = entriesBetween(member, since + 1, Long.MAX_VALUE);
    // Per lot that repaid, in the order they first did: how much, from which entry, and when.
    java.util.Map<EntryId, io.vavr.Tuple3<Long, Long, Instant>> repaid = new java.util.LinkedHashMap<>();
    for (Entry e : later.appendAll(books.written())) {
      repaidIn(e).forEach(r -> repaid.merge(r._1, io.vavr.Tuple.of(r._2, e.sequence(), e.recordedAt()),
          (was, more) -> was.update1(was._1 + more._1)));
    }
    // A lot may also have repaid earlier deficits (before since): the points given back to it so far,
    // here or since, go to those first, so that it gets back all it repaid, of this deficit as well.
    java.util.Map<EntryId, Long> before = repaidBefore(member, repaid.keySet(), since);
    List<Books.Taken> to = List.empty();
    SortedMap<String, String> d = details;
    long left = points;
    for (java.util.Map.Entry<EntryId, io.vavr.Tuple3<Long, Long, Instant>> r : repaid.entrySet()) {
      if (left == 0) {
        break;
      }
      String key = DEFICIT_RETURNED + r.getKey();
      long returned = movedSince(member, key, r.getKey().sequence(), books.written()) + detail(d, key);
      long room = r.getValue()._1 - Math.max(0, returned - before.getOrDefault(r.getKey(), 0L));
      long give = Math.min(left, room);
      if (give > 0) {
        to = to.append(new Books.Taken(new LotMovement(r.getKey(), Points.of(-give)), r.getValue()._3));
        d = d.put(key, Long.toString(detail(d, key) + give));
        left -= give;
      }
    }
    return io.vavr.Tuple.of(to, d);
  }

  /**
   * What an entry repaid of a deficit, per lot whose points repaid it: a credit's that its lot never
   * got (ADR 0003), and a return's that it gave a deficit instead of their lot ({@code deficit.repaid.<lot>}).
   */
  private static List<io.vavr.Tuple2<EntryId, Long>> repaidIn(Entry e) {
    List<io.vavr.Tuple2<EntryId, Long>> repaid = List.empty();
    if (e.kind().createsLot() && e.points().isPositive() && !e.vestsAt().exists(v -> v.isAfter(e.recordedAt()))
        && kept(e) < e.points().value()) {
      repaid = repaid.append(io.vavr.Tuple.of(e.id(), e.points().value() - kept(e)));
    }
    // Only the entries that give points back write it (repaidBy): a credit's facts are the application's.
    return GIVES_BACK.contains(e.kind())
        ? repaid.appendAll(e.details().keySet().filter(k -> k.startsWith(DEFICIT_REPAID)).toList()
            .map(k -> io.vavr.Tuple.of(EntryId.parse(k.substring(DEFICIT_REPAID.length())), detail(e.details(), k))))
        : repaid;
  }

  /**
   * What each of some lots repaid of deficits up to an entry ({@code since}, inclusive), reading the
   * entries from the oldest lot's on.
   */
  private java.util.Map<EntryId, Long> repaidBefore(MemberId member, java.util.Set<EntryId> lots, long since) {
    java.util.Map<EntryId, Long> before = new java.util.HashMap<>();
    long from = lots.stream().mapToLong(EntryId::sequence).min().orElse(since + 1);
    entriesBetween(member, from, since)
        .forEach(e -> repaidIn(e).filter(r -> lots.contains(r._1)).forEach(r -> before.merge(r._1, r._2, Long::sum)));
    return before;
  }

  /** The member's entries from sequence {@code from} to {@code to} (inclusive), in ledger order, read a page at a time. */
  private List<Entry> entriesBetween(MemberId member, long from, long to) {
    List<Entry> entries = List.empty();
    for (long next = from; next <= to; ) {
      int limit = (int) Math.min(VERIFY_PAGE, to - next + 1);
      List<Entry> page = reads().entries(member, next, limit);
      entries = entries.appendAll(page);
      if (page.size() < limit) {
        break;
      }
      next += page.size();
    }
    return entries;
  }

  /**
   * The details recording which lots' points the return just given back ({@link Books#lastRepaid})
   * repaid a deficit with, except the lots of reversed credits: their points repay what their
   * reversal overdrew, and are not theirs to get back.
   */
  private SortedMap<String, String> repaidBy(Books books) {
    SortedMap<String, String> details = TreeMap.empty();
    for (LotMovement m : books.lastRepaid()) {
      if (reads().referencing(m.lot()).find(Loyalty::takesBackACredit).isEmpty()) {
        details = details.put(DEFICIT_REPAID + m.lot(), Long.toString(detail(details, DEFICIT_REPAID + m.lot()) + m.points().value()));
      }
    }
    return details;
  }

  /** The points a credit put in its own lot: less than its points when it repaid a deficit. */
  private static long kept(Entry credit) {
    return credit.movements().filter(m -> m.lot().equals(credit.id())).map(m -> m.points().value()).sum().longValue();
  }

  /**
   * Whether an entry took back points of the credit it references (whose lot has the credit's id):
   * a refund's {@code REVERSAL}, or a reversal of the credit by hand. Other reversals give points
   * back.
   */
  private static boolean takesBackACredit(Entry e) {
    return e.kind() == EntryKind.REVERSAL && e.points().isNegative();
  }

  /**
   * The points of a reversed credit's lot that entries since its first reversal gave back to other
   * lots: those stored, and those of the request being planned ({@code written}, such as the other
   * releases of one {@link #releaseExpiredHolds}).
   */
  private long returnedElsewhere(MemberId member, EntryId lot, long since, List<Entry> written) {
    return movedSince(member, REFUND_RETURNED + lot, since, written);
  }

  /**
   * The sum of a detail ({@code key}) over the entries giving points back since an entry
   * ({@code since}): those stored, and those of the request being planned ({@code written}).
   */
  private long movedSince(MemberId member, String key, long since, List<Entry> written) {
    long moved = written.map(e -> detail(e.details(), key)).sum().longValue();
    EntryQuery query = EntryQuery.newest(VERIFY_PAGE)
        .withKinds(GIVES_BACK);
    while (true) {
      List<Entry> page = reads().history(member, query);
      for (Entry e : page) {
        if (e.sequence() < since) {
          return moved;
        }
        moved += detail(e.details(), key);
      }
      if (page.size() < VERIFY_PAGE) {
        return moved;
      }
      query = query.before(page.last().sequence());
    }
  }

  private static long detail(SortedMap<String, String> details, String key) {
    return Long.parseLong(details.get(key).getOrElse("0"));
  }

  /** Gives the entry that returns points the terms of the grace lot it creates, if it creates one. */
  private EntryDraft returning(Books books, EntryDraft draft, List<LotMovement> returned) {
    return returned.exists(m -> m.lot().equals(draft.id()))
        ? draft.withMovements(returned).withLotTerms(Option.some(books.graceEnd(grace().get())), Option.none())
        : draft.withMovements(returned);
  }

  /**
   * The event of an entry that returned points followed, under {@link ReturnedPoints#expireAtOnce()},
   * by that of the {@code EXPIRE} entry for the points it returned to expired lots.
   */
  private List<LoyaltyEvent> expireAtOnce(LoyaltyEvent returning, Books books, List<LotMovement> returned, IdempotencyKey key) {
    List<LotMovement> expired = grace().isDefined() ? List.empty() : books.expireReturned(returned);
    if (expired.isEmpty()) {
      return List.of(returning);
    }
    Points points = expired.map(LotMovement::points).foldLeft(Points.ZERO, Points::plus);
    Entry entry = books.post(books.draft(EntryKind.EXPIRE, points, books.written().last().occurredAt(),
        Channel.system(), key, "Returned points of an expired lot").withMovements(expired));
    return List.of(returning, new LoyaltyEvent.PointsExpired(entry, books.balance()));
  }

  private static Redemption redemptionOf(Receipt receipt) {
    Entry spent = receipt.entries().find(e -> e.kind() == EntryKind.REDEEM || e.kind() == EntryKind.CAPTURE).get();
    return new Redemption(spent.id(), receipt, spent.details().get(REWARD_ID).map(RewardId::of),
        spent.points().negated(), spent.details().get(VOUCHER_CODE),
        spent.details().get(PAYMENT_APPLIED).map(Money::parse));
  }

  // ---------------------------------------------------------------- insights and privacy

  /**
   * Builds a member's points statement: the balance before {@code from}, every entry recorded in
   * {@code [from, to)} with its plain-language reason and earning breakdown, the balance at
   * {@code to}, the live points expiring within {@code expiringWithin} after {@code to}, and tier
   * progress when the program has a ladder and the member is not closed (see {@link Statement}). The ledger is read as {@link #balanceAsOf} reads it, so
   * the opening and closing balances are its balances just before {@code from} and {@code to}, and
   * when nodes' clocks disagree the lines include the entries the ledger committed before one
   * recorded in the period (see {@link Insights#statement}).
   *
   * @param member the member, not null
   * @param from the start of the period, inclusive, not null; within years 1 to 9999
   * @param to the end of the period, exclusive, not null; within years 1 to 9999 (a later one, such
   *     as {@link Instant#MAX}, is refused: it has no date to show in every zone)
   * @param expiringWithin how far after {@code to} expiring points are listed, not null, not
   *     negative; any length is accepted: a window reaching past {@link Instant#MAX} ends there, so
   *     that every point still to expire is listed (e.g. {@code Duration.ofSeconds(Long.MAX_VALUE)})
   * @return the statement, or {@link LoyaltyError.UnknownMember} or {@link LoyaltyError.InvalidRequest}
   *     (an empty period, a negative window, {@code from} or {@code to} outside years 1 to 9999)
   */
  public Either<LoyaltyError, Statement> statement(MemberId member, Instant from, Instant to, Duration expiringWithin) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(expiringWithin, "expiringWithin");
    Either<LoyaltyError, Boolean> supported = checkSupported("from", from).flatMap(ok -> checkSupported("to", to));
    if (supported.isLeft()) {
      return Either.left(supported.getLeft());
    }
    if (!from.isBefore(to)) {
      return invalid("to", "must be after from (" + from + "), was " + to);
    }
    if (expiringWithin.isNegative()) {
      return invalid("expiringWithin", "must not be negative, was " + expiringWithin);
    }
    return load(member).flatMap(account -> insights.statement(member, from, to, expiringWithin,
        tierProgress(member).toOption()).toEither(() -> new LoyaltyError.UnknownMember(member)));
  }

  /**
   * Computes the programme's liability as of an instant: outstanding points (live lots and open
   * holds) valued at a redemption rate, split by expiry bucket and by tier. Reads members page by
   * page; costs time in proportion to the whole ledger.
   *
   * @param asOf the instant (the entries up to the last one recorded at or before it count, as
   *     {@code balanceAsOf} reads the ledger), not null
   * @param zone the zone in which days until expiry are counted, not null
   * @param rate what points are worth, not null
   * @return the liability, or {@link LoyaltyError.CurrencyMismatch} if the rate is not in the program's currency,
   *     or {@link LoyaltyError.InvalidRequest} if {@code asOf} is outside years 1 to 9999
   * @throws IllegalStateException if the store does not implement {@link MemberDirectory}
   * @throws ArithmeticException if the outstanding points, or those of a bucket or a tier, exceed
   *     {@link Long#MAX_VALUE} (members holding close to that many points each): a total is never
   *     reported wrapped around
   */
  public Either<LoyaltyError, Liability> liability(Instant asOf, ZoneId zone, RedemptionRate rate) {
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(rate, "rate");
    if (!rate.value().getCurrencyUnit().equals(program.currency())) {
      return Either.left(new LoyaltyError.CurrencyMismatch(program.currency(), rate.value().getCurrencyUnit()));
    }
    return SupportedInstants.check("asOf", asOf).map(ok -> insights.liability(asOf, zone, rate));
  }

  /**
   * Computes breakage per cohort month as of an instant: for the points credited in each month (in
   * {@code zone}), how many were redeemed, expired, otherwise taken back, or are still outstanding.
   *
   * @param asOf the instant (the entries up to the last one recorded at or before it count, as
   *     {@code balanceAsOf} reads the ledger), not null
   * @param zone the zone that decides a credit's month, not null
   * @return the breakage report
   * @throws IllegalStateException if the store does not implement {@link MemberDirectory}
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999
   * @throws ArithmeticException if a cohort's issued, redeemed, expired, other or outstanding points
   *     exceed {@link Long#MAX_VALUE}: a total is never reported wrapped around
   */
  public Breakage breakage(Instant asOf, ZoneId zone) {
    SupportedInstants.require("asOf", Objects.requireNonNull(asOf, "asOf"));
    return insights.breakage(asOf, zone);
  }

  /**
   * Builds an RFM model of the programme's purchasing members as of an instant (see
   * {@link RfmModel}); it is also a {@link SegmentResolver} for segment-targeted promotions, which
   * puts members without marketing consent ({@link #consentOf}) in no segment (as the facade does
   * with any resolver).
   *
   * @param asOf the instant, not null
   * @param zone the zone in which days and months are counted, not null
   * @return the model
   * @throws IllegalStateException if the store does not implement {@link MemberDirectory}
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999
   * @throws ArithmeticException if a member's spend (in minor units) or number of purchases is beyond
   *     {@link Long#MAX_VALUE} (possible only on a program without a tier ladder, which bounds no
   *     member's qualifying spend): a figure is never reported wrapped around
   */
  public RfmModel rfm(Instant asOf, ZoneId zone) {
    SupportedInstants.require("asOf", Objects.requireNonNull(asOf, "asOf"));
    // By the account: an erased member whose profile deletion failed still has a profile (see consent).
    return insights.rfm(asOf, zone,
        m -> reads().account(m).map(account -> consent(m, account)).getOrElse(Consent.NOT_RECORDED).marketing());
  }

  /**
   * Computes retention by enrolment cohort as of an instant (see {@link Retention}).
   *
   * @param asOf the instant, not null
   * @param zone the zone that decides months, not null
   * @return the cohorts, oldest first
   * @throws IllegalStateException if the store does not implement {@link MemberDirectory}
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999
   */
  public Retention retention(Instant asOf, ZoneId zone) {
    SupportedInstants.require("asOf", Objects.requireNonNull(asOf, "asOf"));
    return insights.retention(asOf, zone);
  }

  /**
   * Stores a member's personal data and consent (see {@link MemberProfile}), replacing any earlier
   * profile. Profiles are kept apart from the ledger so that they can be erased.
   *
   * @param profile the profile, not null
   * @return the stored profile, or {@link LoyaltyError.InvalidRequest} (a field with an unpaired
   *     UTF-16 surrogate or a NUL, or a name, contact, external system name or external id of more
   *     than {@value #MAX_TEXT} characters), {@link LoyaltyError.UnknownMember} or
   *     {@link LoyaltyError.MemberNotActive} (a closed or erased member), or
   *     {@link LoyaltyError.ConcurrentModification} when concurrent writers of the profile kept the
   *     store from saving it ({@link ConcurrentWriteException}; nothing was written: save it again),
   *     or from deleting it when the member was erased meanwhile (the same save sent again is refused
   *     with {@link LoyaltyError.MemberNotActive} and deletes a profile the erased member may not
   *     keep). A save that finds the member closed (not erased) meanwhile puts back the profile
   *     stored before and is refused; if concurrent writers keep the store from undoing it, the save
   *     stays and is answered as accepted, as if made before the closing, which keeps the profile
   * @throws IllegalStateException if the store does not implement {@link MemberProfiles}
   */
  public Either<LoyaltyError, MemberProfile> saveProfile(MemberProfile profile) {
    Objects.requireNonNull(profile, "profile");
    Option<LoyaltyError> malformed = unstorable("name", profile.name())
        .orElse(() -> unstorable("contact", profile.contact()))
        .orElse(() -> unstorable("externalRefs", profile.externalRefs().keySet()))
        .orElse(() -> unstorable("externalRefs", profile.externalRefs().values()))
        .orElse(() -> tooLong("name", profile.name(), MAX_TEXT))
        .orElse(() -> tooLong("contact", profile.contact(), MAX_TEXT))
        .orElse(() -> tooLong("externalRefs", profile.externalRefs().keySet(), MAX_TEXT))
        .orElse(() -> tooLong("externalRefs", profile.externalRefs().values(), MAX_TEXT));
    if (malformed.isDefined()) {
      return Either.left(malformed.get());
    }
    MemberId member = profile.member();
    Either<LoyaltyError, Account> open = load(member).flatMap(this::requireOpen);
    if (open.isLeft()) {
      // A save that raced the member's erasure and could not delete what it wrote (concurrent
      // writers of the profile) left a profile no erased member may keep: the same save sent
      // again, refused, deletes it.
      if (open.getLeft() instanceof LoyaltyError.MemberNotActive && profiles().profile(member).isDefined()
          && isErased(member)) {
        return Either.left(deleted(profiles(), member).getOrElse(open.getLeft()));
      }
      return open.map(account -> profile);
    }
    Option<MemberProfile> before = profiles().profile(member);
    Option<LoyaltyError> contended = saved(profiles(), profile);
    if (contended.isDefined()) {
      return Either.left(contended.get());
    }
    // An erasure (on this node or another) commits the closing and then deletes the profile: one
    // committed between the check above and this write would leave the profile stored. Read the
    // member again after writing; if closed meanwhile, the refusal writes nothing: put back the
    // profile stored before, unless the member was erased, whose profile none may keep.
    Either<LoyaltyError, Account> still = load(member).flatMap(this::requireOpen);
    if (still.isLeft()) {
      if (before.isDefined() && !isErased(member)) {
        contended = saved(profiles(), before.get());
      }
      // Checked again after the write: an erasure that deleted before it has committed by now.
      if (contended.isEmpty() && (before.isEmpty() || isErased(member))) {
        contended = deleted(profiles(), member);
      }
      // Concurrent writers kept the store from undoing the save (nothing undone). After an erasure
      // that is a conflict, completed by the same save sent again; after a closing alone the save
      // landed as if before the closing, which keeps a closed member's profile. An erasure committed
      // after this check deletes the profile after its commit, so after this write.
      if (contended.isDefined() && !isErased(member)) {
        return Either.right(profile);
      }
      return Either.left(contended.getOrElse(still.getLeft()));
    }
    return Either.right(profile);
  }

  /** Whether a member's personal data was erased (an {@code ERASURE} entry is on their ledger). */
  private boolean isErased(MemberId member) {
    return erasureOf(member).isDefined();
  }

  /** The {@code ERASURE} entry on a member's ledger, if their personal data was erased. */
  private Option<Entry> erasureOf(MemberId member) {
    return reads().history(member, EntryQuery.newest(1).withKinds(HashSet.of(EntryKind.ERASURE))).headOption();
  }

  /**
   * The plan of an erasure under a new key for a member already erased: if a profile the first
   * erasure could not delete is still stored (its key lost, say), the request is accepted, writes no
   * entry and answers a receipt without entries (the erasure's are the first request's), and
   * {@link #erase} deletes the profile after it; with nothing left to delete it is refused and
   * writes nothing.
   */
  private Either<LoyaltyError, Plan> leftoverDeletion(Account account, Entry erasure, IdempotencyKey key) {
    if (storedProfile(account.memberId()).isEmpty()) {
      // Nothing to correct: the erasure is complete, so the reason says so instead of "correct and resend".
      return advised("member", "was already erased (by the request with key '" + erasure.idempotencyKey()
          + "'), and no personal data of theirs is left to delete: the erasure is complete, there is nothing"
          + " more to do");
    }
    Receipt receipt = new Receipt(key, account.memberId(), account.member().status(), List.empty(), account.balance());
    return Either.right(new Plan(List.empty(), receipt, List.empty()));
  }

  /**
   * Reads a member's profile.
   *
   * @param member the member, not null
   * @return the stored profile, or an empty one with {@link Consent#NOT_RECORDED} if none is stored;
   *     for an erased member always an empty one with {@link Consent#NONE}, even while a profile
   *     whose deletion failed is still stored (the erasure is committed; see {@link #erase});
   *     or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, MemberProfile> profile(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(account -> shownProfile(account)
        .getOrElse(() -> MemberProfile.of(member, consentWithoutProfile(account))));
  }

  /**
   * Tells what a member consented to: {@link Consent#NONE} for an erased member, whose erasure
   * withdrew every consent (even while a profile whose deletion failed is still stored); else their
   * profile's consent, or without a profile (or when the store keeps no profiles)
   * {@link Consent#NOT_RECORDED}. Birthday rewards and segment-targeted
   * promotions ask this. A member the ledger does not know is refused rather than answered with
   * {@link Consent#NOT_RECORDED}, which allows everything: a mistyped id must not read as consent.
   *
   * @param member the member, not null
   * @return the consent, or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, Consent> consentOf(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(account -> consent(account.memberId(), account));
  }

  /**
   * The consent of a member the caller knows to exist (the daily run's worklist, a purchase's member):
   * {@link Consent#NOT_RECORDED} if the account is gone meanwhile, as before profiles.
   */
  Consent consent(MemberId member) {
    return storedProfile(member).map(MemberProfile::consent)
        .getOrElse(() -> reads().account(member).map(this::consentWithoutProfile).getOrElse(Consent.NOT_RECORDED));
  }

  /**
   * The consent of a member read from the ledger: none once erased, even if a profile is still
   * stored (a deletion that failed after the erasure's commit, until the same request is sent
   * again), since the erasure withdrew it; else the profile's, or what was assumed before profiles.
   */
  private Consent consent(MemberId member, Account account) {
    return isErased(account) ? Consent.NONE
        : storedProfile(member).map(MemberProfile::consent).getOrElse(Consent.NOT_RECORDED);
  }

  /**
   * The profile of a member as the facade shows it: none once erased, even if a profile is still
   * stored (a deletion that failed after the erasure's commit), which is garbage to be deleted.
   */
  private Option<MemberProfile> shownProfile(Account account) {
    return isErased(account) ? Option.none() : storedProfile(account.memberId());
  }

  /**
   * The consent of a member with no stored profile: none once erased (an erasure at the member's
   * request withdraws it, and their profile is gone), otherwise what was assumed before profiles.
   */
  private Consent consentWithoutProfile(Account account) {
    return isErased(account) ? Consent.NONE : Consent.NOT_RECORDED;
  }

  /** Whether an account's member was erased. */
  private boolean isErased(Account account) {
    // Only a closed member can be erased: the status spares open members the history read.
    return account.member().status() == MemberStatus.CLOSED && isErased(account.memberId());
  }

  /**
   * Erases a member's personal data at their request and closes their account: the profile is
   * deleted, the birthday on the account cleared, any balance forfeited ({@code FORFEIT}) and an
   * {@code ERASURE} entry appended that records that (not what) was erased. The ledger keeps its
   * pseudonymous entries, so its chain still verifies and every aggregate stays valid. Also accepted
   * for an already closed member. The profile is deleted before the erasure's events are published,
   * so a listener hearing {@link LoyaltyEvent.MemberErased} finds it gone. Sending the request again
   * with the same key completes a profile deletion that failed after the ledger commit.
   *
   * <p>An erasure of a member already erased (under another key: the first one's was lost, say)
   * whose profile is still stored (its deletion failed after the first erasure's commit) deletes
   * that profile and is accepted: it writes no entry and answers a receipt without entries; sent
   * again with its key, it answers the same. With no profile left it is refused as already erased.
   *
   * @param member the member, not null
   * @param key the idempotency key, not null
   * @return the receipt, or {@link LoyaltyError.UnknownMember}, {@link LoyaltyError.InvalidRequest}
   *     (open holds, or already erased with nothing left to delete),
   *     {@link LoyaltyError.IdempotencyConflict}, or
   *     {@link LoyaltyError.ConcurrentModification} when the commit kept conflicting (nothing was
   *     written) or concurrent writers of the profile kept the store from deleting it after the
   *     commit ({@link ConcurrentWriteException}; the erasure's entries are committed and its events
   *     published, the profile is still stored): either way, send the same request again with the
   *     same key, which completes the erasure
   */
  public Either<LoyaltyError, Receipt> erase(MemberId member, IdempotencyKey key) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(key, "key");
    String fingerprint = Fingerprint.of("erase").value(member).sha256();
    // The profile is deleted before the events are published: MemberErased tells a listener it is gone.
    return executeRequest(key, fingerprint, List.of(member), now -> load(member).flatMap(account -> {
      if (account.balance().held().isPositive()) {
        return advised("member", "has " + account.balance().held()
            + " points in open holds; void them (voidHold; a capture needs an active member) before erasing");
      }
      Option<Entry> erased = erasureOf(member);
      if (erased.isDefined()) {
        return leftoverDeletion(account, erased.get(), key);
      }
      Books books = new Books(account, program, now);
      List<LoyaltyEvent> events = forfeitAll(books, key, "Account closed on erasure", now);
      Member before = account.member();
      books.member(new Member(member, before.enrolledAt(), Option.none(), before.zone(), MemberStatus.CLOSED));
      Entry erasure = books.post(books.draft(EntryKind.ERASURE, Points.ZERO, now, Channel.system(), key,
          "Personal data erased at the member's request"));
      if (before.status() != MemberStatus.CLOSED) {
        events = events.append(new LoyaltyEvent.MemberStatusChanged(member, before.status(), MemberStatus.CLOSED,
            "erasure", now, Option.some(account.version() + 1)));
      }
      return Either.right(single(key, books, events.append(new LoyaltyEvent.MemberErased(erasure, books.balance()))));
    }), receipt -> {
      if (!(store instanceof MemberProfiles)) {
        return Either.right(receipt);
      }
      // The erasure is committed; a deletion that met concurrent writers is completed by the same
      // request sent again, which answers from the key's record and deletes again.
      Option<LoyaltyError> contended = deleted((MemberProfiles) store, member);
      return contended.isDefined() ? Either.left(contended.get()) : Either.right(receipt);
    });
  }

  /**
   * Exports everything held about a member as one JSON document, for data-portability requests:
   * the member (id, enrolment, birthday, zone, status), the profile (name, contact, external
   * references, consent), the balance, the live lots (with their expiry and vesting instants) and
   * every ledger entry (see {@link MemberExport}). An erased member's export has no profile, even
   * while a profile whose deletion failed is still stored (see {@link #erase}).
   *
   * @param member the member, not null
   * @return the JSON text, or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, String> export(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(account -> MemberExport.of(account, shownProfile(account), store));
  }

  /**
   * Deletes a member's profile: none, or {@link LoyaltyError.ConcurrentModification} if concurrent
   * writers of it kept the store from deleting it ({@link ConcurrentWriteException}).
   */
  private static Option<LoyaltyError> deleted(MemberProfiles profiles, MemberId member) {
    return uncontended(member, () -> profiles.deleteProfile(member));
  }

  /**
   * Saves a profile: none, or {@link LoyaltyError.ConcurrentModification} if concurrent writers of
   * it kept the store from saving it ({@link ConcurrentWriteException}; nothing was written).
   */
  private static Option<LoyaltyError> saved(MemberProfiles profiles, MemberProfile profile) {
    return uncontended(profile.member(), () -> profiles.saveProfile(profile));
  }

  /**
   * Makes a profile write, answering a store's {@link ConcurrentWriteException} as the
   * {@link LoyaltyError.ConcurrentModification} every other conflict is answered with.
   */
  private static Option<LoyaltyError> uncontended(MemberId member, Runnable write) {
    try {
      write.run();
      return Option.none();
    } catch (ConcurrentWriteException contended) {
      return Option.some(new LoyaltyError.ConcurrentModification(member, contended.attempts()));
    }
  }

  private Option<MemberProfile> storedProfile(MemberId member) {
    return store instanceof MemberProfiles ? ((MemberProfiles) store).profile(member) : Option.none();
  }

  private MemberProfiles profiles() {
    if (!(store instanceof MemberProfiles)) {
      throw new IllegalStateException(store.getClass().getName() + " keeps no member profiles: it is no MemberProfiles;"
          + " to keep profiles, use a store that implements MemberProfiles, as InMemoryLedgerStore and JpaLedgerStore do");
    }
    return (MemberProfiles) store;
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
   * Lists a member's open holds, oldest first, each as {@link #authorize} answered it (and answers
   * it again under its key). A till that lost a hold's id (it crashed after authorizing) finds its
   * hold here by the key it sent ({@code hold.receipt().key()}) or by its channel (that of the
   * receipt's {@code HOLD} entry), then captures or voids it; sending the authorization again under
   * its key answers the same hold. A hold is open until it is captured, voided or released: one past
   * its expiry that the daily run has not released yet is still listed, since its points are still
   * held ({@link #capture} refuses it with {@link LoyaltyError.HoldExpired}; {@link #voidHold} gives
   * them back). The points of the holds listed add up to the member's {@link Balance#held()}. A
   * suspended member's holds are listed; a closed or erased member has none, since {@link #close}
   * and {@link #erase} are refused while holds are open. A listed hold's receipt is its
   * authorization's: its balance is the one right after the hold was made, not the current one.
   * This is a read: another till may resolve a listed hold, or make another, meanwhile.
   *
   * @param member the member, not null
   * @return the open holds (empty if none), or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, List<Hold>> openHolds(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(account -> openHolds(member, account.balance().held(), account.lastSequence()).reverse()
        .map(this::authorized));
  }

  /**
   * Reads a member's live lots (those with points remaining) in consumption order.
   *
   * @param member the member id, not null
   * @return the lots, or {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, List<Lot>> lots(MemberId member) {
    Objects.requireNonNull(member, "member");
    return load(member).map(account -> account.lots().toList());
  }

  /**
   * Computes a member's balance as the ledger stood at an instant: the entries in ledger order up to
   * the last one recorded at or before it, replayed. With one clock those are the entries recorded
   * at or before the instant. When application nodes' clocks disagree, an entry recorded at or
   * before the instant by a node whose clock is behind counts, and so does every entry before it,
   * even one recorded "later" by a node whose clock is ahead: the ledger committed that one first.
   * So the balance is always one the member really had, the sum of the entries it counts, and
   * every entry recorded at or before the instant is among them. Costs time in proportion to the
   * history.
   *
   * @param member the member id, not null
   * @param at the instant, not null
   * @return the balance then (empty before the first entry), or {@link LoyaltyError.UnknownMember}
   *     or {@link LoyaltyError.InvalidRequest} (an instant outside years 1 to 9999)
   */
  public Either<LoyaltyError, Balance> balanceAsOf(MemberId member, Instant at) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(at, "at");
    return SupportedInstants.check("at", at).flatMap(ok -> load(member)).map(account -> {
      Replay replay = new Replay();
      Balance then = Balance.EMPTY;
      long from = 1;
      List<Entry> page;
      do {
        page = reads().entries(member, from, VERIFY_PAGE);
        for (Entry e : page) {
          replay.apply(e);
          // An entry recorded "later" may come before one recorded in time (clocks that disagree):
          // the balance is the one after the last entry recorded in time, so read to the end.
          if (!e.recordedAt().isAfter(at)) {
            then = replay.balance();
          }
        }
        from += page.size();
      } while (page.size() == VERIFY_PAGE);
      return then;
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
      // A full page is the last when no older entry matches: the page's read asks for one entry
      // more and says, or, for a page of the largest limit, one more read of at most one entry.
      boolean ahead = query.limit() < EntryQuery.MAX_LIMIT;
      List<Entry> read = reads().history(member, ahead ? query.withLimit(query.limit() + 1) : query);
      List<Entry> entries = read.size() > query.limit() ? read.take(query.limit()) : read;
      boolean more = ahead ? read.size() > query.limit()
          : entries.size() == query.limit() && entries.last().sequence() > 1
              && !reads().history(member, query.before(entries.last().sequence()).withLimit(1)).isEmpty();
      return new HistoryPage(entries, more ? Option.some(entries.last().sequence()) : Option.none());
    });
  }

  /**
   * Checks the integrity of a member's stored ledger: contiguous sequence numbers, every hash
   * matching its entry and chaining to the previous one, and the account's running state agreeing
   * with the entries: its chain tip, its balance (total, available, pending and held, as replaying
   * the entries gives them) and the points left in its lots (the vested lots add up to what is
   * available, the pending ones to what is pending), each live lot created by an entry of the
   * member's, listed once, earned, expiring and vesting when that entry says, created with the points
   * it put there, pending if the entries leave it pending, and holding the points the entries left
   * in it. And no entry undone beyond its own points: the reversals that reference an entry
   * (refunds and partial returns included) together take back, forgive, spare or give back at most
   * its points; the reversal that goes beyond them is reported, as when the store's index of
   * reversals was changed so that an entry was reversed twice. And no hold resolved twice: a
   * {@code CAPTURE} or {@code RELEASE} of a hold that an earlier one resolved is reported, as when
   * that index was changed so that a hold was captured or released again.
   *
   * <p>An intact verification reports the chain tip it verified ({@link Verification#tip()}). The
   * chain alone cannot tell when someone with write access to the database removed the newest
   * entries, or rewrote history with every hash recomputed, and changed the account to match: keep
   * the tip outside the database and verify against it later with {@link #verify(MemberId, ChainTip)}.
   * Neither can tell a forged entry appended at the tail, with the account changed to match, from a
   * real one: check new entries against the business's own records.
   *
   * @param member the member id, not null
   * @return the verification (intact, or the first bad sequence number and what is wrong), or
   *     {@link LoyaltyError.UnknownMember}
   */
  public Either<LoyaltyError, Verification> verify(MemberId member) {
    Objects.requireNonNull(member, "member");
    return verify(member, Option.none());
  }

  /**
   * {@link #verify(MemberId)}, and that the chain still passes through an anchor: a chain tip that an
   * earlier verification reported ({@link Verification#tip()}) and that was kept outside the
   * database. The ledger is not intact, at the anchor's sequence, if the stored entry there has
   * another hash (history was rewritten from that entry or before it, hashes and all) or is missing
   * (the ledger is shorter than the anchor: its newest entries were removed). The chain alone
   * cannot tell either when the account row was changed to match (docs/adr/0002-hash-chain.md). A
   * ledger that grew since the anchor verifies against it, a forged entry appended after the anchor
   * (with the account changed to match) too.
   *
   * @param member the member id, not null
   * @param anchor a chain tip of the member's, not null
   * @return the verification (intact, or the first bad sequence number and what is wrong), or
   *     {@link LoyaltyError.UnknownMember}, or {@link LoyaltyError.InvalidRequest} on
   *     {@code anchor} if it is another member's chain tip
   */
  public Either<LoyaltyError, Verification> verify(MemberId member, ChainTip anchor) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(anchor, "anchor");
    if (!anchor.member().equals(member)) {
      return Either.left(new LoyaltyError.InvalidRequest("anchor", "the anchor " + anchor + " is a chain tip of member "
          + anchor.member().value() + ", not of " + member.value() + ": verify each member against an anchor of its own"));
    }
    return verify(member, Option.some(anchor));
  }

  private Either<LoyaltyError, Verification> verify(MemberId member, Option<ChainTip> anchor) {
    return load(member).map(account -> {
      long expected = 1;
      String previous = Entry.GENESIS_HASH;
      Points total = Points.ZERO;
      Replay replay = new Replay();
      // The entries that created the live lots, to compare each lot's expiry with its creator's.
      io.vavr.collection.Set<EntryId> lotIds = account.lots().map(Lot::id).toSet();
      java.util.Map<EntryId, Entry> creators = new java.util.HashMap<>();
      // What the entries leave in each live lot, to compare with the points the account keeps there.
      java.util.Map<EntryId, Points> left = new java.util.HashMap<>();
      // A grace lot may repay a deficit with part of its points: the deficit before its entry bounds that part.
      java.util.Map<EntryId, Points> deficitBefore = new java.util.HashMap<>();
      Undone undone = new Undone();
      List<Entry> page;
      do {
        page = reads().entries(member, expected, VERIFY_PAGE);
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
          if (anchor.exists(a -> a.sequence() == e.sequence() && !a.hash().equals(e.hash()))) {
            return Verification.broken(member, checked, expected, "no longer matches the anchor " + anchor.get()
                + ": its hash is now " + e.hash() + ", so the ledger was rewritten from this entry or before it");
          }
          previous = e.hash();
          Option<String> undoneTooMuch;
          try {
            total = total.plus(e.points());
            if (lotIds.contains(e.id()) && !e.kind().createsLot()) {
              deficitBefore.put(e.id(), replay.balance().available().negated().max(Points.ZERO));
            }
            leaveInLots(e, replay, lotIds, left);
            replay.apply(e);
            undoneTooMuch = undone.apply(e);
          } catch (ArithmeticException beyond) {
            // No ledger the facade wrote adds up beyond a long: the entries were forged, hashes and all.
            return Verification.broken(member, checked, expected,
                "its points take the entries' sum beyond what a balance can hold: it was forged");
          } catch (NumberFormatException notANumber) {
            return Verification.broken(member, checked, expected,
                "a detail that counts points is not a number (" + notANumber.getMessage() + "): it was forged");
          }
          if (undoneTooMuch.isDefined()) {
            return Verification.broken(member, checked, expected, undoneTooMuch.get());
          }
          if (lotIds.contains(e.id())) {
            creators.put(e.id(), e);
          }
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
      // The split too, and the lots it is kept in (ADR 0003: the vested lots add up to what is
      // available, the pending ones to what is pending).
      Balance replayed;
      try {
        replayed = replay.balance();
      } catch (ArithmeticException beyond) {
        return Verification.broken(member, found, Math.max(1, found),
            "the entries' pending and held points add up beyond what a balance can hold: they were forged");
      }
      if (!account.balance().equals(replayed)) {
        return Verification.broken(member, found, Math.max(1, found),
            "the account's balance " + account.balance() + " differs from the entries' " + replayed);
      }
      Points vested = Points.ZERO;
      Points pending = Points.ZERO;
      for (Lot lot : account.lots()) {
        if (!(lot.pending() ? pending : vested).canAdd(lot.remaining())) {
          return Verification.broken(member, found, Math.max(1, found),
              "the account's lots hold more points than a balance can: they differ from its balance " + account.balance());
        }
        vested = lot.pending() ? vested : vested.plus(lot.remaining());
        pending = lot.pending() ? pending.plus(lot.remaining()) : pending;
      }
      if (!vested.equals(account.balance().available().max(Points.ZERO)) || !pending.equals(account.balance().pending())) {
        return Verification.broken(member, found, Math.max(1, found), "the account's lots (" + vested + " vested, "
            + pending + " pending) differ from its balance " + account.balance());
      }
      java.util.Set<EntryId> listed = new java.util.HashSet<>();
      for (Lot lot : account.lots()) {
        Entry creator = creators.get(lot.id());
        if (!listed.add(lot.id())) {
          // Each listed lot may match its entries, and the sums the balance, with another lot left out.
          return Verification.broken(member, found, creator == null ? Math.max(1, found) : creator.sequence(),
              "the account lists lot " + lot.id() + " twice");
        }
        if (creator == null || !creator.expiresAt().equals(lot.expiresAt())) {
          return Verification.broken(member, found, creator == null ? Math.max(1, found) : creator.sequence(),
              "the account's lot " + lot.id() + (creator == null ? " was created by no entry of this member"
                  : " expires " + lot.expiresAt().map(Instant::toString).getOrElse("never") + ", but its entry says "
                      + creator.expiresAt().map(Instant::toString).getOrElse("never")));
        }
        if (!creator.vestsAt().equals(lot.vestsAt())) {
          return Verification.broken(member, found, creator.sequence(), "the account's lot " + lot.id() + " vests "
              + lot.vestsAt().map(Instant::toString).getOrElse("never") + ", but its entry says "
              + creator.vestsAt().map(Instant::toString).getOrElse("never"));
        }
        Option<String> origin = originDiffers(lot, creator, deficitBefore.getOrDefault(lot.id(), Points.ZERO));
        if (origin.isDefined()) {
          return Verification.broken(member, found, creator.sequence(), origin.get());
        }
        if (lot.pending() != replay.isPending(lot.id())) {
          return Verification.broken(member, found, creator.sequence(), "the account keeps lot " + lot.id()
              + (lot.pending() ? " pending, but its entries vested it" : " vested, but its entries leave it pending"));
        }
        Points entriesLeave = left.getOrDefault(lot.id(), Points.ZERO);
        if (!lot.remaining().equals(entriesLeave)) {
          return Verification.broken(member, found, creator.sequence(), "the account's lot " + lot.id() + " holds "
              + lot.remaining() + " points, but its entries leave " + entriesLeave);
        }
      }
      if (anchor.exists(a -> a.sequence() > found)) {
        return Verification.broken(member, found, anchor.get().sequence(), "the ledger is shorter than the anchor "
            + anchor.get() + ": it holds " + found + " entries, so the entries from " + (found + 1) + " on were removed");
      }
      return Verification.intact(ChainTip.of(member, found, previous));
    });
  }

  /**
   * What differs between a live lot and the entry that created it, on when it was earned and the
   * points it was created with. A credit's lot was earned when the credit occurred and holds its
   * points. A grace lot (points given back after their lot expired, into a new lot of the entry
   * returning them) was earned when that entry was recorded, or, rebuilt after it was emptied, when
   * it occurred; its points are what the entry put in it, and, when it was created, also what it
   * repaid of the deficit the entry found ({@code deficit}).
   */
  private static Option<String> originDiffers(Lot lot, Entry creator, Points deficit) {
    boolean credit = creator.kind().createsLot();
    if (!lot.earnedAt().equals(creator.occurredAt()) && (credit || !lot.earnedAt().equals(creator.recordedAt()))) {
      return Option.some("the account's lot " + lot.id() + " was earned at " + lot.earnedAt() + ", but its entry says "
          + creator.occurredAt());
    }
    Points put = creator.movements().filter(m -> m.lot().equals(creator.id()) && m.points().isPositive())
        .foldLeft(Points.ZERO, (sum, m) -> sum.plus(m.points()));
    boolean fits = credit ? lot.original().equals(creator.points())
        : !lot.original().isLessThan(put) && !lot.original().isGreaterThan(put.canAdd(deficit) ? put.plus(deficit) : Points.of(Long.MAX_VALUE));
    return fits ? Option.none() : Option.some("the account's lot " + lot.id() + " was created with " + lot.original()
        + " points, but its entry " + (credit ? "credited " + creator.points() : "put " + put + " in it"));
  }

  /**
   * Adds what {@code e} changes in each of the {@code live} lots to {@code left}, given the entries
   * before it in {@code replay}. A lot's movements are what the entry put in or took out, but for a
   * {@code VEST}, whose movements list the points that vested: those first repay a deficit (ADR 0003),
   * lot by lot in order, and only what repays it leaves the lot.
   *
   * @throws ArithmeticException if forged points take a lot's sum beyond a long
   */
  private static void leaveInLots(Entry e, Replay replay, io.vavr.collection.Set<EntryId> live, java.util.Map<EntryId, Points> left) {
    Points deficit = e.kind() == EntryKind.VEST ? replay.balance().available().negated().max(Points.ZERO) : Points.ZERO;
    for (LotMovement m : e.movements()) {
      Points change = m.points();
      if (e.kind() == EntryKind.VEST) {
        Points repaid = deficit.min(m.points());
        deficit = deficit.minus(repaid);
        change = repaid.negated();
      }
      if (live.contains(m.lot())) {
        left.merge(m.lot(), change, Points::plus);
      }
    }
  }

  // ---------------------------------------------------------------- machinery

  /** What an accepted request will write and answer. */
  private record Plan(
      List<AccountChange> changes, List<CounterChange> counters, Receipt receipt, List<LoyaltyEvent> events) {
    Plan(List<AccountChange> changes, Receipt receipt, List<LoyaltyEvent> events) {
      this(changes, List.empty(), receipt, events);
    }

    Plan withCounters(List<CounterChange> changed) {
      return new Plan(changes, changed, receipt, events);
    }
  }

  private static Plan single(IdempotencyKey key, Books books, List<LoyaltyEvent> events) {
    Receipt receipt = new Receipt(key, books.member().id(), books.member().status(), books.written(), books.balance());
    return new Plan(books.changed() ? List.of(books.change()) : List.empty(), receipt, events);
  }

  private Either<LoyaltyError, Receipt> execute(
      IdempotencyKey key, String fingerprint, List<MemberId> members, Function<Instant, Either<LoyaltyError, Plan>> planner) {
    return execute(key, fingerprint, Option.none(), members, planner);
  }

  /**
   * Runs a request under its key: answers from the key's record if there is one, else plans and
   * commits, retrying on conflicts. A refusal is answered from the key's record too when another
   * node recorded the key while the request was planned (ADR 0004). The request is recorded under
   * {@code fingerprint}; a record under {@code former}, the fingerprint the request had before its
   * encoding changed, is the same request too.
   */
  private Either<LoyaltyError, Receipt> execute(IdempotencyKey key, String fingerprint, Option<String> former,
      List<MemberId> members, Function<Instant, Either<LoyaltyError, Plan>> planner) {
    return execute(key, fingerprint, former, members, planner, Either::right);
  }

  /**
   * {@link #execute} that also runs {@code accepted} on the receipt of an accepted request (committed
   * by this call or answered from its record) while the members are still locked, before the events
   * are published: work outside the commit that the events tell of as done (an erasure's deletion of
   * the profile), which answers the receipt, or the refusal to answer instead when that work could
   * not be done (the same request sent again does it). The events are published even if it throws.
   */
  private Either<LoyaltyError, Receipt> execute(IdempotencyKey key, String fingerprint, Option<String> former,
      List<MemberId> members, Function<Instant, Either<LoyaltyError, Plan>> planner,
      Function<Receipt, Either<LoyaltyError, Receipt>> accepted) {
    List<ReentrantLock> locks = members.size() == 1
        ? List.of(stripes[Math.floorMod(members.head().hashCode(), STRIPES)])
        : members.map(m -> Math.floorMod(m.hashCode(), STRIPES)).distinct().sorted().map(i -> stripes[i]);
    locks.forEach(ReentrantLock::lock);
    try {
      for (int attempt = 1; attempt <= maxAttempts; attempt++) {
        Option<Answer> answer = store.attempt(key, members, view -> attemptOn(view, key, fingerprint, former, planner));
        if (answer.isDefined()) {
          Either<LoyaltyError, Receipt> result = answer.get().result();
          if (result.isLeft() && !(result.getLeft() instanceof LoyaltyError.IdempotencyConflict)) {
            // A refusal may be this very request's own doing: a till's retry sent to another node,
            // which committed it after this attempt found the key free (the hold is now captured,
            // the stock taken, the points spent). Its record answers then, as DESIGN promises; read
            // afresh, outside the attempt, whose view may keep what it read first.
            result = answerFromRecord(key, fingerprint, former).getOrElse(result);
          }
          try {
            result = result.flatMap(accepted);
          } finally {
            publish(answer.get().events());
          }
          return result;
        }
        Thread.yield();
      }
      // Every attempt met a conflict, so none of them wrote (CommitOutcome: only COMMITTED
      // writes). Another node may meanwhile have committed this very key (a client's retry sent
      // elsewhere): answer from its record, whose events that node published, rather than refuse
      // a request that was written.
      return answerFromRecord(key, fingerprint, former).map(answered -> answered.flatMap(accepted))
          .getOrElse(() -> Either.left(new LoyaltyError.ConcurrentModification(members.head(), maxAttempts)));
    } finally {
      locks.reverse().forEach(ReentrantLock::unlock);
    }
  }

  /**
   * {@link #execute} for a request under a key the application chose: refuses a key of a shape the
   * library derives for its own work ({@link #DERIVED_KEY}), which the request would take from
   * that work (an {@link LoyaltyError.IdempotencyConflict} for it, or a replay of the wrong result).
   * Checked in the plan, after the key's record: a request recorded under such a key still replays.
   */
  private Either<LoyaltyError, Receipt> executeRequest(
      IdempotencyKey key, String fingerprint, List<MemberId> members, Function<Instant, Either<LoyaltyError, Plan>> planner) {
    return executeRequest(key, fingerprint, Option.none(), members, planner);
  }

  /** {@link #executeRequest} for a request also recorded before under a {@code former} fingerprint (see {@link #execute}). */
  private Either<LoyaltyError, Receipt> executeRequest(IdempotencyKey key, String fingerprint, Option<String> former,
      List<MemberId> members, Function<Instant, Either<LoyaltyError, Plan>> planner) {
    return execute(key, fingerprint, former, members, now -> isDerived(key) ? derivedKey(key) : planner.apply(now));
  }

  /** {@link #executeRequest} with work on the accepted request's receipt before its events are published (see {@link #execute}). */
  private Either<LoyaltyError, Receipt> executeRequest(IdempotencyKey key, String fingerprint, List<MemberId> members,
      Function<Instant, Either<LoyaltyError, Plan>> planner, Function<Receipt, Either<LoyaltyError, Receipt>> accepted) {
    return execute(key, fingerprint, Option.none(), members, now -> isDerived(key) ? derivedKey(key) : planner.apply(now),
        accepted);
  }

  /** The refusal of a request under a key of a shape the library derives ({@link #isDerived}). */
  private static <T> Either<LoyaltyError, T> derivedKey(IdempotencyKey key) {
    return advised("key", "'" + key + "' has the shape of a key the library derives for its own work (" + DERIVED_SHAPES
        + "; see IdempotencyKey); choose another");
  }

  /**
   * Whether a redemption under {@code key} for {@code member} would take a key the library derives:
   * any such shape but the member's own occasion keys ({@code birthday:<member>:<year>}), under which
   * an application's {@link RewardGrant} may redeem the member's gift.
   */
  private static boolean isDerivedForRedemption(IdempotencyKey key, MemberId member) {
    if (!isDerived(key)) {
      return false;
    }
    String value = key.value();
    return !List.of(Occasion.values()).exists(occasion -> {
      String prefix = occasion.tag() + ":" + member.value() + ":";
      return value.startsWith(prefix) && value.substring(prefix.length()).matches("\\d{4}");
    });
  }

  /**
   * Whether a key has a shape the library derives for its own work ({@link #DERIVED_KEY}). Every
   * such shape has a colon, and most applications' keys have none: those need no matcher, on every
   * request.
   */
  private static boolean isDerived(IdempotencyKey key) {
    String value = key.value();
    return value.indexOf(':') > 0 && DERIVED_KEY.matcher(value).matches();
  }

  /** What an attempt answered, and the events to publish once it is over (none unless it committed). */
  private record Answer(Either<LoyaltyError, Receipt> result, List<LoyaltyEvent> events) {}

  /**
   * One attempt on the store's view ({@link LedgerStore#attempt}): the request's reads, its plan
   * and its commit share the view, so a database store runs them in one transaction. None if the
   * commit met a conflict and the request should be tried again.
   */
  private Option<Answer> attemptOn(LedgerStore view, IdempotencyKey key, String fingerprint, Option<String> former,
      Function<Instant, Either<LoyaltyError, Plan>> planner) {
    LedgerStore outer = attemptView.get();
    attemptView.set(view);
    try {
      Option<Either<LoyaltyError, Receipt>> answered = answerFromRecord(key, fingerprint, former);
      if (answered.isDefined()) {
        return Option.some(new Answer(answered.get(), List.empty()));
      }
      Either<LoyaltyError, Plan> planned;
      try {
        planned = planner.apply(clock.instant());
      } catch (StalePlan stale) {
        return Option.none();
      }
      if (planned.isLeft()) {
        return Option.some(new Answer(Either.left(planned.getLeft()), List.empty()));
      }
      Plan plan = planned.get();
      CommitOutcome outcome;
      try {
        outcome = view.commit(new Commit(plan.changes(), plan.counters(),
            new IdempotencyRecord(key, fingerprint, plan.receipt()), plan.events()));
      } catch (ConcurrentWriteException contended) {
        // Concurrent writers kept the store's own tries from committing (a lock timeout, a
        // deadlock) and it stored nothing: a conflict, tried again from fresh state as a stale
        // version is, so that it reaches the caller as ConcurrentModification at most.
        return Option.none();
      }
      if (outcome != CommitOutcome.COMMITTED) {
        return Option.none();
      }
      plan.changes().forEach(tierFacts::committed);
      return Option.some(new Answer(Either.right(plan.receipt()), plan.events()));
    } finally {
      if (outer == null) {
        attemptView.remove();
      } else {
        attemptView.set(outer);
      }
    }
  }

  /**
   * Where a request's reads go: the view of the attempt running on this thread, or the store
   * outside one.
   */
  private LedgerStore reads() {
    LedgerStore view = attemptView.get();
    return view == null ? store : view;
  }

  /**
   * The answer to a request whose key is already recorded: the first receipt if the request is the
   * same (the record holds its fingerprint, or its {@code former} one), an idempotency conflict if
   * not; none if the key is not recorded.
   */
  private Option<Either<LoyaltyError, Receipt>> answerFromRecord(IdempotencyKey key, String fingerprint,
      Option<String> former) {
    return reads().idempotencyRecord(key).map(record -> record.fingerprint().equals(fingerprint)
        || former.contains(record.fingerprint())
        ? Either.<LoyaltyError, Receipt>right(record.receipt())
        : Either.<LoyaltyError, Receipt>left(conflict(record)));
  }

  /**
   * The conflict with a key's record: its first request's member and entry kinds, which tell the
   * caller what took the key, and nothing of that member's points or balance.
   */
  private static LoyaltyError.IdempotencyConflict conflict(IdempotencyRecord record) {
    Receipt first = record.receipt();
    return new LoyaltyError.IdempotencyConflict(record.key(), Option.some(first.member()),
        first.entries().map(Entry::kind).distinct());
  }

  /**
   * Hands events to every listener in turn. A change a listener makes on this thread (a bonus for
   * the member whose event it handles) publishes its events after those being published: every
   * listener must hear a member's events in the order of their changes, and the listeners after
   * that one have not heard the event that caused the change yet.
   */
  private void publish(List<LoyaltyEvent> events) {
    if (events.isEmpty() || listeners.isEmpty()) {
      return;
    }
    java.util.ArrayDeque<LoyaltyEvent> queue = publishing.get();
    if (queue != null) {
      events.forEach(queue::add);
      return;
    }
    queue = new java.util.ArrayDeque<>(events.asJava());
    publishing.set(queue);
    try {
      for (LoyaltyEvent event = queue.poll(); event != null; event = queue.poll()) {
        publish(event);
      }
    } finally {
      publishing.remove();
    }
  }

  private void publish(LoyaltyEvent event) {
    for (LoyaltyEventListener listener : listeners) {
      try {
        listener.on(event);
      } catch (RuntimeException e) {
        reportFailure(listener, event, e);
      } catch (Throwable e) {
        DailyRun.rethrowIfFatal(e);
        // An Error or a checked exception thrown sneakily: the change is committed all the same,
        // and the other listeners must still hear of it.
        reportFailure(listener, event, new java.lang.reflect.UndeclaredThrowableException(e,
            "listener " + DailyRun.said(listener) + " threw " + DailyRun.said(e)));
      }
    }
  }

  /**
   * Hands a listener's failure to the failure handler. A handler that throws in turn is logged, not
   * let out: the change is committed, so the call must still answer its receipt, and the other
   * listeners (and the events queued behind this one) must still be heard.
   */
  private void reportFailure(LoyaltyEventListener listener, LoyaltyEvent event, RuntimeException failure) {
    try {
      onListenerFailure.failed(listener, event, failure);
    } catch (Throwable e) {
      DailyRun.rethrowIfFatal(e);
      // Unless the handler rethrew the failure, or wrapped it: it is then in the log already.
      boolean carried = false;
      for (Throwable cause = e; cause != null && !carried; cause = cause.getCause()) {
        carried = cause == failure;
      }
      if (!carried) {
        e.addSuppressed(failure);
      }
      LOG.log(System.Logger.Level.WARNING, "The listener failure handler failed on listener " + DailyRun.said(listener)
          + "'s failure on " + logged(event) + "; the change is committed regardless", e);
    }
  }

  /**
   * An event as a log line names it: its kind, its member and its entry, never its whole text, which
   * may carry personal data (a {@code MemberEnrolled}'s birthday) that a log would keep after the
   * member's erasure.
   */
  static String logged(LoyaltyEvent event) {
    String named = event.getClass().getSimpleName() + " of " + event.member();
    return event instanceof LoyaltyEvent.EntryEvent e ? named + " (entry " + e.entry().id() + ")" : named;
  }

  private Either<LoyaltyError, Account> load(MemberId member) {
    return reads().account(member).toEither(() -> new LoyaltyError.UnknownMember(member));
  }

  /**
   * The account of a member who may redeem, else why not; then, if the reward is not for the call
   * made, the advice to make the other call. The member comes first, as every refusal about them
   * does: advice to call another method that would refuse the member too sends the till round.
   */
  private Either<LoyaltyError, Account> activeFor(MemberId member, Option<String> otherCall) {
    return load(member).flatMap(this::requireActive)
        .flatMap(account -> otherCall.isEmpty() ? Either.right(account) : advised("reward", otherCall.get()));
  }

  private Either<LoyaltyError, Account> requireActive(Account account) {
    return account.member().isActive()
        ? Either.right(account)
        : Either.left(new LoyaltyError.MemberNotActive(account.memberId(), account.member().status()));
  }

  /**
   * Whether an enrolled member's status allows a request on their hold, checked before the hold: a
   * refusal about the hold (one captured already, more than it holds) advises another call on it
   * (cancelRedemption, a smaller capture), which the member's status would refuse in turn. A member
   * not enrolled is left to the hold's lookup, which answers {@code HoldNotFound}.
   */
  private static Either<LoyaltyError, Boolean> statusAllows(Either<LoyaltyError, Account> member,
      Function<Account, Either<LoyaltyError, Account>> allows) {
    return member.isLeft() ? Either.right(true) : member.flatMap(allows).map(account -> true);
  }

  /** Whether a member read for a request is closed: its refusals must not advise calls that refuse it. */
  private static boolean isClosed(Either<LoyaltyError, Account> member) {
    return member.exists(account -> account.member().status() == MemberStatus.CLOSED);
  }

  /**
   * The refusal of an entry that cannot be reversed or cancelled; for a transfer's entry, naming the
   * other member if their account is closed, which refuses the transfer back that the advice would
   * otherwise name.
   */
  private LoyaltyError notReversible(Entry original, Either<LoyaltyError, Account> current) {
    Option<MemberId> closedCounterparty = Option.none();
    if (original.kind() == EntryKind.TRANSFER_OUT || original.kind() == EntryKind.TRANSFER_IN) {
      closedCounterparty = original.counterparty()
          .filter(other -> reads().account(other).exists(a -> a.member().status() == MemberStatus.CLOSED));
    }
    return new LoyaltyError.NotReversible(original.id(), original.kind(), isClosed(current), closedCounterparty);
  }

  private Either<LoyaltyError, Account> requireOpen(Account account) {
    return account.member().status() != MemberStatus.CLOSED
        ? Either.right(account)
        : Either.left(new LoyaltyError.MemberNotActive(account.memberId(), MemberStatus.CLOSED));
  }

  private static Either<LoyaltyError, List<LotMovement>> spend(Books books, Points points) {
    return requireAvailable(books, points).map(books::takeAvailable);
  }

  /** {@code points}, if the member has that many available; else {@link LoyaltyError.InsufficientPoints}. */
  private static Either<LoyaltyError, Points> requireAvailable(Books books, Points points) {
    return books.available().isLessThan(points)
        ? Either.left(insufficient(books, points))
        : Either.right(points);
  }

  /**
   * The refusal of a request that needs {@code needed} points when fewer are available: it says how
   * many open holds hold, since voiding them would free those.
   */
  private static LoyaltyError insufficient(Books books, Points needed) {
    return new LoyaltyError.InsufficientPoints(books.member().id(), books.available(), needed,
        books.balance().held());
  }

  private static <T> Either<LoyaltyError, T> invalid(String field, String reason) {
    return Either.left(new LoyaltyError.InvalidRequest(field, reason));
  }

  /** {@link #invalid} for a reason that already says what to do, which the message then does not repeat. */
  private static <T> Either<LoyaltyError, T> advised(String field, String reason) {
    return Either.left(new LoyaltyError.InvalidRequest(field, reason, true));
  }

  private static Either<LoyaltyError, Boolean> checkPositive(String field, Points points) {
    return points.isPositive() ? Either.right(true) : invalid(field, "must be positive, was " + points);
  }

  /**
   * The refusal of a text that not every store can keep ({@link Fingerprint#isStorable}), if any. A
   * request's texts are checked before it is fingerprinted: the encoding is faithful only for
   * well-formed text, so a lone surrogate would make two different requests (or entries) one; and
   * a NUL, which PostgreSQL refuses, would be accepted in memory and on H2 but throw there.
   */
  private static Option<LoyaltyError> unstorable(String field, Iterable<String> texts) {
    for (String text : texts) {
      if (!Fingerprint.isStorable(text)) {
        return Option.some(new LoyaltyError.InvalidRequest(field,
            "has " + Fingerprint.unstorable(text).get() + "; send well-formed text without NUL characters", true));
      }
    }
    return Option.none();
  }

  private static final List<String> QUALIFYING_KEYS =
      List.of(QualifyingActivity.POINTS, QualifyingActivity.SPEND, QualifyingActivity.VISIT);

  /**
   * The tier-qualifying keys a credit may carry are numbers the tier engine and the reports read
   * (points and spend in minor units as longs, a visit of -1, 0 or 1): a credit with another value
   * would make them fail for good, for the member or the whole programme.
   */
  private static Option<LoyaltyError> malformedQualifying(SortedMap<String, String> details) {
    for (String key : QUALIFYING_KEYS) {
      Option<String> value = details.get(key);
      if (value.isDefined()) {
        long n;
        try {
          n = Long.parseLong(value.get());
        } catch (NumberFormatException e) {
          return Option.some(new LoyaltyError.InvalidRequest("details", key + " must be a whole number"
              + (key.equals(QualifyingActivity.SPEND) ? " of minor units (cents)" : "") + ", was '" + value.get() + "'"));
        }
        if (key.equals(QualifyingActivity.VISIT) && (n < -1 || n > 1)) {
          return Option.some(new LoyaltyError.InvalidRequest("details", key + " must be -1, 0 or 1, was " + n));
        }
      }
    }
    return Option.none();
  }

  /**
   * The first detail key of the tier engine's ({@code tier.} and a name) in a credit's details on a
   * program with a tier ladder: the due-work index reads {@code tier.until}, {@code tier.review} and
   * {@code tier.to} from any entry, so a credit carrying them would move or clear the member's review.
   * Without a ladder they are how an application's own tier engine schedules its reviews.
   */
  private Option<String> tierEngineDetail(SortedMap<String, String> details) {
    return program.tierLadder().isEmpty() ? Option.none() : details.keySet().find(k -> k.startsWith(TIER_DETAIL_PREFIX));
  }

  /**
   * The refusal of qualifying points or spend that would bring what the member's entries record,
   * counted without sign, beyond {@link #MAX_QUALIFYING}: the tier engine sums them over windows
   * (a reversal taking back what its original recorded), and a sum beyond a long made every later
   * tier read of the member fail. Reads the member's tier facts only for a credit that carries them.
   */
  private Option<LoyaltyError> qualifyingBeyondBound(Account account, SortedMap<String, String> details) {
    if (!details.containsKey(QualifyingActivity.POINTS) && !details.containsKey(QualifyingActivity.SPEND)) {
      return Option.none();
    }
    return qualifyingBeyondBound("details", account, details.get(QualifyingActivity.POINTS).map(Long::parseLong).getOrElse(0L),
        details.get(QualifyingActivity.SPEND).map(Long::parseLong).getOrElse(0L));
  }

  /**
   * The same refusal for what a purchase or event would record: the qualifying points its rules
   * grant and, for a purchase, its net spend ({@code lines}; {@code event} for an event). Made by
   * the quote as by the award, so that they agree. Only on a program with a tier ladder, the one
   * that sums them over windows: its earning reads the member's tier facts anyway (the tier a
   * purchase is quoted at, the evaluation after it), where a program without one would read and
   * keep them for every member for this check alone.
   */
  private Option<LoyaltyError> qualifyingBeyondBound(Account account, EarnQuote quote, Option<Purchase> purchase) {
    if (program.tierLadder().isEmpty()) {
      return Option.none();
    }
    long points = 0;
    for (List<RuleOutcome> rest = quote.outcomes(); !rest.isEmpty(); rest = rest.tail()) {
      RuleOutcome o = rest.head();
      if (o.qualifying() && o.granted().isPositive()) {
        // Held at a long: beyond the bound anyway (a quote does not check the balance's overflow).
        points = o.granted().value() > Long.MAX_VALUE - points ? Long.MAX_VALUE : points + o.granted().value();
      }
    }
    long spend = purchase.isDefined() ? minor(purchase.get().earningAmount(AmountBase.NET)) : 0;
    return qualifyingBeyondBound(purchase.isDefined() ? "lines" : "event", account, points, spend);
  }

  private Option<LoyaltyError> qualifyingBeyondBound(String field, Account account, long points, long spend) {
    TierFacts.Kept facts = tierFacts.upTo(account);
    return beyondBound(field, QualifyingActivity.POINTS, facts.pointsMagnitude(), points)
        .orElse(() -> beyondBound(field, QualifyingActivity.SPEND, facts.spendMagnitude(), spend));
  }

  private static Option<LoyaltyError> beyondBound(String field, String key, long recorded, long value) {
    return recorded <= MAX_QUALIFYING && value != Long.MIN_VALUE && Math.abs(value) <= MAX_QUALIFYING - recorded
        ? Option.none()
        : Option.some(new LoyaltyError.InvalidRequest(field, key + " of " + value + " would bring the member's "
            + key + ", counted without sign, beyond " + MAX_QUALIFYING + " (" + recorded + " recorded)"));
  }

  /** A custom event's attribute keys and values are free text: refused if one is not well-formed. */
  private static Option<LoyaltyError> malformedAttributes(CustomEvent event) {
    return unstorable("attributes", event.attributes().keySet()).orElse(() -> unstorable("attributes", event.attributes().values()));
  }

  /**
   * The refusal of a text longer than {@code max} characters, if any: for texts no other check
   * bounds, which a database must still be able to store (and, for a profile's external system
   * name, index: a PostgreSQL B-tree entry holds at most 2,704 bytes).
   */
  private static Option<LoyaltyError> tooLong(String field, Iterable<String> texts, int max) {
    for (String text : texts) {
      if (text.length() > max) {
        return Option.some(new LoyaltyError.InvalidRequest(field, "must be at most " + max + " characters, was " + text.length()));
      }
    }
    return Option.none();
  }

  private static Option<LoyaltyError> unstorable(String field, String text) {
    return unstorable(field, List.of(text));
  }

  private static Either<LoyaltyError, Boolean> checkText(String field, String text, int max) {
    if (text.isBlank()) {
      return invalid(field, "must not be blank");
    }
    return text.length() <= max ? Either.right(true) : invalid(field, "must be at most " + max + " characters, was " + text.length());
  }

  /** Refuses an instant outside the supported years ({@link SupportedInstants}). */
  private static Either<LoyaltyError, Boolean> checkSupported(String field, Instant at) {
    return SupportedInstants.check(field, at).map(ok -> true);
  }

  private static Either<LoyaltyError, Boolean> checkSupported(String field, Option<Instant> at) {
    return SupportedInstants.check(field, at).map(ok -> true);
  }

  private static Either<LoyaltyError, Boolean> checkNotFuture(String field, Instant at, Instant now) {
    return at.isAfter(now) ? invalid(field, "is in the future (" + at + " is after " + now + ")") : Either.right(true);
  }

  private static Either<LoyaltyError, Boolean> checkAfter(String field, Option<Instant> at, Instant earliest) {
    return at.exists(a -> !a.isAfter(earliest))
        ? invalid(field, "must be after " + earliest + ", was " + at.get())
        : Either.right(true);
  }

  /**
   * Refuses a credit's expiry at or before the instant its points are earned: its lot would be born
   * expired. One after that instant but already past (a back-dated credit, such as an import of
   * history) is kept: the next expiry run expires it, as it would have in the system it came from.
   */
  private static Either<LoyaltyError, Boolean> checkExpiryAfterOccurred(Option<Instant> expiresAt, Instant occurredAt) {
    return expiresAt.exists(e -> !e.isAfter(occurredAt))
        ? advised("expiresAt", "must be after occurredAt (" + occurredAt + "), was " + expiresAt.get()
            + ": the points would be expired when credited; give a later expiry, or none for points that never expire")
        : Either.right(true);
  }

  /**
   * Refuses a vesting instant before the points are earned (they would vest before they exist), or
   * at or after their expiry (they would stay pending until they expired, never spendable): the
   * check {@link io.github.loyaltyledger.earning.RuleTerms} makes of a rule's vesting.
   */
  private static Either<LoyaltyError, Boolean> checkVesting(Option<Instant> vestsAt, Instant occurredAt,
      Option<Instant> expiresAt) {
    if (vestsAt.exists(v -> v.isBefore(occurredAt))) {
      return invalid("vestsAt", "must not be before the points are earned (occurredAt " + occurredAt + "), was "
          + vestsAt.get());
    }
    if (vestsAt.exists(v -> expiresAt.exists(e -> !v.isBefore(e)))) {
      return invalid("vestsAt", "must be before expiresAt (" + expiresAt.get() + "): the points would stay pending until"
          + " they expired; was " + vestsAt.get());
    }
    return Either.right(true);
  }

  /**
   * Told when a listener throws while handling an event; the change stays committed. A handler that
   * throws in turn (other than an error of the virtual machine itself, such as
   * {@link OutOfMemoryError}, which propagates) does not fail the
   * call or stop the delivery: what it threw is logged as a warning through {@link System.Logger},
   * with the listener's failure suppressed in it, and the other listeners still hear every event.
   */
  @FunctionalInterface
  public interface ListenerFailureHandler {
    /**
     * Handles a listener's failure.
     *
     * @param listener the listener that threw
     * @param event the event it was handling
     * @param failure what it threw; an {@link Error} (a {@link StackOverflowError} included; an
     *     error of the virtual machine itself, such as {@link OutOfMemoryError}, propagates instead)
     *     or a checked exception arrives wrapped in an
     *     {@link java.lang.reflect.UndeclaredThrowableException}
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
        "Listener " + DailyRun.said(listener) + " failed on " + logged(event) + "; the change is committed regardless",
        failure);
    private int maxAttempts = 16;
    private MemberTiers memberTiers = MemberTiers.NONE;
    private boolean memberTiersSet;
    private SegmentResolver segmentResolver = SegmentResolver.NONE;
    private Option<String> renamedFrom = Option.none();
    private boolean unclaimedStore;

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
     *     default a warning is logged through {@link System.Logger}; not null. If it throws in turn,
     *     that is logged too, and the call and the delivery go on ({@link ListenerFailureHandler})
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
     * @param value where tier-targeted earning rules learn a member's tier, which also gives base
     *     rates the earn multiplier of that tier on the program's ladder, not null (default: the
     *     program's tier ladder through {@link Loyalty#tierOf}, or no tiers if it has none, and
     *     {@link #build()} refuses a rule for a tier the ladder does not have)
     * @return this builder
     */
    public Builder memberTiers(MemberTiers value) {
      this.memberTiers = Objects.requireNonNull(value, "memberTiers");
      this.memberTiersSet = true;
      return this;
    }

    /**
     * @param value where segment-targeted earning rules learn a member's segments (default: none),
     *     not null
     * @return this builder
     */
    public Builder segmentResolver(SegmentResolver value) {
      this.segmentResolver = Objects.requireNonNull(value, "segmentResolver");
      return this;
    }

    /**
     * Says that the program was renamed on purpose from {@code value}: a store that keeps the ledger
     * of program {@code value} keeps the program's from now on ({@link LedgerStore#claimProgram}), so
     * its members, history and keys carry over. Every earning counter is named by program id, so caps,
     * budgets, limits and visit counts start again at zero under the new id (README "Versions"). Once
     * every node runs the new id, the setting can be dropped; a store that keeps the new id already is
     * left as it is.
     *
     * @param value the id the program had before, not null
     * @return this builder
     */
    public Builder renamedFrom(String value) {
      this.renamedFrom = Option.some(Objects.requireNonNull(value, "renamedFrom"));
      return this;
    }

    /**
     * Says that only this program's facades ever run on the store, for a store that records no
     * program: one that keeps {@link LedgerStore}'s default {@link LedgerStore#claimProgram} and
     * {@link LedgerStore#keptProgram}, so that it answers every claim and keeps none. Without it,
     * {@link #build()} refuses such a store, since a facade of another program on it would share its
     * members, idempotency keys and reports without a word. Better, make the store keep the program's
     * id (override both methods; {@code LedgerStoreContract} checks them). A store that keeps its
     * program is claimed as always: this changes nothing for it.
     *
     * @return this builder
     */
    public Builder unclaimedStore() {
      this.unclaimedStore = true;
      return this;
    }

    /**
     * Builds the facade and claims the store for the program ({@link LedgerStore#claimProgram}): a
     * store that kept no program yet keeps this one's ledger from now on.
     *
     * @return the facade
     * @throws io.github.loyaltyledger.store.ProgramMismatchException if the store keeps the ledger of
     *     another program (one store keeps one program's ledger: give each program a store of its
     *     own, or see {@link #renamedFrom})
     * @throws IllegalStateException if the store records no program (it keeps none after the claim:
     *     {@link LedgerStore}'s defaults) and {@link #unclaimedStore()} was not called
     * @throws NullPointerException if no program or store was given
     * @throws IllegalArgumentException if the facade reads members' tiers from the program's tier
     *     ladder (no {@link #memberTiers} given) and an earning rule is for a tier the ladder does
     *     not have, or for any tier in a program without a ladder: the rule would never apply
     */
    public Loyalty build() {
      return new Loyalty(this);
    }
  }
}
