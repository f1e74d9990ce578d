package org.hybridft.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A controller and its parameters in a properties file, as {@code hybrid-ft tune} writes it and
 * {@code simulate}, {@code compare} and {@code run} read it with {@code --config FILE}:
 *
 * <pre>
 * controller=pi
 * name=pi-tuned
 * set-point=2.73
 * kp=0.041
 * min-dwell=1.8s
 * </pre>
 *
 * <p>{@code controller} is required; {@code name} is the name in tables (default {@code
 * <controller>-tuned}); every other key is a controller option of the command line without its
 * leading dashes, read exactly as on the command line. Options given on the command line
 * override the file.
 *
 * @param controller the controller's catalog name
 * @param name the name to show in tables
 * @param options the parameters the file sets
 */
public record ControllerConfigFile(String controller, String name, ControllerOptions options) {

  /** The picocli holder that parses a file's parameters as options. */
  @Command(name = "config")
  static final class Holder {
    @Mixin ControllerOptions options = new ControllerOptions();
  }

  /**
   * Reads a config file.
   *
   * @throws UsageException naming the file and the problem: unreadable, no {@code controller},
   *     unknown key, invalid value
   */
  public static ControllerConfigFile read(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException missing) {
      throw new UsageException("cannot read config " + file + ": no such file", missing);
    } catch (IOException | IllegalArgumentException unreadable) {
      throw new UsageException("cannot read config " + file + ": " + unreadable.getMessage(), unreadable);
    }
    String controller = properties.getProperty("controller");
    if (controller == null || controller.isBlank()) {
      throw new UsageException("config " + file + " has no 'controller' key (e.g. controller=pi)");
    }
    controller = controller.strip().toLowerCase(Locale.ROOT);
    String name = properties.getProperty("name", controller + "-tuned").strip();
    List<String> args = new ArrayList<>();
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      if (key.equals("controller") || key.equals("name")) {
        continue;
      }
      args.add("--" + key + "=" + properties.getProperty(key).strip());
    }
    Holder holder = new Holder();
    try {
      new CommandLine(holder).parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException invalid) {
      throw new UsageException("config " + file + ": " + invalid.getMessage(), invalid);
    }
    // The catalog validates the values against the controller's config record now, not later.
    try {
      ControllerCatalog.spec(controller, holder.options);
    } catch (IllegalArgumentException invalid) {
      throw new UsageException("config " + file + ": " + invalid.getMessage(), invalid);
    }
    return new ControllerConfigFile(controller, name, holder.options);
  }

  /**
   * Writes a config file.
   *
   * @param parameters option names without dashes mapped to their values as the command line
   *     takes them
   * @param comment a first line saying where the file comes from, or null
   */
  public static void write(
      Path file, String controller, String name, Map<String, String> parameters, @Nullable String comment)
      throws IOException {
    StringBuilder text = new StringBuilder();
    if (comment != null) {
      text.append("# ").append(comment.replace('\n', ' ')).append('\n');
    }
    text.append("controller=").append(controller).append('\n');
    text.append("name=").append(name).append('\n');
    parameters.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      writer.write(text.toString());
    }
  }

  /**
   * The controller a command runs.
   *
   * @param controller its catalog name, such as {@code pi}, which decides the options it reads
   * @param spec its spec, named as the config file says when there is one
   */
  record Resolved(String controller, org.hybridft.sim.ControllerSpec spec) {}

  /**
   * The controller a command runs: from {@code --config FILE} (with the command line's options
   * overriding the file's), else from {@code --controller}, else {@code fallback}.
   *
   * @param controller the {@code --controller} value, or null
   * @param config the {@code --config} file, or null
   * @param options the controller options of the command line; filled from the file
   * @param fallback the controller when neither is given, or null to require one
   * @throws UsageException if nothing names a controller, the two disagree, or a value is invalid
   */
  static Resolved resolve(
      @Nullable String controller, @Nullable Path config, ControllerOptions options, @Nullable String fallback) {
    if (config == null) {
      String name = controller != null ? controller : fallback;
      if (name == null) {
        throw new UsageException("give --controller NAME or --config FILE");
      }
      org.hybridft.sim.ControllerSpec spec = ControllerCatalog.spec(name, options);
      return new Resolved(spec.name(), spec);
    }
    ControllerConfigFile file = read(config);
    if (controller != null && !controller.strip().equalsIgnoreCase(file.controller())) {
      throw new UsageException(
          "--controller " + controller + " contradicts controller=" + file.controller() + " in " + config);
    }
    options.fillFrom(file.options());
    org.hybridft.sim.ControllerSpec spec = ControllerCatalog.spec(file.controller(), options);
    return new Resolved(file.controller(), new org.hybridft.sim.ControllerSpec(file.name(), spec.factory()));
  }
}
