package org.hybridft.evaluation;

import org.hybridft.qmp.MigrationTraffic;
import org.hybridft.qmp.QemuProcess;
import org.hybridft.qmp.QemuProcessException;
import org.hybridft.qmp.QmpClient;

/**
 * Reads what a COLO pair has used so far: both QEMU processes' CPU time and the primary's
 * checkpoint bytes. {@link PairEvaluation} reads it at the start and the end of each run.
 */
@FunctionalInterface
public interface PairMeter {
  /**
   * The pair's cumulative use now.
   *
   * @throws RuntimeException when the pair cannot be read ({@link QemuProcessException}, {@link
   *     org.hybridft.qmp.QmpException})
   */
  PairUsage read();

  /**
   * A meter of the local pair whose monitors are {@code primary} and {@code secondary}: their
   * processes' CPU time from {@code /proc} ({@link QemuProcess}) and the primary's {@code
   * ram.transferred} ({@link MigrationTraffic}). Each is read once here, so a pair that cannot be
   * measured is refused before any run.
   *
   * @throws QemuProcessException if either QEMU is not on this host, cannot be read, or both
   *     monitors lead to the same process
   * @throws org.hybridft.qmp.QmpStateException if the primary reports no {@code ram.transferred}
   * @throws org.hybridft.qmp.QmpException if a query fails
   */
  static PairMeter of(QmpClient primary, QmpClient secondary) {
    QemuProcess primaryProcess = QemuProcess.of(primary);
    QemuProcess secondaryProcess = QemuProcess.of(secondary);
    if (primaryProcess.pid() == secondaryProcess.pid()) {
      throw new QemuProcessException("the primary's and the secondary's monitors (" + primary.peer() + ", "
          + secondary.peer() + ") lead to the same process " + primaryProcess.pid()
          + ": give the secondary's own monitor", null);
    }
    MigrationTraffic migration = MigrationTraffic.attach(primary);
    return () -> new PairUsage(primaryProcess.cpuSeconds(), secondaryProcess.cpuSeconds(),
        migration.transferredBytes());
  }
}
