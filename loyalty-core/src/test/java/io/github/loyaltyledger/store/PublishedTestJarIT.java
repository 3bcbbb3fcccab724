package io.github.loyaltyledger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * What {@code loyalty-core}'s test jar gives a store's author (the README, "Storage"): the store
 * contracts and the few helpers they, and {@code loyalty-jpa}'s tests, use; not the core's own
 * tests, which would crowd a user's test class path and run again in the user's build. Run by
 * Failsafe after {@code package}, on the jars just built.
 */
class PublishedTestJarIT {

  /** The published classes, as paths without their extension; nested classes come with them. */
  static final Set<String> PUBLISHED = Set.of(
      "io/github/loyaltyledger/store/LedgerStoreContract",
      "io/github/loyaltyledger/store/DueWorkIndexContract",
      "io/github/loyaltyledger/DailyRunOnTwoNodes",
      "io/github/loyaltyledger/Fixtures",
      "io/github/loyaltyledger/TestClock",
      "io/github/loyaltyledger/ForwardingStore",
      "io/github/loyaltyledger/HonestHistories");

  static Set<String> typesIn(String jarProperty, String extension) throws IOException {
    Path jar = Path.of(System.getProperty(jarProperty));
    assertTrue(Files.isRegularFile(jar), () -> jar + " was not built");
    Set<String> types = new TreeSet<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream().map(ZipEntry::getName).filter(name -> name.endsWith(extension))
          .map(name -> name.substring(0, name.length() - extension.length()).replaceFirst("\\$.*", ""))
          .forEach(types::add);
    }
    return types;
  }

  @Test
  void theTestJarHoldsTheContractsAndTheirHelpersAndNoneOfTheCoreTests() throws IOException {
    assertEquals(new TreeSet<>(PUBLISHED), typesIn("loyalty.testJar", ".class"));
  }

  @Test
  void theTestSourcesJarHoldsTheSourcesOfExactlyThoseClasses() throws IOException {
    assertEquals(new TreeSet<>(PUBLISHED), typesIn("loyalty.testSourcesJar", ".java"));
  }
}
