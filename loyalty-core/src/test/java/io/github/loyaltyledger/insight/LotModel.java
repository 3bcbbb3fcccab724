package io.github.loyaltyledger.insight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.LotMovement;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A model of where the points each lot issued went, for property tests, that shares no code with
 * {@link LotReplay}: every point is a token tagged with the lot that issued it, and the model moves
 * the tokens, one by one, as a member's entries record their lot movements. A debit takes a lot's
 * tokens front first (a credit's reversal, the credit's own tokens before the others) and sinks
 * them as redeemed, expired or other (by the entry's kind); a return (a hold's capture or release, a
 * redemption's or a negative adjustment's reversal) puts the very tokens its debit took back into
 * their lots; a deficit repaid by a credit, a vesting or a return sinks the tokens
 * that repaid it as other. Where an entry does not say which points it
 * moved (a return that gives a reversed credit's points to the lots its reversal took in their
 * place or to the lots that repaid the deficit it overdrew, repays a deficit, or fills a grace lot),
 * the model routes them as ADR 0003, 0006 and 0010 describe and asserts that the routing arrives at
 * the movements and details the entry records; the tokens a substitute or repaying lot gets back are
 * those the reversal or the repayment sank. Each grace-lot token keeps its place in the lot, so what
 * leaves the lot later is taken in the order the points came in.
 */
final class LotModel {

  /** Where a token that left the lots went. */
  enum Sink { REDEEMED, EXPIRED, OTHER }

  /** One point, tagged with the lot that issued it. */
  static final class Token {
    final ModelLot issuer;
    /** The token's place in a grace lot, in the order the points came in. */
    int rank;
    /** Null while the token is in a lot or being moved. */
    Sink sunk;

    Token(ModelLot issuer) {
      this.issuer = issuer;
    }

    void sink(Sink to) {
      sunk = to;
      issuer.out[to.ordinal()]++;
    }

    void unsink() {
      assertTrue(sunk != null, "a token given back that had not left its lot");
      issuer.out[sunk.ordinal()]--;
      sunk = null;
    }
  }

  /** A lot: a credit's (which issues points) or a grace lot (which issues none). */
  static final class ModelLot {
    final EntryId id;
    final long original;
    final Instant earnedAt;
    final Option<Instant> expiresAt;
    final boolean grace;
    final List<Token> tokens = new ArrayList<>();
    /** The tokens this lot issued that left the lots, by sink. */
    final long[] out = new long[Sink.values().length];
    boolean pending;

    ModelLot(EntryId id, long original, Instant earnedAt, Option<Instant> expiresAt, boolean grace) {
      this.id = id;
      this.original = original;
      this.earnedAt = earnedAt;
      this.expiresAt = expiresAt;
      this.grace = grace;
    }

    List<Token> takeFront(long n) {
      assertTrue(n <= tokens.size(), "lot " + id + " has " + tokens.size() + " points, not " + n);
      List<Token> taken = new ArrayList<>(tokens.subList(0, (int) n));
      tokens.subList(0, (int) n).clear();
      return taken;
    }

    /** The first {@code n} tokens, those {@code owner}'s lot issued before the others. */
    List<Token> takeFront(long n, Option<EntryId> owner) {
      assertTrue(n <= tokens.size(), "lot " + id + " has " + tokens.size() + " points, not " + n);
      List<Token> taken = new ArrayList<>(tokens.stream().filter(t -> owner.contains(t.issuer.id)).limit(n).toList());
      tokens.stream().filter(t -> !owner.contains(t.issuer.id)).limit(n - taken.size()).forEach(taken::add);
      // Tokens are equal only to themselves: the others keep their places.
      tokens.removeAll(taken);
      return taken;
    }

    void putBack(Token t) {
      int at = 0;
      while (at < tokens.size() && tokens.get(at).rank <= t.rank) {
        at++;
      }
      tokens.add(at, t);
    }

    long out(Sink sink) {
      return out[sink.ordinal()];
    }
  }

  /** Tokens moved from or to one lot, and when they were taken from it. */
  record Segment(EntryId lot, List<Token> tokens, Instant at, boolean repays, boolean moved) {

    Segment(EntryId lot, List<Token> tokens, Instant at) {
      this(lot, tokens, at, false, false);
    }

