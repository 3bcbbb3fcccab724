package io.github.loyaltyledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.loyaltyledger.earning.MemberTiers;
import io.github.loyaltyledger.insight.Insights;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.TierId;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every public static method and public constructor of every exported package, given {@code null}
 * for a parameter, throws a {@link NullPointerException} that the library wrote, naming what was
 * null, before it does anything else: never one of the JVM's own ("Cannot invoke … because … is
 * null", thrown from deep inside, or from inside the JDK where it names the JDK's variables), and
 * never an accepted null that fails a later, unrelated call. No public parameter takes null (the
 * packages' contract: {@code Option} stands for an absent value).
 *
 * <p>Each parameter is made null in turn, the others given ordinary values where this test knows
 * one for their type and the call succeeds with them; else every parameter is null, so that the
 * first the method checks must be named. The public instance methods of the facade and of the read
 * models it answers are held to the same.
 */
class NullArgumentsTest {

  private static final Map<Class<?>, Object> ORDINARY = new HashMap<>();

  static {
    ORDINARY.put(String.class, "a-1");
    ORDINARY.put(long.class, 1L);
    ORDINARY.put(int.class, 1);
    ORDINARY.put(boolean.class, true);
    ORDINARY.put(BigDecimal.class, BigDecimal.ONE);
    ORDINARY.put(RoundingMode.class, RoundingMode.DOWN);
    ORDINARY.put(Points.class, Points.of(10));
    ORDINARY.put(MemberId.class, MemberId.of("M-1"));
    ORDINARY.put(IdempotencyKey.class, IdempotencyKey.of("k-1"));
    ORDINARY.put(RewardId.class, RewardId.of("r-1"));
    ORDINARY.put(TierId.class, TierId.of("gold"));
    ORDINARY.put(Channel.class, Channel.store("S-1"));
    ORDINARY.put(Instant.class, Instant.parse("2026-01-01T10:00:00Z"));
    ORDINARY.put(Duration.class, Duration.ofDays(1));
    ORDINARY.put(Period.class, Period.ofMonths(1));
    ORDINARY.put(LocalDate.class, LocalDate.of(2026, 1, 1));
    ORDINARY.put(LocalTime.class, LocalTime.NOON);
    ORDINARY.put(MonthDay.class, MonthDay.of(3, 4));
    ORDINARY.put(ZoneId.class, ZoneOffset.UTC);
    ORDINARY.put(CurrencyUnit.class, CurrencyUnit.EUR);
    ORDINARY.put(Money.class, Money.of(CurrencyUnit.EUR, 10));
    ORDINARY.put(io.vavr.control.Option.class, io.vavr.control.Option.none());
    ORDINARY.put(io.vavr.collection.List.class, io.vavr.collection.List.empty());
    ORDINARY.put(io.vavr.collection.Seq.class, io.vavr.collection.List.empty());
    ORDINARY.put(io.vavr.collection.Set.class, io.vavr.collection.HashSet.empty());
    ORDINARY.put(io.vavr.collection.SortedSet.class, io.vavr.collection.TreeSet.empty());
    ORDINARY.put(io.vavr.collection.Map.class, io.vavr.collection.HashMap.empty());
    ORDINARY.put(io.vavr.collection.SortedMap.class, io.vavr.collection.TreeMap.empty());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"io.github.loyaltyledger", "io.github.loyaltyledger.earning", "io.github.loyaltyledger.event",
      "io.github.loyaltyledger.expiry", "io.github.loyaltyledger.insight", "io.github.loyaltyledger.ledger",
      "io.github.loyaltyledger.member", "io.github.loyaltyledger.occasion", "io.github.loyaltyledger.program",
      "io.github.loyaltyledger.redemption", "io.github.loyaltyledger.store", "io.github.loyaltyledger.tier"})
  void aNullArgumentToAPublicFactoryOrConstructorIsNamedByTheLibrary(String pkg) throws Exception {
    List<String> unnamed = new ArrayList<>();
    for (Class<?> type : publicTypes(pkg)) {
      for (Executable e : factoriesAndConstructors(type)) {
        unnamed.addAll(unnamedNulls(e, null));
      }
    }
    assertEquals(List.of(), unnamed, "public factories and constructors that do not name a null argument");
  }

  /**
   * The same for the public instance methods of the facade and of the read models it answers: a
   * null member, instant or zone given to a query was accepted by some (an {@code UnknownMember}
   * for a null member, an empty answer), or failed deep inside with the JVM's own message.
   */
  @org.junit.jupiter.api.Test
  void aNullArgumentToAPublicMethodOfTheFacadeOrAReadModelIsNamedByTheLibrary() throws Exception {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Loyalty loyalty = Loyalty.builder().program(io.github.loyaltyledger.program.LoyaltyProgram.builder("club").build())
        .store(store).clock(TestClock.at("2026-06-01T10:00:00Z")).build();
    MemberId member = (MemberId) ORDINARY.get(MemberId.class);
    Fixtures.enrolled(loyalty, member);
    Instant asOf = (Instant) ORDINARY.get(Instant.class);
    RedemptionRate rate = RedemptionRate.of(Money.of(CurrencyUnit.EUR, 1), 100);
    io.github.loyaltyledger.insight.RfmModel rfm = loyalty.rfm(asOf, ZoneOffset.UTC);
    List<Object> models = List.of(loyalty, rate, loyalty.liability(asOf, ZoneOffset.UTC, rate).get(), rfm,
        new Insights(store, store, MemberTiers.NONE, CurrencyUnit.EUR),
        loyalty.breakage(asOf, ZoneOffset.UTC), loyalty.retention(asOf, ZoneOffset.UTC),
        loyalty.statement(member, asOf.minusSeconds(86_400), asOf, Duration.ofDays(30)).get(),
        loyalty.balance(member).get(), loyalty.history(member, EntryQuery.newest(10)).get(), loyalty.verify(member).get(),
        loyalty.quote(io.github.loyaltyledger.earning.Purchase.of(member, IdempotencyKey.of("pos-1"), asOf,
            Channel.store("S-1"), io.github.loyaltyledger.earning.LineItem.of("ITEM", 1, Money.of(CurrencyUnit.EUR, 10))))
            .get());
    List<String> unnamed = new ArrayList<>();
    List<String> checked = new ArrayList<>();
    for (Object model : models) {
      for (Method m : model.getClass().getMethods()) {
        if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() == 0 || m.isSynthetic()
            || m.getDeclaringClass() != model.getClass() || m.getName().equals("equals")) {
          continue;
        }
        checked.add(name(m));
        unnamed.addAll(unnamedNulls(m, model));
      }
    }
    assertFalse(checked.isEmpty(), "no public method with arguments found");
    assertEquals(List.of(), unnamed, "public methods of the facade and read models that do not name a null argument");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"io.github.loyaltyledger", "io.github.loyaltyledger.tier"})
  void theScanFindsThePackagesTypes(String pkg) throws Exception {
    assertFalse(publicTypes(pkg).isEmpty(), "no public type found in " + pkg);
  }

  /**
   * Calls {@code e} (on {@code target}, null for a factory or constructor) with each reference
   * parameter null in turn, and lists the calls that did not throw a null pointer exception of the
   * library's naming the argument.
   */
  private static List<String> unnamedNulls(Executable e, Object target) throws ReflectiveOperationException {
    Class<?>[] params = e.getParameterTypes();
    Object[] ordinary = new Object[params.length];
    boolean known = true;
    for (int i = 0; i < params.length; i++) {
      ordinary[i] = ordinary(params[i]);
      known &= ordinary[i] != null || params[i].isArray();
    }
    // A method of an object is not called with ordinary values first: a state-changing one would
    // change what the next call sees.
    known = known && (target != null || call(e, null, ordinary) == null);
    List<String> unnamed = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      if (params[i].isPrimitive()) {
        continue;
      }
      Object[] args = known ? ordinary.clone() : withPrimitivesOnly(params, ordinary);
      args[i] = null;
      Throwable thrown = call(e, target, args);
      if (!(thrown instanceof NullPointerException) || thrown.getMessage() == null
          || thrown.getMessage().startsWith("Cannot ")) {
        unnamed.add(name(e) + " with parameter " + i + " null: "
            + (thrown == null ? "accepted" : thrown.getClass().getSimpleName() + ": " + thrown.getMessage()));
      }
    }
    return unnamed;
  }

  private static Object ordinary(Class<?> type) {
    if (type.isEnum()) {
      return type.getEnumConstants()[0];
    }
    return ORDINARY.get(type);
  }

  private static Object[] withPrimitivesOnly(Class<?>[] params, Object[] ordinary) {
    Object[] args = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      args[i] = params[i].isPrimitive() ? ordinary[i] : null;
    }
    return args;
  }

  /** What the call threw, or null if it returned. */
  private static Throwable call(Executable e, Object target, Object[] args) throws ReflectiveOperationException {
    try {
      if (e instanceof Method m) {
        m.invoke(target, args);
      } else {
        ((Constructor<?>) e).newInstance(args);
      }
      return null;
    } catch (InvocationTargetException thrown) {
      return thrown.getCause();
    }
  }

  private static String name(Executable e) {
    return e.getDeclaringClass().getName().replace("io.github.loyaltyledger.", "") + "#"
        + (e instanceof Constructor ? "new" : e.getName())
        + Arrays.stream(e.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
  }

  private static List<Executable> factoriesAndConstructors(Class<?> type) {
    List<Executable> found = new ArrayList<>();
    for (Method m : type.getDeclaredMethods()) {
      int mod = m.getModifiers();
      // The compiler's valueOf of an enum is the JDK's.
      if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && !m.isSynthetic() && m.getParameterCount() > 0
          && !(type.isEnum() && m.getName().equals("valueOf"))) {
        found.add(m);
      }
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (Modifier.isPublic(c.getModifiers()) && c.getParameterCount() > 0) {
        found.add(c);
      }
    }
    return found;
  }

  /** The public types of a package of the core (top-level or nested in a public type). */
  private static List<Class<?>> publicTypes(String pkg) throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(Loyalty.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path dir = classes.resolve(pkg.replace('.', '/'));
    List<String> names;
    try (Stream<Path> files = Files.list(dir)) {
      names = files.map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".class") && !f.equals("package-info.class"))
          .map(f -> pkg + "." + f.substring(0, f.length() - ".class".length()))
          .sorted()
          .collect(Collectors.toList());
    }
    List<Class<?>> types = new ArrayList<>();
    for (String n : names) {
      Class<?> type = Class.forName(n);
      if (isPublicAllTheWay(type)) {
        types.add(type);
      }
    }
    return types;
  }

  private static boolean isPublicAllTheWay(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass()) {
        return false;
      }
    }
    return true;
  }
}
