package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hybridft.qmp.Testbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hybrid-ft run --prometheus} on a real COLO pair of the testbed: a scrape during the run
 * shows the primary's checkpoints per second and mode, tagged with its {@code -name}. Skipped
 * where the testbed's QEMU is not built (failed under {@code CI=true}), as {@link Testbed} does.
 */
@Tag("real-qemu")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunPrometheusOnColoPairTest {
  private static final Pattern CPS =
      Pattern.compile("(?m)^hybridft_checkpoints_per_second\\{vm=\"primary\"} ([0-9.Ee+-]+)$");

  @TempDir Path dir;
  private Testbed pair;

  @BeforeEach
  void startPair() throws Exception {
    pair = Testbed.start(dir, Testbed.Guest.BIOS);
  }

  @AfterEach
  void stopPair() throws Exception {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void aScrapeDuringARunShowsTheCheckpointRateAndModeOfTheNamedVm() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String address = "127.0.0.1:" + port;
    CompletableFuture<CommandOutcome> running = CompletableFuture.supplyAsync(() -> CommandOutcome.run(
        "run", "--qmp", pair.primarySocket().toString(), "--controller", "checkpoint",
        "--checkpoint-period", "200ms", "--duration", "8s", "--prometheus", address));
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://" + address + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build();

    // Scrape until the loop has measured a rate (a few periods in), or the run ends.
    String body = "";
    double cps = 0;
    while (!running.isDone() && cps <= 0) {
      Thread.sleep(500);
      try {
        body = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
      } catch (ConnectException notYetListening) {
        continue;
      }
      Matcher rate = CPS.matcher(body);
      cps = rate.find() ? Double.parseDouble(rate.group(1)) : 0;
    }
    CommandOutcome outcome = running.get(60, TimeUnit.SECONDS);

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(cps).as("a scrape during the run:%n%s%nrun's output:%n%s%s", body, outcome.out(), outcome.err())
        .isPositive();
    assertThat(body).contains("hybridft_mode{mode=\"checkpoint\",vm=\"primary\"} 1.0",
        "hybridft_state{state=\"running\",vm=\"primary\"} 1.0");
    assertThat(outcome.out()).contains("metrics at http://" + address + "/metrics", "vm primary");
  }
}
