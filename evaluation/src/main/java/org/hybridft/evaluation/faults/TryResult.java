package org.hybridft.evaluation.faults;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link FaultTry} found.
 *
 * @param index the try's number in its campaign
 * @param kind the fault
 * @param seed the try's seed (moment, load)
 * @param injected whether the fault was injected (a kill timed to a switch needs one to happen)
 * @param moment when and how it struck, in words ("12.3 s after the start, during a checkpoint")
 * @param expectedFailover what COLO's documentation calls for
 * @param failover what the failover watch did
 * @param failoverReason what the watch saw, empty without a failover
 * @param failedSteps failover steps QEMU refused
 * @param acknowledged writes the clients saw acknowledged, all checked on the survivor
 * @param lost acknowledged writes missing from the survivor or holding another value, as "id value"
 * @param writesFailed writes sent but not acknowledged
 * @param serveAgainMillis from the fault to the first acknowledgement of a write sent after it; NaN
 *     when none came
 * @param serviceAnswers whether the survivor answered {@code /cgi-bin/deterministic} and its log
 * @param loopExpected what the loop should have reported
 * @param loopStates the loop's states, in order
 * @param loopEndReason the reason of its ENDED, null if it did not end
 * @param loopFailSafe why it entered FAIL_SAFE, null if it did not
 * @param loopErrors how many errors it reported
 * @param loopSwitches mode switches before the end
 * @param loopRight whether its report matches {@code loopExpected}
 * @param leftovers threads or processes still alive after the try's clean-up
 * @param problem why the try itself failed (the pair did not start, ...), null if it ran
 * @param seconds how long the try took
 */
public record TryResult(
    int index,
    FaultKind kind,
    long seed,
    boolean injected,
    String moment,
    Failover expectedFailover,
    Failover failover,
    String failoverReason,
    List<String> failedSteps,
    int acknowledged,
    List<String> lost,
    long writesFailed,
    double serveAgainMillis,
    boolean serviceAnswers,
    String loopExpected,
    String loopStates,
    @Nullable String loopEndReason,
    @Nullable String loopFailSafe,
    int loopErrors,
    int loopSwitches,
    boolean loopRight,
    List<String> leftovers,
    @Nullable String problem,
    double seconds) {

  /** Copies the lists. */
  public TryResult {
    failedSteps = List.copyOf(failedSteps);
    lost = List.copyOf(lost);
    leftovers = List.copyOf(leftovers);
  }

  /** Whether the watch failed over as COLO's documentation says. */
  public boolean failoverRight() {
    return failover == expectedFailover;
  }

  /**
   * Whether the try passed: it ran, the fault struck, nothing acknowledged was lost, the service
   * answers, the failover and the loop's report were right, nothing was left running.
   */
  public boolean passed() {
    return problem == null && injected && lost.isEmpty() && serviceAnswers && failoverRight() && loopRight
        && leftovers.isEmpty();
  }
}
