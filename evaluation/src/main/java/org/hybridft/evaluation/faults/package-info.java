/**
 * The fault campaign: a COLO pair of the testbed under a load of acknowledged writes, with a
 * control loop switching its modes, broken by one fault at a random moment ({@link
 * org.hybridft.evaluation.faults.FaultKind}); a {@link org.hybridft.evaluation.faults.FailoverWatch}
 * fails over where COLO's documentation says to, and each {@link
 * org.hybridft.evaluation.faults.FaultTry} checks that every acknowledged write is on the
 * survivor, that the service answers, and that the loop reported what happened. A {@link
 * org.hybridft.evaluation.faults.CampaignReport} adds the tries up.
 */
@NullMarked
package org.hybridft.evaluation.faults;

import org.jspecify.annotations.NullMarked;
