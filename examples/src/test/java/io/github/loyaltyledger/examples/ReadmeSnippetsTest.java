package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README says that its quick start and its redemption walk-through are {@code QuickStart} and
 * {@code AtTheTill}, compiled and run by tests. Those tests run the classes; this one holds the
 * README's Java blocks to the code between the classes' markers, so that the README cannot drift
 * from what is compiled. End-of-line comments are left out of the comparison: the README may say a
 * little more to a reader than the code does.
 */
class ReadmeSnippetsTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "github", "loyaltyledger", "examples");
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);

  @ParameterizedTest(name = "{0}")
  @CsvSource({"QuickStart.java, quick start", "AtTheTill.java, redemption"})
  void theReadmeShowsTheCodeThatTheExampleTestsCompileAndRun(String source, String marker) throws IOException {
    String code = withoutComments(between(read(SOURCES.resolve(source)), marker));

    List<String> blocks = readmeJavaBlocks();

    assertTrue(blocks.contains(code), () -> "no Java block of the README is the " + marker + " of " + source
        + ", between its markers:\n" + code);
  }

  private static List<String> readmeJavaBlocks() throws IOException {
    Matcher m = JAVA_BLOCK.matcher(read(README));
    return m.results().map(r -> withoutComments(r.group(1))).collect(Collectors.toList());
  }

  private static String between(String source, String marker) {
    String begin = "// --- README " + marker + " begins ---\n";
    String end = "// --- README " + marker + " ends ---";
    int from = source.indexOf(begin);
    int to = source.indexOf(end);
    assertTrue(from >= 0 && to > from, "markers of the README " + marker + " not found");
    // without the line break before the end marker: stripIndent counts a last blank line's indent
    return source.substring(from + begin.length(), source.lastIndexOf('\n', to)).stripIndent();
  }

  /** Drops end-of-line comments and the blanks before them, and the blank lines at either end. */
  private static String withoutComments(String block) {
    return block.lines()
        .map(line -> line.replaceFirst("\\s*//.*$", ""))
        .collect(Collectors.joining("\n"))
        .strip();
  }

  private static String read(Path path) throws IOException {
    return Files.readString(path, StandardCharsets.UTF_8);
  }
}
