package org.hybridft.qmp;

/**
 * One property of a QOM object, as {@code qom-get}/{@code qom-set} address it.
 *
 * @param path the object's path, such as {@code /objects/m0}
 * @param name the property's name, such as {@code status}
 */
public record QomProperty(String path, String name) {
  /** Validates both parts. */
  public QomProperty {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("a QOM path must start with '/', was '" + path + "'");
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a QOM property needs a name, was '" + name + "'");
    }
  }

  @Override
  public String toString() {
    return path + "." + name;
  }
}
