package org.hybridft.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerRegistry;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ agree with the code and with each other: links resolve, the README stays a
 * short front door, parameter tables give the configs' real defaults, and output shown in the
 * docs matches the files it claims to come from.
 */
class DocumentationTest {
  private static final Path ROOT = Path.of("..");
  private static final Path README = ROOT.resolve("README.md");
  private static final Path DOCS = ROOT.resolve("docs");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} +(.+)$", Pattern.MULTILINE);

  @Test
  void readmeOpensWithTheTwoCommands() throws IOException {
    List<String> lines = Files.readAllLines(README);
    int block = lines.indexOf("```sh");
    assertThat(block).as("the README's first sh block").isBetween(0, 5);
    assertThat(lines.get(block + 1)).startsWith("./hybrid-ft compare ").contains("# ");
    assertThat(lines.get(block + 2)).startsWith("mvn -B verify ").contains("# ");
  }

  @Test
  void readmeIsAFiveMinuteFrontDoorOfAtMost250Lines() throws IOException {
    assertThat(Files.readAllLines(README)).hasSizeLessThanOrEqualTo(250);
  }

  @Test
  void everyRelativeLinkPointsToAnExistingFileAndHeading() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path page : userPages()) {
      Matcher link = LINK.matcher(withoutCodeBlocks(Files.readString(page)));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // https:, mailto:
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(page.getFileName() + ": " + target + " (no such file)");
        } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
          broken.add(page.getFileName() + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void userDocsCarryNoDevelopmentMarkersOrHistory() throws IOException {
    for (Path page : userPages()) {
      String text = Files.readString(page);
      assertThat(text)
          .as(page.toString())
          .doesNotContain("<!-- section:")
          .doesNotContainPattern("(?i)team\\s*\\)?\\s*-->")
          .doesNotContainPattern("(?i)the issue's");
    }
  }

  @Test
  void everyDocsPageIsLinkedFromTheReadme() throws IOException {
    String readme = Files.readString(README);
    try (Stream<Path> pages = Files.list(DOCS)) {
      List<String> unlinked =
          pages
              .map(page -> page.getFileName().toString())
              .filter(name -> name.endsWith(".md"))
              .filter(name -> !readme.contains("](docs/" + name))
              .collect(Collectors.toList());
      assertThat(unlinked).isEmpty();
    }
  }

  @Test
  void moduleTableNamesEveryMavenModuleAndTheTestbed() throws IOException {
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
    List<String> modules = new ArrayList<>(List.of("testbed"));
    while (module.find()) {
      modules.add(module.group(1));
    }
    assertThat(modules).contains("core", "controllers", "benchmarks");
    String readme = Files.readString(README);
    for (String name : modules) {
      assertThat(readme).as("module table row of " + name).contains("| `" + name + "/` |");
    }
  }

  @Test
  void everyControllerHasAReadmeRowAndAParameterSection() throws IOException {
    String readme = Files.readString(README);
    String controllersDoc = Files.readString(DOCS.resolve("controllers.md"));
    List<String> controllers = controllerClasses();
    assertThat(controllers).contains("ThresholdController", "PiController", "LearningController");
    for (String name : controllers) {
      assertThat(readme).as("README controller table row of " + name).containsPattern("\\| `" + name + "` \\|");
      assertThat(controllersDoc).as("docs/controllers.md section of " + name).contains("## `" + name + "`");
    }
  }

  @Test
  void parameterTablesGiveExactlyEachConfigsDefaults() throws Exception {
    Map<String, Map<String, String>> tables = parameterTables(Files.readString(DOCS.resolve("controllers.md")));
    assertThat(tables.keySet()).containsExactlyInAnyOrderElementsOf(controllerClasses());
    for (Map.Entry<String, Map<String, String>> table : tables.entrySet()) {
      Map<String, Object> defaults = defaults(table.getKey());
      assertThat(table.getValue().keySet())
          .as("parameters documented for " + table.getKey())
          .containsExactlyInAnyOrderElementsOf(defaults.keySet());
      for (Map.Entry<String, String> row : table.getValue().entrySet()) {
        Object expected = defaults.get(row.getKey());
        assertThat(parseDefault(row.getValue(), expected.getClass()))
            .as(table.getKey() + "." + row.getKey() + " documented as '" + row.getValue() + "'")
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void simulatorPageShowsTheExampleTraceAsItIs() throws IOException {
    String trace = Files.readString(DOCS.resolve("example-trace.csv")).strip();
    assertThat(Files.readString(DOCS.resolve("simulator.md"))).contains("```\n" + trace + "\n```");
  }

  @Test
  void tuneExampleOutputShowsTheTunedConfigFile() throws IOException {
    String page = Files.readString(DOCS.resolve("learning-and-tuning.md"));
    Properties tuned = new Properties();
    try (var reader = Files.newBufferedReader(DOCS.resolve("tuned-pi-phased.properties"))) {
      tuned.load(reader);
    }
    int shown = 0;
    for (String key : tuned.stringPropertyNames()) {
      if (key.equals("controller") || key.equals("name")) {
        continue;
      }
      assertThat(page).as("tuned " + key).containsPattern("(?m)^" + Pattern.quote(key) + " +\\S+ +" + Pattern.quote(tuned.getProperty(key)) + "$");
      shown++;
    }
    assertThat(shown).isEqualTo(5);
  }

  @Test
  void metricsPageListsExactlyCoresJfrEvents() throws IOException {
    Matcher declared =
        Pattern.compile("@Name\\(\"(org\\.hybridft\\.[A-Za-z]+)\"\\)")
            .matcher(Files.readString(ROOT.resolve("core/src/main/java/org/hybridft/core/LoopEvents.java")));
    Set<String> events = new TreeSet<>();
    while (declared.find()) {
      events.add(declared.group(1));
    }
    Matcher documented =
        Pattern.compile("(?m)^\\| `(org\\.hybridft\\.[A-Za-z]+)` \\|").matcher(Files.readString(DOCS.resolve("metrics.md")));
    Set<String> rows = new TreeSet<>();
    while (documented.find()) {
      rows.add(documented.group(1));
    }
    assertThat(events).hasSizeGreaterThanOrEqualTo(5);
    assertThat(rows).isEqualTo(events);
  }

  private static List<Path> userPages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(README, ROOT.resolve("CHANGELOG.md")));
    try (Stream<Path> docs = Files.list(DOCS)) {
      docs.filter(page -> page.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  private static String withoutCodeBlocks(String markdown) {
    return markdown.replaceAll("(?s)```.*?```", "");
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
  private static Set<String> anchors(Path page) throws IOException {
    Set<String> anchors = new TreeSet<>();
    if (!page.toString().endsWith(".md")) {
      return anchors;
    }
    Matcher heading = HEADING.matcher(withoutCodeBlocks(Files.readString(page)));
    while (heading.find()) {
      anchors.add(
          heading.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
    }
    return anchors;
  }

  private static String readUnchecked(Path source) {
    try {
      return Files.readString(source);
    } catch (IOException unreadable) {
      throw new java.io.UncheckedIOException(unreadable);
    }
  }

  private static List<String> controllerClasses() throws IOException {
    try (Stream<Path> sources = Files.list(ROOT.resolve("controllers/src/main/java/org/hybridft/controllers"))) {
      return sources
          .filter(source -> source.getFileName().toString().endsWith("Controller.java"))
          // A base class such as ConfiguredController is no controller of its own.
          .filter(source -> !readUnchecked(source).contains("public abstract class"))
          .map(source -> source.getFileName().toString())
          .map(name -> name.substring(0, name.length() - ".java".length()))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** For each "## `XController`" section, its table: parameter name to default cell. */
  private static Map<String, Map<String, String>> parameterTables(String page) {
    Map<String, Map<String, String>> tables = new LinkedHashMap<>();
    String[] sections = page.split("(?m)^## ");
    Pattern row = Pattern.compile("(?m)^\\| `([A-Za-z]+)`[^|]*\\| ([^|]+) \\|");
    for (String section : sections) {
      Matcher name = Pattern.compile("^`([A-Za-z]+Controller)`").matcher(section);
      if (!name.find()) {
        continue;
      }
      Map<String, String> table = new LinkedHashMap<>();
      Matcher cells = row.matcher(section);
      while (cells.find()) {
        table.put(cells.group(1), cells.group(2).strip());
      }
      tables.put(name.group(1), table);
    }
    return tables;
  }

  /**
   * The defaults the registry describes for the controller's parameters (for {@code
   * StaticController}, those of both its entries), by the config's component names.
   */
  private static Map<String, Object> defaults(String controller) {
    Map<String, Object> defaults = new LinkedHashMap<>();
    for (ControllerDescriptor<?> descriptor : ControllerRegistry.builtIn().descriptors()) {
      if (controllerClass(descriptor).equals(controller)) {
        descriptor.parameters().forEach(parameter -> defaults.put(parameter.name(), parameter.defaultValue()));
      }
    }
    return defaults;
  }

  private static <C> String controllerClass(ControllerDescriptor<C> descriptor) {
    return descriptor.create(descriptor.defaults()).getClass().getSimpleName();
  }

  /** "500 ms", "10 s", "2.0 (> 1)", "100", "true": the leading value, in the constant's type. */
  private static Object parseDefault(String cell, Class<?> type) {
    if (type == Boolean.class) {
      assertThat(cell).as("default cell of a switch").matches("^(true|false)( \\(.*\\))?$");
      return Boolean.valueOf(cell.split(" ")[0]);
    }
    Matcher value = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)(?: (ms|s|min))?(?: \\(.*\\))?$").matcher(cell);
    assertThat(value.matches()).as("default cell '" + cell + "'").isTrue();
    String number = value.group(1);
    String unit = value.group(2);
    if (type == Duration.class) {
      assertThat(unit).as("unit of '" + cell + "'").isNotNull();
      long amount = Long.parseLong(number);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        default -> Duration.ofMinutes(amount);
      };
    }
    assertThat(unit).as("unit of '" + cell + "'").isNull();
    return type == Integer.class ? (Object) Integer.valueOf(number) : (Object) Double.valueOf(number);
  }
}
