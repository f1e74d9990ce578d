package org.hybridft.qmp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hybridft.core.Mode;

/**
 * How a {@link QmpModeActuator} puts a QEMU COLO primary into a {@link Mode}: the QMP commands to
 * send, and the migration parameters to read back afterwards to verify them.
 *
 * <p>Built in: {@link MirrorPassiveRecipe} (a true passive mode on upstream QEMU, for a primary
 * with a filter-mirror) and {@link #checkpointDelay()} (any QEMU with {@code x-colo});
 * {@link #detect(QmpClient, Duration)} picks between them. For a QEMU patched with its own
 * passive mode, {@link #fromFile(Path)} loads the commands from JSON.
 */
public interface ModeRecipe {

  /** A short name for logs and the command line. */
  String name();

  /**
   * The commands that put the primary into {@code mode}, sent in order; the first failure stops
   * the actuation.
   *
   * @param mode the mode to apply
   * @param periodMillis the checkpoint period wanted in {@link Mode#CHECKPOINT}, {@code >= 1}
   */
  List<QmpCommand> commands(Mode mode, long periodMillis);

  /**
   * The members of {@code query-migrate-parameters} that must read back as these values once
   * {@code mode} is applied; empty when nothing can be verified that way.
   */
  default Map<String, QmpValue> expectedMigrateParameters(Mode mode, long periodMillis) {
    return Map.of();
  }

  /**
   * The QOM properties that must read back ({@code qom-get}) as these values once {@code mode} is
   * applied; empty when nothing can be verified that way.
   */
  default Map<QomProperty, QmpValue> expectedProperties(Mode mode, long periodMillis) {
    return Map.of();
  }

  /**
   * The recipe for this primary: {@link MirrorPassiveRecipe} where it has a filter-mirror and a
   * colo-compare, otherwise {@code checkpoint-delay}; both with {@code coloIdlePeriod} as the
   * COLO timer period.
   *
   * @throws QmpException when QEMU refuses a query or does not answer in time
   */
  static ModeRecipe detect(QmpClient primary, Duration coloIdlePeriod) {
    return MirrorPassiveRecipe.detect(primary, coloIdlePeriod)
        .<ModeRecipe>map(recipe -> recipe)
        .orElseGet(() -> checkpointDelay(coloIdlePeriod));
  }

  /** The name of the recipe {@link #named} picks with {@link #detect}. */
  String AUTO = "auto";

  /**
   * The recipe {@code recipe} names for this primary: {@value #AUTO} ({@link #detect}, or {@code
   * checkpoint-delay} when the monitor refuses the queries detection needs), {@code
   * mirror-passive}, {@code checkpoint-delay}, or else the path of a JSON recipe file ({@link
   * #fromFile}); the built-in ones with {@code coloIdlePeriod} as the COLO timer period.
   *
   * @throws QmpStateException for {@code mirror-passive} on a primary without a filter-mirror and
   *     a colo-compare
   * @throws QmpException when QEMU does not answer a query in time
   * @throws IOException if the recipe file cannot be read
   * @throws IllegalArgumentException for an invalid recipe file, as {@link #fromFile}
   */
  static ModeRecipe named(String recipe, QmpClient primary, Duration coloIdlePeriod) throws IOException {
    switch (recipe) {
      case CheckpointDelayRecipe.NAME:
        return checkpointDelay(coloIdlePeriod);
      case AUTO:
        try {
          return detect(primary, coloIdlePeriod);
        } catch (QmpErrorException refused) {
          // A monitor without qom-list has no filter-mirror we could find: the timer is all we steer.
          return checkpointDelay(coloIdlePeriod);
        }
      case MirrorPassiveRecipe.NAME:
        return MirrorPassiveRecipe.detect(primary, coloIdlePeriod)
            .orElseThrow(() -> new QmpStateException("recipe mirror-passive: the primary has no filter-mirror"
                + " and colo-compare under /objects; use the checkpoint-delay recipe"));
      default:
        return fromFile(Path.of(recipe));
    }
  }

  /**
   * The {@code checkpoint-delay} recipe with the default COLO idle period of {@value
   * CheckpointDelayRecipe#DEFAULT_COLO_IDLE_MILLIS} ms.
   */
  static ModeRecipe checkpointDelay() {
    return new CheckpointDelayRecipe(Duration.ofMillis(CheckpointDelayRecipe.DEFAULT_COLO_IDLE_MILLIS));
  }

  /** The {@code checkpoint-delay} recipe with {@code coloIdlePeriod} as the COLO timer period. */
  static ModeRecipe checkpointDelay(Duration coloIdlePeriod) {
    return new CheckpointDelayRecipe(coloIdlePeriod);
  }

  /**
   * Loads a recipe from a JSON file; see {@link JsonModeRecipe} for the format. A recipe is
   * privileged configuration (it sends arbitrary QMP): the file must be owned by the invoking user
   * and writable by nobody else, see {@link JsonModeRecipe#load(Path)}.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file and the place of the first mistake, or why
   *     its owner or permissions make it unsafe
   */
  static ModeRecipe fromFile(Path file) throws IOException {
    return JsonModeRecipe.load(file);
  }
}
