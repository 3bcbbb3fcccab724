package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The encoding behind entry hashes and request fingerprints (ADR 0002) must never change: stored
 * chains and idempotency records must keep verifying. The fast paths (instants, numbers, amounts of
 * money and entry ids written without a String, one digest per thread) are checked against the
 * plain encoding as a model.
 */
class FingerprintTest {

  @Test
  void anEntryHashesToTheValueItHadBeforeTheFastEncoding() {
    MemberId m = MemberId.of("alice");
    EntryDraft d = EntryDraft.of(EntryId.of(m, 7), EntryKind.EARN, Points.of(120), Instant.parse("2026-03-01T10:00:00.120Z"),
            Instant.parse("2026-03-01T10:00:01.000000500Z"), Channel.store("S-1"), IdempotencyKey.of("pos-1"),
            "Café crème ☕", 3)
        .withRuleIds(List.of("base", "bonus"))
        .withDetails(TreeMap.of("rule.base", "EARN;1;1", "qualifying.points", "120", "note", "naïve"))
        .withLotTerms(Option.some(Instant.parse("2027-03-31T22:00:00Z")),
            Option.some(Instant.parse("2026-03-15T00:00:00.000123Z")))
        .withMovements(List.of(new LotMovement(EntryId.of(m, 7), Points.of(120))));

    assertEquals("e428dc7824656f4048068864463e19ed7a97d506ec6ec1363d24ba8ca540ad8a",
        Entry.seal(d, Entry.GENESIS_HASH).hash());
  }

  /** A draft with every optional field present, so that each can also be made absent. */
  private static EntryDraft full() {
    MemberId m = MemberId.of("alice");
    return new EntryDraft(EntryId.of(m, 2), EntryKind.EARN, Points.of(10),
        List.of(new LotMovement(EntryId.of(m, 1), Points.of(1)), new LotMovement(EntryId.of(m, 2), Points.of(2))),
        Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:01Z"), Channel.store("S1"),
        IdempotencyKey.of("k"), "r", 1, List.of("a", "b"), Option.some(EntryId.of(m, 1)),
        Option.some(MemberId.of("bob")), Option.some("op"), Option.some(Instant.parse("2027-01-01T00:00:00Z")),
        Option.some(Instant.parse("2026-02-01T00:00:00Z")), TreeMap.of("a", "b;c"));
  }

  private static EntryDraft with(EntryDraft d, int field, Object v) {
    Object[] f = {d.id(), d.kind(), d.points(), d.movements(), d.occurredAt(), d.recordedAt(), d.channel(),
        d.idempotencyKey(), d.reason(), d.programVersion(), d.ruleIds(), d.reference(), d.counterparty(), d.operator(),
        d.expiresAt(), d.vestsAt(), d.details()};
    f[field] = v;
    @SuppressWarnings("unchecked")
    EntryDraft changed = new EntryDraft((EntryId) f[0], (EntryKind) f[1], (Points) f[2], (List<LotMovement>) f[3],
        (Instant) f[4], (Instant) f[5], (Channel) f[6], (IdempotencyKey) f[7], (String) f[8], (Integer) f[9],
        (List<String>) f[10], (Option<EntryId>) f[11], (Option<MemberId>) f[12], (Option<String>) f[13],
        (Option<Instant>) f[14], (Option<Instant>) f[15], (io.vavr.collection.SortedMap<String, String>) f[16]);
    return changed;
  }

  @Test
  void changingAnyFieldOfAnEntryOrItsPreviousHashChangesItsHashEvenWhereTheTextsWouldJoinAlike() {
    MemberId m = MemberId.of("alice");
    EntryDraft d = full();
    Instant t = d.recordedAt();
    java.util.List<EntryDraft> edits = java.util.List.of(
        with(d, 0, EntryId.of(MemberId.of("alice2"), 2)), with(d, 0, EntryId.of(m, 3)),
        with(d, 1, EntryKind.BONUS), with(d, 2, Points.of(11)),
        with(d, 3, d.movements().reverse()), with(d, 3, List.of(new LotMovement(EntryId.of(m, 1), Points.of(3)))),
        with(d, 3, List.of(new LotMovement(EntryId.of(m, 1), Points.of(1)), new LotMovement(EntryId.of(m, 2), Points.of(3)))),
        with(d, 4, d.occurredAt().plusNanos(1)), with(d, 5, t.plusNanos(1)), with(d, 5, t.plusMillis(1)),
        with(d, 6, Channel.store("S2")), with(d, 6, Channel.partner("S1")), with(d, 6, Channel.web()),
        with(d, 7, IdempotencyKey.of("k2")), with(d, 8, "r "), with(d, 9, 2),
        with(d, 10, List.of("a,b")), with(d, 10, List.of("b", "a")), with(d, 10, List.empty()), with(d, 10, List.of("ab")),
        with(d, 11, Option.none()), with(d, 11, Option.some(EntryId.of(m, 2))),
        with(d, 12, Option.none()), with(d, 12, Option.some(MemberId.of("bob2"))),
        with(d, 13, Option.none()), with(d, 13, Option.some("")), with(d, 13, Option.some("op2")),
        with(d, 14, Option.none()), with(d, 14, Option.some(d.expiresAt().get().plusNanos(1))),
        with(d, 15, Option.none()), with(d, 15, Option.some(d.vestsAt().get().plusNanos(1))),
        with(d, 16, TreeMap.of("a;b", "c")), with(d, 16, TreeMap.of("a", "b", "c", "")), with(d, 16, TreeMap.empty()),
        with(d, 16, TreeMap.of("a", "b;c", "", "")));
    java.util.Set<String> hashes = new java.util.HashSet<>();
    hashes.add(Entry.seal(d, Entry.GENESIS_HASH).hash());
    hashes.add(Entry.seal(d, "1".repeat(64)).hash());
    for (EntryDraft e : edits) {
      Entry sealed = Entry.seal(e, Entry.GENESIS_HASH);
      assertTrue(hashes.add(sealed.hash()), e.toString());
      assertTrue(sealed.hasValidHash());
    }
  }