    /** The same tokens, moved to their lot from a reversed credit's returned points. */
    Segment asMoved() {
      return new Segment(lot, tokens, at, repays, true);
    }
  }

  /**
   * A debit a return can give points back to: the tokens it took, lot by lot, in order, and, for a
   * hold, when it lapses (a release after that, by the timeout or a void, judges grace then).
   */
  private record Taking(List<Segment> taken, Instant at, Option<Instant> lapses) {}

  /** A lot whose points repaid a deficit, by the entry at {@code sequence}, recorded at {@code at}. */
  private record Repayment(EntryId lot, long points, long sequence, Instant at) {}

  private final Map<EntryId, ModelLot> lots = new LinkedHashMap<>();
  private final Map<EntryId, Taking> takings = new HashMap<>();
  /** The payments given back in part so far: a later return of one is a part too, even of all that is left. */
  private final java.util.Set<EntryId> returnedInPart = new java.util.HashSet<>();
  private final Map<EntryId, Long> openHolds = new HashMap<>();
  /** Every hold, open or resolved. */
  private final java.util.Set<EntryId> holds = new java.util.HashSet<>();
  /** Per reversed credit's lot: the sequence of its first reversal. */
  private final Map<EntryId, Long> reversed = new HashMap<>();
  /**
   * Per credit, what its reversals forgave under {@code CLAMP} ({@code shortfall}) and no return
   * has settled yet ({@code forgiven.settled}): the credit's points that come back to its lot go to
   * it without grace, for the request to take them back.
   */
  private final Map<EntryId, Long> forgiven = new HashMap<>();
  /** Per reversed credit's lot: the tokens its reversals took from other lots, one segment per token. */
  private final Map<EntryId, List<Segment>> substitutes = new HashMap<>();
  /** Per lot: the tokens of it that repaid a deficit and a return may give it back. */
  private final Map<EntryId, ArrayDeque<Token>> repaidTokens = new HashMap<>();
  private final List<Repayment> repayments = new ArrayList<>();
  /** Per detail key: its sum over the entries giving points back so far. */
  private final Map<String, Long> movedSoFar = new HashMap<>();
  private long total;
  /** Whether an entry gives points back without a grace period: a debit's reversal by hand. */
  private final Predicate<Entry> withoutGrace;

  /**
   * A model of one member's lots, before their first entry.
   *
   * @param withoutGrace which entries give points back without a grace period, to lots expired or
   *     not ({@code Loyalty.reverse} of a debit); the ledger does not record it
   */
  LotModel(Predicate<Entry> withoutGrace) {
    this.withoutGrace = withoutGrace;
  }

