package org.hybridft.controllers;

import org.hybridft.core.Mode;

/**
 * The research's proportional-integral hybrid: a set-point {@code sp} (checkpoints per second)
 * against the measured rate gives ρ, the share of the next duty window spent in {@link
 * Mode#COLO}; the rest of the window runs {@link Mode#CHECKPOINT}.
 *
 * <p>Discretised for the control period {@code T}: at every update
 *
 * <pre>
 *   e = sp − cps
 *   I = clamp(I + e·Δt, 0, 1/ki)         // clamping anti-windup
 *   ρ = clamp(kp·e + ki·I, 0, 1)
 * </pre>
 *
 * <p>Δt is the time since the previous update ({@code T} itself when the loop runs at the
 * configured period; {@code controlPeriod} for the first update, whose interval is unknown), so
 * the integral stays right if the loop's period differs from the config's. The duty window is
 * counted in updates.
 *
 * <p><b>Anti-windup</b> is by clamping the integral term {@code ki·I} to ρ's own range [0, 1]:
 * the integral can never hold more than the whole output range, so once the error changes sign
 * the output leaves saturation within one period (if {@code kp > 0}, at once). A measured rate
 * above sp lowers ρ (more checkpoint mode), below sp raises it (more COLO).
 *
 * <p><b>Duty cycle.</b> Time is cut into windows of {@code dutyWindowPeriods} periods; at the
 * start of each window, ρ is turned into a whole number of COLO periods {@code k = round(ρ·N)},
 * and the window runs COLO for its first k periods, then CHECKPOINT. A COLO or CHECKPOINT part
 * shorter than {@code minDwell} is rounded to zero or up to {@code minDwell}, and in any case no
 * switch happens sooner than {@code minDwell} after the previous one.
 *
 * <p><b>The set point follows the checkpoint period</b> with {@code setPointCps} 0 (the default):
 * {@code 1.25/checkpointPeriod}, a quarter above checkpoint mode's own rate, so checkpoint mode's
 * rate always gives the small positive error that brings COLO back to probe, and COLO is kept
 * only while it costs less than a quarter more than checkpoint mode. A fixed 2.5 cps suits a
 * 500 ms period only: at 1 s it kept a COLO that checkpointed twice as often as checkpoint mode
 * (1.43x checkpoint mode's downtime ratio on the calibrated testbed model's non-deterministic
 * service; 1.03x with the rule).
 *
 * <p>Note that the rate measured in CHECKPOINT mode is the checkpoint mode's own rate
 * ({@code 1/checkpointPeriod}), so with {@code sp} above it the integral slowly returns time to
 * COLO, which is how the controller notices a workload that became deterministic. The first
 * update's sample is used like any other. Starts in COLO with ρ = 1.
 *
 * <p><b>Extension: probe back-off</b> ({@code probeBackoff}, {@code maxProbeBackoff}; not in the
 * research). While in CHECKPOINT mode the integral gains {@code e·Δt / b} instead of {@code
 * e·Δt}, where the back-off b starts at 1, is multiplied by {@code probeBackoff} after each COLO
 * stretch (judged when it ends, or at the end of each duty window it fills) whose mean rate was
 * above {@code sp}, up to {@code maxProbeBackoff}, and divided by it after a whole duty window
 * of COLO at or below {@code sp} (a probe of a few periods is too noisy to count as good), down to
 * 1; a bad COLO stretch also divides the integral by {@code probeBackoff},
 * so the COLO credit wound up while COLO was good is not spent in a hundred seconds of mixed
 * windows. The reason: the research's rule holds the set point, so on a workload
 * whose COLO rate is above {@code sp} (and checkpoint mode's below) it settles on a mix of the
 * two modes that costs more than checkpoint mode alone, with two switches in every duty window
 * (355 switches in 30 minutes on {@code bugzilla}). With the back-off, the COLO probes there
 * become exponentially rarer, as the threshold controller's checkpoint stretches grow, and a
 * workload that turns deterministic is probed at least every {@code maxProbeBackoff} times the
 * research's interval. {@code probeBackoff} 1 turns it off.
 *
 * <p><b>Extension: early exit</b> ({@code earlyExitFactor}; not in the research). A COLO period
 * whose rate exceeds {@code earlyExitFactor · sp} ends the COLO part at once (even before
 * {@code minDwell}), empties the integral and counts as a bad COLO stretch for the back-off. Such
 * a rate is no noise around the set point: on a highly non-deterministic workload the guest is
 * paused nearly all the time in COLO and requests queue, and an integral wound up during a
 * deterministic stretch would otherwise buy several more windows of that. {@code
 * Double.POSITIVE_INFINITY} turns it off.
 *
 * <p><b>Extension: fast return</b> ({@code fastReturnFactor}; not in the research). A COLO part
 * about to end (its planned periods done, {@code minDwell} passed) whose mean rate is below
 * {@code sp / fastReturnFactor} fills the integral and goes on in COLO for the rest of the
 * window, so the next windows are all COLO. The reason: after a non-deterministic stretch the
 * integral is near zero and the research's rule needs {@code 1/ki} seconds of evidence to give
 * COLO back its whole window (on {@code bursty}, a minute and a half of mixed windows after every
 * burst, with two switches in each), although a probe that far below the set point already shows
 * COLO is the cheaper mode again. {@code Double.POSITIVE_INFINITY} turns it off.
 * <p><b>Extension: learnt episodes</b> ({@code learnEpisodes}; not in the research). Beside the
 * integral's own returns, COLO is probed around the learnt end of a non-deterministic episode, as
 * the {@link ThresholdController} does ({@link EpisodeProbes}). A learnt probe that fails leaves
 * the integral and back-off as they were, so it never delays the integral's own return; a COLO
 * period after a switch below the fast-return rate ends the episode and, once a length is
 * learnt, gives COLO its whole window with the back-off forgotten.
 */