  @Test
  void aTextWithAnUnpairedSurrogateIsNotWellFormedAndCannotBeEncoded() {
    for (String malformed : new String[] {"Bonus \uD800", "\uDC00", "a\uD83Db", "\uDE00\uD83D", "?\uD800?"}) {
      assertFalse(Fingerprint.isWellFormed(malformed), malformed);
      assertThrows(IllegalArgumentException.class, () -> Fingerprint.of("tag").text(malformed));
    }
    assertEquals(6, Fingerprint.unpaired("Bonus \uD800"));
    for (String wellFormed : new String[] {"", "Bonus ?", "caf\u00e9 \u2615", "\uD83D\uDE00", "a\uD83D\uDE00b"}) {
      assertTrue(Fingerprint.isWellFormed(wellFormed), wellFormed);
      assertEquals(-1, Fingerprint.unpaired(wellFormed));
      assertEquals(new Model().text("tag").text(wellFormed).sha256(), Fingerprint.of("tag").text(wellFormed).sha256());
    }
  }

  @Test
  void aTextWithANulOrAnUnpairedSurrogateIsNotStorableAndTheRefusalSaysWhichAndWhere() {
    assertEquals(Option.some("a NUL character (U+0000) at index 5"), Fingerprint.unstorable("Bonus\u0000"));
    assertEquals(Option.some("an unpaired UTF-16 surrogate at index 1"), Fingerprint.unstorable("a\uDC00\u0000"));
    assertFalse(Fingerprint.isStorable("\u0000"));
    assertEquals(Option.some("a NUL character (U+0000) at index 0"), Fingerprint.unstorable("\u0000Bonus"));
    assertEquals(Option.some("an unpaired UTF-16 surrogate at index 0"), Fingerprint.unstorable("\uDC00Bonus"));
    assertFalse(Fingerprint.isStorable("Bonus \uD800"));
    for (String storable : new String[] {"", "Bonus ?", "caf\u00e9 \u2615", "\uD83D\uDE00", "tab\tline\n\u001b\u007f"}) {
      assertTrue(Fingerprint.isStorable(storable), storable);
      assertEquals(Option.none(), Fingerprint.unstorable(storable));
    }
  }

