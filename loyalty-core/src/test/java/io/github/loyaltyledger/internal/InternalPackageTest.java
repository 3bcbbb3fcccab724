package io.github.loyaltyledger.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The internal package is not API: the module does not export it, and its types cannot be made or
 * extended from outside. Its types are public only so that the library's other packages can call
 * them.
 */
class InternalPackageTest {

  private static final String PACKAGE = "io.github.loyaltyledger.internal";

  /**
   * On the module path (how Surefire runs these tests) the compiled descriptor says so; on the
   * class path (an IDE) the module declaration's source does.
   */
  @Test
  void theModuleDoesNotExportTheInternalPackage() throws IOException {
    Module module = Decimals.class.getModule();
    if (module.isNamed()) {
      ModuleDescriptor descriptor = module.getDescriptor();
      assertTrue(descriptor.packages().contains(PACKAGE), descriptor.packages()::toString);
      assertTrue(descriptor.exports().stream().noneMatch(e -> e.source().equals(PACKAGE)),
          descriptor.exports()::toString);
      assertTrue(descriptor.opens().stream().noneMatch(o -> o.source().equals(PACKAGE)), descriptor.opens()::toString);
      assertTrue(descriptor.exports().stream().anyMatch(e -> e.source().equals("io.github.loyaltyledger")),
          descriptor.exports()::toString);
    } else {
      String declaration = Files.readString(Path.of("src/main/java/module-info.java"));
      assertTrue(declaration.contains("exports io.github.loyaltyledger;"), declaration);
      assertFalse(Pattern.compile("(exports|opens)\\s+" + Pattern.quote(PACKAGE) + "\\b").matcher(declaration).find(),
          declaration);
    }
  }

  @Test
  void itsTypesAreFinalWithOnlyAPrivateConstructor() {
    for (Class<?> type : List.of(Decimals.class, Ids.class)) {
      assertTrue(Modifier.isFinal(type.getModifiers()), type::getName);
      assertTrue(List.of(type.getDeclaredConstructors()).stream().allMatch(c -> Modifier.isPrivate(c.getModifiers())),
          type::getName);
    }
  }
}
