package org.hybridft.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
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
    try {
      return client().connect();
    } catch (QmpException unreachable) {
      throw new UsageException("cannot attach to QMP at " + qmp + ": " + unreachable.getMessage(), unreachable);
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

  private QmpClient.Builder client() {
    return builder("--qmp", qmp, allowRemoteQmp);
  }

  /**
   * A client builder for {@code value}, the value of {@code option}: a unix socket's path or
   * {@code tcp:HOST:PORT}, loopback only unless {@code allowRemote}.
   *
   * @throws UsageException for a malformed or remote address or a missing socket
   */
  static QmpClient.Builder builder(String option, String value, boolean allowRemote) {
    if (value.startsWith("tcp:")) {
      String address = value.substring(4);
      int colon = address.lastIndexOf(':');
      if (colon < 1) {
        throw new UsageException(option + " tcp:HOST:PORT expected, was '" + value + "'");
      }
      String host = address.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException notAPort) {
        throw new UsageException(option + " tcp:HOST:PORT needs a numeric port, was '" + value + "'");
      }
      if (port < 1 || port > 65535) {
        throw new UsageException(option + " " + value + ": the port must be in [1, 65535], was " + port);
      }
      // Resolved once: the address checked is the address connected to, whatever a resolver says next.
      InetAddress resolved = resolve(option, value, host);
      if (!allowRemote && !resolved.isLoopbackAddress()) {
        throw new UsageException(option + " " + value + ": " + host + " is not a loopback address, and QMP has no"
            + " authentication: whoever reaches the port controls QEMU (and can run commands as its user);"
            + " tunnel it (e.g. ssh -L) or give --allow-remote-qmp on a trusted network");
      }
      return QmpClient.to(new InetSocketAddress(resolved, port));
    }
    Path socket = Path.of(value);
    if (!Files.exists(socket)) {
      throw new UsageException(option + " " + value + ": no such socket (start a pair with testbed/start.sh)");
    }
    return QmpClient.unix(socket);
  }

  /** The address {@code host} names (the first, as a connection would take it). */
  private static InetAddress resolve(String option, String value, String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException unknown) {
      throw new UsageException(option + " " + value + ": cannot resolve host " + host, unknown);
    }
  }
}
