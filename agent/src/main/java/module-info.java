/**
 * hybrid-ft host agent: one long-running service that finds every COLO primary of a host, drives
 * each with its own {@link org.hybridft.core.ControlLoop}, and serves one Prometheus endpoint, a
 * health endpoint and structured logs for all of them. See {@link org.hybridft.agent.Agent}.
 */
module org.hybridft.agent {
  requires static transitive org.jspecify;
  requires transitive org.hybridft.core;
  requires org.hybridft.controllers;
  requires org.hybridft.qmp;
  requires org.hybridft.libvirt;
  requires org.hybridft.micrometer;
  requires micrometer.registry.prometheus;
  requires com.fasterxml.jackson.databind;
  requires jdk.httpserver;

  exports org.hybridft.agent;
}
