/**
 * hybrid-ft QMP adapter: an asynchronous client of QEMU's machine protocol and the QEMU-backed
 * {@link org.hybridft.core.CheckpointCounter} and {@link org.hybridft.core.ModeActuator}.
 */
module org.hybridft.qmp {
  requires transitive org.hybridft.core;
  // Internal only: no Jackson type is part of this module's API (replies and events are QmpValue).
  requires com.fasterxml.jackson.databind;
  requires static transitive org.jspecify;

  exports org.hybridft.qmp;
}
