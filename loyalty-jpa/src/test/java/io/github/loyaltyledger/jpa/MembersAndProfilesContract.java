package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgram;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.MemberDirectory;
import io.github.loyaltyledger.store.MemberProfiles;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.MonthDay;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The JPA store as {@link MemberDirectory} and {@link MemberProfiles}
 * (loyalty-core has no contract for these ports): paging, profiles, and an erasure that leaves no
 * personal datum in any table. Nested in {@link JpaStoreContract}, so it runs on every database.
 */
abstract class MembersAndProfilesContract {

  /** Ids whose Java order differs from a natural-language collation's (case, punctuation, digits). */
  private static final List<MemberId> IDS = List.of("b", "B", "a-1", "A2", "a_3", "a.4", "Z9", "z:1", "10", "9",
      "m@x", "mx", "M-x").map(id -> member(id));

  private final TestClock clock = TestClock.at("2027-03-01T12:00:00Z");
  private JpaLedgerStore store;

  /** @return the store, emptied */
  abstract JpaLedgerStore emptyStore();

  /** @return a connection to the store's database, to be closed by the caller */
  abstract Connection connect() throws SQLException;

  @BeforeEach
  void emptyTheStore() {
    store = emptyStore();
  }

  @Nested
  class Members {

    @Test
    void pagingVisitsEveryMemberExactlyOnceInTheOrderOfTheInMemoryStore() {
      InMemoryLedgerStore reference = new InMemoryLedgerStore();
      enrolAll(aLoyalty(store, clock, aProgram()));
      enrolAll(aLoyalty(reference, clock, aProgram()));

      List<List<MemberId>> pages = pages(store, 4);

      assertEquals(pages(reference, 4), pages);
      assertEquals(IDS.sorted(), pages.flatMap(page -> page));
      assertEquals(List.of(4, 4, 4, 1), pages.map(List::size));
    }

    @Test
    void anEmptyStoreHasNoMembers() {
      assertEquals(List.empty(), store.members(Option.none(), MemberDirectory.MAX_PAGE));
    }

    @Test
    void aPageSizeOutOfRangeIsRefused() {
      assertThrows(IllegalArgumentException.class, () -> store.members(Option.none(), 0));
      assertThrows(IllegalArgumentException.class, () -> store.members(Option.none(), MemberDirectory.MAX_PAGE + 1));
    }

    private void enrolAll(Loyalty loyalty) {
      IDS.forEach(id -> accepted(loyalty.enrol(Enrolment.of(id, aKey()))));
    }

    private List<List<MemberId>> pages(MemberDirectory directory, int size) {
      List<List<MemberId>> pages = List.empty();
      Option<MemberId> after = Option.none();
      List<MemberId> page;
      do {
        page = directory.members(after, size);
        pages = pages.append(page);
        after = page.lastOption();
      } while (page.size() == size);
      return pages.filter(p -> !p.isEmpty());
    }
  }

  @Nested
  class Profiles {

    private final MemberProfile ada = MemberProfile.of(member("ada"), Consent.ALL.withMarketing(false))
        .withName("Ada Lovelace")
        .withContact("ada@example.org")
        .withExternalRef("crm", "CRM-4711")
        .withExternalRef("shop", "S-99");

    @Test
    void aSavedProfileReadsBackAsItWasSaved() {
      store.saveProfile(ada);

      assertEquals(Option.some(ada), store.profile(ada.member()));
    }

    @Test
    void aSecondSaveReplacesTheWholeProfile() {
      store.saveProfile(ada);
      MemberProfile plain = MemberProfile.of(ada.member(), Consent.NONE).withExternalRef("pos", "P-1");

      store.saveProfile(plain);

      assertEquals(Option.some(plain), store.profile(ada.member()));
    }

    @Test
    void theLongestProfileTheFacadeAcceptsIsStoredAndOneCharacterMoreIsRefused() {
      // PostgreSQL indexes an external reference's system name (with the member id) in a B-tree,
      // whose entries hold at most 2,704 bytes: a longer name was accepted in memory and on H2 but
      // threw from the facade there. 500 characters of three UTF-8 bytes each, not compressible.
      Loyalty loyalty = aLoyalty(store, clock, aProgram());
      accepted(loyalty.enrol(Enrolment.of(ada.member(), aKey())));
      java.util.Random random = new java.util.Random(7);
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 500; i++) {
        text.append((char) (0x4E00 + random.nextInt(0x5000)));
      }
      String longest = text.toString();
      MemberProfile full = ada.withName(longest).withContact(longest).withExternalRef(longest, longest);

