package org.hybridft.qmp;

import java.io.IOException;
import java.util.Objects;

/**
 * A COLO primary taken under control over one QMP connection: its {@link QmpCheckpointCounter}
 * and the {@link QmpModeActuator} that applies modes with a {@link ModeRecipe}, the two ports a
 * {@link org.hybridft.core.ControlLoop} needs. {@link #attach} does the three steps every tool
 * does in this order: checks that the QEMU is a primary ({@link ColoPrimaryCheck}), starts
 * counting, then chooses the recipe and makes the actuator.
 *
 * <p>{@link #close()} stops the counter; the connection stays the caller's.
 */
public final class ColoPrimaryControl implements AutoCloseable {
  /** Chooses the recipe once the QEMU is known to be a counting primary. */
  @FunctionalInterface
  public interface RecipeChoice {
    /**
     * The recipe for the primary at {@code client}, such as {@code client ->
     * ModeRecipe.detect(client, idle)}.
     *
     * @throws IOException if a recipe file cannot be read
     */
    ModeRecipe choose(QmpClient client) throws IOException;
  }

  private final QmpCheckpointCounter counter;
  private final QmpModeActuator actuator;

  private ColoPrimaryControl(QmpCheckpointCounter counter, QmpModeActuator actuator) {
    this.counter = counter;
    this.actuator = actuator;
  }

  /**
   * Checks that {@code client}'s QEMU is a COLO primary, starts counting its checkpoints, and
   * makes the actuator with the recipe {@code recipe} chooses.
   *
   * @throws QmpNotColoPrimaryException when the QEMU is not a COLO primary
   * @throws QmpStateException if its {@code events} migration capability is off
   * @throws QmpException if a query failed
   * @throws IOException if the recipe choice could not read its file
   */
  public static ColoPrimaryControl attach(QmpClient client, RecipeChoice recipe) throws IOException {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(recipe, "recipe");
    ColoPrimaryCheck.requirePrimary(client);
    QmpCheckpointCounter counter = QmpCheckpointCounter.attach(client);
    try {
      ModeRecipe chosen = Objects.requireNonNull(recipe.choose(client), "the recipe choice returned null");
      return new ColoPrimaryControl(counter, new QmpModeActuator(client, chosen));
    } catch (IOException | RuntimeException | Error failed) {
      counter.close();
      throw failed;
    }
  }

  /** The primary's checkpoint counter. */
  public QmpCheckpointCounter counter() {
    return counter;
  }

  /** The actuator that applies modes to the primary. */
  public QmpModeActuator actuator() {
    return actuator;
  }

  /** The recipe the actuator applies modes with. */
  public ModeRecipe recipe() {
    return actuator.recipe();
  }

  /** Stops counting; idempotent. The QMP connection stays open. */
  @Override
  public void close() {
    counter.close();
  }
}
