package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery across jars: the test compiles a small rule from source with {@code javax.tools},
 * packages it with its {@code META-INF/services} file in a jar of its own, and loads it with
 * {@link java.util.ServiceLoader} through a {@link URLClassLoader}, as an application would load a
 * rule author's jar. The plugin lands in that loader's unnamed module, which reads every module,
 * and core's {@code uses} clause lets {@link RuleBook.Builder#discover} find it, whether the tests
 * run on the class path or on the module path.
 */
class PluginDiscoveryTest {

  static final String SOURCE = """
      package com.example.rules;

      import io.github.loyaltyledger.earning.EarnContext;
      import io.github.loyaltyledger.earning.EarnRule;
      import io.github.loyaltyledger.earning.Evaluation;
      import io.github.loyaltyledger.earning.RuleTerms;

      public final class RainyDayBonus implements EarnRule {
        @Override public String id() { return "rainy-day"; }
        @Override public String description() { return "7 points on every purchase when it rains"; }
        @Override public RuleTerms terms() { return RuleTerms.DEFAULT.asBonus(); }
        @Override public Evaluation evaluate(EarnContext context) {
          return context.purchase().isDefined() ? Evaluation.award(7, "it rains") : Evaluation.notMet("purchase", "event", "purchase");
        }
      }
      """;

  @Test
  void aRuleInItsOwnJarIsFoundByTheServiceLoaderAndEarns(@TempDir Path dir) throws IOException {
    Path jar = pluginJar(dir);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, EarnRule.class.getClassLoader())) {
      RuleBook book = RuleBook.builder().rule(BaseRate.of("base", "1")).discover(loader).build();
      assertEquals(io.vavr.collection.List.of("base", "rainy-day"), book.rules().map(EarnRule::id));
      EarnQuote quote = accepted(EarnEngine.decide(book,
          BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))), key -> 0)).quote();
      assertEquals(17, quote.total().value());
      assertEquals("it rains", quote.outcome("rainy-day").get().explanation());
    }
  }

  @Test
  void theSamePluginDiscoveredTwiceIsRefusedAsADuplicateId(@TempDir Path dir) throws IOException {
    Path jar = pluginJar(dir);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, EarnRule.class.getClassLoader())) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> RuleBook.builder().discover(loader).discover(loader).build());
      assertTrue(e.getMessage().contains("rainy-day"));
    }
  }

  @Test
  void aDiscoveryThatFailsOnABrokenProviderLeavesTheBuilderAsItWas(@TempDir Path dir) throws IOException {
    // The service file lists a class the jar lacks, after the rule it has.
    Path jar = pluginJar(dir, "com.example.rules.RainyDayBonus\ncom.example.rules.SnowyDayBonus\n");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, EarnRule.class.getClassLoader())) {
      RuleBook.Builder builder = RuleBook.builder().rule(BaseRate.of("base", "1"));
      org.junit.jupiter.api.Assertions.assertThrows(java.util.ServiceConfigurationError.class, () -> builder.discover(loader));
      assertEquals(io.vavr.collection.List.of("base"), builder.build().rules().map(EarnRule::id));
    }
  }

  @Test
  void aProviderTheVirtualMachineCannotLinkIsADiscoveryFailureAndLeavesTheBuilderAsItWas(@TempDir Path dir)
      throws IOException {
    // Compiled for a newer Java than the one running (class file version 99): Class.forName throws
    // UnsupportedClassVersionError, which ServiceLoader lets out as it is rather than as the
    // ServiceConfigurationError it throws for a provider it cannot find or instantiate.
    Path jar = pluginJar(dir, "com.example.rules.RainyDayBonus\n", bytes -> {
      bytes[6] = 0;
      bytes[7] = 99;
      return bytes;
    });
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, EarnRule.class.getClassLoader())) {
      RuleBook.Builder builder = RuleBook.builder().rule(BaseRate.of("base", "1"));
      java.util.ServiceConfigurationError e = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.ServiceConfigurationError.class, () -> builder.discover(loader));
      assertTrue(e.getMessage().contains("com/example/rules/RainyDayBonus"), e.getMessage());
      assertInstanceOf(UnsupportedClassVersionError.class, e.getCause());
      assertEquals(io.vavr.collection.List.of("base"), builder.build().rules().map(EarnRule::id));
    }
  }

  /** Compiles the plugin against core's classes and jars it with its service file. */
  static Path pluginJar(Path dir) throws IOException {
    return pluginJar(dir, "com.example.rules.RainyDayBonus\n");
  }

  /** Compiles the plugin against core's classes and jars it with a service file of these lines. */
  static Path pluginJar(Path dir, String providers) throws IOException {
    return pluginJar(dir, providers, bytes -> bytes);
  }

  /**
   * Compiles the plugin against core's classes and jars it with a service file of these lines, its
   * class file as {@code classFile} makes it of the compiled bytes.
   */
  static Path pluginJar(Path dir, String providers, java.util.function.UnaryOperator<byte[]> classFile) throws IOException {
    Path src = dir.resolve("src/com/example/rules/RainyDayBonus.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, SOURCE);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    String path = String.join(File.pathSeparator,
        System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "-classpath", path, "-d", classes.toString(), "--release", "17", src.toString());
    assertEquals(0, status, "the plugin compiles");
    Path jar = dir.resolve("rainy-day-rules.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("META-INF/services/io.github.loyaltyledger.earning.EarnRule"));
      out.write(providers.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      Path compiled = classes.resolve("com/example/rules/RainyDayBonus.class");
      out.putNextEntry(new JarEntry("com/example/rules/RainyDayBonus.class"));
      out.write(classFile.apply(Files.readAllBytes(compiled)));
      out.closeEntry();
    }
    return jar;
  }
}
