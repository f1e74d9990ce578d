/**
 * Controllers evaluated on a live COLO pair: the open-loop {@link
 * org.hybridft.evaluation.LoadGenerator} of HTTP requests for {@link
 * org.hybridft.evaluation.HttpResource resources} a {@link org.hybridft.evaluation.RealWorkload}
 * chooses, and the {@link org.hybridft.evaluation.PairEvaluation} that runs one controller after
 * another on the pair and measures each run from it, as a {@link org.hybridft.report.RunResult}
 * with its {@link org.hybridft.evaluation.ModeTimeline}.
 */
@NullMarked
package org.hybridft.evaluation;

import org.jspecify.annotations.NullMarked;
