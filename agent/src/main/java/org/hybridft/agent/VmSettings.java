package org.hybridft.agent;

import java.time.Duration;
import java.util.Objects;
import org.hybridft.controllers.ControllerConfiguration;
import org.hybridft.core.Mode;

/**
 * How the agent drives one VM: its controller with its parameters, the recipe that applies modes,
 * the control period and the fail-safe. What {@link AgentConfig#settingsFor(String)} resolves for
 * a VM from the {@code vm.*.} defaults and the VM's own {@code vm.NAME.} keys; two settings are
 * equal when they would drive the VM the same way, which is how a reload tells the VMs it must
 * restart from those it leaves running.
 *
 * @param controller the controller and its parameters ({@code controller} and its parameter keys)
 * @param recipe {@code auto}, {@code mirror-passive}, {@code checkpoint-delay} or a JSON recipe
 *     file ({@code recipe})
 * @param coloIdlePeriod COLO's timer period in COLO mode for the built-in recipes ({@code
 *     colo-idle-period})
 * @param period the control period ({@code period})
 * @param failSafeMode the mode held when QEMU cannot be steered ({@code fail-safe-mode})
 * @param failSafeHold how long the fail-safe mode is held before control resumes ({@code
 *     fail-safe-hold})
 */
public record VmSettings(
    ControllerConfiguration<?> controller,
    String recipe,
    Duration coloIdlePeriod,
    Duration period,
    Mode failSafeMode,
    Duration failSafeHold) {

  /** Checks that nothing is null and the durations are positive (the hold may be zero). */
  public VmSettings {
    Objects.requireNonNull(controller, "controller");
    Objects.requireNonNull(recipe, "recipe");
    Objects.requireNonNull(failSafeMode, "failSafeMode");
    if (coloIdlePeriod.isNegative() || coloIdlePeriod.isZero()) {
      throw new IllegalArgumentException("coloIdlePeriod must be > 0, was " + coloIdlePeriod);
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be > 0, was " + period);
    }
    if (failSafeHold.isNegative()) {
      throw new IllegalArgumentException("failSafeHold must be >= 0, was " + failSafeHold);
    }
  }
}
