package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.control.Option;
import java.lang.reflect.InvocationTargetException;
import java.math.BigDecimal;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * Writes a {@link LoyaltyEvent} as text for the outbox and reads it back. Events are records; each
 * component is written by its type (an entry as its id, since the entry is stored in the same
 * transaction; money as minor units and currency code; instants exactly), so event types that
 * engines add to the sealed family are stored without a mapping of their own as long as their
 * components are of these types, or records (such as a tier change) made of them. An event with a component of another type is refused when it is
 * committed, before anything is written.
 */
final class EventCodec {

  /** Every concrete event type, by simple name (unique within the sealed family). */
  private static final Map<String, Class<?>> TYPES = concreteTypes(LoyaltyEvent.class, new HashMap<>());

  /*
   * Each record type's components, read once: Class.getRecordComponents parses the class's Record
   * attribute and builds new objects on every call, and every commit encodes its events. The array
   * is never changed.
   */
  private static final ClassValue<RecordComponent[]> COMPONENTS = new ClassValue<>() {
    @Override
    protected RecordComponent[] computeValue(Class<?> type) {
      return type.getRecordComponents();
    }
  };

  private EventCodec() {}

  static String typeOf(LoyaltyEvent event) {
    return typeOf(event.getClass());
  }

  /** The outbox's {@code event_type} of an event class: its simple name. */
  static String typeOf(Class<? extends LoyaltyEvent> type) {
    return type.getSimpleName();
  }

  static String payloadOf(LoyaltyEvent event) {
    return encodeRecord(event, event);
  }

  /** A record as a map of its components' text forms, for events and records nested in them. */
  private static String encodeRecord(Object record, LoyaltyEvent event) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (RecordComponent component : COMPONENTS.get(record.getClass())) {
      Object value;
      try {
        value = component.getAccessor().invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + component, e);
      }
      fields.put(component.getName(), encode(value, component.getGenericType(), event));
    }
    return TextColumn.ofMap(fields);
  }

  static LoyaltyEvent read(String type, String payload, Function<EntryId, Entry> entries) {
    Class<?> eventType = TYPES.get(type);
    if (eventType == null) {
      throw new IllegalStateException("the outbox holds an event of unknown type '" + type + "'");
    }
    return (LoyaltyEvent) decodeRecord(eventType, payload, entries);
  }

  private static Object decodeRecord(Class<?> recordType, String payload, Function<EntryId, Entry> entries) {
    Map<String, String> fields = TextColumn.toMap(payload);
    RecordComponent[] components = COMPONENTS.get(recordType);
    Class<?>[] types = new Class<?>[components.length];
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      values[i] = decode(fields.get(components[i].getName()), components[i].getGenericType(), entries);
    }
    try {
      return recordType.getDeclaredConstructor(types).newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot rebuild " + recordType.getSimpleName(), e);
    }
  }

  private static String encode(Object value, Type type, LoyaltyEvent event) {
    Class<?> raw = raw(type);
    if (raw == Option.class) {
      Option<?> option = (Option<?>) value;
      return option.isEmpty() ? "" : "+" + encode(option.get(), argument(type), event);
    }
    if (raw == Entry.class) {
      return ((Entry) value).id().toString();
    }
    if (raw == Balance.class) {
      Balance b = (Balance) value;
      return b.available().value() + "," + b.pending().value() + "," + b.held().value();
    }
    if (raw == Member.class) {
      Member m = (Member) value;
      return TextColumn.ofList(List.of(m.id().value(), TextColumn.ofInstant(m.enrolledAt()),
          m.birthday().map(MonthDay::toString).getOrElse(""), m.zone().getId(), m.status().name()));
    }
    if (raw == Money.class) {
      Money money = (Money) value;
      return money.getCurrencyUnit().getCode() + " " + money.getAmountMinorLong();
    }
    if (raw == Instant.class) {
      return TextColumn.ofInstant((Instant) value);
    }
    if (raw == Points.class) {
      return Long.toString(((Points) value).value());
    }
    if (raw == MemberId.class || raw == EntryId.class || raw == String.class || raw.isEnum()
        || raw == long.class || raw == Long.class || raw == int.class || raw == boolean.class) {
      return value.toString();
    }
    if (raw == BigDecimal.class) {
      return ((BigDecimal) value).toPlainString();
    }
    if (raw.isRecord()) {
      return encodeRecord(value, event);
    }
    throw new IllegalArgumentException("the outbox cannot store " + typeOf(event) + ": no text form for a "
        + type.getTypeName() + "; add one to " + EventCodec.class.getName());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object decode(String text, Type type, Function<EntryId, Entry> entries) {
    Class<?> raw = raw(type);
    if (raw == Option.class) {
      // An optional component an earlier version did not write (a tier event's entry) is absent.
      return text == null || text.isEmpty() ? Option.none() : Option.some(decode(text.substring(1), argument(type), entries));
    }
    if (raw == Entry.class) {
      return entries.apply(EntryId.parse(text));
    }
    if (raw == Balance.class) {
      String[] p = text.split(",");
      return new Balance(Points.of(Long.parseLong(p[0])), Points.of(Long.parseLong(p[1])), Points.of(Long.parseLong(p[2])));
    }
    if (raw == Member.class) {
      List<String> f = TextColumn.toList(text);
      return new Member(MemberId.of(f.get(0)), TextColumn.toInstant(f.get(1)),
          f.get(2).isEmpty() ? Option.none() : Option.some(MonthDay.parse(f.get(2))),
          ZoneId.of(f.get(3)), MemberStatus.valueOf(f.get(4)));
    }
    if (raw == Money.class) {
      int space = text.indexOf(' ');
      return Money.ofMinor(CurrencyUnit.of(text.substring(0, space)), Long.parseLong(text.substring(space + 1)));
    }
    if (raw == Instant.class) {
      return TextColumn.toInstant(text);
    }
    if (raw == Points.class) {
      return Points.of(Long.parseLong(text));
    }
    if (raw == MemberId.class) {
      return MemberId.of(text);
    }
    if (raw == EntryId.class) {
      return EntryId.parse(text);
    }
    if (raw.isEnum()) {
      return Enum.valueOf((Class<? extends Enum>) raw, text);
    }
    if (raw == long.class || raw == Long.class) {
      return Long.parseLong(text);
    }
    if (raw == int.class) {
      return Integer.parseInt(text);
    }
    if (raw == boolean.class) {
      return Boolean.parseBoolean(text);
    }
    if (raw == BigDecimal.class) {
      return new BigDecimal(text);
    }
    if (raw.isRecord()) {
      return decodeRecord(raw, text, entries);
    }
    return text;
  }

  private static Class<?> raw(Type type) {
    return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
  }

  private static Type argument(Type type) {
    return ((ParameterizedType) type).getActualTypeArguments()[0];
  }

  private static Map<String, Class<?>> concreteTypes(Class<?> type, Map<String, Class<?>> found) {
    if (type.isRecord()) {
      found.put(type.getSimpleName(), type);
    }
    Class<?>[] permitted = type.getPermittedSubclasses();
    if (permitted != null) {
      for (Class<?> sub : permitted) {
        concreteTypes(sub, found);
      }
    }
    return found;
  }
}
