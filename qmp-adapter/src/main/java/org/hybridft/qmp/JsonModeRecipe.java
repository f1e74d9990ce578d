package org.hybridft.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ModeRecipe} read from JSON, for QEMUs whose mode switch is not built in (such as a
 * QEMU patched with a true passive mode):
 *
 * <pre>{@code
 * {
 *   "name": "passive-mode-patch",
 *   "COLO":       { "commands": [ {"execute": "...", "arguments": {...}} ],
 *                   "expect": {"x-checkpoint-delay": 10000} },
 *   "CHECKPOINT": { "commands": [ {"execute": "migrate-set-parameters",
 *                                  "arguments": {"x-checkpoint-delay": "${periodMs}"}} ],
 *                   "expect": {"x-checkpoint-delay": "${periodMs}"} }
 * }
 * }</pre>
 *
 * <p>Both modes are required, each with a non-empty {@code commands} list; {@code expect} (members
 * of {@code query-migrate-parameters} to verify) is optional. In any string, {@code ${periodMs}}
 * is replaced by the checkpoint period in milliseconds; a string that is exactly {@code
 * ${periodMs}} becomes a number. No other placeholder exists.
 */
public final class JsonModeRecipe implements ModeRecipe {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
  static final String PERIOD_PLACEHOLDER = "${periodMs}";

  private final String name;
  private final Map<Mode, ArrayNode> commands = new EnumMap<>(Mode.class);
  private final Map<Mode, ObjectNode> expected = new EnumMap<>(Mode.class);

  private JsonModeRecipe(String name, JsonNode root, String source) {
    this.name = name;
    for (Mode mode : Mode.values()) {
      JsonNode section = root.get(mode.name());
      if (section == null || !section.isObject()) {
        throw invalid(source, "needs an object \"" + mode.name() + "\" with the commands of that mode");
      }
      JsonNode list = section.get("commands");
      if (list == null || !list.isArray() || list.isEmpty()) {
        throw invalid(source, mode.name() + ".commands must be a non-empty array");
      }
      for (int i = 0; i < list.size(); i++) {
        JsonNode command = list.get(i);
        String where = mode.name() + ".commands[" + i + "]";
        if (!command.isObject() || !command.path("execute").isTextual()
            || command.path("execute").asText().isBlank()) {
          throw invalid(source, where + " must be an object with a command name in \"execute\"");
        }
        if (command.has("arguments") && !command.get("arguments").isObject()) {
          throw invalid(source, where + ".arguments must be an object");
        }
        checkPlaceholders(command, source, where);
      }
      commands.put(mode, (ArrayNode) list);
      JsonNode expect = section.path("expect");
      if (!expect.isMissingNode() && !expect.isObject()) {
        throw invalid(source, mode.name() + ".expect must be an object of migrate parameters");
      }
      if (expect.isObject()) {
        checkPlaceholders(expect, source, mode.name() + ".expect");
        expected.put(mode, (ObjectNode) expect);
      }
    }
  }

  /**
   * Loads a recipe from {@code file}.
   *
   * <p><b>A recipe is privileged configuration.</b> It sends arbitrary QMP to QEMU ({@code migrate}
   * to an {@code exec:} URI runs a shell command as QEMU's user), so, the way ssh treats private
   * keys, the file must be owned by the user running hybrid-ft and writable by nobody else: a file
   * writable by group or others, or owned by another user, is refused, and so is a file in a
   * folder that group or others may write (unless the folder is sticky, as /tmp is) or that
   * belongs to another user than you or root, since anyone who may write the folder may replace
   * the file. Checked on file systems with POSIX permissions, where the file really is (symbolic
   * links are followed), before and after the read: a file replaced meanwhile is refused.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file and the first mistake in it, or why its
   *     owner or permissions make it unsafe
   */
  public static JsonModeRecipe load(Path file) throws IOException {
    // Checked where it really is, and the folder too: with a folder nobody else may write, nobody
    // else can put another file under the name between the check and the read.
    Path real = file.toRealPath();
    Path folder = real.getParent();
    if (folder != null) {
      checkFolder(file, folder);
    }
    PosixFileAttributes checked = checkPrivate(file, real);
    String text = Files.readString(real);
    // What was read is what was checked: the same file, still private.
    PosixFileAttributes after = checkPrivate(file, real);
    if (checked != null && after != null && !Objects.equals(checked.fileKey(), after.fileKey())) {
      throw invalid(file.toString(), "was replaced while it was read; load it again");
    }
    return parse(text, file.toString());
  }

