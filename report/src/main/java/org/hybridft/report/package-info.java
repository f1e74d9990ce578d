/**
 * The results of a comparison of mode controllers and their report: {@link
 * org.hybridft.report.RunResult runs} grouped into a {@link org.hybridft.report.ComparisonResult},
 * {@link org.hybridft.report.Estimate estimates} and {@link org.hybridft.report.Regret regret}
 * across runs, the {@link org.hybridft.report.ResultTable tables}, {@link
 * org.hybridft.report.ResultsCsv results.csv} and the {@link org.hybridft.report.ComparisonPlot
 * plots}, written together by {@link org.hybridft.report.ComparisonReport}. The simulator and the
 * real-pair evaluation both report through it.
 */
@NullMarked
package org.hybridft.report;

import org.jspecify.annotations.NullMarked;
