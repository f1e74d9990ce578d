package org.hybridft.agent;

import java.util.List;

/**
 * A configuration that cannot be used: every mistake found, one line each naming the key, the
 * value and what is allowed. The message is the source's name followed by the lines.
 */
public final class AgentConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The mistakes, one line each. */
  private final List<String> errors;

  /**
   * @param source the file or other source the configuration came from
   * @param errors the mistakes, one line each, at least one
   */
  public AgentConfigException(String source, List<String> errors) {
    super(source + ": " + errors.size() + (errors.size() == 1 ? " mistake" : " mistakes") + "\n  "
        + String.join("\n  ", errors));
    this.errors = List.copyOf(errors);
  }

  /** The mistakes, one line each. */
  public List<String> errors() {
    return errors;
  }
}
