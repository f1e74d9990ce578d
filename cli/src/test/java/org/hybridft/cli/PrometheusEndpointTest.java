package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The --prometheus endpoint: where it binds, and that no client can hold it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrometheusEndpointTest {
  @Test
  void aBarePortBindsLoopbackOnlyAndAHostIsTakenAsGiven() {
    assertThat(PrometheusEndpoint.parse("9400").getHostString()).isEqualTo("127.0.0.1");
    assertThat(PrometheusEndpoint.parse("9400").getPort()).isEqualTo(9400);
    assertThat(PrometheusEndpoint.parse("0.0.0.0:9400").getHostString()).isEqualTo("0.0.0.0");
    assertThat(PrometheusEndpoint.parse("[::1]:9400").getHostString()).isEqualTo("::1");
    assertThatThrownBy(() -> PrometheusEndpoint.parse("99999"))
        .isInstanceOf(UsageException.class).hasMessageContaining("--prometheus 99999");
  }

  @Test
  void clientsThatSendHalfARequestLineDoNotBlockTheNextScrape() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(PrometheusEndpoint.parse("127.0.0.1:0"), "127.0.0.1:0")) {
      endpoint.registry().counter("hybridft_test_scrapes").increment();
      URI url = URI.create(endpoint.url());
      // More stalled clients than handler threads: each holds one until its request times out.
      for (int i = 0; i < 2 * PrometheusEndpoint.HANDLERS; i++) {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
        OutputStream out = socket.getOutputStream();
        out.write("GET /metr".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        stalled.add(socket);
      }

      HttpResponse<String> scrape = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(4 * PrometheusEndpoint.REQUEST_SECONDS)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).contains("hybridft_test_scrapes_total 1.0");
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }
}
