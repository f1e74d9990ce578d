package org.hybridft.evaluation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hybridft.report.RunResult;
import org.jspecify.annotations.Nullable;

/**
 * What {@link PairEvaluation#evaluate} did: every run it completed and how the evaluation ended.
 *
 * @param outcome how it ended
 * @param runs the runs in the order they ran; after {@link Outcome#REPLICATION_ENDED} the last is
 *     the run during which the replication ended
 * @param timelineCsv each completed run's control periods as CSV, header included: controller,
 *     run, seconds, mode, checkpoints per second and the resource asked for then
 * @param resetFailure after {@link Outcome#INTERRUPTED}, why the pair could not be put back into
 *     COLO, null when it is back
 */
public record PairEvaluationResult(
    Outcome outcome, List<PairEvaluation.RealRun> runs, String timelineCsv, @Nullable String resetFailure) {

  /** How an evaluation ended. */
  public enum Outcome {
    /** Every controller ran every run; the pair is back in COLO. */
    COMPLETED,
    /** The stop latch opened; the pair was put back into COLO (see {@link #resetFailure()}). */
    INTERRUPTED,
    /** The replication ended during the last run (COLO_EXIT, QEMU gone). */
    REPLICATION_ENDED
  }

  /** Copies the runs. */
  public PairEvaluationResult {
    Objects.requireNonNull(outcome, "outcome");
    runs = List.copyOf(runs);
    Objects.requireNonNull(timelineCsv, "timelineCsv");
  }

  /** What each run measured, in the order they ran. */
  public List<RunResult> results() {
    return runs.stream().map(PairEvaluation.RealRun::result).toList();
  }

  /** Each controller's first run's control periods, for the plot. */
  public Map<String, ModeTimeline> firstTimelines() {
    Map<String, ModeTimeline> first = new LinkedHashMap<>();
    for (PairEvaluation.RealRun run : runs) {
      first.putIfAbsent(run.result().controller(), run.timeline());
    }
    return first;
  }
}
