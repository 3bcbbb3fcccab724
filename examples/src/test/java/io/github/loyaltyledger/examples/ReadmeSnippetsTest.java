package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Comment;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Every Java block of the README is code that the build compiles, and nearly all of it code that
 * the tests run: the code between the markers {@code // --- README <name> begins ---} and
 * {@code // --- README <name> ends ---} in the sources of the examples (main and test) and of the
 * rule-plugin example. A block may be marked in several parts of one file, joined by a blank line:
 * what lies between them supplies what the README leaves to the reader (a facade on the block's
 * program, say). A block that elides code with {@code ...} is a sketch: the marked code is compiled
 * with something in each gap. So that the README cannot drift from what is compiled, each marked
 * snippet must be a block of the README and each block of the README a marked snippet. Comments are
 * left out of the comparison: the README may say a little more to a reader than the code does.
 * The README's dependency blocks, likewise, must name the versions that the build uses.
 */
class ReadmeSnippetsTest {

  private static final Path README = Path.of("..", "README.md");
  private static final List<Path> SOURCES = List.of(Path.of("src", "main", "java"), Path.of("src", "test", "java"),
      Path.of("..", "examples-plugin", "src", "test", "java"));
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
  private static final Pattern XML_BLOCK = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL);
  private static final Pattern MARKER = Pattern.compile("(?m)^[ \\t]*// --- README (.+) (begins|ends) ---$");
  private static final Pattern ELISION = Pattern.compile("\\s*\\.\\.\\.\\s*");

  /** The code between one name's markers in one source file, its parts joined by a blank line. */
  record Snippet(Path source, String name, String code) {
    @Override
    public String toString() {
      return name + " (" + source.getFileName() + ")";
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("snippets")
  void theReadmeShowsEachMarkedSnippet(Snippet snippet) throws IOException {
    assertTrue(readmeJavaBlocks().stream().anyMatch(block -> shows(block, snippet.code())),
        () -> "no Java block of the README is the " + snippet.name() + " of " + snippet.source()
            + ", between its markers (comments left out):\n" + snippet.code());
  }

  @Test
  void everyJavaBlockOfTheReadmeIsAMarkedSnippet() throws IOException {
    List<Snippet> snippets = snippets();

    List<String> unmarked = readmeJavaBlocks().stream()
        .filter(block -> snippets.stream().noneMatch(snippet -> shows(block, snippet.code())))
        .collect(Collectors.toList());

    assertEquals(List.of(), unmarked, "Java blocks of the README that no marked code in the examples is"
        + " (comments left out); mark the code they show, or change them to show it");
  }

  @Test
  void aSketchMatchesOnlyTheCodeItShows() {
    String sketch = "int cups() { ... }\nreturn served * 10;";

    assertTrue(shows(sketch, "int cups() {\n  return 2;\n}\nreturn served * 10;"));
    assertFalse(shows(sketch, "int cups() {\n  return 2;\n}\nreturn served * 20;"));
    assertFalse(shows(sketch, "long cups() {}\nreturn served * 10;"));
  }

  @Test
  void commentsAreLeftOutButNotTheSlashesOfAText() {
    assertEquals("open(\"jdbc:h2://db\", secret);\n\nint a = 1;",
        withoutComments("// what it opens\nopen(\"jdbc:h2://db\", secret); // the URL\n\nint a = 1;   // one\n"));
  }

  @Test
  void theReadmesDependenciesHaveTheVersionsThatTheBuildUses() throws Exception {
    Map<String, String> managed = managedVersions();
    List<String> seen = new ArrayList<>();
    List<String> wrong = new ArrayList<>();

    Matcher blocks = XML_BLOCK.matcher(read(README));
    while (blocks.find()) {
      NodeList dependencies = xml("<dependencies>" + blocks.group(1) + "</dependencies>")
          .getElementsByTagName("dependency");
      for (int i = 0; i < dependencies.getLength(); i++) {
        Element dependency = (Element) dependencies.item(i);
        String artifact = text(dependency, "groupId") + ":" + text(dependency, "artifactId");
        String version = text(dependency, "version");
        seen.add(artifact);
        Optional<String> tested = testedWith(dependency);
        if (!version.equals(managed.get(artifact)) || !tested.map(version::equals).orElse(true)) {
          wrong.add(artifact + ":" + version + tested.map(t -> ", tested with " + t).orElse("")
              + " (the build uses " + managed.get(artifact) + ")");
        }
      }
    }

    assertTrue(seen.contains("io.github.loyaltyledger:loyalty-core"), () -> "dependencies found: " + seen);
    assertEquals(List.of(), wrong,
        "dependencies of the README (or their 'tested with' comments) that the build does not use");
  }

  /** The versions the parent pom manages, by {@code groupId:artifactId}, its properties resolved. */
  private static Map<String, String> managedVersions() throws Exception {
    Element project = xml(read(Path.of("..", "pom.xml"))).getDocumentElement();
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("project.version", text(project, "version"));
    NodeList declared = ((Element) project.getElementsByTagName("properties").item(0)).getChildNodes();
    for (int i = 0; i < declared.getLength(); i++) {
      if (declared.item(i) instanceof Element) {
        properties.put(declared.item(i).getNodeName(), declared.item(i).getTextContent().strip());
      }
    }
    Map<String, String> managed = new LinkedHashMap<>();
    NodeList dependencies = ((Element) project.getElementsByTagName("dependencyManagement").item(0))
        .getElementsByTagName("dependency");
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element dependency = (Element) dependencies.item(i);
      String version = text(dependency, "version");
      Matcher property = Pattern.compile("\\$\\{(.+)}").matcher(version);
      managed.put(text(dependency, "groupId") + ":" + text(dependency, "artifactId"),
          property.matches() ? properties.get(property.group(1)) : version);
    }
    return managed;
  }

  /** The version a comment in the dependency says it was tested with, if it says one. */
  private static Optional<String> testedWith(Element dependency) {
    for (Node node = dependency.getFirstChild(); node != null; node = node.getNextSibling()) {
      Matcher tested = Pattern.compile("tested with ([^\\s)]+)").matcher(node.getTextContent());
      if (node instanceof Comment && tested.find()) {
        return Optional.of(tested.group(1));
      }
    }
    return Optional.empty();
  }

  private static Document xml(String text) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new InputSource(new StringReader(text)));
  }

  private static String text(Element parent, String child) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element && node.getNodeName().equals(child)) {
        return node.getTextContent().strip();
      }
    }
    return "";
  }

  static List<Snippet> snippets() throws IOException {
    List<Snippet> snippets = new ArrayList<>();
    for (Path root : SOURCES) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files = walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
      }
      for (Path file : files) {
        snippets.addAll(snippetsOf(file));
      }
    }
    assertFalse(snippets.isEmpty(), "no README markers found");
    return snippets;
  }

  private static List<Snippet> snippetsOf(Path file) {
    String source = read(file);
    Map<String, List<String>> parts = new LinkedHashMap<>();
    Matcher m = MARKER.matcher(source);
    while (m.find()) {
      String name = m.group(1);
      assertEquals("begins", m.group(2), () -> "README " + name + " ends before it begins in " + file);
      int from = m.end() + 1;
      assertTrue(m.find() && m.group(1).equals(name) && m.group(2).equals("ends"),
          () -> "README " + name + " begins without ending in " + file);
      // without the line break before the end marker: stripIndent counts a last blank line's indent
      String part = source.substring(from, source.lastIndexOf('\n', m.start())).stripIndent();
      parts.computeIfAbsent(name, n -> new ArrayList<>()).add(withoutComments(part));
    }
    return parts.entrySet().stream()
        .map(e -> new Snippet(file, e.getKey(), String.join("\n\n", e.getValue())))
        .collect(Collectors.toList());
  }

  private static List<String> readmeJavaBlocks() throws IOException {
    Matcher m = JAVA_BLOCK.matcher(read(README));
    return m.results().map(r -> withoutComments(r.group(1))).collect(Collectors.toList());
  }

  /** Whether a README block shows the code: the same, or the same but for what its {@code ...} elide. */
  private static boolean shows(String block, String code) {
    if (!block.contains("...")) {
      return block.equals(code);
    }
    String pattern = ELISION.splitAsStream(block).map(Pattern::quote).collect(Collectors.joining("[\\s\\S]*?"));
    return Pattern.compile(pattern + (block.endsWith("...") ? "[\\s\\S]*" : "")).matcher(code).matches();
  }

  /**
   * Drops comments ({@code //} outside a text, with the blanks before them), the lines that held
   * only a comment, and the blank lines at either end.
   */
  static String withoutComments(String block) {
    return block.lines()
        .filter(line -> !line.strip().startsWith("//"))
        .map(ReadmeSnippetsTest::withoutComment)
        .collect(Collectors.joining("\n"))
        .strip();
  }

  private static String withoutComment(String line) {
    boolean inText = false;
    for (int i = 0; i < line.length() - 1; i++) {
      char c = line.charAt(i);
      if (inText && c == '\\') {
        i++;
      } else if (!inText && c == '\'') {
        i = line.indexOf('\'', i + (line.charAt(i + 1) == '\\' ? 3 : 2));
        if (i < 0) {
          return line;
        }
      } else if (c == '"') {
        inText = !inText;
      } else if (!inText && c == '/' && line.charAt(i + 1) == '/') {
        return line.substring(0, i).stripTrailing();
      }
    }
    return line;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
