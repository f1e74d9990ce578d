package org.hybridft.evaluation.faults;

/** Which failover a {@link FailoverWatch} performed, or should have. */
public enum Failover {
  /** None: the pair goes on as it was (or without its control loop). */
  NONE,
  /** The primary is gone or fenced; the secondary took over (COLO's "Secondary Failover"). */
  TO_SECONDARY,
  /** The secondary is gone or fenced; the primary goes on alone (COLO's "Primary Failover"). */
  PRIMARY_ALONE
}