  private static void checkFolder(Path file, Path folder) throws IOException {
    PosixFileAttributes attributes = posixAttributes(folder);
    if (attributes == null) {
      return;
    }
    Set<PosixFilePermission> permissions = attributes.permissions();
    boolean sticky = (((Integer) Files.getAttribute(folder, "unix:mode")) & 01000) != 0;
    if (!sticky && (permissions.contains(PosixFilePermission.GROUP_WRITE)
        || permissions.contains(PosixFilePermission.OTHERS_WRITE))) {
      throw invalid(file.toString(), "is in " + folder + ", a folder writable by group or others ("
          + PosixFilePermissions.toString(permissions) + "): anyone may replace the recipe there;"
          + " keep it in a folder only its owner may write (chmod go-w " + folder + ")");
    }
    UserPrincipal me = currentUser(folder);
    if (!attributes.owner().equals(me) && !"root".equals(attributes.owner().getName())) {
      throw invalid(file.toString(), "is in " + folder + ", owned by " + attributes.owner().getName()
          + ": keep it in a folder of your own or root's");
    }
  }

  /** The file's attributes once checked, or null on a file system without POSIX attributes. */
  private static @Nullable PosixFileAttributes checkPrivate(Path file, Path real) throws IOException {
    PosixFileAttributes attributes = posixAttributes(real);
    if (attributes == null) {
      return null; // no POSIX owner or mode bits to check on this file system
    }
    if (!attributes.isRegularFile()) {
      throw invalid(file.toString(), "is not a regular file");
    }
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (permissions.contains(PosixFilePermission.GROUP_WRITE)
        || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw invalid(file.toString(), "is writable by group or others ("
          + PosixFilePermissions.toString(permissions) + "): a recipe sends arbitrary QMP to QEMU,"
          + " so only its owner may write it; chmod go-w " + file);
    }
    UserPrincipal me = currentUser(real);
    if (!attributes.owner().equals(me)) {
      throw invalid(file.toString(), "is owned by " + attributes.owner().getName() + ", not by "
          + me.getName() + ": a recipe sends arbitrary QMP to QEMU, so it must be your own file");
    }
    return attributes;
  }

  private static @Nullable PosixFileAttributes posixAttributes(Path path) throws IOException {
    try {
      return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException notPosix) {
      return null;
    }
  }

  private static UserPrincipal currentUser(Path on) throws IOException {
    return on.getFileSystem().getUserPrincipalLookupService()
        .lookupPrincipalByName(System.getProperty("user.name"));
  }

  /**
   * Parses a recipe from JSON text; {@code source} names it in error messages.
   *
   * @throws IllegalArgumentException naming the source and the first mistake
   */
  public static JsonModeRecipe parse(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException malformed) {
      throw invalid(source, "is not valid JSON: " + malformed.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw invalid(source, "must be a JSON object with COLO and CHECKPOINT sections");
    }
    String name = root.path("name").asText(source);
    return new JsonModeRecipe(name, root, source);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<QmpCommand> commands(Mode mode, long periodMillis) {
    List<QmpCommand> result = new ArrayList<>();
    for (JsonNode command : commands.get(mode)) {
      JsonNode arguments = command.path("arguments");
      QmpValue substituted = arguments.isObject()
          ? QmpValue.wrap(substitute(arguments, periodMillis))
          : QmpValue.EMPTY_OBJECT;
      result.add(new QmpCommand(command.get("execute").asText(), substituted));
    }
    return result;
  }

  @Override
  public Map<String, QmpValue> expectedMigrateParameters(Mode mode, long periodMillis) {
    ObjectNode expect = expected.get(mode);
    if (expect == null) {
      return Map.of();
    }
    Map<String, QmpValue> result = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = expect.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      result.put(entry.getKey(), QmpValue.wrap(substitute(entry.getValue(), periodMillis)));
    }
    return result;
  }

  @Override
  public String toString() {
    return "JsonModeRecipe[" + name + "]";
  }

  private static JsonNode substitute(JsonNode node, long periodMillis) {
    if (node.isTextual()) {
      String text = node.asText();
      if (text.equals(PERIOD_PLACEHOLDER)) {
        return JsonNodeFactory.instance.numberNode(periodMillis);
      }
      return text.contains(PERIOD_PLACEHOLDER)
          ? TextNode.valueOf(text.replace(PERIOD_PLACEHOLDER, Long.toString(periodMillis)))
          : node;
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), substitute(e.getValue(), periodMillis)));
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(element -> copy.add(substitute(element, periodMillis)));
      return copy;
    }
    return node;
  }

  private static void checkPlaceholders(JsonNode node, String source, String where) {
    if (node.isTextual()) {
      Matcher matcher = PLACEHOLDER.matcher(node.asText());
      while (matcher.find()) {
        if (!matcher.group().equals(PERIOD_PLACEHOLDER)) {
          throw invalid(source, where + " uses the unknown placeholder " + matcher.group()
              + "; the only one is " + PERIOD_PLACEHOLDER);
        }
      }
    } else {
      node.forEach(child -> checkPlaceholders(child, source, where));
    }
  }

  private static IllegalArgumentException invalid(String source, String problem) {
    return new IllegalArgumentException("recipe " + source + " " + problem);
  }
}
