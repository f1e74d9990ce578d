/**
 * hybrid-ft controllers: the research's threshold (α/β) and PI hybrids, the ORBIT prototype's
 * rule, and the always-COLO / always-checkpoint baselines. Pure decision code, no I/O.
 */
module org.hybridft.controllers {
  requires transitive org.hybridft.core;
  requires static transitive org.jspecify;

  exports org.hybridft.controllers;

  uses org.hybridft.controllers.ControllerProvider;
}