  @Test
  void aLoneSurrogateAnywhereInAnAsciiTextIsFoundAndAQuestionMarkAnywhereIsNot() {
    for (int length = 1; length <= 40; length++) {
      for (int at = 0; at < length; at++) {
        char[] chars = "The quick brown fox jumps over the dog 0".substring(0, length).toCharArray();
        chars[at] = '?';
        String asked = new String(chars);
        assertEquals(new Model().text("tag").text(asked).sha256(), Fingerprint.of("tag").text(asked).sha256(), asked);
        chars[at] = at % 2 == 0 ? '\uD800' : '\uDC00';
        String malformed = new String(chars);
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.of("tag").text(malformed), malformed);
      }
    }
  }

  /**
   * One step of an encoding: a text, an instant, a count, an absent optional, a number (a long and
   * an int), a ledger value (points and an entry id) or an amount of money.
   */
  record Step(int type, String text, long seconds, int nanos) {}

  static Gen<Step> steps() {
    Gen<String> texts = strings().allPossible().ofLengthBetween(0, 12)
        .mix(strings().basicLatinAlphabet().ofLengthBetween(0, 12), 50);
    Gen<Long> seconds = longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
        .mix(longs().between(-62_167_219_300L, 253_402_300_900L), 70)
        .mix(longs().all(), 10)
        .mix(longs().between(-1_000, 1_000), 10);
    Gen<Integer> nanos = integers().between(0, 999_999_999)
        .mix(integers().between(0, 999).map(n -> n * 1_000_000), 30)
        .mix(integers().between(0, 999_999).map(n -> n * 1000), 30);
    return integers().between(0, 6).zip(texts, seconds, nanos, Step::new);
  }

  @Test
  void encodesEverySequenceAsThePlainEncodingDoes() {
    qt().withExamples(500).forAll(lists().of(steps()).ofSizeBetween(0, 12)).checkAssert(script -> {
      Fingerprint fast = Fingerprint.of("tag");
      Model model = new Model().text("tag");
      for (Step s : script) {
        switch (s.type()) {
          case 0 -> {
            if (Fingerprint.isWellFormed(s.text())) {
              fast.text(s.text());
              model.text(s.text());
            } else {
              // UTF-8 has no encoding for a lone surrogate: the text is refused and nothing written.
              assertThrows(IllegalArgumentException.class, () -> fast.text(s.text()));
            }
          }
          case 1 -> {
            // The generator also makes longs beyond Instant's range, for numbers: clamp them.
            long second = Math.max(Instant.MIN.getEpochSecond(), Math.min(Instant.MAX.getEpochSecond(), s.seconds()));
            Instant at = Instant.ofEpochSecond(second, s.nanos());
            fast.value(at);
            model.text(at.toString());
          }
          case 2 -> {
            fast.count(s.nanos());
            model.count(s.nanos());
          }
          case 4 -> {
            fast.value(s.seconds()).value((int) s.seconds());
            model.text(Long.toString(s.seconds())).text(Integer.toString((int) s.seconds()));
          }
          case 5 -> {
            EntryId id = EntryId.of(MemberId.of("m-" + s.nanos()), s.seconds() == Long.MIN_VALUE ? 1 : Math.max(1, Math.abs(s.seconds())));
            fast.value(Points.of(s.seconds())).value(id);
            model.text(Points.of(s.seconds()).toString()).text(id.toString());
          }
          case 6 -> {
            Money money = money(s.seconds(), s.nanos());
            fast.value(money);
            model.text(money.toString());
          }
          default -> {
            fast.optional(Option.none());
            model.count(-1);
          }
        }
      }
      assertEquals(model.sha256(), fast.sha256());
    });
  }

  /**
   * An amount in a currency with 2, 0 or 3 decimal places from {@code minor} minor units (any
   * long, so up to 19 digits), or in euros with up to 25 digits, beyond what a long holds.
   */
  static Money money(long minor, int pick) {
    return switch (Math.floorMod(pick, 4)) {
      case 0 -> Money.ofMinor(CurrencyUnit.EUR, minor);
      case 1 -> Money.ofMinor(CurrencyUnit.JPY, minor);
      case 2 -> Money.ofMinor(CurrencyUnit.of("BHD"), minor);
      default -> Money.of(CurrencyUnit.EUR, BigDecimal.valueOf(minor).scaleByPowerOfTen(Math.floorMod(pick, 5)).setScale(2));
    };
  }

  @Test
  void writesAmountsOfMoneyAsTheirTextInEveryForm() {
    String[] expected = {"EUR 8.50", "EUR -0.05", "EUR 0.00", "JPY 1200", "BHD -1.005", "EUR 92233720368547758.07",
        "EUR -92233720368547758.08"};
    Money[] amounts = {Money.parse("EUR 8.50"), Money.parse("EUR -0.05"), Money.zero(CurrencyUnit.EUR),
        Money.ofMinor(CurrencyUnit.JPY, 1200), Money.ofMinor(CurrencyUnit.of("BHD"), -1005),
        Money.ofMinor(CurrencyUnit.EUR, Long.MAX_VALUE), Money.ofMinor(CurrencyUnit.EUR, Long.MIN_VALUE)};
    for (int i = 0; i < amounts.length; i++) {
      assertEquals(expected[i], amounts[i].toString());
      assertEquals(new Model().text("tag").text(expected[i]).sha256(), Fingerprint.of("tag").value(amounts[i]).sha256(),
          expected[i]);
    }
  }

  @Test
  void writesTheExtremeNumbersAndTheInstantsAtTheEdgesOfFourDigitYearsAsTheirText() {
    long[] numbers = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 9, 10, Long.MAX_VALUE};
    for (long n : numbers) {
      assertEquals(new Model().text("tag").text(Long.toString(n)).text(Long.toString(n)).sha256(),
          Fingerprint.of("tag").value(n).value(Points.of(n)).sha256(), Long.toString(n));
    }
    // The first and last second written with a four-digit year, and the seconds either side of them.
    Instant[] instants = {Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
        Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN,
        Instant.MAX};
    for (Instant at : instants) {
      // Chained, so that each way of writing an instant must hand the encoder back.
      assertEquals(new Model().text("tag").text(at.toString()).count(-1).sha256(),
          Fingerprint.of("tag").value(at).optional(Option.none()).sha256(), at.toString());
    }
  }

  /** The encoding as first written: UTF-8 bytes of every text, a fresh digest, the JDK's hex. */
  static final class Model {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Model text(String value) {
      byte[] b = value.getBytes(StandardCharsets.UTF_8);
      count(b.length);
      out.writeBytes(b);
      return this;
    }

    Model count(int n) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(n).array());
      return this;
    }

    String sha256() {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
