package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.time.Instant;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.core.Gen;

class EntryTest {

  private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
  private static final MemberId ALICE = MemberId.of("alice");

  static EntryDraft aDraft() {
    return EntryDraft.of(EntryId.of(ALICE, 1), EntryKind.EARN, Points.of(10), AT, AT, Channel.store("S-1"),
        IdempotencyKey.of("pos-1"), "Coffee", 1);
  }

  @Test
  void sealingComputesAHashThatVerifiesAndIsDeterministic() {
    Entry a = Entry.seal(aDraft(), Entry.GENESIS_HASH);
    Entry b = Entry.seal(aDraft(), Entry.GENESIS_HASH);
    assertTrue(a.hasValidHash());
    assertEquals(a.hash(), b.hash());
    assertEquals(64, a.hash().length());
  }

  @Test
  void theHashDependsOnThePreviousHash() {
    assertNotEquals(Entry.seal(aDraft(), Entry.GENESIS_HASH).hash(), Entry.seal(aDraft(), "1".repeat(64)).hash());
  }

  static Stream<Arguments> changes() {
    EntryId lot = EntryId.of(ALICE, 1);
    return Stream.<UnaryOperator<EntryDraft>>of(
            d -> d.withMovements(List.of(new LotMovement(lot, Points.of(10)))),
            d -> d.withRuleIds(List.of("base")),
            d -> d.withReference(EntryId.of(ALICE, 1)),
            d -> d.withCounterparty(MemberId.of("bob")),
            d -> d.withOperator("ops"),
            d -> d.withLotTerms(Option.some(AT.plusSeconds(1)), Option.none()),
            d -> d.withLotTerms(Option.none(), Option.some(AT.plusSeconds(1))),
            d -> d.withDetails(TreeMap.of("a", "b")),
            d -> new EntryDraft(d.id(), d.kind(), d.points(), d.movements(), d.occurredAt(), d.recordedAt(),
                Channel.web(), d.idempotencyKey(), d.reason(), d.programVersion(), d.ruleIds(), d.reference(),
                d.counterparty(), d.operator(), d.expiresAt(), d.vestsAt(), d.details()),
            d -> new EntryDraft(d.id(), d.kind(), d.points(), d.movements(), d.occurredAt(), d.recordedAt(),
                d.channel(), d.idempotencyKey(), d.reason(), 2, d.ruleIds(), d.reference(),
                d.counterparty(), d.operator(), d.expiresAt(), d.vestsAt(), d.details()))
        .map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("changes")
  void everyFieldIsCoveredByTheHash(UnaryOperator<EntryDraft> change) {
    assertNotEquals(Entry.seal(aDraft(), Entry.GENESIS_HASH).hash(), Entry.seal(change.apply(aDraft()), Entry.GENESIS_HASH).hash());
  }

  @Test
  void anEntryRebuiltWithAlteredContentNoLongerMatchesItsHash() {
    Entry e = Entry.seal(aDraft(), Entry.GENESIS_HASH);
    Entry altered = new Entry(e.id(), e.kind(), Points.of(11), e.movements(), e.occurredAt(), e.recordedAt(),
        e.channel(), e.idempotencyKey(), e.reason(), e.programVersion(), e.ruleIds(), e.reference(),
        e.counterparty(), e.operator(), e.expiresAt(), e.vestsAt(), e.details(), e.previousHash(), e.hash());
    assertFalse(altered.hasValidHash());
  }

  @Test
  void emptyAndAbsentValuesEncodeDifferently() {
    Entry none = Entry.seal(aDraft(), Entry.GENESIS_HASH);
    Entry empty = Entry.seal(aDraft().withOperator(""), Entry.GENESIS_HASH);
    assertNotEquals(none.hash(), empty.hash());
  }

  @Test
  void malformedEntriesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> EntryDraft.of(EntryId.of(ALICE, 1), EntryKind.EARN, Points.of(1),
        AT, AT, Channel.web(), IdempotencyKey.of("k"), " ", 1).toEntry(Entry.GENESIS_HASH, Entry.GENESIS_HASH));
    assertThrows(IllegalArgumentException.class, () -> Entry.seal(aDraft(), "not-a-hash"));
    assertThrows(IllegalArgumentException.class, () -> EntryId.of(ALICE, 0));
    assertEquals(EntryId.of(MemberId.of("m:1@x"), 7), EntryId.parse("m:1@x#7"));
    assertThrows(IllegalArgumentException.class, () -> EntryId.parse("m1#"));
    assertThrows(IllegalArgumentException.class, () -> EntryId.parse("m1#x"));
  }

  @Test
  void anEntryIdParsesBackWhateverItsMemberIdAndASequenceOrMemberMissingIsRefused() {
    for (EntryId id : new EntryId[] {EntryId.of(MemberId.of("a"), 1), EntryId.of(MemberId.of("m:1@x"), Long.MAX_VALUE)}) {
      assertEquals(id, EntryId.parse(id.toString()));
    }
    assertThrows(IllegalArgumentException.class, () -> EntryId.parse("#7"));
    assertThrows(IllegalArgumentException.class, () -> EntryId.parse("m1"));
    assertThrows(IllegalArgumentException.class, () -> EntryId.parse("m1#0"));
  }

  @Test
  void aSequenceWithLeadingZerosASignOrOtherThanAsciiDigitsIsRefusedSoThatAnIdHasOneSpelling() {
    for (String text : new String[] {"m#05", "m#007", "m#+5", "m#-5", "m#\u0665", "m#\uff15", "m#1\u0660"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> EntryId.parse(text),
          () -> text + " was read as " + EntryId.parse(text));
      assertTrue(refused.getMessage().contains("'" + text + "'"), refused.getMessage());
    }
    assertEquals(EntryId.of(MemberId.of("m"), 10), EntryId.parse("m#10"));
  }

  /** Texts near an entry id's form: a few member characters, '#', and digits, signs, zeros or other digits. */
  private static Gen<String> entryIdTexts() {
    String memberChars = "ab0:-";
    String sequenceChars = "0123456789+-\u0665\uff15 ";
    Gen<String> member = lists().of(integers().between(0, memberChars.length() - 1).map(memberChars::charAt))
        .ofSizeBetween(0, 3).map(EntryTest::joined);
    Gen<String> sequence = lists().of(integers().between(0, sequenceChars.length() - 1).map(sequenceChars::charAt))
        .ofSizeBetween(0, 20).map(EntryTest::joined);
    return member.zip(sequence, (m, n) -> m + "#" + n);
  }

  private static String joined(java.util.List<Character> chars) {
    StringBuilder text = new StringBuilder();
    chars.forEach(text::append);
    return text.toString();
  }

  @Test
  void everyIdParsesBackFromItsTextAndEveryTextParsedIsThatIdsOnlySpelling() {
    qt().withExamples(2_000).forAll(strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 10),
        longs().between(1, Long.MAX_VALUE)).checkAssert((member, sequence) -> {
          EntryId id = EntryId.of(MemberId.of(member), sequence);
          assertEquals(id, EntryId.parse(id.toString()));
        });
    qt().withExamples(5_000).forAll(entryIdTexts()).checkAssert(text -> {
      EntryId parsed;
      try {
        parsed = EntryId.parse(text);
      } catch (IllegalArgumentException refused) {
        return;
      }
      assertEquals(text, parsed.toString());
    });
  }

  @Test
  void entryIdsOrderByMemberThenSequence() {
    assertTrue(EntryId.of(ALICE, 2).compareTo(EntryId.of(ALICE, 10)) < 0);
    assertTrue(EntryId.of(ALICE, 10).compareTo(EntryId.of(MemberId.of("bob"), 1)) < 0);
    assertEquals(0, EntryId.of(ALICE, 3).compareTo(EntryId.of(ALICE, 3)));
  }

  @Test
  void onlyEarningBonusesAdjustmentsAndTransfersInCreateLots() {
    for (EntryKind kind : EntryKind.values()) {
      boolean credit = kind == EntryKind.EARN || kind == EntryKind.BONUS || kind == EntryKind.ADJUST
          || kind == EntryKind.TRANSFER_IN;
      assertEquals(credit, kind.createsLot(), kind.name());
    }
  }
}
