package org.hybridft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hybridft.core.ControlLoop;
import org.hybridft.core.Mode;
import org.junit.jupiter.api.Test;

/** The README's embedding example runs, and the README shows exactly its code. */
class EmbeddingTest {
  @Test
  void exampleRunsAndAppliesTheControllersMode() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    List<Mode> applied = new CopyOnWriteArrayList<>();
    AtomicLong checkpoints = new AtomicLong();
    try (ControlLoop loop =
        Embedding.embed(checkpoints::get, (mode, periodNanos) -> applied.add(mode), scheduler)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (applied.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(applied).containsExactly(Mode.COLO);
      assertThat(loop.appliedMode()).isEqualTo(Mode.COLO);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void readmeShowsExactlyThisExample() throws Exception {
    String source =
        Files.readString(Path.of("src/main/java/org/hybridft/examples/Embedding.java"));
    String example =
        source.substring(
            source.indexOf("// README example begin\n") + "// README example begin\n".length(),
            source.indexOf("    // README example end"));
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(normalise(readme)).contains(normalise(example));
  }

  private static String normalise(String code) {
    return code.lines().map(String::strip).filter(line -> !line.isEmpty()).reduce("", (a, b) -> a + b + "\n");
  }
}
