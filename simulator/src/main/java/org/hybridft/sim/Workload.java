package org.hybridft.sim;

import java.util.List;
import java.util.Objects;
import org.hybridft.core.ParameterCheck;

/**
 * What runs inside the replicated VM: a sequence of {@link Phase phases} served by a number of
 * worker threads.
 *
 * <p>A {@code cyclic} workload repeats its phases for as long as the run lasts; otherwise its last
 * phase holds from its start to the end of the run, whatever its duration says (as the last row of
 * a trace does).
 *
 * @param name a short name, used in tables, file names and the CSV {@code workload} column
 * @param description one line for humans
 * @param servers worker threads serving requests in parallel (the VM serves nothing during a
 *     checkpoint pause), {@code >= 1}
 * @param requestKb the mean size of one request in kB (10^3 bytes): the input COLO mirrors to the
 *     secondary, {@code >= 0}
 * @param phases at least one phase
 * @param cyclic whether the phases repeat
 */
public record Workload(
    String name,
    String description,
    int servers,
    double requestKb,
    List<Phase> phases,
    boolean cyclic) {

  /** Validates and copies the phase list. */
  public Workload {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    ParameterCheck.atLeast("servers", servers, 1);
    ParameterCheck.atLeast("requestKb", requestKb, 0.0);
    phases = List.copyOf(phases);
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("phases must hold at least one phase, was empty");
    }
  }

  /** A copy under another name (and the same description). */
  public Workload named(String newName) {
    return new Workload(newName, description, servers, requestKb, phases, cyclic);
  }
}
