package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.event.LoyaltyEventListener;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.ConcurrentWriteException;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.DueWorkIndex;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.MemberDirectory;
import io.github.loyaltyledger.store.MemberProfiles;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.control.Option;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceConfiguration;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The {@link LedgerStore} on Jakarta Persistence: accounts, insert-only ledger entries, idempotency
 * records and counters in a relational database (H2 and PostgreSQL are supported and tested). This
 * is the one entry point of {@code loyalty-jpa}.
 *
 * <ul>
 *   <li>{@link #h2File(Path)}: an embedded H2 database in a file, durable across a killed process;
 *       the default for applications ({@link #h2File(Path, H2Durability)} trades the last half
 *       second of commits for speed, for data that can be made again);
 *   <li>{@link #fromJdbcUrl(String, String, String)}: any supported database by URL, with
 *       Hibernate's own connection pool;
 *   <li>{@link #create(EntityManagerFactory)}: the application's own factory (its data source and
 *       pool), built for example from {@link #persistenceConfiguration(String)}.
 * </ul>
 *
 * <p>The schema is versioned SQL under {@code db/migration/h2/} and {@code db/migration/postgresql/}
 * (Flyway naming). The first two factories apply it with the built-in migrator ({@link
 * #migrate(Connection)}); with {@link #create} the application applies it (Flyway, or
 * {@code migrate}). Hibernate then validates the mapping against it ({@code hbm2ddl=validate}), and
 * never changes it.
 *
 * <p>Each {@link #commit} is one database transaction. Conflicts with concurrent transactions (also
 * on other application nodes sharing the database) come back as {@link CommitOutcome}s, never as
 * exceptions; other database failures are thrown as {@link jakarta.persistence.PersistenceException}.
 * A failure of the database's commit itself (the connection lost as it commits) is a {@link
 * CommitOutcomeUnknownException}: the commit may have been stored, and the same request sent again
 * with the same key is safe (done once, or answered with its receipt). A failure before the commit
 * stored nothing, and the same request sent again is just as safe.
 * The store is safe for use by many threads.
 *
 * <p>It is also the {@link DueWorkIndex} that the daily run needs: each commit derives the changed
 * members' {@link DueWork} in its transaction and stores it in the table {@code ledger_due_work},
 * whose indexed columns answer {@link #candidates} in proportion to the answer.
 *
 * <p>It keeps a transactional outbox: the events of each commit are written in its transaction,
 * and {@link #relayEvents} hands them to the application at least once, in order per member.
 *
 * <p>It keeps in memory, for up to 4,096 members (by the member id's hash), the lots and due-work
 * texts it read or wrote last, each of at most 2,048 characters, with the values they encode, so
 * that a request on a member it served recently neither decodes nor re-encodes them: a few
 * megabytes for members with a few lots, tens at most. What is kept never changes what is read or
 * written; a text that another node wrote since is decoded.
 *
 * <p>It is the {@link MemberDirectory} of the programme-wide reports, paging with a keyset cursor
 * over the primary key of the account table, and it keeps {@link MemberProfiles} in two tables of
 * their own ({@code ledger_member_profile}, {@code ledger_member_external_ref}) that nothing in the
 * ledger refers to, so that an erasure deletes a member's personal data for real. An erasure's
 * commit deletes the member's profile itself, in the transaction that puts {@code MemberErased} in
 * the outbox, so that no relay hands the erasure over while the profile is still stored.
 */
public final class JpaLedgerStore
    implements LedgerStore, DueWorkIndex, MemberDirectory, MemberProfiles, AutoCloseable {

  /** The name of the persistence unit that {@link #persistenceConfiguration(String)} builds. */
  public static final String PERSISTENCE_UNIT = "loyalty-ledger";

  private final EntityManagerFactory factory;
  private final boolean ownsFactory;
  private final LedgerWriter writer;

  private final Set<EntryKind> activityKinds;

  /** The lots column of the accounts read and written last, shared by the reads and the writer. */
  private final KnownLots knownLots = new KnownLots();

  /** Held by every writing transaction on embedded H2; none on PostgreSQL. */
  private final WriteLock writeLock;

  /** The connections of the pool that {@link #fromJdbcUrl} builds (Hibernate's built-in one). */
  private static final int POOL_SIZE = 20;
  /** What H2 appends to the name of a database file. */
  private static final String H2_SUFFIX = ".mv.db";

  /**
   * The turns of the threads that use the database: bounded for the built-in pool, which refuses a
   * connection when all are in use; open for the application's own factory.
   */
  private final ConnectionGate gate;

  /**
   * What the driver names the database: its product, the lock its writers share, and whether its
   * transactions run in READ COMMITTED unless told otherwise ({@link #defaultsToReadCommitted}).
   */
  private record Database(String product, WriteLock writeLock, boolean readCommitted) {}

  /**
   * How every transaction of the store begins: on PostgreSQL in READ COMMITTED, whatever the
   * database's default or the isolation an application set on a pooled connection. The store relies
   * on READ COMMITTED (ADR 0008): each read sees what is committed, and the commit's version checks, not the
   * transaction, guard what was read. Under {@code SERIALIZABLE} a read itself can fail with a
   * serialization failure, which would reach the caller as an exception instead of a conflict the
   * facade retries; under {@code REPEATABLE READ} a plan is made on a snapshot that the commit then
   * finds stale.
   */
  private final Transactions transactions;

  private JpaLedgerStore(EntityManagerFactory factory, boolean ownsFactory, Set<EntryKind> activityKinds) {
    this.factory = factory;
    this.ownsFactory = ownsFactory;
    this.activityKinds = activityKinds;
    this.gate = ownsFactory ? ConnectionGate.forPoolOf(POOL_SIZE) : ConnectionGate.open();
    // Asks the driver once which database this is: embedded H2 needs its writers kept apart in the
    // JVM; PostgreSQL's conditional updates need no lock read before them. Hibernate validated the
    // mapped tables; the ones written with plain SQL are checked here.
    Database database;
    try (EntityManager em = factory.createEntityManager()) {
      database = SqlWork.on(em, connection -> {
        SchemaMigration.requireFoldedNames(connection);
        SchemaMigration.requireKnownHistory(connection);
        SchemaMigration.requireUnmappedTables(connection);
        SchemaMigration.requireNoCollation(connection);
        SchemaMigration.requireUnicode(connection);
        SchemaMigration.requireCaseSensitiveText(connection);
        SchemaMigration.requireEmptyTextKept(connection);
        return new Database(connection.getMetaData().getDatabaseProductName(), WriteLock.of(connection),
            defaultsToReadCommitted(connection));
      });
    }
    this.writeLock = database.writeLock();
    boolean onPostgresql = "PostgreSQL".equalsIgnoreCase(database.product());
    this.transactions = new Transactions(factory, onPostgresql, database.readCommitted());
    this.writer = new LedgerWriter(factory, transactions, activityKinds, writeLock, onPostgresql, knownLots);
  }

  /**
   * Whether transactions on this connection run in READ COMMITTED unless told otherwise: on
   * PostgreSQL its {@code default_transaction_isolation}, which the server, database, role, URL or
   * pool may set ({@code read uncommitted} is READ COMMITTED there); H2 is not asked, as its writers
   * take turns ({@link WriteLock}) and its reads run outside transactions.
   */
  private static boolean defaultsToReadCommitted(java.sql.Connection connection) throws java.sql.SQLException {
    String level = SchemaMigration.settingOn(connection, "postgresql",
        "SELECT current_setting('default_transaction_isolation')");
    return level == null || Transactions.isReadCommitted(level);
  }

  /**
   * Creates a store on an entity manager factory that the application built and keeps (closing
   * the store leaves it open), whose due-work index counts the {@link
   * DueWorkIndex#DEFAULT_ACTIVITY_KINDS} as activity. Its persistence unit must manage the classes
   * that {@link #persistenceConfiguration(String)} lists, and the schema must be applied.
   *
   * @param factory the factory, not null, with resource-local transactions
   * @return the store
   * @throws SchemaTooNewException if the database's schema history lists a version newer than this
   *     version of the library knows (a newer version migrated it): upgrade the library
   * @throws jakarta.persistence.PersistenceException if the database cannot be reached, or its schema
   *     lacks a table of the schema's scripts (one that no entity maps, which Hibernate does not validate),
   *     or its key columns compare without regard to case (tables created under H2's {@code IGNORECASE=TRUE}),
   *     or its connections store an empty string as NULL (H2's {@code MODE=Oracle}) or keep unquoted names
   *     as written (H2's {@code DATABASE_TO_UPPER=FALSE}), or it sorts text by a collation (H2's
   *     {@code COLLATION}), or it is a PostgreSQL database not encoded in UTF-8
   */
  public static JpaLedgerStore create(EntityManagerFactory factory) {
    return create(factory, DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
  }

  /**
   * Like {@link #create(EntityManagerFactory)}, with the entry kinds that move a member's last
   * activity in the due-work index (they must match the program's inactivity policy). Every store
   * on one database must use the same kinds: the index keeps what they derived.
   *
   * @param factory the factory, not null, with resource-local transactions
   * @param activityKinds the activity kinds, not null, not empty
   * @return the store
   * @throws IllegalArgumentException if {@code activityKinds} is empty
   * @throws SchemaTooNewException if the database's schema history lists a version newer than this
   *     version of the library knows (a newer version migrated it): upgrade the library
   * @throws jakarta.persistence.PersistenceException if the database cannot be reached, or its schema
   *     lacks a table of the schema's scripts (one that no entity maps, which Hibernate does not validate),
   *     or its key columns compare without regard to case (tables created under H2's {@code IGNORECASE=TRUE}),
   *     or its connections store an empty string as NULL (H2's {@code MODE=Oracle}) or keep unquoted names
   *     as written (H2's {@code DATABASE_TO_UPPER=FALSE}), or it sorts text by a collation (H2's
   *     {@code COLLATION}), or it is a PostgreSQL database not encoded in UTF-8
   */
  public static JpaLedgerStore create(EntityManagerFactory factory, Set<EntryKind> activityKinds) {
    return new JpaLedgerStore(Objects.requireNonNull(factory, "factory"), false, checked(activityKinds));
  }

  private static Set<EntryKind> checked(Set<EntryKind> activityKinds) {
    if (Objects.requireNonNull(activityKinds, "activityKinds").isEmpty()) {
      throw new IllegalArgumentException("at least one entry kind must count as activity");
    }
    return activityKinds;
  }

  /**
   * Opens (creating it if needed) an embedded H2 database in a file, applies the schema and
   * returns a store on it. Every acknowledged commit survives a killed process ({@link
   * H2Durability#EVERY_COMMIT}: the URL sets {@code WRITE_DELAY=0}; H2's default delays the write of
   * a commit by up to half a second).
   *
   * @param file the database file without H2's {@code .mv.db} suffix, e.g. {@code data/ledger}; not
   *     null; its folder is created by H2
   * @return the store; close it to close the database
   * @throws IllegalArgumentException if the file's absolute path contains {@code ;}, which H2 would
   *     read as the start of its settings, or ends in H2's own {@code .mv.db} suffix (H2 would open
   *     a new, empty database beside the one meant)
   * @throws SchemaTooNewException if the database's schema history lists a version newer than this
   *     version of the library knows (a newer version migrated it): upgrade the library
   * @throws jakarta.persistence.PersistenceException if the database cannot be opened
   */
  public static JpaLedgerStore h2File(Path file) {
    return h2File(file, H2Durability.EVERY_COMMIT);
  }

  /**
   * Like {@link #h2File(Path)}, with the durability chosen: {@link H2Durability#DELAYED} for data
   * that can be made again (a simulation, a fixture), where losing the last half second of
   * acknowledged commits to a killed process costs nothing and every commit is cheaper.
   *
   * @param file the database file without H2's {@code .mv.db} suffix, not null
   * @param durability when a commit reaches the file, not null
   * @return the store; close it to close the database (which writes every commit)
   * @throws IllegalArgumentException if the file's absolute path contains {@code ;}, which H2 would
   *     read as the start of its settings, or ends in H2's own {@code .mv.db} suffix (H2 would open
   *     a new, empty database beside the one meant)
   * @throws SchemaTooNewException if the database's schema history lists a version newer than this
   *     version of the library knows (a newer version migrated it): upgrade the library
   * @throws jakarta.persistence.PersistenceException if the database cannot be opened
   */
  public static JpaLedgerStore h2File(Path file, H2Durability durability) {
    return fromJdbcUrl(h2FileUrl(file, durability), "sa", "", DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
  }

  /**
   * Like {@link #h2File(Path)}, with the entry kinds that move a member's last activity in the
   * due-work index (see {@link #create(EntityManagerFactory, Set)}).
   *
   * @param file the database file without H2's {@code .mv.db} suffix, not null
   * @param activityKinds the activity kinds, not null, not empty
   * @return the store; close it to close the database
   * @throws IllegalArgumentException if {@code activityKinds} is empty, or the file's absolute path
   *     contains {@code ;}, which H2 would read as the start of its settings, or ends in H2's own
   *     {@code .mv.db} suffix (H2 would open a new, empty database beside the one meant)
   * @throws SchemaTooNewException if the database's schema history lists a version newer than this
   *     version of the library knows (a newer version migrated it): upgrade the library
   * @throws jakarta.persistence.PersistenceException if the database cannot be opened
   */
  public static JpaLedgerStore h2File(Path file, Set<EntryKind> activityKinds) {
    return fromJdbcUrl(h2FileUrl(file), "sa", "", activityKinds);
  }

  /**
   * The JDBC URL {@link #h2File(Path)} uses: H2 in a file with every commit written before it is
   * acknowledged ({@code WRITE_DELAY=0}), and a parsed-statement cache per connection large enough
   * for the store's statements ({@code QUERY_CACHE_SIZE=64}; H2's default of 8 is fewer than one
   * request's, so every statement was parsed again).
   *
   * @param file the database file without the {@code .mv.db} suffix, not null
   * @return the URL
   * @throws IllegalArgumentException if the file's absolute path contains {@code ;}, which H2 would
   *     read as the start of its settings, or ends in H2's own {@code .mv.db} suffix (H2 would open
   *     a new, empty database beside the one meant)
   */
  public static String h2FileUrl(Path file) {
    return h2FileUrl(file, H2Durability.EVERY_COMMIT);
  }

  /**
   * The JDBC URL {@link #h2File(Path, H2Durability)} uses: like {@link #h2FileUrl(Path)}, with the
   * write delay of the durability chosen. Use it to open the same database with other settings
   * through {@link #fromJdbcUrl(String, String, String, Set)} (user {@code sa}, empty password).
   *
   * @param file the database file without the {@code .mv.db} suffix, not null
   * @param durability when a commit reaches the file, not null
   * @return the URL
   * @throws IllegalArgumentException if the file's absolute path contains {@code ;}, which H2 would
   *     read as the start of its settings, or ends in H2's own {@code .mv.db} suffix (H2 would open
   *     a new, empty database beside the one meant)
   */
  public static String h2FileUrl(Path file, H2Durability durability) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(durability, "durability");
    String path = file.toAbsolutePath().toString();
    // H2 reads everything after a ';' of its URL as settings, and has no way to quote one in a path.
    if (path.indexOf(';') >= 0) {
      throw new IllegalArgumentException("an H2 database file's path cannot contain ';', which H2 reads as the"
          + " start of its settings: " + path);
    }
    // H2 adds the suffix to whatever it is given: given the name the folder shows, it would open a new,
    // empty database beside the ledger, in which every member would be unknown.
    if (path.toLowerCase(Locale.ROOT).endsWith(H2_SUFFIX)) {
      String without = path.substring(0, path.length() - H2_SUFFIX.length());
      throw new IllegalArgumentException("name an H2 database file without H2's " + H2_SUFFIX + " suffix, which H2 adds"
          + " itself: give " + without + " to open " + path + " (given " + path + ", H2 would open a new, empty database "
          + path + H2_SUFFIX + ")");
    }
    return "jdbc:h2:file:" + path + durability.urlSetting() + ";QUERY_CACHE_SIZE=64";
  }

  /**
   * Connects to a database by JDBC URL (H2 or PostgreSQL; the application adds the driver),
   * applies the schema with the built-in migrator, and returns a store using Hibernate's built-in
   * connection pool of 20 connections. That pool refuses a connection at once when all are in use,
   * so the store lets 10 threads use the database at once (a request's attempt may hold two
   * connections) and the others wait for their turn. For production pools, build the factory
   * yourself and use {@link #create}. An H2 database in memory lives as long as the store (the pool
   * keeps a connection open), also without {@code DB_CLOSE_DELAY}.
   *
   * @param url the JDBC URL, not null
   * @param user the user, not null
   * @param password the password, not null
   * @return the store; close it to close its connections
   * @throws SchemaTooNewException if the database's schema history lists a version newer than this
   *     version of the library knows (a newer version migrated it): upgrade the library
   * @throws jakarta.persistence.PersistenceException if the database cannot be reached, the
   *     schema does not match the mapping, or the database compares text without regard to case (H2's
   *     {@code IGNORECASE=TRUE}, under which members whose ids differ only in case would share an
   *     account), stores an empty string as NULL (H2's {@code MODE=Oracle}, under which every write
   *     would fail), sorts text by a collation (H2's {@code COLLATION}, under which members would not
   *     page in Java's order) or keeps unquoted names as written (H2's {@code DATABASE_TO_UPPER=FALSE},
   *     under which the schema's names would not be found), before the migrator creates anything, or is
   *     a PostgreSQL database not encoded in UTF-8 (which cannot keep every text the ledger accepts); its
   *     message names the URL without its settings (where a password may be)
   */
  public static JpaLedgerStore fromJdbcUrl(String url, String user, String password) {
    return fromJdbcUrl(url, user, password, DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
  }

  /**
   * Like {@link #fromJdbcUrl(String, String, String)}, with the entry kinds that move a member's
   * last activity in the due-work index (see {@link #create(EntityManagerFactory, Set)}).
   *
   * @param url the JDBC URL, not null
   * @param user the user, not null
   * @param password the password, not null
   * @param activityKinds the activity kinds, not null, not empty
   * @return the store; close it to close its connections
   * @throws IllegalArgumentException if {@code activityKinds} is empty
   * @throws SchemaTooNewException if the database's schema history lists a version newer than this
   *     version of the library knows (a newer version migrated it): upgrade the library
   * @throws jakarta.persistence.PersistenceException if the database cannot be reached, the
   *     schema does not match the mapping, or the database compares text without regard to case (H2's
   *     {@code IGNORECASE=TRUE}), stores an empty string as NULL (H2's {@code MODE=Oracle}), sorts
   *     text by a collation (H2's {@code COLLATION}) or keeps unquoted names as written (H2's
   *     {@code DATABASE_TO_UPPER=FALSE}), or is a PostgreSQL database not encoded in UTF-8
   */
  public static JpaLedgerStore fromJdbcUrl(String url, String user, String password, Set<EntryKind> activityKinds) {
    checked(activityKinds);
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    PersistenceConfiguration configuration = persistenceConfiguration(PERSISTENCE_UNIT)
        .property(PersistenceConfiguration.JDBC_URL, url)
        .property(PersistenceConfiguration.JDBC_USER, user)
        .property(PersistenceConfiguration.JDBC_PASSWORD, password)
        .property("hibernate.connection.pool_size", Integer.toString(POOL_SIZE))
        // Reads outside a transaction then cost one statement, not a BEGIN, the statement and a COMMIT.
        .property("hibernate.connection.autocommit", "true");
    // The migration's connection stays open until the pool has connections of its own: an H2
    // database in memory (without DB_CLOSE_DELAY) is dropped when its last connection closes.
    try (Connection connection = DriverManager.getConnection(url, user, password)) {
      migrate(connection);
      EntityManagerFactory factory = Persistence.createEntityManagerFactory(configuration);
      try {
        return new JpaLedgerStore(factory, true, activityKinds);
      } catch (RuntimeException e) {
        // Nobody else holds the factory, whose pool keeps connections open.
        try {
          factory.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new jakarta.persistence.PersistenceException("cannot prepare the ledger schema at " + withoutSettings(url), e);
    }
  }

  /**
   * A JDBC URL as a message may name it, in logs: without its settings (after {@code ?} or the first
   * {@code ;}) or a user and password before a host, where a password may be given
   * ({@code ?password=}, H2's {@code ;PASSWORD=}, {@code //user:secret@host}).
   */
  static String withoutSettings(String url) {
    int cut = url.length();
    for (char c : new char[] {'?', ';'}) {
      int at = url.indexOf(c);
      cut = at >= 0 ? Math.min(cut, at) : cut;
    }
    String shown = url.substring(0, cut).replaceFirst("//[^/@]*@", "//");
    return shown.length() == url.length() ? shown : shown + " (settings not shown)";
  }

  /**
   * A persistence unit configuration with the store's entity classes and its settings (schema
   * validated, never generated; JDBC batching). Add the connection (a data source or JDBC
   * properties) and build the factory with {@link Persistence#createEntityManagerFactory(PersistenceConfiguration)}.
   *
   * @param name the unit's name, not null
   * @return a new configuration, to be completed by the caller
   */
  public static PersistenceConfiguration persistenceConfiguration(String name) {
    return new PersistenceConfiguration(Objects.requireNonNull(name, "name"))
        .managedClass(AccountRow.class)
        .managedClass(EntryRow.class)
        .managedClass(RequestRow.class)
        .managedClass(CounterRow.class)
        .managedClass(OutboxRow.class)
        .property("hibernate.hbm2ddl.auto", "validate")
        .property("hibernate.jdbc.batch_size", "32");
  }

  /**
   * Applies the schema scripts that the database lacks (the built-in migrator, for applications
   * without Flyway): the scripts under {@code db/migration/h2/} or {@code db/migration/postgresql/}
   * that the table {@code loyalty_schema_history} does not list. Nodes that start together may run
   * it at once: on PostgreSQL each takes a session-level advisory lock first (so the others wait
   * while one migrates, then find nothing left to do; a migration stuck in another session holds
   * them until that session ends). That wait ignores the connection's {@code lock_timeout}, which
   * is restored for the scripts themselves. An H2 file is opened by one process, whose migrations
   * run one at a time.
   *
   * <p>On PostgreSQL a script that fails is rolled back whole. H2 commits each DDL statement, so
   * there a script that fails after its first statement (or a process killed meanwhile) leaves part
   * of it applied, which no later run can complete or undo: back up an H2 database (a copy of its
   * file, with the store closed) before upgrading the library. The history lists such a script as
   * started, and every later start refuses the database, saying to restore that backup.
   *
   * @param connection a connection to an H2 or PostgreSQL database, not null; left open
   * @throws SQLException if a script fails (on PostgreSQL its transaction is rolled back; on H2 the
   *     message says whether the database holds part of it), if the history lists a script that
   *     failed half-way on H2 (before anything runs), or if a script is to be
   *     applied on a connection that compares text without regard to case (H2's {@code
   *     IGNORECASE=TRUE}, which would make the ledger's keys case-insensitive) or stores an empty
   *     string as NULL (H2's {@code MODE=Oracle}, under which every write would fail), or on an H2
   *     database with a collation (H2's {@code COLLATION}) or a PostgreSQL database not encoded in UTF-8,
   *     before it runs; or if the connection keeps
   *     unquoted names as written (H2's {@code DATABASE_TO_UPPER=FALSE}), before anything is created
   * @throws SchemaTooNewException if the table lists a version newer than this version of the library
   *     knows (a newer version migrated the database), before any script runs: upgrade the library
   * @throws IllegalArgumentException if the database is neither H2 nor PostgreSQL
   */
  public static void migrate(Connection connection) throws SQLException {
    SchemaMigration.migrate(Objects.requireNonNull(connection, "connection"));
  }

  @Override
  public Set<EntryKind> activityKinds() {
    return activityKinds;
  }

  @Override
  public Option<DueWork> dueWork(MemberId member) {
    Objects.requireNonNull(member, "member");
    return read(em -> DueWorkTable.find(em, member).map(DueWorkTable.Stored::work));
  }

  @Override
  public List<DueWork> candidates(DueQuery query) {
    Objects.requireNonNull(query, "query");
    return read(em -> SqlWork.on(em, connection -> DueWorkTable.candidates(connection, query)));
  }

  @Override
  public List<MemberId> members(Option<MemberId> after, int limit) {
    Objects.requireNonNull(after, "after");
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ", was " + limit);
    }
    return read(em -> MemberProfileTable.members(em, after, limit));
  }

  @Override
  public Option<MemberProfile> profile(MemberId member) {
    Objects.requireNonNull(member, "member");
    return read(em -> SqlWork.on(em, connection -> MemberProfileTable.find(connection, member)));
  }

  /**
   * {@inheritDoc} In one transaction with its external references; two concurrent first saves of a
   * member's profile both succeed, the later one winning. A save that conflicts with a concurrent
   * transaction (a first save of the same member, a lock held past the database's lock timeout, a
   * deadlock) is tried once more.
   *
   * @throws ConcurrentWriteException if the save conflicted on both
   *     tries (the message says so and to save the profile again; nothing was written; the
   *     database's failures attached), which the facade answers with
   *     {@code LoyaltyError.ConcurrentModification}
   * @throws jakarta.persistence.PersistenceException if the database fails otherwise
   */
  @Override
  public void saveProfile(MemberProfile profile) {
    Objects.requireNonNull(profile, "profile");
    // A concurrent first save inserted the row meanwhile: the second try finds it and replaces it.
    triedTwice(profile.member(), "saving", "save it again", () -> transactions.run(em -> MemberProfileTable.save(em, profile)));
  }

  /**
   * {@inheritDoc} The profile's rows and its external references are deleted in one transaction.
   * An erasure's commit has already deleted them in its own transaction, so the facade's call after
   * it finds nothing to delete. A deletion that conflicts with a concurrent transaction (a lock held
   * past the database's lock timeout, a deadlock) is tried once more.
   *
   * @throws ConcurrentWriteException if the deletion conflicted on both tries (the message says so
   *     and to delete the profile again; nothing was deleted; the database's failures attached),
   *     which the facade answers with {@code LoyaltyError.ConcurrentModification}
   * @throws jakarta.persistence.PersistenceException if the database fails otherwise
   */
  @Override
  public void deleteProfile(MemberId member) {
    Objects.requireNonNull(member, "member");
    triedTwice(member, "deleting", "delete it again",
        () -> transactions.run(em -> SqlWork.on(em, connection -> MemberProfileTable.delete(connection, member))));
  }

  /**
   * Runs one transaction on a member's profile under the write lock, once more if it conflicted
   * with a concurrent writer; a second conflict throws {@link ConcurrentWriteException} saying what
   * was {@code doing} and to {@code redo} it, the database's failures attached.
   */
  private void triedTwice(MemberId member, String doing, String redo, Runnable transaction) {
    gate.run(() -> {
      try {
        writeLock.run(transaction);
      } catch (jakarta.persistence.PersistenceException e) {
        if (!LedgerWriter.isConflict(e)) {
          throw e;
        }
        try {
          writeLock.run(transaction);
        } catch (jakarta.persistence.PersistenceException again) {
          if (!LedgerWriter.isConflict(again)) {
            throw again;
          }
          again.addSuppressed(e);
          throw new ConcurrentWriteException(member, 2, doing + " the profile of member " + member.value()
              + " conflicted twice with a concurrent writer of it (a lock held past the database's lock timeout,"
              + " a deadlock); nothing was written: " + redo, again);
        }
      }
    });
  }

  @Override
  public Option<Account> account(MemberId member) {
    return account(member, this::read);
  }

  private Option<Account> account(MemberId member, Reader reader) {
    Objects.requireNonNull(member, "member");
    return reader.read(em -> SqlWork.on(em, connection -> AccountRow.find(connection, member.value())))
        .map(row -> row.toDomain(knownLots));
  }

  @Override
  public Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key) {
    return idempotencyRecord(key, this::read);
  }

  private Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key, Reader reader) {
    Objects.requireNonNull(key, "key");
    return reader.read(em -> SqlWork.on(em, connection -> record(connection, key, RequestRow.find(connection, key.value()))));
  }

  /** The record of a request row, if there is one, with its receipt's entries read from the ledger. */
  private static Option<IdempotencyRecord> record(Connection connection, IdempotencyKey key, Option<RequestRow> row)
      throws SQLException {
    if (row.isEmpty()) {
      return Option.none();
    }
    java.util.Map<EntryId, Entry> entries = new java.util.HashMap<>();
    for (EntryId id : row.get().entryIds()) {
      entries.put(id, entry(connection, id).getOrElseThrow(
          () -> new IllegalStateException("the request " + key + " lists entry " + id + ", which is not stored")));
    }
    return Option.some(row.get().toDomain(entries::get));
  }

  /** The label of {@link #KEY_AND_ACCOUNT}'s last column, the transaction's isolation. */
  private static final String KEY_AND_ACCOUNT_ISOLATION = "isolation";

  /*
   * PostgreSQL, an attempt's first read: the key's request row, the member's account and its
   * due-work row (for a one-member request; no member, no rows) in one statement (one round trip
   * where the key and the account took one each), and the transaction's isolation (Transactions).
   * The one row has nulls where a row is missing. The due-work row is joined on the member id
   * given, as in AccountRow.FIND_WITH_DUE_WORK, so that its primary key serves the join.
   */
  static final String KEY_AND_ACCOUNT = "SELECT " + RequestRow.COLUMNS.replaceAll("(\\w+)", "r.$1") + ", "
      + AccountRow.WITH_DUE_WORK_COLUMNS + ", " + Transactions.ISOLATION + " AS " + KEY_AND_ACCOUNT_ISOLATION
      + " FROM (VALUES (1)) AS one (x)"
      + " LEFT JOIN ledger_request r ON r.idempotency_key = ?"
      + " LEFT JOIN ledger_account a ON a.member_id = ?"
      + " LEFT JOIN ledger_due_work d ON d.member_id = ? AND a.member_id IS NOT NULL";

  @Override
  public Option<Entry> entry(EntryId id) {
    return entry(id, this::read);
  }

  private Option<Entry> entry(EntryId id, Reader reader) {
    Objects.requireNonNull(id, "id");
    return reader.read(em -> SqlWork.on(em, connection -> entry(connection, id)));
  }

  private static Option<Entry> entry(Connection connection, EntryId id) throws SQLException {
    return SqlWork.all(connection, ENTRY, select -> {
      select.setString(1, id.member().value());
      select.setLong(2, id.sequence());
    }, EntryRow::read).headOption().map(EntryRow::toDomain);
  }

  /*
   * The entry reads are plain JDBC (ADR 0012): they run on every capture, refund, tier check and
   * report, and the session's entity load cost more than the query. FETCH FIRST takes a parameter
   * on H2 and PostgreSQL alike.
   */
  private static final String ENTRY = EntryRow.SELECT + "WHERE member_id = ? AND sequence_number = ?";
  /** Through the side table of referencing entries (schema version 4), one index range. */
  private static final String REFERENCING = "SELECT " + EntryRow.COLUMNS.replaceAll("(\\w+)", "e.$1")
      + " FROM ledger_entry_reference r JOIN ledger_entry e"
      + " ON e.member_id = r.member_id AND e.sequence_number = r.sequence_number"
      + " WHERE r.reference_member = ? AND r.reference_sequence = ?"
      // Commit order is a member's sequence order; the recorded-at instants come from the clocks of
      // the nodes that wrote them, which may disagree.
      + " ORDER BY e.member_id, e.sequence_number";
  private static final String ENTRIES = EntryRow.SELECT + "WHERE member_id = ? AND sequence_number >= ?"
      + " ORDER BY sequence_number FETCH FIRST ? ROWS ONLY";

  @Override
  public List<Entry> referencing(EntryId original) {
    return referencing(original, this::read);
  }

  private List<Entry> referencing(EntryId original, Reader reader) {
    Objects.requireNonNull(original, "original");
    return reader.read(em -> SqlWork.on(em, connection -> SqlWork.all(connection, REFERENCING, select -> {
      select.setString(1, original.member().value());
      select.setLong(2, original.sequence());
    }, EntryRow::read))).map(EntryRow::toDomain);
  }

  @Override
  public List<Entry> entries(MemberId member, long fromSequence, int limit) {
    return entries(member, fromSequence, limit, this::read);
  }

  private List<Entry> entries(MemberId member, long fromSequence, int limit, Reader reader) {
    Objects.requireNonNull(member, "member");
    if (fromSequence < 1 || limit < 1) {
      throw new IllegalArgumentException("fromSequence and limit must be at least 1");
    }
    return reader.read(em -> SqlWork.on(em, connection -> SqlWork.all(connection, ENTRIES, select -> {
      select.setString(1, member.value());
      select.setLong(2, fromSequence);
      select.setInt(3, limit);
    }, EntryRow::read))).map(EntryRow::toDomain);
  }

  @Override
  public List<Entry> history(MemberId member, EntryQuery query) {
    return history(member, query, this::read);
  }

  private List<Entry> history(MemberId member, EntryQuery query, Reader reader) {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(query, "query");
    StringBuilder sql = new StringBuilder(EntryRow.SELECT).append("WHERE member_id = ?");
    query.beforeSequence().forEach(b -> sql.append(" AND sequence_number < ?"));
    if (!query.kinds().isEmpty()) {
      sql.append(" AND kind IN (").append(String.join(", ", query.kinds().toList().map(k -> "?"))).append(')');
    }
    query.from().forEach(f -> sql.append(" AND (occurred_at_seconds > ? OR (occurred_at_seconds = ? AND occurred_at_nanos >= ?))"));
    query.to().forEach(t -> sql.append(" AND (occurred_at_seconds < ? OR (occurred_at_seconds = ? AND occurred_at_nanos < ?))"));
    sql.append(" ORDER BY sequence_number DESC FETCH FIRST ? ROWS ONLY");
    return reader.read(em -> SqlWork.on(em, connection -> SqlWork.all(connection, sql.toString(), select -> {
      int p = 1;
      select.setString(p++, member.value());
      if (query.beforeSequence().isDefined()) {
        select.setLong(p++, query.beforeSequence().get());
      }
      for (EntryKind kind : query.kinds()) {
        select.setString(p++, kind.name());
      }
      for (Instant at : query.from().toList().appendAll(query.to())) {
        select.setLong(p++, at.getEpochSecond());
        select.setLong(p++, at.getEpochSecond());
        select.setInt(p++, at.getNano());
      }
      select.setInt(p, query.limit());
    }, EntryRow::read))).map(EntryRow::toDomain);
  }

  @Override
  public long counter(String key) {
    return counter(key, this::read);
  }

  private long counter(String key, Reader reader) {
    Objects.requireNonNull(key, "key");
    if (!Fingerprint.isStorable(key)) {
      // No counter has such a name (CounterChange refuses it), and the database cannot be asked:
      // PostgreSQL refuses a NUL, and the driver sends a lone surrogate as '?', another counter's name.
      return 0;
    }
    return reader.read(em -> SqlWork.on(em, connection -> LedgerWriter.counterValue(connection, key))).getOrElse(0L);
  }

  /**
   * {@inheritDoc} The program's id is the one row of the table {@code ledger_program} (schema
   * version 7), read first and written, in a transaction of its own, only when the database keeps
   * none yet or a rename names the one it keeps: a facade built on a database that already keeps the
   * program writes nothing, so one built for reports on a read-only replica starts too. A database
   * migrated from an earlier version keeps none until the first facade is built on it. For several
   * programs on one database server, give each a schema of its own (README "Several programs").
   *
   * @throws jakarta.persistence.PersistenceException if the database fails
   */
  @Override
  public String claimProgram(String program, Option<String> renamedFrom) {
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(renamedFrom, "renamedFrom");
    Option<String> kept = keptProgram();
    if (kept.exists(id -> !renamedFrom.contains(id))) {
      return kept.get();
    }
    return gate.through(() -> writeLock.holding(() -> transactions.call(em -> SqlWork.on(em,
        connection -> ProgramRecord.claim(connection, program, renamedFrom, writer.onPostgresql())))));
  }

  /**
   * {@inheritDoc} One read of {@code ledger_program}, which writes nothing (so it answers on a
   * read-only replica too).
   *
   * @throws jakarta.persistence.PersistenceException if the database fails
   */
  @Override
  public Option<String> keptProgram() {
    return read(em -> SqlWork.on(em, ProgramRecord::read));
  }

  @Override
  public CommitOutcome commit(Commit commit) {
    Objects.requireNonNull(commit, "commit");
    return gate.through(() -> writer.commit(commit));
  }

  /**
   * Runs a request's attempt on one entity manager (one Hibernate session instead of one per read
   * and one for the commit). On PostgreSQL the view's first read begins the transaction, so the
   * reads and the commit are one database transaction on one connection, as a hand-written JDBC
   * client would make them (one {@code BEGIN} and one {@code COMMIT} per request rather than a
   * transaction per read); on embedded H2, where a read costs no round trip, the reads run outside a
   * transaction, as the store's own reads do, and the commit begins it. On PostgreSQL the view also
   * reads each account with its due-work row, so that a commit without counters, new accounts or
   * enrolment events (nearly every request's) sends its writes in one round trip, then its
   * {@code COMMIT}: a credit takes four round trips (key, account, writes, commit), three through
   * {@link #attempt(IdempotencyKey, List, Function)}, which the facade uses. The view's
   * commit commits (or, refused, rolls back); if the work ends without committing, or throws, an
   * open transaction is rolled back. After its commit the view reads and writes as the store does.
   *
   * <p>The attempt holds its connection until it ends, and the facade's own reads inside a request
   * (its tier check among them) go through the view, so a request needs one connection at a time.
   * Code of yours that runs inside a request and reads this store directly (a rule, a segment
   * resolver, a {@code MemberTiers} port) takes a second one: size the pool for that.
   *
   * @param work the attempt, not null
   * @param <T> its result
   * @return what the work returned
   */
  @Override
  public <T> T attempt(Function<LedgerStore, T> work) {
    Objects.requireNonNull(work, "work");
    return runAttempt(null, null, work);
  }

  /**
   * {@inheritDoc} On PostgreSQL, for a request on one member, the view's first read (the key's
   * record) reads the member's account with it in one statement, and the view's first read of that
   * account answers with it: a credit then takes three round trips (the reads, the writes, the
   * commit).
   */
  @Override
  public <T> T attempt(IdempotencyKey key, List<MemberId> members, Function<LedgerStore, T> work) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(members, "members");
    Objects.requireNonNull(work, "work");
    return writer.onPostgresql() && members.size() == 1
        ? runAttempt(key, members.head(), work)
        : runAttempt(null, null, work);
  }

  /**
   * An attempt whose first read, if it is the record of {@code aheadKey} (unless null), reads
   * {@code aheadMember}'s account with it.
   */
  private <T> T runAttempt(IdempotencyKey aheadKey, MemberId aheadMember, Function<LedgerStore, T> work) {
    return gate.through(() -> {
      try (EntityManager em = factory.createEntityManager()) {
        Attempt view = new Attempt(em, aheadKey, aheadMember);
        try {
          return work.apply(view);
        } finally {
          view.end();
        }
      }
    });
  }

  /** Reads through an entity manager: one of its own per read, or an attempt's. */
  private interface Reader {
    <T> T read(Function<EntityManager, T> work);
  }

  /** The view of one {@link #attempt}: its reads and its commit in the attempt's transaction. */
  private final class Attempt implements LedgerStore {
    private final EntityManager em;
    private boolean committed;
    /**
     * PostgreSQL: the due-work row read with each account (by member id), if it belongs to the
     * account's version as read, which the commit then need not read again.
     */
    private final java.util.Map<String, DueWorkTable.Row> dueWork = new java.util.HashMap<>();
    /** The key whose record the first read, if it asks for it, reads with the member's account; else null. */
    private IdempotencyKey aheadKey;
    private final MemberId aheadMember;
    /** The member's account (and due-work row) read ahead, until the work asks for it; null if none. */
    private Option<AccountRow.WithDueWork> ahead;

    Attempt(EntityManager em, IdempotencyKey aheadKey, MemberId aheadMember) {
      this.em = em;
      this.aheadKey = aheadKey;
      this.aheadMember = aheadMember;
    }

    /** On the attempt's entity manager; on PostgreSQL in its transaction, begun by the first read. */
    private <T> T read(Function<EntityManager, T> work) {
      aheadKey = null;
      if (committed) {
        return JpaLedgerStore.this.read(work);
      }
      if (writer.onPostgresql() && !em.getTransaction().isActive()) {
        transactions.begin(em);
      }
      return work.apply(em);
    }

    void end() {
      if (em.getTransaction().isActive()) {
        em.getTransaction().rollback();
      }
    }

    /**
     * On PostgreSQL before the commit, the account is read with its due-work row in one statement:
     * the commit updates that row next, and would otherwise read it in a round trip of its own.
     */
    @Override
    public Option<Account> account(MemberId member) {
      if (committed || !writer.onPostgresql()) {
        return JpaLedgerStore.this.account(member, this::read);
      }
      Objects.requireNonNull(member, "member");
      Option<AccountRow.WithDueWork> found;
      if (ahead != null && member.equals(aheadMember)) {
        found = ahead;
        ahead = null;
      } else {
        found = read(em -> SqlWork.on(em, connection -> AccountRow.findWithDueWork(connection, member.value())));
      }
      dueWork.remove(member.value());
      if (found.isDefined() && found.get().dueWork().exists(row -> row.accountVersion() == found.get().account().version)) {
        dueWork.put(member.value(), found.get().dueWork().get());
      }
      return found.map(row -> row.account().toDomain(knownLots));
    }

    /**
     * On PostgreSQL the attempt's first read, the key's record (the facade's first read of every
     * request), begins the transaction: it reads the transaction's isolation with the record (and,
     * if it is the key named ahead, the member's account), and if a pooled connection's session was
     * set to another isolation than READ COMMITTED, the transaction starts again in READ COMMITTED
     * and reads again. No round trip more on a connection left as the database's default is.
     */
    @Override
    public Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key) {
      Objects.requireNonNull(key, "key");
      MemberId member = key.equals(aheadKey) ? aheadMember : null;
      aheadKey = null;
      if (committed || !writer.onPostgresql() || em.getTransaction().isActive()) {
        return JpaLedgerStore.this.idempotencyRecord(key, this::read);
      }
      String[] isolation = {null};
      Function<EntityManager, Option<IdempotencyRecord>> first = on -> SqlWork.on(on, connection -> {
        try (java.sql.PreparedStatement select = connection.prepareStatement(KEY_AND_ACCOUNT)) {
          select.setString(1, key.value());
          select.setString(2, member == null ? null : member.value());
          select.setString(3, member == null ? null : member.value());
          try (java.sql.ResultSet rs = select.executeQuery()) {
            rs.next();
            isolation[0] = rs.getString(KEY_AND_ACCOUNT_ISOLATION);
            // The request's columns first (its key never null in a row), then the account's (its
            // status, the second, never null in a row).
            Option<RequestRow> request = rs.getString(1) == null ? Option.none() : Option.some(RequestRow.read(rs, 0));
            if (member != null) {
              ahead = rs.getString(RequestRow.COLUMN_COUNT + 2) == null
                  ? Option.none()
                  : Option.some(AccountRow.withDueWork(rs, RequestRow.COLUMN_COUNT, member.value()));
            }
            return record(connection, key, request);
          }
        }
      });
      if (transactions.beginChecked(em)) {
        return first.apply(em);
      }
      Option<IdempotencyRecord> found = first.apply(em);
      if (Transactions.isReadCommitted(isolation[0])) {
        return found;
      }
      transactions.restartInReadCommitted(em);
      return first.apply(em);
    }

    @Override
    public Option<Entry> entry(EntryId id) {
      return JpaLedgerStore.this.entry(id, this::read);
    }

    @Override
    public List<Entry> referencing(EntryId original) {
      return JpaLedgerStore.this.referencing(original, this::read);
    }

    @Override
    public List<Entry> entries(MemberId member, long fromSequence, int limit) {
      return JpaLedgerStore.this.entries(member, fromSequence, limit, this::read);
    }

    @Override
    public List<Entry> history(MemberId member, EntryQuery query) {
      return JpaLedgerStore.this.history(member, query, this::read);
    }

    @Override
    public long counter(String key) {
      return JpaLedgerStore.this.counter(key, this::read);
    }

    @Override
    public CommitOutcome commit(Commit commit) {
      Objects.requireNonNull(commit, "commit");
      if (committed) {
        return writer.commit(commit);
      }
      committed = true;
      return writer.commitIn(em, commit, dueWork);
    }
  }

  /** How many outbox ids one statement of the relay marks delivered (one bind parameter each). */
  private static final int MARKED_PER_STATEMENT = 10_000;

  /**
   * Relays events from the transactional outbox: hands the oldest undelivered events (at most
   * {@code max}), one by one and in order for each member (the order of that member's commits;
   * events of different members may come in another order than their commits on PostgreSQL, where
   * transactions take outbox ids before they commit), to the listener,
   * and marks each one delivered after the listener returned. Delivery is at least once: an event
   * whose listener failed, or whose delivery mark was lost in a crash, is handed again by the next
   * call. Call it from one thread (one relay per database) to keep the order; a scheduler calling
   * it every few hundred milliseconds is the usual set-up.
   *
   * <p>The outbox holds the events that {@code Loyalty} publishes to its listeners after each
   * commit, written in the commit's own transaction, so none is lost between the commit and its
   * publication.
   *
   * <p>An enrolment event, which carries the member's birthday, is read again when its turn comes
   * and handed over in a transaction that locks its row until it is marked delivered: an erasure
   * of the member that committed after the batch was read is seen (the event goes without the
   * birthday), and one made while the listener runs does not wait for it but is refused as a
   * conflict and writes nothing (the facade retries it, and answers {@code ConcurrentModification}
   * if the listener is still running after its attempts), so no erased birthday is handed over after
   * the erasure. On embedded H2 the hand-over is registered in this JVM instead of locking the row,
   * and the store's writers do not wait for the listener. The listener may write to the ledger
   * itself (a welcome bonus through the facade), also for the member whose event it receives, and
   * may erase that member itself.
   *
   * @param max the most events to relay in this call, at least 1
   * @param listener receives the events, not null
   * @return how many events were delivered
   * @throws IllegalArgumentException if {@code max} is below 1
   * @throws RuntimeException what the listener threw: the events before it stay delivered, it and
   *     the later ones are handed again by the next call; if marking the events before it delivered
   *     failed too, that failure is attached to it ({@link Throwable#getSuppressed()}) and those
   *     events are handed again as well
   * @throws jakarta.persistence.PersistenceException if the database failed, also while marking
   *     events delivered after the listener took them all (they are handed again by the next call)
   */
  public int relayEvents(int max, LoyaltyEventListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    java.util.List<Long> ids = new java.util.ArrayList<>();
    java.util.List<String> members = new java.util.ArrayList<>();
    // An enrolment event is read again when it is handed over (null here): see relayEnrolment.
    java.util.List<LoyaltyEvent> events = read(em -> {
      java.util.List<LoyaltyEvent> read = new java.util.ArrayList<>();
      for (OutboxRow row : em.createQuery(
              "select o from LedgerOutbox o where o.delivered = false order by o.id", OutboxRow.class)
          .setMaxResults(max)
          .getResultList()) {
        ids.add(row.id);
        members.add(row.memberId);
        read.add(row.isEnrolment() ? null : EventCodec.read(row.eventType, row.payload,
            id -> em.find(EntryRow.class, new EntryRow.Key(id)).toDomain()));
      }
      return read;
    });
    int delivered = 0;
    Throwable failure = null;
    try {
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i) == null) {
          relayEnrolment(ids.get(i), members.get(i), listener);
        } else {
          listener.on(events.get(i));
        }
        delivered++;
      }
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      try {
        markRelayed(ids, events, delivered);
      } catch (RuntimeException | Error e) {
        // The listener's failure is the one the application must see; the marks' failure goes with it
        // (those events are handed again by the next call, as the listener's is).
        if (failure == null) {
          throw e;
        }
        failure.addSuppressed(e);
      }
    }
    return delivered;
  }

  /**
   * Marks delivered the first {@code delivered} events of a batch that are not enrolment events (an
   * enrolment event was marked when it was handed over).
   */
  private void markRelayed(java.util.List<Long> ids, java.util.List<LoyaltyEvent> events, int delivered) {
    java.util.List<Long> done = new java.util.ArrayList<>(delivered);
    for (int i = 0; i < delivered; i++) {
      if (events.get(i) != null) {
        done.add(ids.get(i));
      }
    }
    if (done.isEmpty()) {
      return;
    }
    // Each id is a parameter of its own, and PostgreSQL takes at most 65,535 per statement: the
    // ids are marked in slices, in one transaction. (Not by id range: ids grow in commit order
    // only for each member, so a range could mark an event committed after the read, unrelayed.)
    gate.run(() -> writeLock.run(() -> transactions.run(em -> {
      for (int from = 0; from < done.size(); from += MARKED_PER_STATEMENT) {
        em.createQuery("update LedgerOutbox o set o.delivered = true where o.id in :ids")
            .setParameter("ids", done.subList(from, Math.min(done.size(), from + MARKED_PER_STATEMENT)))
            .executeUpdate();
      }
    })));
  }

  /** An enrolment event's row (PostgreSQL: locked until the relay's transaction ends). */
  private static final String OUTBOX_ROW = "SELECT event_type, payload FROM ledger_outbox WHERE id = ?";
  private static final String LOCK_OUTBOX_ROW = OUTBOX_ROW + " FOR UPDATE";

  /**
   * Hands over an enrolment event as it is stored now, and marks it delivered, so that an erasure,
   * which rewrites the row without the birthday in its own transaction, has either committed before
   * (the event goes without the birthday, though the batch was read earlier) or waits until the
   * listener has returned. On PostgreSQL one transaction locks the row, hands the event over and
   * marks it; whatever the listener throws, an {@link Error} too, rolls it back: left open, it would
   * keep the row locked on a connection that never returns to the pool, and no later call (nor the
   * member's erasure) could take the row again. A failing rollback is attached to what the listener
   * threw, which stays the failure the caller sees. On embedded H2 the erasures of the member wait in
   * this JVM instead ({@link WriteLock#handingOver}), and the write lock is held only to mark the
   * event: held while the listener ran, a listener that writes to the ledger waited for ever for a
   * member whose request, on another thread, waited for the write lock.
   */
  private void relayEnrolment(long id, String member, LoyaltyEventListener listener) {
    gate.run(() -> {
      if (writeLock.serialises()) {
        writeLock.handingOver(member, () -> {
          listener.on(read(em -> SqlWork.on(em, connection -> enrolmentEvent(connection, OUTBOX_ROW, id))));
          writeLock.run(() -> transactions.run(em -> SqlWork.on(em, connection -> markDelivered(connection, id))));
        });
        return;
      }
      try (EntityManager em = factory.createEntityManager()) {
        jakarta.persistence.EntityTransaction transaction = em.getTransaction();
        transactions.begin(em);
        try {
          SqlWork.on(em, connection -> {
            listener.on(enrolmentEvent(connection, LOCK_OUTBOX_ROW, id));
            return markDelivered(connection, id);
          });
          transaction.commit();
        } catch (RuntimeException | Error e) {
          Transactions.rollBack(transaction, e);
          throw e;
        }
      }
    });
  }

  /** The enrolment event in the outbox row {@code id}, read with the given statement. */
  private static LoyaltyEvent enrolmentEvent(java.sql.Connection connection, String select, long id)
      throws java.sql.SQLException {
    try (java.sql.PreparedStatement read = connection.prepareStatement(select)) {
      read.setLong(1, id);
      try (java.sql.ResultSet row = read.executeQuery()) {
        if (!row.next()) {
          throw new IllegalStateException("the outbox event " + id + " is gone");
        }
        return EventCodec.read(row.getString(1), row.getString(2), entry -> {
          throw new IllegalStateException("an enrolment event references no entry, yet asked for " + entry);
        });
      }
    }
  }

  /** Marks the outbox row {@code id} delivered; null (for {@link SqlWork#on}). */
  private static Void markDelivered(java.sql.Connection connection, long id) throws java.sql.SQLException {
    try (java.sql.PreparedStatement mark = connection.prepareStatement(
        "UPDATE ledger_outbox SET delivered = TRUE WHERE id = ?")) {
      mark.setLong(1, id);
      mark.executeUpdate();
    }
    return null;
  }

  /**
   * Copies members, whole, from another store into this one, in bulk: the migration path from
   * another loyalty system. Replay the legacy balances and history through a {@code Loyalty} facade
   * on an {@link io.github.loyaltyledger.store.InMemoryLedgerStore} (every engine check applies and
   * every entry is sealed into the member's hash chain; an opening balance is a credit with reason
   * "Opening balance"), then import those members here. For each member this writes its account as
   * it is (version, balance, lots, status), its entries, one due-work row derived from the whole
   * history, the idempotency records that its entries' keys name (so that a replayed request is
   * answered with its original receipt; records of requests that wrote no entry, such as enrolments,
   * are not found and not copied), and its profile when the source is also {@link MemberProfiles}.
   * An erased member (an {@code ERASURE} entry on its ledger) gets no profile, whatever the source
   * still keeps, and any this store holds under its id is deleted; its profile in the source is not
   * checked either.
   * Counters and outbox events are not copied: budgets, caps, limits and stock count from nothing
   * here, and so does a member's visits counter, so a migrated member's next purchase earns a
   * first-purchase bonus unless that rule is targeted at a segment migrated members are not in.
   *
   * <p>One store keeps one program's ledger ({@link #claimProgram}), so members replayed under one
   * program are refused by a store that keeps another's ({@link LedgerStore#keptProgram} of both): a
   * store that keeps no program yet adopts the source's, in the import's first transaction; a
   * source that keeps none (a store of yours that records no program) says nothing of whose members
   * it holds and is imported into any store, which keeps its program as it was. An import of no
   * members writes nothing.
   *
   * <p>Every member's chain in the source is verified before anything is written, and its entries'
   * and profile's texts checked as the facade checks them (no NUL, which PostgreSQL cannot store; a
   * profile text of at most 500 characters). The members are
   * written in plain JDBC batches, several members per transaction (up to 2,000 entries or 500
   * members), two transactions at a time on two connections of this store's pool (one at a time if
   * it has no second connection to spare, and always on embedded H2, where one transaction at a time
   * writes), committed in the order of {@code members}; a refusal
   * rolls back its whole transaction and any later one, the earlier transactions stay committed.
   * The source is read from two threads at once (verification and the transactions), which the
   * stores of this library allow.
   * The import is resumable: a member that this store holds already with the source's chain (its
   * tip, also if it moved on since) is skipped, so after a crash or a refusal the same call imports
   * the rest. Nothing else may write to the source during the import.
   *
   * @param source the store to copy from, not null; read only
   * @param members the members to copy, not null, without null elements; duplicates count once
   * @return what was written and skipped
   * @throws ImportRefusedException if the source keeps another program's ledger than this store (before
   *     anything is written, or by the first transaction if a facade claimed this store meanwhile),
   *     a member is not in the source, its chain there does not verify
   *     or its entries or profile there hold a text the facade refuses (all before anything is
   *     written), this store holds it with another chain, or one of its
   *     request keys is recorded here for another request
   * @throws jakarta.persistence.PersistenceException if the database fails, or a transaction lost a
   *     race with a concurrent writer of the same members (a deadlock, a serialization failure, a lock
   *     timeout; the message says to run the import again, which resumes it); such a transaction wrote
   *     nothing, earlier ones stay committed
   * @throws IllegalStateException if the source changed during the import
   */
  public ImportReport importMembers(LedgerStore source, Iterable<MemberId> members) {
    // The import's transactions use at most two connections at a time, one turn's worth.
    return gate.through(() -> BulkImport.run(factory, transactions, writeLock, activityKinds,
        new BulkImport.Target(this::keptProgram, writer.onPostgresql()), source, members));
  }

  /** Closes the entity manager factory if this store created it ({@link #h2File}, {@link #fromJdbcUrl}). */
  @Override
  public void close() {
    if (ownsFactory) {
      factory.close();
    }
  }

  /*
   * Reads run without a transaction of their own where the database defaults to READ COMMITTED:
   * each query sees committed data, and what one read combines (a request and its receipt's
   * entries) was committed together, so a begin and commit around it would cost a round trip for
   * nothing. Elsewhere they run in a READ COMMITTED transaction (Transactions.read).
   */
  private <T> T read(Function<EntityManager, T> work) {
    return gate.through(() -> transactions.read(work));
  }
}
