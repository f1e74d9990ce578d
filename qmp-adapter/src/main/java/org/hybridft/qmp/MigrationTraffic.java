package org.hybridft.qmp;

import java.util.Objects;

/**
 * The bytes a COLO primary's migration has sent: {@code ram.transferred} of {@code query-migrate},
 * cumulative since the migration started; a run's checkpoint bytes are the difference of two
 * readings.
 *
 * <p>Through COLO's checkpoints QEMU goes on adding every byte written to the migration stream
 * (RAM pages, device state, COLO's messages) to that counter, and also the device state that
 * each checkpoint first writes into its own buffer, so the value is an upper bound on the bytes
 * on the link by the device state's size per checkpoint. QEMU 10.0 reports only {@code status}
 * in COLO state; the testbed's {@code testbed/qemu-patches/0002} makes it report {@code ram} as
 * during an active migration. {@link #attach} refuses a QEMU without it.
 */
public final class MigrationTraffic {
  private final QmpClient client;

  private MigrationTraffic(QmpClient client) {
    this.client = client;
  }

  /**
   * Reads the migration bytes of the COLO primary at {@code client}.
   *
   * @throws QmpStateException if its {@code query-migrate} reports no {@code ram.transferred} (a
   *     QEMU without the patch, or no migration)
   * @throws QmpException if {@code query-migrate} fails (within the client's command timeout)
   */
  public static MigrationTraffic attach(QmpClient client) {
    MigrationTraffic traffic = new MigrationTraffic(Objects.requireNonNull(client, "client"));
    traffic.transferredBytes();
    return traffic;
  }

  /**
   * {@code ram.transferred} now.
   *
   * @throws QmpStateException if {@code query-migrate} reports none
   * @throws QmpException if {@code query-migrate} fails (within the client's command timeout)
   */
  public long transferredBytes() {
    QmpValue migrate = client.call("query-migrate", null);
    QmpValue transferred = migrate.path("ram").path("transferred");
    if (!transferred.isIntegral()) {
      throw new QmpStateException("query-migrate on " + client.peer() + " reports no ram.transferred in"
          + " status '" + migrate.path("status").asText("none") + "': QEMU 10.0 hides it in COLO state;"
          + " testbed/qemu-patches/0002 makes QEMU report it");
    }
    return transferred.asLong();
  }
}
