/**
 * The simulator of a COLO-replicated VM: {@link org.hybridft.sim.Workload workloads} made of
 * {@link org.hybridft.sim.Phase phases}, the {@link org.hybridft.sim.ReplicationModel} of the
 * replication's costs, the {@link org.hybridft.sim.VmSimulator} that runs one controller on one
 * workload, and the {@link org.hybridft.sim.Comparison} of many.
 */
@NullMarked
package org.hybridft.sim;

import org.jspecify.annotations.NullMarked;
