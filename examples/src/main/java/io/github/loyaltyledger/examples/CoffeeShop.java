package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.jpa.H2Durability;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.MVStoreTool;

/**
 * Runs a year of "Bean Club" ({@link BeanClub}), the loyalty programme of a fictional coffee shop,
 * for a few thousand generated members, and reports on it: a few member statements and the
 * programme's figures on the console, and an HTML report with charts under {@code target/}.
 *
 * <p>{@code mvn -B -q -pl examples -am compile exec:java} runs it on the embedded default store, a
 * fresh H2 database in a file under {@code examples/target/coffee-shop/}. To run it on PostgreSQL,
 * pass a JDBC URL (and optionally user and password):
 * {@code -Dexec.args="jdbc:postgresql://localhost/bean_club app secret"}; use an empty database.
 */
public final class CoffeeShop {

  /**
   * How many members the simulation generates unless the system property {@code bean-club.members}
   * says otherwise ({@code mvn ... exec:java -Dbean-club.members=5000}). The default keeps the
   * README's first command near a minute on a 2-core machine: a year of 3,000 members is about
   * 85,000 purchases on the embedded H2 file store, served on two lanes (ADR 0012).
   */
  public static final int MEMBERS = 3_000;
  /** The seed of the simulation: the same seed gives the same year. */
  public static final long SEED = 20_260_105L;

  /*
   * Hibernate reports its start-up at INFO and warns that the built-in connection pool (which
   * JpaLedgerStore.h2File uses) is not meant for production; the example chooses it knowingly.
   * Held in a field because java.util.logging keeps loggers only weakly.
   */
  private static final Logger HIBERNATE = quiet(Logger.getLogger("org.hibernate"), Level.WARNING);
  private static final Logger POOL = quiet(Logger.getLogger("org.hibernate.orm.connections.pooling"), Level.SEVERE);

  private CoffeeShop() {}

  /**
   * Simulates the year and prints and writes the report. The database file and the report go to the
   * folder named by the system property {@code bean-club.folder} ({@code examples/target/coffee-shop}
   * when run by Maven; {@code target/coffee-shop} otherwise).
   *
   * @param args none for the embedded H2 file store; or a JDBC URL followed optionally by user and
   *     password, for an empty database of that URL
   * @throws IOException if the previous run's database or the report cannot be written
   */
  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Path folder = Path.of(System.getProperty("bean-club.folder", "target/coffee-shop")).toAbsolutePath();
    Files.createDirectories(folder);
    Path file = folder.resolve("bean-club");
    try (JpaLedgerStore store = open(args, file, out)) {
      run(store, new ProgressBar(out, System.console() != null), out, folder.resolve("bean-club-report.html"));
    }
    if (args.length == 0) {
      compact(file, out);
    }
  }

  /**
   * Rewrites the embedded database, closed, to its live data and prints the sizes. H2 keeps most
   * chunks a commit wrote while the database is open (README, "Embedded H2 in a file"), so a year of
   * commits leaves close to a gigabyte holding a few dozen megabytes. H2's
   * {@code MVStoreTool.compact} copies the live data into a new file (its pages compressed) and puts
   * it in the old one's place: as small as {@code SHUTDOWN COMPACT} leaves it, in about two thirds
   * of the time, as it copies the data once instead of moving the chunks within the file.
   *
   * @param file the database file without H2's {@code .mv.db} suffix; not open
   * @param out where the sizes are printed
   * @throws IOException if the file cannot be read or H2 refuses to compact it
   */
  static void compact(Path file, PrintStream out) throws IOException {
    Path data = file.resolveSibling(file.getFileName() + ".mv.db");
    long before = Files.size(data);
    try {
      MVStoreTool.compact(data.toString(), true);
    } catch (MVStoreException e) {
      throw new IOException("could not compact " + data + ": " + e.getMessage(), e);
    }
    out.printf("Database: %s, compacted from %,d MB to %,d MB%n", data, before >> 20, Files.size(data) >> 20);
  }

  private static JpaLedgerStore open(String[] args, Path file, PrintStream out) throws IOException {
    if (args.length > 0) {
      if (!args[0].startsWith("jdbc:")) {
        throw new IllegalArgumentException("expected a JDBC URL (then optionally user and password), got " + args[0]);
      }
      out.println("Store: " + args[0]);
      return JpaLedgerStore.fromJdbcUrl(args[0], args.length > 1 ? args[1] : "", args.length > 2 ? args[2] : "");
    }
    // Each run tells the same story from the start, so it starts from an empty database.
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".mv.db"));
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".trace.db"));
    out.println("Store: embedded H2, " + file + ".mv.db");
    return embedded(file);
  }

  /**
   * Opens the example's embedded store. Each run starts from an empty database and tells the same
   * story from its seed, so it lets H2 write commits in the background ({@link
   * H2Durability#DELAYED}): a killed run loses nothing that running it again does not make again,
   * and the year takes about 40% less time. A live programme keeps the default, {@code
   * JpaLedgerStore.h2File(file)}, which writes every commit before acknowledging it.
   */
  static JpaLedgerStore embedded(Path file) {
    return JpaLedgerStore.h2File(file, H2Durability.DELAYED);
  }

  static ProgrammeReport run(LedgerStore store, ProgressBar progress, PrintStream out, Path html) throws IOException {
    int members = Integer.getInteger("bean-club.members", MEMBERS);
    out.printf("Simulating a year of Bean Club for %,d members...%n", members);
    ProgrammeReport report = new YearSimulation(YearSimulation.Settings.year(members, SEED), store, progress).run();
    for (var statement : report.statements()) {
      out.println();
      out.print(statement.toText());
    }
    out.println();
    out.print(report.toText());
    Files.writeString(html, HtmlReport.render(report), StandardCharsets.UTF_8);
    out.println("Report: " + html);
    return report;
  }

  private static Logger quiet(Logger logger, Level level) {
    logger.setLevel(level);
    return logger;
  }
}
