package org.hybridft.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks of a would-be COLO primary that explain why it is not one, for tools that attach to or
 * start a pair.
 */
public final class ColoPrimaryCheck {
  private ColoPrimaryCheck() {}

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
    JsonNode migration = client.call("query-migrate", null);
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
