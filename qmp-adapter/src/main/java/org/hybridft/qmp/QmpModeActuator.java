package org.hybridft.qmp;

import java.util.Map;
import java.util.Objects;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeActuator;
import org.hybridft.core.ReplicationEndedException;

/**
 * Applies modes to a QEMU COLO primary over QMP by a {@link ModeRecipe}, then reads {@code
 * query-migrate-parameters} and the recipe's QOM properties ({@code qom-get}) back and verifies
 * what the recipe expects. It decides nothing.
 *
 * <p>Failures, as the {@link org.hybridft.core.ControlLoop} expects them: a lost connection throws
 * {@link ReplicationEndedException} (whose cause is the {@link QmpProtocolException} when a
 * protocol error closed it); an error reply, a timeout or a read-back mismatch throw the
 * {@link QmpException} (a read-back mismatch is a {@link QmpStateException}), which the loop
 * retries and then meets with its fail-safe. Each command waits at most the client's command timeout.
 */
public final class QmpModeActuator implements ModeActuator {
  private static final long NANOS_PER_MILLI = 1_000_000;

  private final QmpClient client;
  private final ModeRecipe recipe;

  /**
   * @param client a connection to the COLO primary's QMP monitor
   * @param recipe how modes are applied
   */
  public QmpModeActuator(QmpClient client, ModeRecipe recipe) {
    this.client = Objects.requireNonNull(client, "client");
    this.recipe = Objects.requireNonNull(recipe, "recipe");
  }

  /** The recipe in use. */
  public ModeRecipe recipe() {
    return recipe;
  }

  /**
   * Sends the recipe's commands for {@code mode} and verifies the read-back.
   *
   * @param checkpointPeriodNanos rounded to the nearest millisecond, at least 1 ms; the recipe
   *     rejects a period beyond what QEMU accepts
   * @throws ReplicationEndedException when the QMP connection is closed
   * @throws QmpException when QEMU refused a command or did not answer in time
   * @throws QmpStateException when a migrate parameter or a QOM property reads back other than
   *     expected
   */
  @Override
  public void apply(Mode mode, long checkpointPeriodNanos) {
    Objects.requireNonNull(mode, "mode");
    if (checkpointPeriodNanos <= 0) {
      throw new IllegalArgumentException(
          "checkpointPeriodNanos must be > 0, was " + checkpointPeriodNanos);
    }
    // Rounded without adding first: a huge period must not overflow into a tiny one.
    long periodMillis = Math.max(1, checkpointPeriodNanos / NANOS_PER_MILLI
        + (checkpointPeriodNanos % NANOS_PER_MILLI >= NANOS_PER_MILLI / 2 ? 1 : 0));
    try {
      for (QmpCommand command : recipe.commands(mode, periodMillis)) {
        client.call(command.name(), command.arguments());
      }
      Map<String, QmpValue> expected = recipe.expectedMigrateParameters(mode, periodMillis);
      if (!expected.isEmpty()) {
        verify(mode, expected, client.call("query-migrate-parameters", null));
      }
      for (Map.Entry<QomProperty, QmpValue> property : recipe.expectedProperties(mode, periodMillis).entrySet()) {
        QomProperty where = property.getKey();
        QmpValue read = client.call("qom-get", Map.of("path", where.path(), "property", where.name()));
        if (!property.getValue().sameValue(read)) {
          throw new QmpStateException("after applying " + mode + " with recipe " + recipe.name()
              + ", " + where + " reads " + read + ", expected " + property.getValue());
        }
      }
    } catch (QmpConnectionClosedException lost) {
      Throwable broken = lost.getCause() instanceof QmpConnectionClosedException closed
          ? closed.getCause() : lost.getCause();
      if (broken instanceof QmpProtocolException protocol) {
        throw new ReplicationEndedException(
            QmpCheckpointCounter.protocolErrorReason(client, protocol), protocol);
      }
      throw new ReplicationEndedException("QMP connection lost: " + lost.getMessage(), lost);
    }
  }

  private void verify(Mode mode, Map<String, QmpValue> expected, QmpValue actual) {
    for (Map.Entry<String, QmpValue> entry : expected.entrySet()) {
      QmpValue read = actual.path(entry.getKey());
      if (!entry.getValue().sameValue(read)) {
        throw new QmpStateException(
            "after applying " + mode + " with recipe " + recipe.name() + ", migrate parameter "
                + entry.getKey() + " reads " + (read.isMissing() ? "nothing" : read) + ", expected "
                + entry.getValue());
      }
    }
  }

  @Override
  public String toString() {
    return "QmpModeActuator[" + recipe.name() + " on " + client.peer() + "]";
  }
}
