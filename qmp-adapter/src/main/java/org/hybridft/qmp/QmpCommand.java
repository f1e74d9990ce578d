package org.hybridft.qmp;

import java.util.Objects;

/**
 * One QMP command of a {@link ModeRecipe}: {@code {"execute": name, "arguments": arguments}}.
 *
 * @param name the command name
 * @param arguments its arguments, a JSON object; {@link QmpValue#EMPTY_OBJECT} for none
 */
public record QmpCommand(String name, QmpValue arguments) {
  /** Validates the name and the arguments. */
  public QmpCommand {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a QMP command needs a name, was '" + name + "'");
    }
    Objects.requireNonNull(arguments, "arguments");
    if (!arguments.isObject()) {
      throw new IllegalArgumentException("the arguments of QMP command " + name + " must be an object, was "
          + arguments);
    }
  }

  /** A command without arguments. */
  public static QmpCommand of(String name) {
    return new QmpCommand(name, QmpValue.EMPTY_OBJECT);
  }
}
