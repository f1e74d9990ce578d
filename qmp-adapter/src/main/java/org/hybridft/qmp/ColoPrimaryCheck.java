package org.hybridft.qmp;

import java.util.Objects;
import java.util.Optional;

/**
 * Checks that a QEMU is a COLO primary, and explains why one is not, for tools that attach to or
 * start a pair: an orchestrator calls {@link #requirePrimary} before it attaches a {@link
 * QmpCheckpointCounter} and a {@link QmpModeActuator}, as {@code hybrid-ft run} does.
 */
public final class ColoPrimaryCheck {
  /** The advice when no known cause explains why the QEMU is no primary. */
  static final String ATTACH_TO_A_PRIMARY = "attach to the primary of a pair in COLO state";

  private ColoPrimaryCheck() {}

  /**
   * Requires {@code client}'s QEMU to be a COLO primary ({@code query-colo-status} mode {@code
   * primary}). Only a primary counts checkpoints and obeys the recipes: on anything else a control
   * loop would tick at 0 checkpoints/s forever while the modes it applies mean nothing.
   *
   * @param client a connection to the QEMU that should be the COLO primary
   * @throws QmpNotColoPrimaryException when it is not, with advice that names the QEMU regression
   *     of {@link #migrationCompletedInsteadOfColo} where that is the cause
   * @throws QmpException if a query failed
   */
  public static void requirePrimary(QmpClient client) {
    Objects.requireNonNull(client, "client");
    String mode = client.call("query-colo-status", null).path("mode").asText("unknown");
    if (!mode.equals("primary")) {
      String advice = migrationCompletedInsteadOfColo(client).orElse(ATTACH_TO_A_PRIMARY);
      throw new QmpNotColoPrimaryException(client.peer(), mode, advice);
    }
  }

  /**
   * Recognises a QEMU whose migration to the secondary completed instead of entering COLO: COLO
   * mode {@code none}, migration {@code completed}, run state {@code postmigrate}. That is what
   * the COLO transition regression of QEMU 10.0 and 10.1 does (the migration goes setup, active,
   * device, completed; fixed in stable 10.0.7 by "migration: Fix transition to COLO state from
   * precopy"), for instance Debian bookworm-backports' 10.0.2. Sends three queries, each with the
   * client's command timeout.
   *
   * @param client a connection to the QEMU that should be the COLO primary
   * @return one line naming the QEMU version and the regression, or empty when the QEMU is in
   *     another state (a primary in COLO, a QEMU that never migrated)
   * @throws QmpException if a query failed
   */
  public static Optional<String> migrationCompletedInsteadOfColo(QmpClient client) {
    Objects.requireNonNull(client, "client");
    String coloMode = client.call("query-colo-status", null).path("mode").asText("");
    if (!coloMode.equals("none")) {
      return Optional.empty();
    }
    QmpValue migration = client.call("query-migrate", null);
    if (!migration.path("status").asText("").equals("completed")) {
      return Optional.empty();
    }
    String runState = client.call("query-status", null).path("status").asText("");
    if (!runState.equals("postmigrate")) {
      return Optional.empty();
    }
    return Optional.of("QEMU " + client.greeting().version() + ": the migration to the secondary"
        + " completed instead of entering COLO (run state postmigrate, COLO mode none), the COLO"
        + " transition regression of QEMU 10.0 and 10.1 fixed in 10.0.7 by \"migration: Fix"
        + " transition to COLO state from precopy\"; use a QEMU with that fix");
  }
}
