/**
 * JMH benchmarks of hybrid-ft's control-loop hot path (controller updates, the checkpoint rate
 * estimator, the downtime meter, one control-loop tick), of the simulator, and of Netflix
 * concurrency-limits as the peer, plus {@link org.hybridft.bench.ScaleHarness}, which measures
 * thousands of control loops on one scheduler, and {@link org.hybridft.bench.AgentScale}, which
 * measures the host agent supervising hundreds of fake QEMUs. Run them with {@code benchmarks/run.sh}.
 */
package org.hybridft.bench;
