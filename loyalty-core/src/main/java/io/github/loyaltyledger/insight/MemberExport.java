package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * The data-portability document: everything the library holds about one member, as one JSON
 * object with {@code member}, {@code profile} (or null), {@code balance}, {@code lots} (each with
 * {@code id}, {@code original}, {@code remaining}, {@code earnedAt}, {@code expiresAt} and
 * {@code vestsAt} (null if none) and {@code pending}) and {@code entries} (every field of every
 * entry, hashes included, oldest first). Instants are ISO-8601 text; points are integers.
 */
public final class MemberExport {

  private MemberExport() {}

  /**
   * Writes the document. Reads the member's entries page by page.
   *
   * @param account the member's account, not null
   * @param profile the member's profile, if one is stored, not null
   * @param store where the member's entries are read, not null
   * @return the JSON text
   */
  public static String of(Account account, Option<MemberProfile> profile, LedgerStore store) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(store, "store");
    Member m = account.member();
    JsonWriter j = new JsonWriter().beginObject().name("member").beginObject()
        .field("id", m.id().value()).field("enrolledAt", m.enrolledAt().toString());
    optional(j, "birthday", m.birthday().map(Object::toString));
    j.field("zone", m.zone().getId()).field("status", m.status().name()).endObject().name("profile");
    if (profile.isEmpty()) {
      j.nullValue();
    } else {
      MemberProfile p = profile.get();
      j.beginObject();
      optional(j, "name", p.name());
      optional(j, "contact", p.contact());
      j.name("externalRefs").beginObject();
      p.externalRefs().forEach((system, id) -> j.field(system, id));
      j.endObject().name("consent").beginObject().field("marketing", p.consent().marketing())
          .field("birthdayOffers", p.consent().birthdayOffers()).endObject().endObject();
    }
    j.name("balance").beginObject().field("available", account.balance().available().value())
        .field("pending", account.balance().pending().value()).field("held", account.balance().held().value())
        .field("total", account.balance().total().value()).endObject();
    j.name("lots").beginArray();
    for (Lot lot : account.lots()) {
      j.beginObject().field("id", lot.id().toString()).field("original", lot.original().value())
          .field("remaining", lot.remaining().value()).field("earnedAt", lot.earnedAt().toString());
      optional(j, "expiresAt", lot.expiresAt().map(Object::toString));
      optional(j, "vestsAt", lot.vestsAt().map(Object::toString));
      j.field("pending", lot.pending()).endObject();
    }
    j.endArray().name("entries").beginArray();
    LotReplay.forEachEntry(store, m.id(), e -> entry(j, e));
    return j.endArray().endObject().toString();
  }

  private static void entry(JsonWriter j, Entry e) {
    j.beginObject().field("sequence", e.sequence()).field("kind", e.kind().name()).field("points", e.points().value())
        .field("occurredAt", e.occurredAt().toString()).field("recordedAt", e.recordedAt().toString())
        .field("channel", e.channel().toString()).field("idempotencyKey", e.idempotencyKey().toString())
        .field("reason", e.reason()).field("programVersion", e.programVersion());
    j.name("ruleIds").beginArray();
    e.ruleIds().forEach(j::value);
    j.endArray();
    optional(j, "reference", e.reference().map(Object::toString));
    optional(j, "counterparty", e.counterparty().map(Object::toString));
    optional(j, "operator", e.operator());
    optional(j, "expiresAt", e.expiresAt().map(Object::toString));
    optional(j, "vestsAt", e.vestsAt().map(Object::toString));
    j.name("movements").beginArray();
    for (LotMovement mv : e.movements()) {
      j.beginObject().field("lot", mv.lot().toString()).field("points", mv.points().value()).endObject();
    }
    j.endArray().name("details").beginObject();
    e.details().forEach((k, v) -> j.field(k, v));
    j.endObject().field("previousHash", e.previousHash()).field("hash", e.hash()).endObject();
  }

  private static void optional(JsonWriter j, String name, Option<String> value) {
    j.name(name);
    if (value.isEmpty()) {
      j.nullValue();
    } else {
      j.value(value.get());
    }
  }
}
