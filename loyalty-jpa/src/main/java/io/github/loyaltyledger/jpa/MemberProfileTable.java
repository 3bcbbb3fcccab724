package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.vavr.Tuple2;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.hibernate.query.NativeQuery;

/**
 * The tables {@code ledger_member_profile} and {@code ledger_member_external_ref}, in native SQL
 * (the same on H2 and PostgreSQL), and the member directory's page query on {@code ledger_account}.
 * A profile is written and deleted in one transaction with its external references, and deleted
 * for real: no row of it is left behind.
 */
final class MemberProfileTable {

  private static final String FIND = "SELECT name, contact, marketing, birthday_offers FROM ledger_member_profile"
      + " WHERE member_id = ?1";

  private static final String FIND_REFS = "SELECT system_name, external_id FROM ledger_member_external_ref"
      + " WHERE member_id = ?1";

  private static final String UPDATE = "UPDATE ledger_member_profile SET name = ?1, contact = ?2, marketing = ?3,"
      + " birthday_offers = ?4 WHERE member_id = ?5";

  private static final String INSERT = "INSERT INTO ledger_member_profile"
      + " (name, contact, marketing, birthday_offers, member_id) VALUES (?1, ?2, ?3, ?4, ?5)";

  private static final String INSERT_REF = "INSERT INTO ledger_member_external_ref"
      + " (member_id, system_name, external_id) VALUES (?1, ?2, ?3)";

  private static final String DELETE_REFS = "DELETE FROM ledger_member_external_ref WHERE member_id = ?1";

  private static final String DELETE = "DELETE FROM ledger_member_profile WHERE member_id = ?1";

  /*
   * Keyset paging on the account table's primary key, in Java's String order: H2 compares strings
   * so, and on PostgreSQL schema version 3 gives the column the "C" collation (byte order).
   */
  private static final String FIRST_PAGE = "SELECT member_id FROM ledger_account ORDER BY member_id";

  private static final String NEXT_PAGE = "SELECT member_id FROM ledger_account WHERE member_id > ?1 ORDER BY member_id";

  private MemberProfileTable() {}

  static List<MemberId> members(EntityManager em, Option<MemberId> after, int limit) {
    jakarta.persistence.Query page = em.createNativeQuery(after.isEmpty() ? FIRST_PAGE : NEXT_PAGE)
        .setMaxResults(limit);
    after.forEach(cursor -> page.setParameter(1, cursor.value()));
    java.util.List<?> ids = page.getResultList();
    return List.ofAll(ids).map(id -> MemberId.of((String) id));
  }

  /*
   * The reads are plain JDBC (ADR 0012): the daily run asks for a member's consent before each
   * birthday grant and the RFM report for every member's, and a native query through the session
   * cost more than the query. JDBC numbers no parameters, so these have their own text.
   */
  private static final String FIND_BY_JDBC = FIND.replace("?1", "?");
  private static final String FIND_REFS_BY_JDBC = FIND_REFS.replace("?1", "?");

  static Option<MemberProfile> find(Connection connection, MemberId member) throws SQLException {
    Option<MemberProfile> found = SqlWork.first(connection, FIND_BY_JDBC, member.value(),
        rs -> new MemberProfile(member, Option.of(rs.getString(1)), Option.of(rs.getString(2)), TreeMap.empty(),
            new Consent(rs.getBoolean(3), rs.getBoolean(4))));
    if (found.isEmpty()) {
      return found;
    }
    List<Tuple2<String, String>> refs = SqlWork.all(connection, FIND_REFS_BY_JDBC,
        select -> select.setString(1, member.value()), rs -> new Tuple2<>(rs.getString(1), rs.getString(2)));
    MemberProfile profile = found.get();
    return Option.some(new MemberProfile(member, profile.name(), profile.contact(), TreeMap.ofEntries(refs),
        profile.consent()));
  }

  /** Replaces the member's profile: updates its row (which locks it) or inserts it, then its references. */
  static void save(EntityManager em, MemberProfile profile) {
    String member = profile.member().value();
    for (String sql : new String[] {UPDATE, INSERT}) {
      // Hibernate's query, for typed parameters: a null then binds as text on PostgreSQL too.
      NativeQuery<?> write = em.createNativeQuery(sql).unwrap(NativeQuery.class);
      write.setParameter(1, profile.name().getOrNull(), String.class);
      write.setParameter(2, profile.contact().getOrNull(), String.class);
      write.setParameter(3, profile.consent().marketing());
      write.setParameter(4, profile.consent().birthdayOffers());
      write.setParameter(5, member);
      if (write.executeUpdate() == 1) {
        break;
      }
    }
    em.createNativeQuery(DELETE_REFS).setParameter(1, member).executeUpdate();
    profile.externalRefs().forEach((system, id) -> em.createNativeQuery(INSERT_REF)
        .setParameter(1, member)
        .setParameter(2, system)
        .setParameter(3, id)
        .executeUpdate());
  }

  private static final String DELETE_REFS_BY_JDBC = DELETE_REFS.replace("?1", "?");
  private static final String DELETE_BY_JDBC = DELETE.replace("?1", "?");

  /**
   * Deletes the member's profile and its references in the connection's transaction: that of
   * {@code deleteProfile}, or an erasure's commit ({@link LedgerWriter}).
   *
   * @return whether the member had a profile
   */
  static boolean delete(Connection connection, MemberId member) throws SQLException {
    try (PreparedStatement refs = connection.prepareStatement(DELETE_REFS_BY_JDBC);
        PreparedStatement profile = connection.prepareStatement(DELETE_BY_JDBC)) {
      refs.setString(1, member.value());
      refs.executeUpdate();
      profile.setString(1, member.value());
      return profile.executeUpdate() == 1;
    }
  }
}
