package org.hybridft.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.hybridft.controllers.ControllerRegistry;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  private static final ControllerRegistry REGISTRY = ControllerRegistry.builtIn();

  @Test
  void defaultsNeedOnlyTheSockets() {
    AgentConfig config = AgentConfig.parse("discovery.sockets = /run/vms/*.qmp\n", REGISTRY);

    assertThat(config.socketGlobs()).containsExactly("/run/vms/*.qmp");
    assertThat(config.discoveryInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.metricsAddress()).hasValueSatisfying(address -> {
      assertThat(address.getHostString()).isEqualTo("127.0.0.1");
      assertThat(address.getPort()).isEqualTo(9400);
    });
    assertThat(config.stopMode()).isEqualTo(AgentConfig.StopMode.CHECKPOINT);
    VmSettings settings = config.settingsFor("any-vm");
    assertThat(settings.controller().controller()).isEqualTo("threshold");
    assertThat(settings.recipe()).isEqualTo("auto");
    assertThat(settings.period()).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings.failSafeMode()).isEqualTo(Mode.CHECKPOINT);
    assertThat(settings.failSafeHold()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void libvirtDomainsMayBeTheOnlySourceWithNameGlobAndMetadataNamespace() {
    AgentConfig config = AgentConfig.parse(String.join("\n",
        "discovery.libvirt.uri = qemu:///system?socket=/run/libvirt/libvirt-sock",
        "discovery.libvirt.domains = web-*",
        "discovery.libvirt.metadata = https://example.org/colo/1"), REGISTRY);

    assertThat(config.socketGlobs()).isEmpty();
    assertThat(config.libvirt()).contains(new AgentConfig.Libvirt("qemu:///system?socket=/run/libvirt/libvirt-sock",
        "web-*", java.util.Optional.of("https://example.org/colo/1")));
    assertThat(AgentConfig.parse("discovery.libvirt.uri = qemu:///system", REGISTRY).libvirt())
        .hasValueSatisfying(libvirt -> {
          assertThat(libvirt.domains()).isEqualTo("*");
          assertThat(libvirt.metadata()).isEmpty();
        });
    assertThat(AgentConfig.parse("discovery.sockets = /run/*.qmp", REGISTRY).libvirt()).isEmpty();
  }

  @Test
  void libvirtMistakesNameTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> AgentConfig.parse(String.join("\n",
        "discovery.libvirt.uri = system",
        "discovery.libvirt.domains = vms/web",
        "discovery.libvirt.metadata = colo"), REGISTRY))
        .isInstanceOfSatisfying(AgentConfigException.class, e -> assertThat(e.errors()).containsExactlyInAnyOrder(
            "discovery.libvirt.uri = system: must be a libvirt URI such as qemu:///system or"
                + " qemu:///system?socket=/run/libvirt/libvirt-sock",
            "discovery.libvirt.domains = vms/web: must be a glob over domain names such as * or web-*, without '/'",
            "discovery.libvirt.metadata = colo: must be an absolute URI naming the metadata element's namespace,"
                + " such as https://example.org/colo/1"));
    assertThatThrownBy(() -> AgentConfig.parse("metrics.listen = off", REGISTRY))
        .isInstanceOfSatisfying(AgentConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "discovery.sockets: missing; give the QMP sockets to supervise as globs, e.g. discovery.sockets ="
                + " /run/hybrid-ft/vms/*.qmp, or a libvirt daemon's domains with discovery.libvirt.uri = qemu:///system"));
    assertThatThrownBy(() -> AgentConfig.parse(String.join("\n",
        "discovery.sockets = /run/*.qmp",
        "discovery.libvirt.domains = web-*"), REGISTRY))
        .isInstanceOfSatisfying(AgentConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "discovery.libvirt.domains = web-*: needs discovery.libvirt.uri, the daemon whose domains it selects"));
  }

  @Test
  void aVmScopeOverridesTheDefaultsAndDefaultParametersApplyOnlyToControllersThatReadThem() {
    AgentConfig config = AgentConfig.parse(String.join("\n",
        "discovery.sockets = /run/a/*.qmp, /run/{b,c}/*.qmp",
        "metrics.listen = off",
        "vm.*.controller = threshold",
        "vm.*.threshold-cps = 3",
        "vm.*.set-point = 2.5",
        "vm.*.period = 500ms",
        "vm.web.1.controller = pi",
        "vm.web.1.fail-safe-mode = colo"), REGISTRY);

    assertThat(config.socketGlobs()).containsExactly("/run/a/*.qmp", "/run/{b,c}/*.qmp");
    assertThat(config.metricsAddress()).isEmpty();
    assertThat(config.settingsFor("other").controller().toProperties()).containsEntry("threshold-cps", "3.0");
    VmSettings web = config.settingsFor("web.1");
    assertThat(web.controller().controller()).isEqualTo("pi");
    assertThat(web.controller().toProperties()).containsEntry("set-point", "2.5");
    assertThat(web.period()).isEqualTo(Duration.ofMillis(500));
    assertThat(web.failSafeMode()).isEqualTo(Mode.COLO);
    assertThat(config.namedVms()).containsExactly("web.1");
  }

  @Test
  void everyMistakeIsReportedOnItsOwnLineWithKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> AgentConfig.parse(String.join("\n",
        "discovery.interval = soon",
        "log.format = xml",
        "stop.mode = paused",
        "metrics.listen = 99999",
        "vm.*.controller = magic",
        "vm.*.alpha = -1",
        "vm.*.frobnicate = 1",
        "colour = blue"), REGISTRY))
        .isInstanceOfSatisfying(AgentConfigException.class, e -> {
          assertThat(e.errors()).hasSize(9);
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .startsWith("discovery.interval = soon: ").contains("unknown unit"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .isEqualTo("log.format = xml: allowed: text, json"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .isEqualTo("stop.mode = paused: allowed: checkpoint, colo, leave"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .startsWith("metrics.listen = 99999: expected [HOST:]PORT"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .startsWith("vm.*.controller = magic: unknown controller 'magic' (known: checkpoint, colo, threshold"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line).startsWith("vm.*.alpha = -1: "));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .startsWith("vm.*.frobnicate = 1: unknown key 'frobnicate'").contains("threshold-cps"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .startsWith("colour = blue: unknown key").contains("discovery.sockets"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line).startsWith("discovery.sockets: missing"));
          assertThat(e.getMessage()).startsWith("the configuration: 9 mistakes\n  ");
        });
  }

  @Test
  void aVmScopesParameterMustBeOneItsControllerReads() {
    assertThatThrownBy(() -> AgentConfig.parse(String.join("\n",
        "discovery.sockets = /run/a/*.qmp",
        "vm.db.controller = pi",
        "vm.db.threshold-cps = 2"), REGISTRY))
        .isInstanceOfSatisfying(AgentConfigException.class, e -> assertThat(e.errors()).singleElement()
            .asString().startsWith("vm.db.*: controller pi has no parameter 'threshold-cps'"));
  }

  @Test
  void aRecipeIsABuiltInNameOrAReadableFile() {
    assertThatThrownBy(() -> AgentConfig.parse(
        "discovery.sockets = /a/*\nvm.*.recipe = mirror-pasive\n", REGISTRY))
        .isInstanceOfSatisfying(AgentConfigException.class, e -> assertThat(e.errors()).singleElement()
            .isEqualTo("vm.*.recipe = mirror-pasive: allowed: auto, mirror-passive, checkpoint-delay or a"
                + " readable JSON recipe file"));
    assertThat(AgentConfig.parse("discovery.sockets = /a/*\nvm.x.recipe = checkpoint-delay\n", REGISTRY)
        .settingsFor("x").recipe()).isEqualTo("checkpoint-delay");
  }

  @Test
  void relativeGlobsAndInvertedBackoffsAreRefused() {
    assertThatThrownBy(() -> AgentConfig.parse(String.join("\n",
        "discovery.sockets = vms/*.qmp",
        "reattach.backoff = 10s",
        "reattach.max-backoff = 1s"), REGISTRY))
        .isInstanceOfSatisfying(AgentConfigException.class, e -> {
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .isEqualTo("discovery.sockets = vms/*.qmp: 'vms/*.qmp' is not absolute; globs start with /"));
          assertThat(e.errors()).anySatisfy(line -> assertThat(line)
              .startsWith("reattach.max-backoff = 1s: must be >= reattach.backoff (10s)"));
        });
  }

  @Test
  void settingsAreEqualExactlyWhenTheyWouldDriveTheVmTheSameWay() {
    AgentConfig before = AgentConfig.parse("discovery.sockets = /a/*\nvm.x.alpha = 3\n", REGISTRY);
    AgentConfig same = AgentConfig.parse("discovery.sockets = /a/*\nvm.x.alpha = 3.0\nvm.y.alpha = 4\n", REGISTRY);
    AgentConfig changed = AgentConfig.parse("discovery.sockets = /a/*\nvm.x.alpha = 4\n", REGISTRY);

    assertThat(same.settingsFor("x")).isEqualTo(before.settingsFor("x"));
    assertThat(changed.settingsFor("x")).isNotEqualTo(before.settingsFor("x"));
    assertThat(same.settingsFor("z")).isEqualTo(before.settingsFor("z"));
  }
}
