package org.hybridft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.hybridft.qmp.CheckpointDelayRecipe;
import org.hybridft.qmp.ColoPrimaryControl;
import org.hybridft.qmp.MirrorPassiveRecipe;
import org.hybridft.qmp.ModeRecipe;
import org.hybridft.qmp.QmpClient;
import org.hybridft.qmp.QmpException;
import org.hybridft.qmp.QmpNotColoPrimaryException;
import org.hybridft.qmp.QmpStateException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * How {@code run} and {@code evaluate} reach and steer a live COLO primary: its QMP address and the
 * recipe that applies modes. Connects, checks that the other end is a COLO primary with the
 * {@code events} capability, and picks the recipe, each failure as one {@link UsageException}
 * line.
 *
 * <p>Recipes: {@code auto} (default) is {@code mirror-passive} where the primary has a
 * filter-mirror and a colo-compare (a true passive mode, see {@link MirrorPassiveRecipe}),
 * otherwise {@code checkpoint-delay}; both can be named explicitly, as can a JSON recipe file
 * for a patched QEMU.
 */
public final class ColoPrimaryOptions {
  /** The recipe that picks one from what the primary has. */
  static final String AUTO = ModeRecipe.AUTO;
  /** The recipe that steers only COLO's periodic timer. */
  static final String CHECKPOINT_DELAY = CheckpointDelayRecipe.NAME;

  @Option(names = "--qmp", required = true, paramLabel = "SOCKET",
      description = "the COLO primary's QMP unix socket, or tcp:HOST:PORT (loopback only unless --allow-remote-qmp)")
  String qmp = "";

  @Option(names = "--allow-remote-qmp",
      description = "allow --qmp tcp: to a non-loopback address; QMP has no authentication, so only on a"
          + " trusted network")
  boolean allowRemoteQmp;

  @Option(names = "--recipe", paramLabel = "R", defaultValue = AUTO,
      description = "how modes are applied: auto (default: mirror-passive where the primary has a filter-mirror"
          + " and a colo-compare, else checkpoint-delay), mirror-passive, checkpoint-delay, or a JSON recipe"
          + " file for a patched QEMU")
  String recipe = AUTO;

  @Option(names = "--colo-idle-period", converter = DurationConverter.class, paramLabel = "D",
      description = "COLO's timer period in COLO mode, for the auto, mirror-passive and checkpoint-delay"
          + " recipes (default 10s)")
  @Nullable Duration coloIdlePeriod;

  /**
   * Checks the recipe option before anything connects: a known name, or a readable file, and no
   * {@code --colo-idle-period} with a file.
   */
  void validateRecipe() {
    if (isBuiltIn()) {
      return;
    }
    if (coloIdlePeriod != null) {
      throw new UsageException("--colo-idle-period applies to the auto, mirror-passive and checkpoint-delay"
          + " recipes only, not to the recipe file " + recipe);
    }
    if (!Files.isReadable(Path.of(recipe))) {
      throw new UsageException("--recipe " + recipe + ": neither auto, mirror-passive, checkpoint-delay nor a"
          + " readable JSON file");
    }
  }

  /**
   * Connects to the primary's QMP monitor.
   *
   * @throws UsageException for a malformed or remote address, a missing socket, or no QMP there
   */
  QmpClient connect() {
    return connect("--qmp", qmp);
  }

  /**
   * Connects to the QMP monitor at {@code value}, the value of {@code option}, under this
   * command's {@code --allow-remote-qmp}.
   *
   * @throws UsageException for a malformed or remote address, a missing socket, or no QMP there
   */
  QmpClient connect(String option, String value) {
    QmpClient.Builder client;
    try {
      client = QmpClient.at(value, allowRemoteQmp);
    } catch (IllegalArgumentException invalid) {
      String hint = !value.startsWith("tcp:") ? " (start a pair with testbed/start.sh)"
          : invalid.getMessage().contains("not a loopback address") ? ": --allow-remote-qmp" : "";
      throw new UsageException(option + " " + value + ": " + invalid.getMessage() + hint, invalid);
    }
    try {
      return client.connect();
    } catch (QmpException unreachable) {
      throw new UsageException("cannot attach to QMP at " + value + ": " + unreachable.getMessage(), unreachable);
    }
  }

  /**
   * Takes the primary at {@code client} under control: checks that it is a COLO primary, starts
   * counting its checkpoints and makes the actuator with the {@linkplain #recipe recipe} chosen.
   *
   * @throws UsageException when it is not a primary in COLO state (naming the QEMU regression that
   *     completes the migration instead, where that is the cause) or has the events capability off,
   *     or for a recipe the primary cannot follow
   * @throws IOException if the recipe file cannot be read
   */
  ColoPrimaryControl attach(QmpClient client) throws IOException {
    try {
      return ColoPrimaryControl.attach(client, this::recipe);
    } catch (QmpNotColoPrimaryException notPrimary) {
      throw new UsageException("--qmp " + qmp + " is not a COLO primary (query-colo-status mode: "
          + notPrimary.coloMode() + "); " + notPrimary.advice(), notPrimary);
    } catch (QmpStateException notCounting) {
      throw new UsageException(notCounting.getMessage(), notCounting);
    } catch (QmpException failed) {
      throw new UsageException("attaching to QMP at " + qmp + " failed: " + failed.getMessage(), failed);
    }
  }

  /**
   * The recipe to apply modes with on {@code client}'s primary.
   *
   * @throws UsageException for {@code mirror-passive} on a primary without a filter-mirror or a
   *     colo-compare, or an invalid recipe file
   * @throws IOException if the recipe file cannot be read
   */
  private ModeRecipe recipe(QmpClient client) throws IOException {
    Duration idle = coloIdlePeriod == null
        ? Duration.ofMillis(CheckpointDelayRecipe.DEFAULT_COLO_IDLE_MILLIS)
        : coloIdlePeriod;
    try {
      return ModeRecipe.named(recipe, client, idle);
    } catch (QmpStateException noMirror) {
      throw new UsageException("--recipe mirror-passive: the primary at " + qmp
          + " has no filter-mirror and colo-compare under /objects; use --recipe checkpoint-delay", noMirror);
    }
  }

  private boolean isBuiltIn() {
    return recipe.equals(AUTO) || recipe.equals(CHECKPOINT_DELAY) || recipe.equals(MirrorPassiveRecipe.NAME);
  }
}
