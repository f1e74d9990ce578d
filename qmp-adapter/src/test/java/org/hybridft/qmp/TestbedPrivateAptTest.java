package org.hybridft.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * testbed/private-apt.sh downloads the testbed's packages from the Debian mirror this machine's apt
 * already uses (a company or offline mirror as well as any), or from the one the user names.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TestbedPrivateAptTest {
  @TempDir Path dir;

  /** Sources private-apt.sh with {@code dir/etc} as apt's configuration and prints its choice. */
  private String mirrors(Map<String, String> environment) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c",
        "cache=\"$1\"; . \"$2\"; if private_apt_mirrors; then"
            + " echo \"$private_apt_mirror|$private_apt_security_mirror|$private_apt_mirror_origin\";"
            + " else echo \"error: $private_apt_error\"; fi",
        "bash", dir.resolve("cache").toString(), Testbed.scripts().resolve("private-apt.sh").toString());
    builder.environment().remove("HYBRIDFT_DEBIAN_MIRROR");
    builder.environment().remove("HYBRIDFT_DEBIAN_SECURITY_MIRROR");
    builder.environment().put("HYBRIDFT_APT_ETC", dir.resolve("etc").toString());
    builder.environment().putAll(environment);
    Process process = builder.redirectErrorStream(true).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(process.getInputStream().readAllBytes()).strip();
  }

  private void write(String name, String text) throws Exception {
    Path file = dir.resolve("etc").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  @Test
  void deb822SourcesGiveTheArchiveAndTheSecurityMirrorAndSayWhichFile() throws Exception {
    write("sources.list.d/other.sources", """
        Types: deb
        URIs: http://packages.example.com/node
        Suites: nodistro
        Components: main
        """);
    write("sources.list.d/debian.sources", """
        Types: deb
        # a comment
        URIs: http://mirror.example.com/debian/
        Suites: bookworm bookworm-updates
        Components: main
        Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

        Types: deb
        URIs: http://mirror.example.com/debian-security
        Suites: bookworm-security
        Components: main
        """);

    assertThat(mirrors(Map.of())).isEqualTo("http://mirror.example.com/debian"
        + "|http://mirror.example.com/debian-security"
        + "|http://mirror.example.com/debian from " + dir.resolve("etc/sources.list.d/debian.sources")
        + ", security http://mirror.example.com/debian-security from "
        + dir.resolve("etc/sources.list.d/debian.sources"));
  }

  @Test
  void oneLineSourcesListWithOptionsAndADisabledStanzaIsSkipped() throws Exception {
    write("sources.list.d/off.sources", """
        Types: deb
        URIs: http://disabled.example.com/debian
        Suites: bookworm
        Enabled: no
        """);
    write("sources.list", """
        # deb http://commented.example.com/debian bookworm main
        deb-src http://src-only.example.com/debian bookworm main
        deb [arch=amd64 signed-by=/k.gpg] http://offline.example.org/debian bookworm main contrib
        """);

    assertThat(mirrors(Map.of())).startsWith("http://offline.example.org/debian|none|")
        .endsWith("from " + dir.resolve("etc/sources.list") + ", no security source");
  }

  @Test
  void theVariablesOverrideTheMachinesConfiguration() throws Exception {
    write("sources.list", "deb http://mirror.example.com/debian bookworm main\n");

    assertThat(mirrors(Map.of("HYBRIDFT_DEBIAN_MIRROR", "file:///srv/mirror/debian/",
            "HYBRIDFT_DEBIAN_SECURITY_MIRROR", "none")))
        .startsWith("file:///srv/mirror/debian|none|HYBRIDFT_DEBIAN_MIRROR=file:///srv/mirror/debian");
  }

  @Test
  void noDebianArchiveIsOneLineNamingWhereItLookedAndTheVariable() throws Exception {
    write("sources.list.d/node.list", "deb http://packages.example.com/node nodistro main\n");

    assertThat(mirrors(Map.of())).startsWith("error: no Debian archive in " + dir.resolve("etc"))
        .contains("HYBRIDFT_DEBIAN_MIRROR=URI").doesNotContain("\n");
  }
}
