package org.hybridft.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.controllers.ParameterDescriptor;
import org.jspecify.annotations.Nullable;

/**
 * A controller and its parameters in a properties file, as {@code hybrid-ft tune} writes it and
 * {@code simulate}, {@code compare}, {@code evaluate} and {@code run} read it with {@code --config
 * FILE}:
 *
 * <pre>
 * controller=pi
 * name=pi-tuned
 * set-point=2.73
 * kp=0.041
 * min-dwell=1.8s
 * </pre>
 *
 * <p>The format is the {@link ControllerRegistry}'s ({@link ControllerRegistry#load(Path)} reads
 * it without the command): {@code controller} is required; {@code name} is the name in tables
 * (default {@code <controller>-tuned}); every other key is one of the controller's parameter keys,
 * which are its command-line options without the leading dashes. Options given on the command
 * line override the file.
 */
final class ControllerConfigFile {
  private ControllerConfigFile() {}

  /**
   * Reads a config file.
   *
   * @throws UsageException naming the file and the problem: unreadable, no {@code controller},
   *     unknown controller or key, invalid value
   */
  static ControllerConfiguration<?> read(Path file) {
    Properties properties = properties(file);
    try {
      return ControllerOptions.REGISTRY.load(properties);
    } catch (IllegalArgumentException invalid) {
      throw new UsageException("config " + file + ": " + invalid.getMessage(), invalid);
    }
  }

  /**
   * The controller a command runs: from {@code --config FILE} (with the command line's options
   * overriding the file's), else from {@code --controller}, else {@code fallback}.
   *
   * @param controller the {@code --controller} value, or null
   * @param config the {@code --config} file, or null
   * @param options the controller options of the command line
   * @param fallback the controller when neither is given, or null to require one
   * @throws UsageException if nothing names a controller, the two disagree, or the file is invalid
   * @throws IllegalArgumentException for an option value the controller's config refuses
   */
  static ControllerConfiguration<?> resolve(
      @Nullable String controller, @Nullable Path config, ControllerOptions options, @Nullable String fallback) {
    if (config == null) {
      String name = controller != null ? controller : fallback;
      if (name == null) {
        throw new UsageException("give --controller NAME or --config FILE");
      }
      return options.configured(name);
    }
    ControllerConfiguration<?> file = read(config);
    if (controller != null && !controller.strip().equalsIgnoreCase(file.controller())) {
      throw new UsageException(
          "--controller " + controller + " contradicts controller=" + file.controller() + " in " + config);
    }
    return overridden(file, properties(config), options);
  }

  /** The file's parameters with those the command line gives replaced. */
  private static ControllerConfiguration<?> overridden(
      ControllerConfiguration<?> file, Properties properties, ControllerOptions options) {
    ControllerDescriptor<?> descriptor = file.descriptor();
    Map<String, String> given = options.readBy(descriptor);
    Map<String, String> merged = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (key.equals(ControllerConfiguration.CONTROLLER_KEY) || key.equals(ControllerConfiguration.LABEL_KEY)) {
        continue;
      }
      ParameterDescriptor<?> parameter = descriptor.parameter(key).orElseThrow();
      boolean overridden = given.keySet().stream().anyMatch(k -> descriptor.parameter(k).orElseThrow() == parameter);
      if (!overridden) {
        merged.put(key, properties.getProperty(key).strip());
      }
    }
    merged.putAll(given);
    return descriptor.configured(file.label(), merged);
  }

  private static Properties properties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException missing) {
      throw new UsageException("cannot read config " + file + ": no such file", missing);
    } catch (IOException | IllegalArgumentException unreadable) {
      throw new UsageException("cannot read config " + file + ": " + unreadable.getMessage(), unreadable);
    }
    return properties;
  }
}