public final class PiController extends ConfiguredController<PiConfig> {

  /** The PI controller in the {@link ControllerRegistry}, named {@code pi}. */
  public static final ControllerDescriptor<PiConfig> DESCRIPTOR =
      ControllerDescriptor.ofRecord(
          "pi",
          "the research's proportional-integral hybrid with a duty cycle",
          PiConfig.class,
          PiConfig.PARAMETERS,
          PiController::new);

  /** The shortest interval between two probes of learnt episodes, as the threshold controller's stretch. */
  private static final long MIN_PROBE_INTERVAL_NANOS = 5_000_000_000L;

  private final double setPointCps;
  private final double kp;
  private final double ki;
  private final int dutyWindowPeriods;
  private final double periodSeconds;
  private final double integralLimit;
  private final long minDwellNanos;
  private final int minDwellPeriods;
  private final double probeBackoff;
  private final double maxProbeBackoff;
  private final double earlyExitCps;
  private final double fastReturnCps;

  private final boolean learnEpisodes;
  private final EpisodeProbes episodes;

  private long probeAtNanos;
  private boolean judged;
  private boolean forcedProbe;
  private double integralBeforeProbe;
  private double backoffBeforeProbe;
  private double integral;
  private double backoff;
  private double coloCpsSum;
  private int coloSamples;
  private double coloShare;
  private int periodInWindow;
  private int coloPeriodsInWindow;
  private long modeStartNanos;

  /** A controller with {@link PiConfig#defaults()}. */
  public PiController() {
    this(PiConfig.defaults());
  }

