/**
 * hybrid-ft evaluation: mode controllers compared on a live COLO pair under real load, for the
 * command and for an orchestrator's own test rig; an open-loop HTTP load generator and the
 * real-pair evaluation, reporting through the report module's result types; the fault campaign
 * that breaks a testbed pair under a writing load and checks that no acknowledged write is lost.
 */
module org.hybridft.evaluation {
  requires transitive org.hybridft.core;
  requires transitive org.hybridft.qmp;
  requires transitive org.hybridft.report;
  requires HdrHistogram;
  requires com.fasterxml.jackson.databind;
  requires static transitive org.jspecify;

  exports org.hybridft.evaluation;
  exports org.hybridft.evaluation.faults;
}