      assertEquals(full, accepted(loyalty.saveProfile(full)));
      assertEquals(Option.some(full), store.profile(ada.member()));
      io.github.loyaltyledger.LoyaltyError refused = io.github.loyaltyledger.Fixtures.refused(
          loyalty.saveProfile(ada.withExternalRef(longest + "\u4E00", "1")));
      assertEquals("externalRefs", ((io.github.loyaltyledger.LoyaltyError.InvalidRequest) refused).field());
      assertEquals(Option.some(full), store.profile(ada.member()));
    }

    @Test
    void aDeletedProfileIsGoneAndDeletingAgainChangesNothing() {
      store.saveProfile(ada);
      store.saveProfile(MemberProfile.of(member("bob"), Consent.ALL));

      store.deleteProfile(ada.member());
      store.deleteProfile(ada.member());

      assertEquals(Option.none(), store.profile(ada.member()));
      assertEquals(Option.some(MemberProfile.of(member("bob"), Consent.ALL)), store.profile(member("bob")));
    }
  }

  @Nested
  class Erasure {

    @Test
    void leavesNoPersonalDatumInAnyTableAndTheLedgerStillVerifiesAndReports() throws SQLException {
      Loyalty loyalty = aLoyalty(store, clock, aProgram());
      MemberId ada = member("ada");
      MemberId bob = member("bob");
      accepted(loyalty.enrol(Enrolment.of(ada, aKey()).withBirthday(MonthDay.of(12, 10))));
      accepted(loyalty.enrol(Enrolment.of(bob, aKey())));
      accepted(loyalty.saveProfile(MemberProfile.of(ada, Consent.ALL)
          .withName("Ada Lovelace").withContact("ada.lovelace@example.org").withExternalRef("crm", "CRM-4711-ADA")));
      earned(loyalty, ada, 120);
      earned(loyalty, bob, 80);
      List<String> personal = List.of("Ada Lovelace", "ada.lovelace@example.org", "CRM-4711-ADA", "--12-10");
      assertTrue(stringsInEveryTable().exists(value -> personal.exists(value::contains)), "the data was stored");

      accepted(loyalty.erase(ada, aKey()));

      List<String> left = stringsInEveryTable().filter(value -> personal.exists(value::contains));
      assertEquals(List.empty(), left);
      assertEquals(Option.none(), store.profile(ada));
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
      Liability liability = accepted(loyalty.liability(clock.instant(), ZoneOffset.UTC, RedemptionRate.of(eur("1.00"), 100)));
      assertEquals(points(80), liability.outstanding());
      assertEquals(eur("0.80"), liability.value());
    }

    /*
     * The facade deletes the profile again after the erasure's commit, but the erasure's events are
     * in the outbox from that commit on: a relay handing MemberErased over in between, or after a
     * deletion that failed and was never retried, must not leave the profile, which the event says
     * is gone, to be read.
     */
    @Test
    void aProfileDeletionFailingAfterTheCommitLeavesNoProfileBehind() throws SQLException {
      Loyalty loyalty = aLoyalty(withFailingProfileDeletion(), clock, aProgram());
      MemberId ada = member("ada");
      accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
      accepted(loyalty.saveProfile(MemberProfile.of(ada, Consent.ALL)
          .withName("Ada Lovelace").withContact("ada.lovelace@example.org").withExternalRef("crm", "CRM-4711-ADA")));

      assertThrows(IllegalStateException.class, () -> loyalty.erase(ada, aKey()));

      assertEquals(Option.none(), store.profile(ada));
      List<String> personal = List.of("Ada Lovelace", "ada.lovelace@example.org", "CRM-4711-ADA");
      assertEquals(List.empty(), stringsInEveryTable().filter(value -> personal.exists(value::contains)));
    }

    /*
     * A profile stored under an erased member (a save racing the erasure that could not take out what
     * it wrote, until it is sent again) is garbage to be deleted: the facade shows none of it, as its
     * consentOf does; an erasure under a new key (the first one's lost) deletes it.
     */
    @Test
    void aProfileLeftUnderAnErasedMemberIsShownNeitherByProfileNorByExportAndAnotherErasureDeletesIt() {
      Loyalty loyalty = aLoyalty(store, clock, aProgram());
      MemberId ada = member("ada");
      accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
      accepted(loyalty.erase(ada, aKey()));
      store.saveProfile(MemberProfile.of(ada, Consent.ALL).withName("Ada Lovelace").withExternalRef("crm", "CRM-4711-ADA"));

      assertEquals(MemberProfile.of(ada, Consent.NONE), accepted(loyalty.profile(ada)));
      assertEquals(Consent.NONE, accepted(loyalty.consentOf(ada)));
      String json = accepted(loyalty.export(ada));
      assertTrue(json.contains("\"profile\":null") && !json.contains("Lovelace") && !json.contains("CRM-4711"), json);

      assertTrue(accepted(loyalty.erase(ada, aKey())).entries().isEmpty());
      assertEquals(Option.none(), store.profile(ada));
    }

    @Test
    void aRelayHandingOverTheErasureFindsTheProfileAlreadyDeleted() {
      MemberId ada = member("ada");
      java.util.List<Option<MemberProfile>> heardWith = new ArrayList<>();
      // At the facade's deletion the erasure has committed: relay its events there, as another node may.
      LedgerStore relayingFirst = (LedgerStore) Proxy.newProxyInstance(LedgerStore.class.getClassLoader(),
          new Class<?>[] {LedgerStore.class, MemberProfiles.class}, (proxy, method, args) -> {
            if (method.getName().equals("deleteProfile")) {
              store.relayEvents(1_000, event -> {
                if (event instanceof LoyaltyEvent.MemberErased) {
                  heardWith.add(store.profile(event.member()));
                }
              });
            }
            return forward(method, args);
          });
      Loyalty loyalty = aLoyalty(relayingFirst, clock, aProgram());
      accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
      accepted(loyalty.saveProfile(MemberProfile.of(ada, Consent.ALL).withName("Ada Lovelace")));

      accepted(loyalty.erase(ada, aKey()));

      assertEquals(java.util.List.of(Option.none()), heardWith);
    }

    /** The store as {@link LedgerStore} and {@link MemberProfiles}, whose {@code deleteProfile} throws. */
    private LedgerStore withFailingProfileDeletion() {
      return (LedgerStore) Proxy.newProxyInstance(LedgerStore.class.getClassLoader(),
          new Class<?>[] {LedgerStore.class, MemberProfiles.class}, (proxy, method, args) -> {
            if (method.getName().equals("deleteProfile")) {
              throw new IllegalStateException("profile database unreachable");
            }
            return forward(method, args);
          });
    }

    private Object forward(java.lang.reflect.Method method, Object[] args) throws Throwable {
      try {
        return method.invoke(store, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    /** Every value of every string column of every table of the store, walked with JDBC metadata. */
    private List<String> stringsInEveryTable() throws SQLException {
      java.util.List<String> values = new ArrayList<>();
      java.util.Set<String> tables = new java.util.TreeSet<>();
      try (Connection c = connect(); Statement select = c.createStatement()) {
        DatabaseMetaData meta = c.getMetaData();
        java.util.List<String[]> columns = new ArrayList<>();
        try (ResultSet rs = meta.getColumns(null, null, "%", "%")) {
          while (rs.next()) {
            String table = rs.getString("TABLE_NAME");
            String lower = table.toLowerCase(Locale.ROOT);
            if ((lower.startsWith("ledger_") || lower.startsWith("loyalty_")) && isText(rs.getInt("DATA_TYPE"))) {
              columns.add(new String[] {rs.getString("TABLE_SCHEM"), table, rs.getString("COLUMN_NAME")});
              tables.add(lower);
            }
          }
        }
        for (String[] column : columns) {
          try (ResultSet rs = select.executeQuery(
              "SELECT \"" + column[2] + "\" FROM \"" + column[0] + "\".\"" + column[1] + "\"")) {
            while (rs.next()) {
              Option.of(rs.getString(1)).forEach(values::add);
            }
          }
        }
      }
      assertTrue(tables.containsAll(java.util.List.of("ledger_account", "ledger_entry", "ledger_due_work",
          "ledger_outbox", "ledger_request", "ledger_member_profile", "ledger_member_external_ref")), tables::toString);
      return List.ofAll(values);
    }

    private boolean isText(int type) {
      return type == Types.CHAR || type == Types.VARCHAR || type == Types.LONGVARCHAR || type == Types.CLOB
          || type == Types.NCHAR || type == Types.NVARCHAR || type == Types.LONGNVARCHAR || type == Types.NCLOB;
    }
  }
}