  /** Applies one of the member's entries, the next in sequence. */
  void apply(Entry e) {
    long available = available();
    if (e.kind() == EntryKind.VEST) {
      vest(e, available);
      return;
    }
    total += e.points().value();
    Taking referenced = e.reference().map(takings::get).getOrNull();
    boolean returns = referenced != null && (e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE
        || e.kind() == EntryKind.REVERSAL && e.points().isPositive());
    if (e.kind() == EntryKind.HOLD) {
      holds.add(e.id());
      openHolds.put(e.id(), -e.movements().map(m -> m.points().value()).sum().longValue());
    }
    if (e.kind() == EntryKind.REVERSAL && e.points().isZero() && e.details().containsKey("payment.returned")) {
      // A part of a payment too small to give back a point still makes every later return a part.
      e.reference().forEach(returnedInPart::add);
    }
    if (returns) {
      e.reference().forEach(openHolds::remove);
      giveBack(e, referenced, Math.max(0, -available));
    } else if (e.kind().createsLot() && e.points().isPositive()) {
      credit(e);
    } else {
      Sink sink = switch (e.kind()) {
        case EXPIRE -> Sink.EXPIRED;
        case REDEEM, HOLD -> Sink.REDEEMED;
        default -> Sink.OTHER;
      };
      List<Segment> taken = new ArrayList<>();
      // A credit's reversal takes back the credit's own tokens first, wherever they sit (in a grace lot too).
      Option<EntryId> owner = e.kind() == EntryKind.REVERSAL && e.points().isNegative() ? e.reference() : Option.none();
      for (LotMovement m : e.movements()) {
        assertTrue(m.points().isNegative(), "a debit's movement " + m + " in " + e);
        List<Token> tokens = lot(m.lot()).takeFront(-m.points().value(), owner);
        tokens.forEach(t -> t.sink(sink));
        taken.add(new Segment(m.lot(), tokens, e.recordedAt()));
      }
      // A negative adjustment's reversal gives its points back as a redemption's does.
      if (e.kind() == EntryKind.REDEEM || e.kind() == EntryKind.HOLD || e.kind() == EntryKind.ADJUST) {
        takings.put(e.id(), new Taking(taken, e.recordedAt(), e.expiresAt()));
      }
      if (e.kind() == EntryKind.REVERSAL && e.points().isNegative() && e.reference().isDefined()) {
        EntryId credit = e.reference().get();
        reversed.putIfAbsent(credit, e.sequence());
        // The credit's own tokens it took from grace lots stand in for nothing (grace.taken.<lot>).
        Map<String, Long> own = new TreeMap<>();
        taken.stream().filter(s -> !s.lot().equals(credit)).forEach(s -> s.tokens().forEach(t -> {
          if (t.issuer.id.equals(credit)) {
            own.merge("grace.taken." + s.lot(), 1L, Long::sum);
          } else {
            substitutes.computeIfAbsent(credit, id -> new ArrayList<>()).add(new Segment(s.lot(), List.of(t), s.at()));
          }
        }));
        Map<String, Long> recorded = new TreeMap<>();
        e.details().filterKeys(k -> k.startsWith("grace.taken.")).forEach((k, v) -> recorded.put(k, Long.parseLong(v)));
        assertEquals(recorded, own, "the credit's own points " + e + " took from grace lots");
      }
    }
    if (e.kind() == EntryKind.REVERSAL && e.reference().isDefined()) {
      EntryId credit = e.reference().get();
      e.details().get("shortfall").forEach(n -> forgiven.merge(credit, Long.parseLong(n), Long::sum));
      e.details().get("forgiven.settled").forEach(n -> forgiven.merge(credit, -Long.parseLong(n), Long::sum));
    }
    // Only later entries see what this one repaid (Loyalty.repaidIn, in the details' order).
    if ((e.kind() == EntryKind.REVERSAL || e.kind() == EntryKind.RELEASE || e.kind() == EntryKind.CAPTURE)) {
      e.details().forEach(d -> {
        if (d._1.startsWith("deficit.repaid.")) {
          repayments.add(new Repayment(EntryId.parse(d._1.substring("deficit.repaid.".length())),
              Long.parseLong(d._2), e.sequence(), e.recordedAt()));
        }
      });
      e.details().forEach(d -> {
        if (routes(d._1)) {
          movedSoFar.merge(d._1, Long.parseLong(d._2), Long::sum);
        }
      });
    }
  }

  /**
   * Whether a detail key says where a return's points went: {@code refund.returned.<lot>},
   * {@code refund.deficit.<lot>}, {@code deficit.repaid.<lot>} or {@code deficit.returned.<lot>} (a
   * refund's own details, such as {@code refund.of}, say what it took back).
   */
  private static boolean routes(String key) {
    return key.startsWith("refund.returned.") || key.startsWith("refund.deficit.")
        || key.startsWith("deficit.repaid.") || key.startsWith("deficit.returned.");
  }

  private ModelLot lot(EntryId id) {
    ModelLot lot = lots.get(id);
    assertTrue(lot != null, "no lot " + id);
    return lot;
  }

  private void credit(Entry e) {
    long issued = e.points().value();
    long kept = e.movements().filter(m -> m.lot().equals(e.id())).map(m -> m.points().value()).sum().longValue();
    assertEquals(e.movements().size(), kept > 0 ? 1 : 0, "a credit moves only its own lot: " + e);
    ModelLot lot = new ModelLot(e.id(), issued, e.occurredAt(), e.expiresAt(), false);
    lots.put(e.id(), lot);
    for (long i = 0; i < kept; i++) {
      lot.tokens.add(new Token(lot));
    }
    lot.pending = e.vestsAt().exists(v -> v.isAfter(e.recordedAt()));
    for (long i = kept; i < issued; i++) {
      Token t = new Token(lot);
      t.sink(Sink.OTHER);
      repaidTokens.computeIfAbsent(e.id(), id -> new ArrayDeque<>()).add(t);
    }
    if (!lot.pending && kept < issued) {
      repayments.add(new Repayment(e.id(), issued - kept, e.sequence(), e.recordedAt()));
    }
  }