  /** A controller with the given parameters. */
  public PiController(PiConfig config) {
    super(Mode.COLO, config, PiConfig::checkpointPeriod);
    this.setPointCps = setPointCps(config);
    this.kp = config.kp();
    this.ki = config.ki();
    this.dutyWindowPeriods = config.dutyWindowPeriods();
    this.periodSeconds = config.controlPeriod().toNanos() / 1e9;
    this.integralLimit = 1.0 / config.ki();
    this.minDwellNanos = config.minDwell().toNanos();
    long periodNanos = config.controlPeriod().toNanos();
    this.minDwellPeriods = (int) Math.min(Integer.MAX_VALUE, (minDwellNanos + periodNanos - 1) / periodNanos);
    this.probeBackoff = config.probeBackoff();
    this.maxProbeBackoff = Math.max(1.0, config.maxProbeBackoff());
    this.earlyExitCps = config.earlyExitFactor() * setPointCps;
    this.fastReturnCps = setPointCps / config.fastReturnFactor();
    this.learnEpisodes = config.learnEpisodes();
    this.episodes = new EpisodeProbes(
        Math.max(minDwellNanos, MIN_PROBE_INTERVAL_NANOS), Long.MAX_VALUE, 1e9 / checkpointPeriodNanos());
    resetState();
  }

  @Override
  protected Mode decide(long nowNanos, double checkpointsPerSecond, boolean first) {
    // Clamps by Math.min/max rather than branches: the rates fed are irregular, and branches
    // on them mispredict often on the hot path.
    double error = setPointCps - checkpointsPerSecond;
    // The measured interval, so a loop whose period differs from the configured one still
    // integrates correctly; the configured period for the first update, whose interval is unknown.
    double dt = first ? periodSeconds : elapsedNanos() * 1e-9;
    Mode current = mode();
    boolean inColo = current == Mode.COLO;
    // The back-off slows only the growth earned in checkpoint mode, whose rate says nothing new.
    double gain = !inColo && error > 0 ? dt / backoff : dt;
    integral = Math.max(0.0, Math.min(integral + error * gain, integralLimit));
    boolean earlyExit = inColo && !first && checkpointsPerSecond > earlyExitCps;
    if (earlyExit) {
      integral = 0;
    }
    coloShare = Math.max(0.0, Math.min(kp * error + ki * integral, 1.0));
    if (inColo && !first) {
      coloCpsSum += checkpointsPerSecond;
      coloSamples++;
      if (!judged && checkpointsPerSecond < fastReturnCps) {
        // The first period of a COLO stretch this cheap ends a non-deterministic episode: COLO
        // gets its whole window, and the back-off the episode built is forgotten.
        episodes.onGood(modeStartNanos, checkpointsPerSecond);
        forcedProbe = false;
        if (learnEpisodes && episodes.learnt()) {
          integral = integralLimit;
          backoff = 1;
          coloPeriodsInWindow = dutyWindowPeriods;
          periodInWindow = 0;
        }
      }
      judged = true;
    }

    if (++periodInWindow >= dutyWindowPeriods) {
      periodInWindow = 0;
      judgeColoStretch();
      coloPeriodsInWindow = coloPeriods(coloShare);
    }
    if (first) {
      modeStartNanos = nowNanos;
    }
    if (earlyExit) {
      judgeColoStretch();
      // No more COLO in this window: the rest of it runs checkpoint mode.
      coloPeriodsInWindow = Math.min(coloPeriodsInWindow, periodInWindow);
      restoreAfterFailedProbe();
      enterCheckpoint(nowNanos, checkpointsPerSecond);
      modeStartNanos = nowNanos;
      return Mode.CHECKPOINT;
    }
    Mode wanted = periodInWindow < coloPeriodsInWindow ? Mode.COLO : Mode.CHECKPOINT;
    if (!inColo && wanted == Mode.CHECKPOINT && nowNanos >= probeAtNanos && !first) {
      // A probe of a learnt episode's end: COLO for the rest of the window, judged by its first period.
      wanted = Mode.COLO;
      coloPeriodsInWindow = dutyWindowPeriods;
      forcedProbe = true;
      integralBeforeProbe = integral;
      backoffBeforeProbe = backoff;
    }
    if (wanted == current || first) {
      return wanted;
    }
    if (nowNanos - modeStartNanos < minDwellNanos) {
      return current;
    }
    if (inColo) {
      if (coloSamples > 0 && coloCpsSum < fastReturnCps * coloSamples) {
        integral = integralLimit;
        coloPeriodsInWindow = dutyWindowPeriods;
        judgeColoStretch();
        return Mode.COLO;
      }
      judgeColoStretch();
      restoreAfterFailedProbe();
      enterCheckpoint(nowNanos, checkpointsPerSecond);
    } else {
      judged = false;
      probeAtNanos = Long.MAX_VALUE;
    }
    modeStartNanos = nowNanos;
    return wanted;
  }

