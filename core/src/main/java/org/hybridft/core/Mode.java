package org.hybridft.core;

/** The two ways QEMU's COLO replication can run a fault-tolerant VM. */
public enum Mode {
  /**
   * Active/active, coarse-grained lock-stepping: primary and secondary both execute, their
   * network output is compared, and a checkpoint is taken when the outputs diverge (and on a
   * periodic timer). Low latency on deterministic workloads; checkpoints as often as replies
   * diverge on non-deterministic ones.
   */
  COLO,
  /**
   * Active/passive (Remus-like): checkpoints at a fixed period, output held until the next
   * checkpoint commits. Checkpoint rate independent of the workload, latency up to one period.
   */
  CHECKPOINT
}
