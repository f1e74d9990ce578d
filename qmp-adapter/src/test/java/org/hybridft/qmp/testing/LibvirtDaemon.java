package org.hybridft.qmp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hybridft.qmp.RealQemuTools;
import org.hybridft.qmp.Testbed;
import org.jspecify.annotations.Nullable;

/**
 * A libvirt daemon of the test's own (Debian's {@code libvirtd}, started by {@code
 * testbed/libvirt.sh} with its sockets in the test's folder) and the domains the test creates on
 * it with {@code virsh}, all stopped on {@link #close()}. Tests that need it skip, with the reason,
 * where libvirt is not installed or the test does not run as root; under {@code CI=true} they fail.
 */
public final class LibvirtDaemon implements AutoCloseable {
  /** The metadata namespace the tests mark COLO domains with. */
  public static final String TEST_NAMESPACE = "https://hybrid-ft.org/ns/test/1";

  private final Path dir;
  private final String uri;
  private final Set<String> domains = new LinkedHashSet<>();
  private final Set<String> defined = new LinkedHashSet<>();

  private LibvirtDaemon(Path dir, String uri) {
    this.dir = dir;
    this.uri = uri;
  }

  /** Starts a daemon with its files in {@code dir} (keep the path short: it holds unix sockets). */
  public static LibvirtDaemon start(Path dir) throws IOException, InterruptedException {
    RealQemuTools.assumeOnPath("testbed/install-deps.sh installs libvirt-daemon and libvirt-clients", "virsh");
    if (!Files.isExecutable(Path.of("/usr/sbin/libvirtd"))) {
      RealQemuTools.skipOrFail("/usr/sbin/libvirtd is not installed (testbed/install-deps.sh installs it)");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      RealQemuTools.skipOrFail("libvirt's QEMU driver needs root here; the test runs as "
          + System.getProperty("user.name"));
    }
    Testbed.Outcome started = Testbed.run(
        List.of(Testbed.scripts().resolve("libvirt.sh").toString(), "start", "--dir", dir.toString()), 90);
    if (started.exitCode() != 0) {
      throw new IllegalStateException("testbed/libvirt.sh start failed: " + started.output().strip());
    }
    String uri = started.output().strip().lines().reduce((first, last) -> last).orElseThrow();
    return new LibvirtDaemon(dir, uri);
  }

  /**
   * The testbed's QEMU, the domains' emulator; skips the calling test where it is not built (fails
   * under {@code CI=true}).
   */
  public static Path testbedQemu() {
    return Testbed.assumeBuilt();
  }

  /**
   * Skips the calling test with {@code problem} as its reason, or fails it under {@code CI=true}
   * (where {@code .ci/run} installs libvirt): for tests that need only libvirt's client library.
   */
  public static void skipOrFail(String problem) {
    RealQemuTools.skipOrFail(problem);
  }

  /** The daemon's URI. */
  public String uri() {
    return uri;
  }

  /** Runs {@code virsh -c URI args...}; its output, or an exception with it when it fails. */
  public String virsh(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
    command.addAll(List.of(args));
    Testbed.Outcome outcome = Testbed.run(command, 60);
    if (outcome.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + outcome.output().strip());
    }
    return outcome.output();
  }

  /** Creates (starts) a transient domain from {@code xml}; destroyed on {@link #close()}. */
  public void create(String name, String xml) throws IOException, InterruptedException {
    Path file = dir.resolve(name + ".xml");
    Files.writeString(file, xml);
    domains.add(name);
    virsh("create", file.toString());
  }

  /**
   * Defines a persistent domain from {@code xml} and starts it; {@link #start} starts it again
   * after a {@link #destroy}, as the same domain with a new id. Undefined on {@link #close()}.
   */
  public void defineAndStart(String name, String xml) throws IOException, InterruptedException {
    Path file = dir.resolve(name + ".xml");
    Files.writeString(file, xml);
    defined.add(name);
    domains.add(name);
    virsh("define", file.toString());
    start(name);
  }

  /** Starts the defined domain {@code name}. */
  public void start(String name) throws IOException, InterruptedException {
    virsh("start", name);
  }

  /** Destroys (stops) the domain: its QEMU is killed, as an orchestrator's destroy does. */
  public void destroy(String name) throws IOException, InterruptedException {
    virsh("destroy", name);
  }

  /**
   * A domain with no disk and no network that runs {@code emulator} under TCG, marked with a
   * metadata element in {@code namespace} (none when null): a QEMU that is not a COLO primary.
   */
  public static String plainDomain(String name, Path emulator, @Nullable String namespace) {
    return "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <memory unit='MiB'>64</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        // Without <acpi/> libvirt 9.0 passes -no-acpi, which QEMU 10 no longer knows.
        + "  <features><acpi/></features>\n"
        + (namespace == null ? "" : "  <metadata><t:colo xmlns:t='" + namespace + "'/></metadata>\n")
        + "  <devices><emulator>" + emulator + "</emulator></devices>\n"
        + "  <qemu:commandline>\n"
        + "    <qemu:arg value='-L'/><qemu:arg value='/usr/share/seabios'/>\n"
        + "    <qemu:arg value='-L'/><qemu:arg value='/usr/share/qemu'/>\n"
        + "  </qemu:commandline>\n"
        + "</domain>\n";
  }

  /** Destroys the domains the test created that still run, and stops the daemon. */
  @Override
  public void close() throws IOException, InterruptedException {
    for (String name : domains) {
      Testbed.run(List.of("virsh", "-q", "-c", uri, "destroy", name), 60);
    }
    for (String name : defined) {
      Testbed.run(List.of("virsh", "-q", "-c", uri, "undefine", name), 60);
    }
    Testbed.Outcome stopped = Testbed.run(
        List.of(Testbed.scripts().resolve("libvirt.sh").toString(), "stop", "--dir", dir.toString()), 60);
    if (stopped.exitCode() != 0) {
      throw new IllegalStateException("testbed/libvirt.sh stop failed: " + stopped.output().strip());
    }
  }
}
