package org.hybridft.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.controllers.ParameterDescriptor;
import org.hybridft.controllers.ParameterType;
import org.hybridft.sim.ControllerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * The controllers' parameters as options, one {@code --key} per parameter key of the {@link
 * ControllerRegistry#installed() installed controllers}, with its help derived from the
 * registry's descriptions. Each option left out keeps the controller's documented default; each
 * given one is validated by the controller's config record when the controller is made.
 */
@Command(modelTransformer = ControllerOptions.FromRegistry.class)
public final class ControllerOptions {
  /** The controllers the command knows: the built-in ones and those on the class path. */
  static final ControllerRegistry REGISTRY = ControllerRegistry.installed();

  private final Map<String, String> given = new LinkedHashMap<>();

  /** The controllers' names, for {@code --controller}'s help ({@code ${COMPLETION-CANDIDATES}}). */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return REGISTRY.names().iterator();
    }
  }

  /**
   * Adds the options to the command that mixes {@link ControllerOptions} in. picocli calls it with
   * the mixing command's spec.
   */
  static final class FromRegistry implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      ControllerOptions options = null;
      for (CommandSpec mixin : command.mixins().values()) {
        if (mixin.userObject() instanceof ControllerOptions mixed) {
          options = mixed;
        }
      }
      if (options == null) {
        throw new IllegalStateException(command.name() + " applies ControllerOptions without mixing it in");
      }
      for (String key : REGISTRY.parameterKeys()) {
        command.addOption(option(key, options));
      }
      return command;
    }
  }

  private static OptionSpec option(String key, ControllerOptions options) {
    ParameterType type = REGISTRY.readers(key).get(0).parameter(key).orElseThrow().type();
    ISetter setter =
        new ISetter() {
          @Override
          public <T> T set(T value) {
            if (value != null) {
              options.given.put(key, (String) value);
            }
            return null;
          }
        };
    return OptionSpec.builder("--" + key)
        .type(String.class)
        .paramLabel(type == ParameterType.DURATION ? "D" : type == ParameterType.INTEGER ? "N"
            : type == ParameterType.BOOLEAN ? "B" : "X")
        .converters(
            text -> {
              try {
                type.parse(text);
              } catch (IllegalArgumentException invalid) {
                throw new TypeConversionException(invalid.getMessage());
              }
              return text;
            })
        .description(describe(key))
        .setter(setter)
        .build();
  }

  /**
   * An option's help: the registry's description of the parameter ({@link
   * ControllerRegistry#describe}), or for an alias the key to use instead.
   */
  static String describe(String key) {
    ParameterDescriptor<?> first = REGISTRY.readers(key).get(0).parameter(key).orElseThrow();
    if (first.aliases().contains(key)) {
      return String.join(", ", REGISTRY.readers(key).stream().map(ControllerDescriptor::name).toList())
          + ": deprecated, use --" + first.key();
    }
    return REGISTRY.describe(key).replace("%", "%%");
  }

  /**
   * The options given that {@code controller} reads, as config-file keys to text, the others left
   * out: they are reported by {@link #unusedBy}.
   */
  Map<String, String> readBy(ControllerDescriptor<?> controller) {
    Map<String, String> read = new LinkedHashMap<>();
    given.forEach(
        (key, value) -> {
          if (controller.parameter(key).isPresent()) {
            read.put(key, value);
          }
        });
    return read;
  }

  /**
   * The options given that none of {@code controllers} reads, such as {@code --alpha} with only
   * {@code pi}: the command warns about them rather than ignore them silently.
   */
  List<String> unusedBy(List<String> controllers) {
    List<String> unused = new ArrayList<>();
    for (String option : given.keySet()) {
      List<String> readers = REGISTRY.readers(option).stream().map(ControllerDescriptor::name).toList();
      boolean read = controllers.stream().anyMatch(c -> readers.contains(c.strip().toLowerCase(Locale.ROOT)));
      if (!read) {
        unused.add(
            "--" + option + " is ignored: only " + String.join(" and ", readers)
                + (readers.size() == 1
                    ? " reads it, and it is not simulated"
                    : " read it, and none of them is simulated"));
      }
    }
    return unused;
  }

  /**
   * The controller named {@code name} with the options it reads, shown as {@code name}.
   *
   * @throws UsageException for an unknown controller
   * @throws IllegalArgumentException for a value its config refuses
   */
  ControllerConfiguration<?> configured(String name) {
    ControllerDescriptor<?> descriptor = descriptor(name);
    return descriptor.configured(descriptor.name(), readBy(descriptor));
  }

  /**
   * The controller named {@code name}.
   *
   * @throws UsageException naming the known ones if there is none
   */
  static ControllerDescriptor<?> descriptor(String name) {
    try {
      return REGISTRY.descriptor(name);
    } catch (IllegalArgumentException unknown) {
      throw new UsageException(unknown.getMessage(), unknown);
    }
  }

  /**
   * The simulator's specs of the controllers {@code names} with the options they read, then of
   * each config file's controller under its name.
   *
   * @throws UsageException for an unknown controller, a bad file or a name listed twice
   * @throws IllegalArgumentException for a value a controller's config refuses
   */
  List<ControllerSpec> specs(List<String> names, List<Path> configs) {
    List<ControllerSpec> specs = new ArrayList<>();
    for (String name : names) {
      specs.add(spec(configured(name)));
    }
    for (Path config : configs) {
      ControllerConfiguration<?> tuned = ControllerConfigFile.read(config);
      if (specs.stream().anyMatch(existing -> existing.name().equals(tuned.label()))) {
        throw new UsageException("controller '" + tuned.label() + "' from " + config + " is listed twice");
      }
      specs.add(spec(tuned));
    }
    return specs;
  }

  /**
   * The static checkpoint mode's interval between checkpoints with the options given: the
   * period the clairvoyant schedule's checkpoint mode runs at.
   */
  Duration staticCheckpointPeriod() {
    return (Duration) configured("checkpoint").config();
  }

  /** The simulator's spec of a configured controller: its label and fresh controllers. */
  static ControllerSpec spec(ControllerConfiguration<?> configuration) {
    return new ControllerSpec(configuration.label(), configuration::create);
  }
}
