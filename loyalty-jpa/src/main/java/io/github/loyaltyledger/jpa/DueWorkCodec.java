package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.DueTrack;
import io.github.loyaltyledger.store.DueWork;
import io.vavr.collection.Map;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;

/**
 * The text form of a {@link DueWork} in the {@code due_work} column of {@code ledger_due_work}: a
 * {@link TextColumn#ofMap map} of named fields, with one key per track ({@code next.VESTING}), per
 * open hold ({@code hold.<entry id>}) and per rewarded occasion ({@code granted.<tag>}). Decoding
 * gives a {@code DueWork} equal to the encoded one.
 */
final class DueWorkCodec {

  private static final String NEXT = "next.";
  private static final String HOLD = "hold.";
  private static final String GRANTED = "granted.";

  private DueWorkCodec() {}

  static String encode(DueWork work) {
    java.util.Map<String, String> fields = new java.util.TreeMap<>();
    Member member = work.member();
    fields.put("member", member.id().value());
    fields.put("enrolled", TextColumn.ofInstant(member.enrolledAt()));
    member.birthday().forEach(day -> fields.put("birthday", day.toString()));
    fields.put("zone", member.zone().getId());
    fields.put("status", member.status().name());
    fields.put("activity", TextColumn.ofInstant(work.lastActivity()));
    fields.put("points", Boolean.toString(work.holdsPoints()));
    work.lastPurchase().forEach(at -> fields.put("purchase", TextColumn.ofInstant(at)));
    work.next().forEach((track, at) -> fields.put(NEXT + track.name(), TextColumn.ofInstant(at)));
    work.openHolds().forEach((hold, at) -> fields.put(HOLD + hold, TextColumn.ofInstant(at)));
    work.granted().forEach((occasion, year) -> fields.put(GRANTED + occasion, Integer.toString(year)));
    return TextColumn.ofMap(fields);
  }

  static DueWork decode(String text) {
    java.util.TreeMap<String, String> fields = TextColumn.toMap(text);
    Member member = new Member(MemberId.of(fields.get("member")), TextColumn.toInstant(fields.get("enrolled")),
        Option.of(fields.get("birthday")).map(MonthDay::parse), ZoneId.of(fields.get("zone")),
        MemberStatus.valueOf(fields.get("status")));
    Map<DueTrack, Instant> next = TreeMap.empty();
    Map<EntryId, Instant> holds = TreeMap.empty();
    Map<String, Integer> granted = TreeMap.empty();
    for (java.util.Map.Entry<String, String> field : fields.entrySet()) {
      String key = field.getKey();
      if (key.startsWith(NEXT)) {
        next = next.put(DueTrack.valueOf(key.substring(NEXT.length())), TextColumn.toInstant(field.getValue()));
      } else if (key.startsWith(HOLD)) {
        holds = holds.put(EntryId.parse(key.substring(HOLD.length())), TextColumn.toInstant(field.getValue()));
      } else if (key.startsWith(GRANTED)) {
        granted = granted.put(key.substring(GRANTED.length()), Integer.parseInt(field.getValue()));
      }
    }
    return new DueWork(member, next, TextColumn.toInstant(fields.get("activity")), Boolean.parseBoolean(fields.get("points")),
        Option.of(fields.get("purchase")).map(TextColumn::toInstant), holds, granted);
  }
}
