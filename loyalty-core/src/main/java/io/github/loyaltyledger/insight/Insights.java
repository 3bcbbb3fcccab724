package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.earning.MemberTiers;
import io.github.loyaltyledger.earning.RuleOutcome;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.MemberDirectory;
import io.github.loyaltyledger.tier.TierProgress;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.joda.money.CurrencyUnit;

/**
 * Read models over the ledger: member statements, programme liability and breakage. Built by the
 * {@code Loyalty} facade (which adds tier progress and typed refusals) or directly over a store.
 *
 * <p>Nothing here writes. Liability as of an instant after a member's newest entry reads that
 * member's running account state (one account and one entry); otherwise, and for the other
 * reports, a member's entries are replayed. Programme-wide reports visit members a page at a time through the
 * {@link MemberDirectory} port and each member's entries a page at a time, so memory stays bounded
 * by one page of members and one member's lots, whatever the size of the programme. Every report
 * takes its instant and zone as parameters; nothing reads a clock.
 */
public final class Insights {

  static final int MEMBER_PAGE = 1000;

  /** The first instant a report reads the ledger at: the years the ledger supports, each with a date in every zone. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  /** The last instant a report reads the ledger at (see {@link #EARLIEST}). */
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private final LedgerStore store;
  private final MemberDirectory directory;
  private final MemberTiers tiers;
  private final CurrencyUnit currency;

  /**
   * Creates the read models over a store.
   *
   * @param store where accounts and entries are read, not null
   * @param directory how members are listed page by page (usually the same store), not null
   * @param tiers where a member's tier at an instant is learnt, for the liability's split by tier
   *     ({@link MemberTiers#NONE} without tiers), not null; its answer of null, or of
   *     {@code Some(null)}, makes {@link #liability} throw {@link NullPointerException} naming the
   *     port and the member; the {@code Loyalty} facade passes one
   *     that reads the ledger as of that instant, so that entries recorded after it do not change a
   *     past liability
   * @param currency the program's currency, in which spend is reported, not null
   */
  public Insights(LedgerStore store, MemberDirectory directory, MemberTiers tiers, CurrencyUnit currency) {
    this.store = Objects.requireNonNull(store, "store");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.tiers = Objects.requireNonNull(tiers, "tiers");
    this.currency = Objects.requireNonNull(currency, "currency");
  }

