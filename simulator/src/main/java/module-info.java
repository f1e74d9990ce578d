/**
 * hybrid-ft simulator: an event-driven model of one COLO-replicated VM under a workload, driven
 * by any {@link org.hybridft.core.ModeController} exactly as the real control loop drives it;
 * built-in workload profiles, trace replay and statistics across runs.
 */
module org.hybridft.sim {
  requires transitive org.hybridft.core;
  // Its runs are reported as the report module's RunResult and ComparisonResult.
  requires transitive org.hybridft.report;
  // The tuner's search space is read off a controller's registry descriptor.
  requires transitive org.hybridft.controllers;
  requires commons.math3;
  requires HdrHistogram;
  requires static transitive org.jspecify;

  exports org.hybridft.sim;
}