  /**
   * A failed probe of a learnt episode's end leaves the integral and back-off as they were: the
   * probe was the learnt rule's, not the integral's, and must not delay the integral's own return.
   */
  private void restoreAfterFailedProbe() {
    if (forcedProbe) {
      integral = integralBeforeProbe;
      backoff = backoffBeforeProbe;
      forcedProbe = false;
    }
  }

  /**
   * Leaving COLO at {@code nowNanos}, its last period at {@code cps}: a bad judgement for the
   * learnt episodes, and the time of their next probe (none before a length is learnt).
   */
  private void enterCheckpoint(long nowNanos, double cps) {
    probeAtNanos = learnEpisodes ? episodes.probeAfterBad(nowNanos, modeStartNanos, cps) : Long.MAX_VALUE;
  }

  /** Grows or shrinks the back-off by the COLO periods seen since the last judgement. */
  private void judgeColoStretch() {
    if (coloSamples == 0) {
      return;
    }
    if (coloCpsSum > setPointCps * coloSamples) {
      backoff = Math.min(maxProbeBackoff, backoff * probeBackoff);
      integral /= probeBackoff;
    } else if (coloSamples >= dutyWindowPeriods) {
      // Only a whole window of good COLO counts: a probe of a few periods is too noisy to lower
      // the back-off (bugzilla's 3 cps read at most 2.5 over two periods nearly half the time).
      backoff = Math.max(1.0, backoff / probeBackoff);
    }
    coloCpsSum = 0;
    coloSamples = 0;
  }

  /** Whole COLO periods for a window, with parts shorter than minDwell rounded away. */
  private int coloPeriods(double share) {
    int window = config().dutyWindowPeriods();
    int colo = (int) Math.round(share * window);
    if (colo > 0 && colo < window) {
      // Only a part of the window can be too short; whole windows merge with their neighbours.
      if (colo < minDwellPeriods) {
        colo = 2 * colo >= minDwellPeriods ? minDwellPeriods : 0;
      }
      int checkpoint = window - colo;
      if (colo > 0 && checkpoint > 0 && checkpoint < minDwellPeriods) {
        colo = 2 * checkpoint >= minDwellPeriods ? window - minDwellPeriods : window;
      }
    }
    return Math.max(0, Math.min(window, colo));
  }

  @Override
  protected void resetState() {
    integral = integralLimit;
    coloShare = 1;
    periodInWindow = 0;
    coloPeriodsInWindow = config().dutyWindowPeriods();
    modeStartNanos = 0;
    backoff = 1;
    coloCpsSum = 0;
    coloSamples = 0;
    probeAtNanos = Long.MAX_VALUE;
    judged = true;
    forcedProbe = false;
    integralBeforeProbe = 0;
    backoffBeforeProbe = 1;
    episodes.reset();
  }

  /** The probe back-off b dividing the integral's growth in checkpoint mode, {@code >= 1}. */
  public double backoff() {
    return backoff;
  }

  /**
   * ρ: the share of the next duty window the controller wants in COLO, in [0, 1]; for plots and
   * diagnostics.
   */
  public double coloShare() {
    return coloShare;
  }

  /** The integral state {@code I}, in cps·seconds, within [0, 1/ki]. */
  public double integral() {
    return integral;
  }

  /**
   * The rate held: {@link PiConfig#setPointCps()}, or for 0 a quarter above checkpoint mode's
   * rate, {@code 1.25/checkpointPeriod}.
   */
  public double setPointCps() {
    return setPointCps;
  }

  private static double setPointCps(PiConfig config) {
    if (config.setPointCps() > 0) {
      return config.setPointCps();
    }
    return PiConfig.DEFAULT_SET_POINT_OVER_CHECKPOINT_RATE * 1e9 / config.checkpointPeriod().toNanos();
  }
}
