package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hybridft.controllers.ControllerDescriptor;
import org.hybridft.controllers.ControllerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The help a new user reads first: no formatting warnings, whole sentences, honest synopses. */
class HelpTextTest {
  @TempDir Path dir;

  private static List<CommandSpec> commands() {
    CommandLine root = HybridFt.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<CommandSpec> specs = new ArrayList<>();
    specs.add(root.getCommandSpec());
    root.getSubcommands().values().forEach(sub -> specs.add(sub.getCommandSpec()));
    return specs;
  }

  @Test
  void everyDescriptionFormatsWithoutAPicocliWarning() {
    // picocli formats descriptions with String.format and falls back, with a WARN, when that fails.
    for (CommandSpec command : commands()) {
      for (String line : command.usageMessage().description()) {
        assertThatCode(() -> String.format(Locale.ROOT, line)).as(command.name() + ": " + line)
            .doesNotThrowAnyException();
      }
      for (OptionSpec option : command.options()) {
        for (String line : option.description()) {
          assertThatCode(() -> String.format(Locale.ROOT, line)).as(command.name() + " " + option.longestName())
              .doesNotThrowAnyException();
        }
      }
    }
  }

  @Test
  void everyCommandSummaryInTheMainHelpIsAWholeSentence() {
    for (CommandSpec command : commands()) {
      String[] description = command.usageMessage().description();
      assertThat(description).as(command.name()).isNotEmpty();
      assertThat(description[0]).as(command.name()).endsWith(".");
    }
  }

  @Test
  void everyRegisteredParameterIsAnOptionOfEachCommandThatTakesControllerParameters() {
    List<String> keys = new ArrayList<>();
    for (ControllerDescriptor<?> controller : ControllerRegistry.installed().descriptors()) {
      controller.parameters().forEach(parameter -> {
        keys.add(parameter.key());
        keys.addAll(parameter.aliases());
      });
    }
    for (CommandSpec command : commands()) {
      if (!List.of("simulate", "compare", "run", "evaluate").contains(command.name())) {
        continue;
      }
      for (String key : keys) {
        OptionSpec option = command.findOption("--" + key);
        assertThat(option).as(command.name() + " --" + key).isNotNull();
        assertThat(option.description()[0]).as(command.name() + " --" + key).contains(": ");
      }
      assertThat(command.findOption("--passive-period").description()[0])
          .isEqualTo("orbit: deprecated, use --checkpoint-period");
      assertThat(command.findOption("--checkpoint-period").description()[0])
          .contains("checkpoint, threshold, pi, orbit, learning", "default 500ms; orbit 250ms");
    }
  }

  @Test
  void aKeyThatControllersReadWithDifferentMeaningsGivesEachMeaning() {
    String help = ControllerOptions.describe("early-exit");

    assertThat(help).contains("pi: a COLO period above this times the set point")
        .contains("learning: a COLO period costing more than this");
    // One meaning shared by all its readers is said once.
    assertThat(ControllerOptions.describe("min-dwell")).startsWith("pi, learning: shortest time in one mode");
  }

  @Test
  void simulateRunsWithoutControllerAsItsSynopsisSays() {
    CommandOutcome help = CommandOutcome.run("simulate", "--help");
    assertThat(help.out()).contains("[--controller=C]");

    CommandOutcome outcome =
        CommandOutcome.run("simulate", "--minutes", "0.05", "--runs", "1", "--no-plots", "--out",
            dir.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("threshold");
  }

  @Test
  void compareAndEvaluateShareTheControllerOptionsButEachKeepsItsDefaultList() {
    String evaluate = CommandOutcome.run("evaluate", "--help").out().replaceAll("\\s+", " ");
    String compare = CommandOutcome.run("compare", "--help").out().replaceAll("\\s+", " ");

    assertThat(evaluate).contains("(default [checkpoint, colo, threshold, pi, learning])");
    assertThat(compare).contains("(default [" + String.join(", ", ControllerRegistry.builtIn().names()) + "])");
  }
}
