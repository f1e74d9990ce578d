/**
 * hybrid-ft report: what a comparison of mode controllers measured, simulated or on a real COLO
 * pair, and how it is shown: run and comparison results, estimates and regret across runs, the
 * tables, {@code results.csv} and the plots.
 */
module org.hybridft.report {
  requires transitive org.hybridft.core;
  requires commons.math3;
  requires org.knowm.xchart;
  requires java.desktop;
  requires static transitive org.jspecify;

  exports org.hybridft.report;
}
