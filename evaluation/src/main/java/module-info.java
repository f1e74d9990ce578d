/**
 * hybrid-ft evaluation: mode controllers compared on a live COLO pair under real load, for the
 * command and for an orchestrator's own test rig; an open-loop HTTP load generator and the
 * real-pair evaluation, reporting through the report module's result types.
 */
module org.hybridft.evaluation {
  requires transitive org.hybridft.core;
  requires transitive org.hybridft.qmp;
  requires transitive org.hybridft.report;
  requires HdrHistogram;
  requires static transitive org.jspecify;

  exports org.hybridft.evaluation;
}
