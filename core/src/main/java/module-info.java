/**
 * hybrid-ft core: the {@link org.hybridft.core.Mode replication modes}, the pure
 * {@link org.hybridft.core.ModeController} decision API, the checkpoint rate estimator, the
 * downtime meter and the {@link org.hybridft.core.ControlLoop} that drives one VM through the
 * {@link org.hybridft.core.CheckpointCounter} and {@link org.hybridft.core.ModeActuator} ports.
 */
module org.hybridft.core {
  requires static transitive org.jspecify;
  requires jdk.jfr;

  exports org.hybridft.core;
}
