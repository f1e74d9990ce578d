/**
 * Micrometer metrics of hybrid-ft control loops: {@link
 * org.hybridft.micrometer.ControlLoopMetrics} binds the gauges, counters and the actuation timer
 * of one VM's {@link org.hybridft.core.ControlLoop} to a {@code MeterRegistry}.
 */
module org.hybridft.micrometer {
  requires static transitive org.jspecify;
  requires transitive org.hybridft.core;
  requires transitive micrometer.core;

  exports org.hybridft.micrometer;
}
