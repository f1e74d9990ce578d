package org.hybridft.agent;

import java.nio.file.Path;
import java.util.Objects;
import org.hybridft.core.Mode;
import org.jspecify.annotations.Nullable;

/**
 * One discovered QEMU as the agent sees it at one moment.
 *
 * @param socket the QMP socket it was found at
 * @param vm the VM's name (QEMU's {@code -name}, else the socket's path); null until first asked
 * @param state what the agent does with it
 * @param mode the replication mode last applied, null while not attached or not yet applied
 * @param reason why it is in this state, in one line ("attached", the error, the advice)
 */
public record VmStatus(Path socket, @Nullable String vm, State state, @Nullable Mode mode, String reason) {
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
    /** Its socket went away, or the agent stopped: nothing more is done with it. */
    DETACHED
  }

  /** Checks the fields. */
  public VmStatus {
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
  }
}