  /** A vesting repays a deficit out of each vested lot in turn; those points are not followed back. */
  private void vest(Entry e, long available) {
    long balance = available;
    for (LotMovement m : e.movements()) {
      long vested = m.points().value();
      long repaid = Math.min(Math.max(0, -balance), vested);
      balance += vested;
      ModelLot lot = lot(m.lot());
      assertTrue(lot.pending, "vested a lot not pending: " + m);
      lot.pending = false;
      lot.takeFront(repaid).forEach(t -> t.sink(Sink.OTHER));
    }
  }

  /**
   * An entry giving back tokens a debit took: routed as {@code Loyalty.pastRefunds} and
   * {@code Books.giveBack} document it, then checked against the entry's movements and details.
   */
  private void giveBack(Entry e, Taking debit, long deficit) {
    // Only a return of all the debit's points at once knows whose of them sit in a grace lot: a
    // capture or a part of a payment (Loyalty.cancelRedemption with money) gives a reversed credit's
    // points there back to the grace lot (ADR 0006, amendment "partial return").
    boolean whole = e.kind() != EntryKind.CAPTURE && !(e.details().containsKey("payment.returned")
        && (returnedInPart.contains(e.reference().get())
            || e.points().value() < debit.taken().stream().mapToLong(s -> s.tokens().size()).sum()));
    List<Segment> returning = switch (e.kind()) {
      case RELEASE -> debit.taken();
      case CAPTURE -> {
        long captured = -e.points().value();
        takings.put(e.id(), new Taking(split(debit.taken(), captured, true), debit.at(), debit.lapses()));
        yield split(debit.taken(), captured, false);
      }
      default -> {
        if (e.details().containsKey("payment.returned")) {
          // A payment given back in part: the next return gives back the tokens after these.
          takings.put(e.reference().get(), new Taking(split(debit.taken(), e.points().value(), false), debit.at(),
              debit.lapses()));
          returnedInPart.add(e.reference().get());
        }
        yield split(debit.taken(), e.points().value(), true);
      }
    };
    returning.forEach(s -> s.tokens().forEach(Token::unsink));
    List<Token> given = new ArrayList<>();
    returning.forEach(s -> given.addAll(s.tokens()));
    Map<String, Long> details = new TreeMap<>();
    ArrayDeque<Segment> toPlace = new ArrayDeque<>(returning);
    List<Segment> owed = new ArrayList<>();
    List<Segment> settling = new ArrayList<>();
    Map<EntryId, Long> unsettled = new HashMap<>(forgiven);
    List<Segment> left = new ArrayList<>();
    List<Segment> back = new ArrayList<>();
    long owedLeft = deficit;
    // Per reversed lot: what this entry gave so far to each lot that repaid the deficit its reversal overdrew.
    Map<EntryId, Map<EntryId, Long>> toRepayers = new HashMap<>();
    // When each segment left to give back came off the queue: the order the replay meets them in.
    Map<Segment, Integer> polled = new java.util.IdentityHashMap<>();
    while (!toPlace.isEmpty()) {
      Segment s = toPlace.poll();
      EntryId x = s.lot();
      if (!reversed.containsKey(x)) {
        Segment rest = s;
        if (whole && !s.moved() && lot(x).grace) {
          // A grace lot's tokens of reversed credits, credit by credit in ledger order, go where their
          // reversals took others; the rest go back to it.
          List<Token> tokens = new ArrayList<>(s.tokens());
          for (EntryId credit : new java.util.TreeSet<>(tokens.stream().map(t -> t.issuer.id)
              .filter(reversed::containsKey).toList())) {
            List<Token> own = tokens.stream().filter(t -> t.issuer.id.equals(credit)).toList();
            List<Segment> elsewhere = substitutes.getOrDefault(credit, List.of());
            String key = "refund.returned." + credit;
            long before = elsewhere.isEmpty() ? 0 : movedSoFar.getOrDefault(key, 0L) + details.getOrDefault(key, 0L);
            long moved = Math.max(0, Math.min(own.size(), elsewhere.size() - before));
            if (moved > 0) {
              own.subList(0, (int) moved).forEach(t -> t.sink(Sink.OTHER));
              tokens.removeAll(own.subList(0, (int) moved));
              elsewhere.subList((int) before, (int) (before + moved)).forEach(o -> {
                o.tokens().forEach(Token::unsink);
                toPlace.add(o.asMoved());
              });
              details.merge(key, moved, Long::sum);
            }
          }
          rest = new Segment(x, tokens, s.at(), s.repays(), s.moved());
        } else if (!lot(x).grace) {
          rest = new Segment(x, settle(x, new ArrayList<>(s.tokens()), s, unsettled, settling), s.at(), s.repays(),
              s.moved());
        }
        if (!rest.tokens().isEmpty()) {
          back.add(rest);
          polled.put(rest, polled.size());
        }
        continue;
      }
      List<Token> tokens = new ArrayList<>(s.tokens());
      List<Segment> elsewhere = substitutes.getOrDefault(x, List.of());
      long before = elsewhere.isEmpty() ? 0
          : movedSoFar.getOrDefault("refund.returned." + x, 0L) + details.getOrDefault("refund.returned." + x, 0L);
      long moved = Math.max(0, Math.min(tokens.size(), elsewhere.size() - before));
      if (moved > 0) {
        // The reversed credit's points complete its reversal; the points it took in their place come back.
        tokens.subList(0, (int) moved).forEach(t -> t.sink(Sink.OTHER));
        tokens.subList(0, (int) moved).clear();
        elsewhere.subList((int) before, (int) (before + moved)).forEach(o -> {
          o.tokens().forEach(Token::unsink);
          toPlace.add(o.asMoved());
        });
        details.merge("refund.returned." + x, moved, Long::sum);
      }
      if (!tokens.isEmpty()) {
        long repaid = 0;
        for (Segment r : repayers(reversed.get(x), tokens.size(), details,
            toRepayers.computeIfAbsent(x, k -> new HashMap<>()))) {
          r.tokens().forEach(Token::unsink);
          toPlace.add(r.asMoved());
          repaid += r.tokens().size();
        }
        if (repaid > 0) {
          tokens.subList(0, (int) repaid).forEach(t -> t.sink(Sink.OTHER));
          tokens.subList(0, (int) repaid).clear();
          details.merge("refund.deficit." + x, repaid, Long::sum);
        }
      }
      long owes = Math.min(tokens.size(), owedLeft);
      owedLeft -= owes;
      if (owes > 0) {
        owed.add(0, new Segment(x, new ArrayList<>(tokens.subList(0, (int) owes)), s.at(), true, false));
        tokens.subList(0, (int) owes).clear();
      }
      tokens = settle(x, tokens, s, unsettled, settling);
      if (!tokens.isEmpty()) {
        Segment rest = new Segment(x, tokens, s.at(), false, s.moved());
        left.add(rest);
        polled.put(rest, polled.size());
      }
    }
    List<Segment> order = new ArrayList<>(owed);
    order.addAll(settling);
    order.addAll(left);
    order.addAll(back);
    List<Segment> restored = new ArrayList<>();
    List<Segment> late = new ArrayList<>();
    // A release, the daily run's timeout or a void, gives a lapsed hold's points back as of its lapse.
    Instant heldUntil = e.kind() == EntryKind.RELEASE
        ? debit.lapses().filter(at -> at.isBefore(e.recordedAt())).getOrElse(e.recordedAt())
        : e.recordedAt();
    for (Segment s : order) {
      ModelLot lot = lot(s.lot());
      boolean expiredSince = !s.repays() && !lot.grace && !withoutGrace.test(e)
          && lot.expiresAt.exists(x -> x.isAfter(s.at()) && !x.isAfter(heldUntil));
      (expiredSince ? late : restored).add(s);
    }
    Map<EntryId, Long> movements = new LinkedHashMap<>();
    long[] owing = {deficit};
    for (Segment s : restored) {
      List<Token> rest = repay(s, owing, details);
      rest.forEach(t -> lot(s.lot()).putBack(t));
      if (!rest.isEmpty()) {
        movements.merge(s.lot(), (long) rest.size(), Long::sum);
      }
    }
    // The deficit takes the late points in the ledger's order; the grace lot keeps those left with
    // the points moved to other lots (substitutes, repaying lots) first, each in the order the replay
    // meets them (the debit's, then the queue's), as the replay orders its shares: which of them a
    // later debit of the grace lot takes is the replay's convention.
    Map<Segment, List<Token>> rests = new java.util.IdentityHashMap<>();
    for (Segment s : late) {
      rests.put(s, repay(s, owing, details));
    }
    List<Token> grace = new ArrayList<>();
    List<Token> own = new ArrayList<>();
    late.stream().sorted(java.util.Comparator.comparingInt(polled::get))
        .forEach(s -> (s.moved() ? grace : own).addAll(rests.get(s)));
    grace.addAll(own);
    if (!grace.isEmpty()) {
      ModelLot lot = new ModelLot(e.id(), 0, e.occurredAt(), e.expiresAt(), true);
      for (int i = 0; i < grace.size(); i++) {
        grace.get(i).rank = i;
        lot.tokens.add(grace.get(i));
      }
      lots.put(e.id(), lot);
      movements.put(e.id(), (long) grace.size());
    }
    Map<EntryId, Long> recorded = new LinkedHashMap<>();
    e.movements().forEach(m -> recorded.merge(m.lot(), m.points().value(), Long::sum));
    assertEquals(recorded, movements, "the model routes " + e + " as the ledger did");
    Map<String, Long> recordedDetails = new TreeMap<>();
    e.details().filterKeys(LotModel::routes)
        .forEach((k, v) -> recordedDetails.put(k, Long.parseLong(v)));
    assertEquals(recordedDetails, details, "the model's details of " + e);
    // Given back: no longer taken by the debit (tokens are equal only to themselves).
    debit.taken().forEach(s -> s.tokens().removeAll(given));
  }