  /**
   * Builds a member's statement for the entries recorded in {@code [from, to)}, read in ledger order
   * as {@code Loyalty.balanceAsOf} reads the ledger: the opening balance is the balance after the
   * last entry recorded before {@code from}, the lines run from the entry after it to the last one
   * recorded before {@code to}, and the closing balance is the balance after that. With one clock
   * the lines are the entries recorded in the period; when the clocks of several nodes disagree, an
   * entry recorded "earlier" than the one before it takes that one (and any other the ledger
   * committed before it) into its own period or the opening. So the opening and closing balances
   * are those {@code balanceAsOf} gives just before {@code from} and {@code to}, and the opening
   * balance plus the lines is the closing balance.
   *
   * @param member the member, not null
   * @param from the start of the period, inclusive, not null
   * @param to the end of the period, exclusive, not null
   * @param expiringWithin how far after {@code to} expiring points are listed, not null, not negative;
   *     a window reaching past {@link Instant#MAX} ends there, listing every point still to expire
   * @param tier the member's tier progress to show, not null (none without a ladder); not shown for
   *     a closed (or erased) member, who stands nowhere on the ladder
   * @return the statement, or none if the member is not enrolled
   * @throws IllegalArgumentException if {@code from} is not before {@code to}, either is outside years
   *     1 to 9999, or the window is negative
   */
  public Option<Statement> statement(
      MemberId member, Instant from, Instant to, Duration expiringWithin, Option<TierProgress> tier) {
    Objects.requireNonNull(member, "member");
    supported("from", from);
    supported("to", to);
    Objects.requireNonNull(expiringWithin, "expiringWithin");
    Objects.requireNonNull(tier, "tier");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("to must be after from (" + from + "), was " + to);
    }
    if (expiringWithin.isNegative()) {
      throw new IllegalArgumentException("expiringWithin must not be negative, was " + expiringWithin);
    }
    return store.account(member).map(account -> {
      // In ledger order, as balanceAsOf reads it: up to the last entry recorded before to, the
      // opening being the balance after the last one recorded before from. With nodes whose clocks
      // disagree, entries the ledger committed before one recorded before from turn out to be part
      // of the opening only when that one is read: their lines are dropped then.
      long[] total = {0};
      long[] opening = {0};
      java.util.List<StatementLine> lines = new java.util.ArrayList<>();
      LotReplay lots = new LotReplay();
      LotReplay.forEachEntryUntilLast(store, member, e -> e.recordedAt().isBefore(to), e -> {
        lots.apply(e);
        total[0] += e.points().value();
        if (e.recordedAt().isBefore(from)) {
          opening[0] = total[0];
          lines.clear();
        } else {
          lines.add(new StatementLine(e.sequence(), e.occurredAt(), e.kind(), e.points(), Points.of(total[0]),
              e.reason(), breakdown(e, account.member().zone())));
        }
      });
      // A closed account is final: a tier "until" a date, or a next tier to reach, would promise
      // what it can no longer have.
      boolean closed = account.member().status() == MemberStatus.CLOSED;
      return new Statement(member, account.member().zone(), from, to, Points.of(opening[0]), List.ofAll(lines),
          Points.of(total[0]), expiring(lots, to, windowEnd(to, expiringWithin)), closed ? Option.none() : tier);
    });
  }

  /**
   * Computes the programme's outstanding points as of an instant, valued at a redemption rate and
   * split by expiry bucket and by tier.
   *
   * @param asOf the instant (the entries up to the last one recorded at or before it count, as
   *     {@code balanceAsOf} reads the ledger), not null
   * @param zone the zone in which days until expiry are counted, not null
   * @param rate what points are worth, not null
   * @return the liability
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999
   * @throws ArithmeticException if the outstanding points, or those of a bucket or a tier, exceed
   *     {@link Long#MAX_VALUE}: a total is never reported wrapped around
   */
  public Liability liability(Instant asOf, ZoneId zone, RedemptionRate rate) {
    supported("asOf", asOf);
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(rate, "rate");
    LocalDate today = asOf.atZone(zone).toLocalDate();
    Map<ExpiryBucket, Long> buckets = new EnumMap<>(ExpiryBucket.class);
    for (ExpiryBucket b : ExpiryBucket.values()) {
      buckets.put(b, 0L);
    }
    Map<String, Long> byTier = new java.util.TreeMap<>();
    long[] members = {0};
    forEachMember(member -> {
      Option<Account> account = store.account(member);
      // A member enrolled after asOf was no member then: counting them made a re-run of a past
      // close report more members than the close did.
      if (account.forAll(a -> !a.member().enrolledAt().isAfter(asOf))) {
        members[0]++;
      }
      Option<Account> current = account.filter(a -> isCurrentAt(a, asOf));
      long held;
      List<io.vavr.Tuple2<Long, Option<Instant>>> live;
      if (current.isDefined()) {
        // Nothing was recorded after asOf: the account's running state is the state then (O(1)).
        held = current.get().balance().held().value();
        live = current.get().lots().toList().map(l -> io.vavr.Tuple.of(l.remaining().value(), l.expiresAt()));
      } else {
        LotReplay replay = LotReplay.of(store, member, asOf);
        held = replay.held();
        live = List.ofAll(replay.lots()).map(l -> io.vavr.Tuple.of(l.remaining, l.expiresAt));
      }
      long owed = held;
      buckets.merge(ExpiryBucket.HELD, held, Insights::outstanding);
      for (io.vavr.Tuple2<Long, Option<Instant>> lot : live.filter(l -> l._1 > 0)) {
        owed = outstanding(owed, lot._1);
        ExpiryBucket bucket = lot._2.isEmpty() ? ExpiryBucket.NEVER
            : !lot._2.get().isAfter(asOf) ? ExpiryBucket.OVERDUE
            : ExpiryBucket.ofDays(Math.max(1, ChronoUnit.DAYS.between(today, lot._2.get().atZone(zone).toLocalDate())));
        buckets.merge(bucket, lot._1, Insights::outstanding);
      }
      if (owed != 0) {
        byTier.merge(tierOf(member, asOf).getOrElse(Liability.NO_TIER), owed, Insights::outstanding);
      }
    });
    SortedMap<ExpiryBucket, Points> split = TreeMap.ofAll(buckets).mapValues(Points::of);
    return new Liability(asOf, zone, rate, members[0],
        Points.of(buckets.values().stream().reduce(0L, Insights::outstanding)), split,
        TreeMap.ofAll(byTier).mapValues(Points::of));
  }

  /**
   * The member's tier as the port tells it; an answer of null, or holding null, is named with the
   * member here, since the split by tier would refuse it unnamed.
   */
  private Option<String> tierOf(MemberId member, Instant asOf) {
    Option<String> tier = tiers.tierOf(member, asOf);
    if (tier == null || tier.exists(Objects::isNull)) {
      throw new NullPointerException("a MemberTiers port answered " + (tier == null ? "null" : "Some(null)")
          + " for member '" + member + "': it answers Option.none() for a member without a tier");
    }
    return tier;
  }

  /**
   * What became of the points each of a member's credits issued outside what is left in its own
   * lot, as breakage counts them ({@link IssuedPoints}): how many expired unused, wherever they sat,
   * how many sit unspent in each grace lot, and how many debits (open holds, redemptions) took from
   * grace lots and have not given back, and how many other credits' reversals took from grace lots in
   * their place. A refund of a purchase (or a reversal of a credit) reads it to spare the expired
   * points, to take the credit's points in grace lots before the member's other points, and to wait
   * for the holds that hold them (also through another credit's reversal); a return of such a debit,
   * to give them to the lots the credit's reversal took in their place.
   * Reads the member's whole ledger once, whatever the number of credits.
   *
   * @param store where the member's entries are read, not null
   * @param member the member, not null
   * @return per entry that created a lot issuing points (a credit, an award), what became of them;
   *     empty for a member with no such entry or not enrolled
   */
  public static SortedMap<EntryId, IssuedPoints> issuedPointsOf(LedgerStore store, MemberId member) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(member, "member");
    LotReplay replay = new LotReplay();
    LotReplay.forEachEntry(store, member, replay::apply);
    SortedMap<EntryId, SortedMap<EntryId, Points>> inGrace = TreeMap.empty();
    for (LotReplay.ReplayedLot grace : replay.lots()) {
      if (grace.grace) {
        for (LotReplay.Share share : grace.shares) {
          if (share.left > 0) {
            inGrace = inGrace.put(share.issuer.id, TreeMap.of(grace.id, Points.of(share.left)),
                (was, more) -> was.merge(more, Points::plus));
          }
        }
      }
    }
    SortedMap<EntryId, SortedMap<EntryId, SortedMap<EntryId, Points>>> taken = TreeMap.empty();
    for (Map.Entry<EntryId, Map<EntryId, Map<EntryId, Long>>> debit : replay.takenFromGraceLots().entrySet()) {
      for (Map.Entry<EntryId, Map<EntryId, Long>> lot : debit.getValue().entrySet()) {
        for (Map.Entry<EntryId, Long> issuer : lot.getValue().entrySet()) {
          if (issuer.getValue() > 0) {
            taken = taken.put(issuer.getKey(), TreeMap.of(debit.getKey(), TreeMap.of(lot.getKey(), Points.of(issuer.getValue()))),
                (was, more) -> was.merge(more, (a, b) -> a.merge(b, Points::plus)));
          }
        }
      }
    }
    SortedMap<EntryId, SortedMap<EntryId, Points>> inPlace = TreeMap.empty();
    for (Map.Entry<EntryId, Map<EntryId, Long>> issuer : replay.takenInPlace().entrySet()) {
      for (Map.Entry<EntryId, Long> reversed : issuer.getValue().entrySet()) {
        if (reversed.getValue() > 0) {
          inPlace = inPlace.put(issuer.getKey(), TreeMap.of(reversed.getKey(), Points.of(reversed.getValue())),
              (was, more) -> was.merge(more, Points::plus));
        }
      }
    }
    SortedMap<EntryId, IssuedPoints> issued = TreeMap.empty();
    for (LotReplay.ReplayedLot lot : replay.lots()) {
      if (lot.original > 0) {
        issued = issued.put(lot.id, new IssuedPoints(lot.id, Points.of(lot.out(LotReplay.Outflow.EXPIRED)),
            inGrace.get(lot.id).getOrElse(TreeMap.empty()), taken.get(lot.id).getOrElse(TreeMap.empty()),
            inPlace.get(lot.id).getOrElse(TreeMap.empty())));
      }
    }
    return issued;
  }

  /**
   * Computes breakage per cohort month: where the points credited in each month went, as of an
   * instant.
   *
   * @param asOf the instant (the entries up to the last one recorded at or before it count, as
   *     {@code balanceAsOf} reads the ledger), not null
   * @param zone the zone that decides a credit's month, not null
   * @return the cohorts, oldest first
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999
   * @throws ArithmeticException if a cohort's issued, redeemed, expired, other or outstanding points
   *     exceed {@link Long#MAX_VALUE}: a total is never reported wrapped around
   */
  public Breakage breakage(Instant asOf, ZoneId zone) {
    supported("asOf", asOf);
    Objects.requireNonNull(zone, "zone");
    Map<YearMonth, long[]> cohorts = new java.util.TreeMap<>();
    forEachMember(member -> {
      Iterable<LotReplay.ReplayedLot> lots = LotReplay.of(store, member, asOf).lots();
      for (LotReplay.ReplayedLot lot : lots) {
        if (lot.original > 0) {
          YearMonth month = YearMonth.from(lot.earnedAt.atZone(zone));
          long[] c = cohorts.computeIfAbsent(month, m -> new long[5]);
          add(c, 0, lot.original, month);
          add(c, 1, lot.out(LotReplay.Outflow.REDEEMED), month);
          add(c, 2, lot.out(LotReplay.Outflow.EXPIRED), month);
          add(c, 3, lot.out(LotReplay.Outflow.OTHER), month);
        }
      }
      // Outstanding by the lot that issued the points, wherever they sit (returned points in a grace lot).
      for (LotReplay.ReplayedLot lot : lots) {
        for (LotReplay.Share share : lot.shares) {
          YearMonth month = YearMonth.from(share.issuer.earnedAt.atZone(zone));
          add(cohorts.computeIfAbsent(month, m -> new long[5]), 4, share.left, month);
        }
      }
    });
    return new Breakage(asOf, zone, List.ofAll(cohorts.entrySet()).map(e -> {
      long[] c = e.getValue();
      return new BreakageCohort(e.getKey(), Points.of(c[0]), Points.of(c[1]), Points.of(c[2]), Points.of(c[3]),
          Points.of(c[4]));
    }));
  }

  /**
   * Builds an RFM model from every member's purchases up to an instant (see {@link RfmModel}).
   *
   * @param asOf the instant, not null
   * @param zone the zone in which days since the last purchase and months of tenure are counted, not null
   * @param targetable which members segment-targeted promotions may address (e.g. those who gave
   *     marketing consent), not null; the others are in no segment when the model resolves segments
   * @return the model
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999
   * @throws ArithmeticException if a member's spend (in minor units) or number of purchases is beyond
   *     {@link Long#MAX_VALUE} (possible only on a program without a tier ladder, which bounds no
   *     member's qualifying spend): a figure is never reported wrapped around
   */
  public RfmModel rfm(Instant asOf, ZoneId zone, java.util.function.Predicate<MemberId> targetable) {
    supported("asOf", asOf);
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(targetable, "targetable");
    return RfmModel.build(this, store, asOf, zone, currency, targetable);
  }

  /**
   * Computes retention by enrolment cohort: for the members enrolled in each month up to
   * {@code asOf}, how many were active in each month since (see {@link Retention}).
   *
   * @param asOf the instant (members enrolled and entries occurred at or before it count), not null
   * @param zone the zone that decides months, not null
   * @return the cohorts, oldest first
   * @throws IllegalArgumentException if {@code asOf} is outside years 1 to 9999
   */
  public Retention retention(Instant asOf, ZoneId zone) {
    supported("asOf", asOf);
    Objects.requireNonNull(zone, "zone");
    YearMonth last = YearMonth.from(asOf.atZone(zone));
    Map<YearMonth, long[]> cohorts = new java.util.TreeMap<>();
    forEachMember(member -> store.account(member).forEach(account -> {
      Instant enrolled = account.member().enrolledAt();
      if (enrolled.isAfter(asOf)) {
        return;
      }
      YearMonth cohort = YearMonth.from(enrolled.atZone(zone));
      long[] c = cohorts.computeIfAbsent(cohort, m -> new long[(int) cohort.until(last, ChronoUnit.MONTHS) + 2]);
      c[0]++;
      java.util.BitSet active = new java.util.BitSet();
      LotReplay.forEachEntry(store, member, e -> {
        if (Retention.isActivity(e) && !e.occurredAt().isAfter(asOf)) {
          long offset = cohort.until(YearMonth.from(e.occurredAt().atZone(zone)), ChronoUnit.MONTHS);
          if (offset >= 0) {
            active.set((int) offset);
          }
        }
      });
      active.stream().forEach(k -> c[k + 1]++);
    }));
    return new Retention(asOf, zone, List.ofAll(cohorts.entrySet()).map(e -> new RetentionCohort(e.getKey(),
        e.getValue()[0], List.ofAll(e.getValue()).drop(1))));
  }

  /**
   * A sum of outstanding points, exact: a report never shows a total that wrapped around.
   *
   * @throws ArithmeticException if the sum is beyond what a {@code long} (and so {@link Points}) counts
   */
  private static long outstanding(long total, long more) {
    try {
      return Math.addExact(total, more);
    } catch (ArithmeticException e) {
      throw new ArithmeticException("The programme's outstanding points (or a split of them) exceed "
          + Long.MAX_VALUE + ", the most a report counts; no liability can be reported in points");
    }
  }

  /**
   * Adds points to one of a breakage cohort's figures, exactly: a report never shows a total that
   * wrapped around.
   *
   * @throws ArithmeticException if the figure goes beyond what a {@code long} (and so {@link Points}) counts
   */
  private static void add(long[] cohort, int figure, long more, YearMonth month) {
    try {
      cohort[figure] = Math.addExact(cohort[figure], more);
    } catch (ArithmeticException e) {
      throw new ArithmeticException("The points of the " + month + " cohort exceed " + Long.MAX_VALUE
          + ", the most a report counts; no breakage can be reported in points");
    }
  }

  /**
   * Whether the ledger as of an instant is the whole ledger: its newest entry was recorded at or
   * before it, and so, read as {@code balanceAsOf} reads it, every entry counts (one entry read).
   */
  private boolean isCurrentAt(Account account, Instant at) {
    return account.lastSequence() == 0
        || store.entry(io.github.loyaltyledger.ledger.EntryId.of(account.memberId(), account.lastSequence()))
            .exists(newest -> !newest.recordedAt().isAfter(at));
  }

  /**
   * Checks an instant a report is asked for: one outside years 1 to 9999 has no date in some zone,
   * where the report would fail on it; refused as the facade refuses it.
   */
  static Instant supported(String name, Instant at) {
    Objects.requireNonNull(at, name);
    if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
      throw new IllegalArgumentException(name + " must be between years 1 and 9999 (" + EARLIEST + " to " + LATEST
          + "), was " + at);
    }
    return at;
  }

  /** Visits every enrolled member, a page at a time, in member-id order. */
  void forEachMember(Consumer<MemberId> visitor) {
    Option<MemberId> after = Option.none();
    List<MemberId> page;
    do {
      page = directory.members(after, MEMBER_PAGE);
      page.forEach(visitor);
      after = page.lastOption();
    } while (page.size() == MEMBER_PAGE);
  }

  /** {@code to + window}, or {@link Instant#MAX} where that is beyond it (Instant.plus would throw). */
  private static Instant windowEnd(Instant to, Duration window) {
    return window.compareTo(Duration.between(to, Instant.MAX)) >= 0 ? Instant.MAX : to.plus(window);
  }

  /**
   * The points left at the end of the period in lots expiring at its end or after it, and within the
   * window: points expiring at {@code end} could be spent throughout the period, and are gone once
   * it ends (a last valid day of 31 March expires at the start of 1 April, a March statement's end).
   */
  private static List<ExpiringPoints> expiring(LotReplay lots, Instant end, Instant until) {
    return List.ofAll(lots.lots())
        .filter(l -> l.remaining > 0 && l.expiresAt.exists(x -> !x.isBefore(end) && !x.isAfter(until)))
        .groupBy(l -> l.expiresAt.get())
        .map(g -> new ExpiringPoints(g._1, Points.of(g._2.map(l -> l.remaining).sum().longValue())))
        .toList().sortBy(ExpiringPoints::expiresAt);
  }

  /**
   * The lines beneath an entry's: the rule breakdown of an earning entry, and which part an entry of
   * a transfer written in several pairs is (one per expiry of the points sent), with, for the
   * received part, the last day its points can be spent in the member's zone.
   */
  private static List<String> breakdown(Entry e, ZoneId zone) {
    if ((e.kind() == EntryKind.TRANSFER_OUT || e.kind() == EntryKind.TRANSFER_IN)
        && e.details().containsKey(Transfer.PART_DETAIL)) {
      String part = "Part " + e.details().get(Transfer.PART_DETAIL).get() + " of "
          + e.details().get(Transfer.PARTS_DETAIL).getOrElse("?") + " of this transfer (one per expiry of the points sent)";
      return List.of(e.kind() == EntryKind.TRANSFER_OUT ? part
          : part + e.expiresAt().map(x -> "; last day to spend them " + x.minusNanos(1).atZone(zone).toLocalDate())
              .getOrElse("; they do not expire"));
    }
    return e.details().keySet().toList()
        .filter(k -> k.startsWith(RuleOutcome.KEY_PREFIX))
        .flatMap(k -> RuleOutcome.fromDetails(k.substring(RuleOutcome.KEY_PREFIX.length()), e.programVersion(),
            e.details(), e.expiresAt(), e.vestsAt()))
        .filter(o -> o.granted().isPositive())
        .map(o -> o.description() + ": " + Statement.counted(o.granted())
            + (o.explanation().isBlank() ? "" : " (" + o.explanation() + ")"));
  }
}
