package org.hybridft.qmp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One QMP command of a {@link ModeRecipe}: {@code {"execute": name, "arguments": arguments}}.
 *
 * @param name the command name
 * @param arguments its arguments, an empty object for none
 */
public record QmpCommand(String name, ObjectNode arguments) {
  /** Validates the name. */
  public QmpCommand {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a QMP command needs a name, was '" + name + "'");
    }
    if (arguments == null) {
      arguments = JsonNodeFactory.instance.objectNode();
    }
  }

  /** A command without arguments. */
  public static QmpCommand of(String name) {
    return new QmpCommand(name, JsonNodeFactory.instance.objectNode());
  }
}