  /**
   * The first tokens of a segment that repay what is left of the deficit ({@code owing}) sink as
   * other (recorded as {@code deficit.repaid.<lot>}, except a reversed credit's); returns the rest.
   */
  private List<Token> repay(Segment s, long[] owing, Map<String, Long> details) {
    long skip = Math.min(owing[0], s.tokens().size());
    owing[0] -= skip;
    List<Token> repaying = s.tokens().subList(0, (int) skip);
    repaying.forEach(t -> t.sink(Sink.OTHER));
    if (skip > 0 && !reversed.containsKey(s.lot())) {
      repaidTokens.computeIfAbsent(s.lot(), id -> new ArrayDeque<>()).addAll(repaying);
      details.merge("deficit.repaid." + s.lot(), skip, Long::sum);
    }
    return new ArrayList<>(s.tokens().subList((int) skip, s.tokens().size()));
  }

  /**
   * Up to {@code points} for a reversed credit whose first reversal is at {@code since}: the lots that
   * repaid a deficit since, in the order they first did, each up to what it repaid less what returns
   * gave it beyond what it repaid before; their tokens, those the repayment sank. What this entry
   * gave them already for this credit ({@code here}, which this call adds to) came back for this
   * deficit, not for one they repaid before: the model gives a credit's points back a token at a
   * time, and {@code Loyalty.toRepayers} gives them all in one call, as if none had been given yet.
   */
  private List<Segment> repayers(long since, long points, Map<String, Long> details, Map<EntryId, Long> here) {
    Map<EntryId, long[]> repaid = new LinkedHashMap<>();
    Map<EntryId, Instant> when = new HashMap<>();
    Map<EntryId, Long> before = new HashMap<>();
    for (Repayment r : repayments) {
      if (r.sequence() > since) {
        repaid.computeIfAbsent(r.lot(), id -> new long[1])[0] += r.points();
        when.putIfAbsent(r.lot(), r.at());
      }
    }
    for (Repayment r : repayments) {
      if (r.sequence() <= since && repaid.containsKey(r.lot())) {
        before.merge(r.lot(), r.points(), Long::sum);
      }
    }
    List<Segment> to = new ArrayList<>();
    long left = points;
    for (Map.Entry<EntryId, long[]> r : repaid.entrySet()) {
      String key = "deficit.returned." + r.getKey();
      long mine = here.getOrDefault(r.getKey(), 0L);
      long returned = movedSoFar.getOrDefault(key, 0L) + details.getOrDefault(key, 0L) - mine;
      long give = Math.min(left, r.getValue()[0] - Math.max(0, returned - before.getOrDefault(r.getKey(), 0L)) - mine);
      if (give > 0) {
        ArrayDeque<Token> sunk = repaidTokens.get(r.getKey());
        List<Token> tokens = new ArrayList<>();
        for (long i = 0; i < give; i++) {
          tokens.add(sunk.poll());
        }
        to.add(new Segment(r.getKey(), tokens, when.get(r.getKey())));
        details.merge(key, give, Long::sum);
        here.merge(r.getKey(), give, Long::sum);
        left -= give;
      }
    }
    return to;
  }

