package org.hybridft.agent;

import java.util.Objects;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/**
 * One discovered QEMU as the agent sees it at one moment.
 *
 * @param source where it was found: the QMP socket's path, or {@code libvirt:URI#NAME} for a
 *     libvirt domain
 * @param vm the VM's name (QEMU's {@code -name}, else the socket's path or the domain's name);
 *     null until first asked
 * @param state what the agent does with it
 * @param mode the replication mode last applied, null while not attached or not yet applied
 * @param reason why it is in this state, in one line ("attached", the error, the advice)
 */
public record VmStatus(String source, @Nullable String vm, State state, @Nullable Mode mode, String reason) {
  /** What the agent does with a discovered QEMU. */
  public enum State {
    /** Connecting, checking it is a COLO primary, choosing the recipe. */
    ATTACHING,
    /** Its control loop runs. */
    ATTACHED,
    /** Not a COLO primary (or not one that can be counted): left alone, checked again each discovery. */
    NOT_PRIMARY,
    /** Lost or unreachable: attached again after a back-off. */
    WAITING,
    /** It is no longer discovered (socket or domain gone), or the agent stopped: nothing more is done with it. */
    DETACHED
  }

  /** Checks the fields. */
  public VmStatus {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
  }
}
