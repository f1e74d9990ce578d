package org.hybridft.qmp;

import java.util.List;

/**
 * QEMU's greeting: {@code {"QMP": {"version": {"qemu": {"major": ..}, "package": ..},
 * "capabilities": [..]}}}.
 *
 * @param major QEMU's major version, -1 when the greeting did not say
 * @param minor QEMU's minor version, -1 when the greeting did not say
 * @param micro QEMU's micro version, -1 when the greeting did not say
 * @param packageVersion the distribution's package version string, possibly empty
 * @param capabilities the optional protocol capabilities offered (none are enabled by this client)
 */
public record QmpGreeting(
    int major, int minor, int micro, String packageVersion, List<String> capabilities) {

  /** Copies the capabilities list. */
  public QmpGreeting {
    capabilities = List.copyOf(capabilities);
  }

  /** The version as {@code major.minor.micro}. */
  public String version() {
    return major + "." + minor + "." + micro;
  }
}