  /** The first {@code n} tokens taken (or those after them), segment by segment. */
  private static List<Segment> split(List<Segment> taken, long n, boolean first) {
    List<Segment> part = new ArrayList<>();
    long left = n;
    for (Segment s : taken) {
      int head = (int) Math.min(left, s.tokens().size());
      left -= head;
      List<Token> tokens = first ? s.tokens().subList(0, head) : s.tokens().subList(head, s.tokens().size());
      if (!tokens.isEmpty()) {
        part.add(new Segment(s.lot(), new ArrayList<>(tokens), s.at()));
      }
    }
    return part;
  }

  /** The available balance: the entries' total less the pending and held points (negative in a deficit). */
  private long available() {
    long pending = lots.values().stream().filter(l -> l.pending).mapToLong(l -> l.tokens.size()).sum();
    return total - pending - openHolds.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The tokens debits took from grace lots and have not given back, per debit, grace lot and lot
   * that issued them: those of open holds, redemptions, captures and negative adjustments (a
   * captured hold's are its capture's).
   */
  Map<EntryId, Map<EntryId, Map<EntryId, Long>>> takenFromGraceLots() {
    Map<EntryId, Map<EntryId, Map<EntryId, Long>>> taken = new TreeMap<>();
    takings.forEach((id, taking) -> {
      if (openHolds.containsKey(id) || !holds.contains(id)) {
        taking.taken().stream().filter(s -> lot(s.lot()).grace).forEach(s -> s.tokens().forEach(t ->
            taken.computeIfAbsent(id, d -> new TreeMap<>()).computeIfAbsent(s.lot(), l -> new TreeMap<>())
                .merge(t.issuer.id, 1L, Long::sum)));
      }
    });
    return taken;
  }

  /**
   * Per lot and per reversed credit, the first's tokens in grace lots that the reversals of the
   * second took in place of its own and that no return has moved back yet (returns move them in
   * the order taken).
   */
  Map<EntryId, Map<EntryId, Long>> takenInPlace() {
    Map<EntryId, Map<EntryId, Long>> taken = new TreeMap<>();
    substitutes.forEach((credit, segments) -> {
      long moved = movedSoFar.getOrDefault("refund.returned." + credit, 0L);
      segments.subList((int) Math.min(moved, segments.size()), segments.size()).stream()
          .filter(s -> lot(s.lot()).grace)
          .forEach(s -> s.tokens().forEach(t -> taken.computeIfAbsent(t.issuer.id, id -> new TreeMap<>())
              .merge(credit, 1L, Long::sum)));
    });
    return taken;
  }

  /**
   * Of the tokens coming back to credit {@code x}'s lot, the first settle what its reversals forgave
   * and no return settled ({@code unsettled}, less them): they go to {@code settling}, back to the lot
   * without grace; returns the rest.
   */
  private static List<Token> settle(EntryId x, List<Token> tokens, Segment s, Map<EntryId, Long> unsettled,
      List<Segment> settling) {
    long settles = Math.min(tokens.size(), Math.max(0, unsettled.getOrDefault(x, 0L)));
    if (settles == 0) {
      return tokens;
    }
    unsettled.merge(x, -settles, Long::sum);
    settling.add(new Segment(x, new ArrayList<>(tokens.subList(0, (int) settles)), s.at(), true, false));
    return new ArrayList<>(tokens.subList((int) settles, tokens.size()));
  }

  /** @return the lots, credits' and grace lots, in the order they were created */
  Iterable<ModelLot> lots() {
    return lots.values();
  }

  /** @return the tokens each issuing lot has in the lots (its outstanding points), by issuer */
  Map<EntryId, Long> outstanding() {
    Map<EntryId, Long> outstanding = new LinkedHashMap<>();
    lots.values().stream().filter(l -> !l.grace).forEach(l -> outstanding.put(l.id, 0L));
    lots.values().forEach(l -> l.tokens.forEach(t -> outstanding.merge(t.issuer.id, 1L, Long::sum)));
    return outstanding;
  }
}
