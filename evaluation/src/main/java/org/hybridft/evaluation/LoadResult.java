package org.hybridft.evaluation;

/**
 * What a {@link LoadGenerator} measured. Every arrival ends as exactly one of {@code correct},
 * {@code wrongReplies}, {@code errors} or {@code timeouts}. Latencies are those of the correct
 * replies, from the arrival's scheduled instant (not the moment the request was sent, so a late
 * generator cannot hide queueing) to the last byte of the reply; all 0 when there was none.
 *
 * @param arrivals requests the Poisson process scheduled
 * @param correct replies with status 200 and the expected body prefix
 * @param wrongReplies complete replies with another status or another body
 * @param errors connections refused, reset or closed before a complete reply, malformed replies,
 *     and arrivals that found every connection slot busy
 * @param timeouts requests without a complete reply within the request timeout
 * @param latencyMeanMs mean latency of the correct replies
 * @param latencyP50Ms median
 * @param latencyP99Ms 99th percentile
 * @param latencyP999Ms 99.9th percentile
 * @param latencyMaxMs the largest
 * @param bytesSent bytes of the requests written to the connections
 * @param bytesReceived bytes of the replies read from the connections, headers included
 */
public record LoadResult(
    long arrivals,
    long correct,
    long wrongReplies,
    long errors,
    long timeouts,
    double latencyMeanMs,
    double latencyP50Ms,
    double latencyP99Ms,
    double latencyP999Ms,
    double latencyMaxMs,
    long bytesSent,
    long bytesReceived) {

  /** The client traffic: request and reply bytes, both ways. */
  public long clientBytes() {
    return bytesSent + bytesReceived;
  }

  /** Whether every arrival got a correct reply. */
  public boolean allCorrect() {
    return correct == arrivals;
  }
}
