package org.hybridft.evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongToIntFunction;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * An open-loop HTTP/1.0 load generator: requests arrive as a Poisson process of a given rate and
 * are sent when they arrive, whether or not earlier ones were answered, so a slow server meets
 * the same load as a fast one (a closed loop would send less to a slow server and flatter it).
 *
 * <p>Each request is a fresh TCP connection ({@code GET path HTTP/1.0}), as the testbed guest's
 * {@code nc}-based server expects; a reply is complete at its {@code Content-Length} or at the
 * end of the connection. See {@link LoadResult} for how each arrival ends. Latencies go into an
 * HdrHistogram (microseconds, three significant digits).
 *
 * <p><b>Threads and allocation.</b> One thread, {@code hybrid-ft-load}, multiplexes every
 * connection with a {@link Selector}; it schedules the arrivals, so none waits for a reply. The
 * connection slots (request and reply buffers) are allocated when the generator is built; per
 * request only the socket and its selection key are created. {@link #close()} ends the arrivals,
 * lets the requests in flight finish within their timeout and returns once the thread has ended.
 *
 * <p>The arrival sequence depends only on the seed, the rate and the duration, so every
 * controller of an evaluation meets the same requests at the same offsets.
 */
public final class LoadGenerator implements AutoCloseable {
  /** The name of the generator's thread. */
  public static final String THREAD_NAME = "hybrid-ft-load";
  /** Reply headers larger than this are counted as errors; the body may be of any size. */
  static final int MAX_HEADER_BYTES = 4096;
  private static final long HIGHEST_LATENCY_MICROS = TimeUnit.HOURS.toMicros(1);
  private static final byte[] HTTP = "HTTP/".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

  private final InetSocketAddress target;
  private final long meanGapNanos;
  private final long durationNanos;
  private final long timeoutNanos;
  private final LongToIntFunction resourceAt;
  private final byte[][] requests;
  private final byte[][] prefixes;
  private final SplittableRandom random;
  private final Selector selector;
  private final Slot[] free;
  private final Slot[] active;
  private final Histogram latencyMicros = new Histogram(HIGHEST_LATENCY_MICROS, 3);
  private final Consumer<SelectionKey> onReady = this::onReady;
  private final Thread thread;
  private volatile boolean stopRequested;
  private volatile @Nullable Throwable failure;

  // Owned by the generator's thread; read by others only after it ended (Thread.join).
  private int freeCount;
  private int activeCount;
  private long startNanos;
  private long arrivals;
  private long correct;
  private long wrongReplies;
  private long errors;
  private long timeouts;
  private long bytesSent;
  private long bytesReceived;

  private LoadGenerator(Builder builder) throws IOException {
    this.target = builder.target;
    this.meanGapNanos = Math.max(1, Math.round(1e9 / builder.ratePerSecond));
    this.durationNanos = builder.duration.toNanos();
    this.timeoutNanos = builder.requestTimeout.toNanos();
    this.resourceAt = builder.resourceAt;
    List<HttpResource> resources = builder.resources;
    this.requests = new byte[resources.size()][];
    this.prefixes = new byte[resources.size()][];
    String host = target.getHostString() + ":" + target.getPort();
    int longest = 0;
    for (int i = 0; i < resources.size(); i++) {
      HttpResource resource = resources.get(i);
      requests[i] = ("GET " + resource.path() + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: hybrid-ft\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      prefixes[i] = resource.expectedBodyPrefix().getBytes(StandardCharsets.US_ASCII);
      longest = Math.max(longest, requests[i].length);
    }
    this.random = new SplittableRandom(builder.seed);
    this.free = new Slot[builder.maxInFlight];
    this.active = new Slot[builder.maxInFlight];
    for (int i = 0; i < free.length; i++) {
      free[i] = new Slot(longest);
    }
    this.freeCount = free.length;
    this.selector = Selector.open();
    this.thread = new Thread(this::run, THREAD_NAME);
    this.thread.setDaemon(true);
  }

  /**
   * Starts a builder for a generator that sends to {@code target}.
   *
   * @param target the HTTP server's address, resolved
   */
  public static Builder to(InetSocketAddress target) {
    return new Builder(target);
  }

  /** Starts the arrivals now. */
  private LoadGenerator start() {
    startNanos = System.nanoTime();
    thread.start();
    return this;
  }

  /**
   * Waits until the arrivals have ended (their duration is over, or {@link #close()} was called)
   * and every request in flight is answered or timed out.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean await(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  /**
   * Ends the arrivals now, lets the requests in flight finish within their timeout, and returns
   * once the generator's thread has ended. Idempotent.
   */
  @Override
  public void close() {
    stopRequested = true;
    selector.wakeup();
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException again) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * What the generator measured; call it after {@link #close()}.
   *
   * @throws IllegalStateException if the generator is still running
   * @throws UncheckedIOException if the generator's selector failed
   */
  public LoadResult result() {
    if (thread.isAlive()) {
      throw new IllegalStateException("the load generator is still running: close() it first");
    }
    Throwable failed = failure;
    if (failed != null) {
      throw failed instanceof IOException io
          ? new UncheckedIOException("the load generator failed: " + io.getMessage(), io)
          : new IllegalStateException("the load generator failed: " + failed, failed);
    }
    boolean any = latencyMicros.getTotalCount() > 0;
    return new LoadResult(arrivals, correct, wrongReplies, errors, timeouts,
        any ? latencyMicros.getMean() / 1e3 : 0,
        any ? latencyMicros.getValueAtPercentile(50) / 1e3 : 0,
        any ? latencyMicros.getValueAtPercentile(99) / 1e3 : 0,
        any ? latencyMicros.getValueAtPercentile(99.9) / 1e3 : 0,
        any ? latencyMicros.getMaxValue() / 1e3 : 0,
        bytesSent, bytesReceived);
  }

  private void run() {
    try {
      long next = startNanos + gap();
      long endOfArrivals = startNanos + durationNanos;
      while (true) {
        long now = System.nanoTime();
        boolean arriving = !stopRequested && now - endOfArrivals < 0;
        if (arriving) {
          while (next - now <= 0 && next - endOfArrivals < 0) {
            launch(next, now);
            next += gap();
          }
          arriving = next - endOfArrivals < 0;
        }
        long earliestDeadline = expire(now);
        if (!arriving && activeCount == 0) {
          return;
        }
        long wakeAt = arriving && (activeCount == 0 || next - earliestDeadline < 0) ? next : earliestDeadline;
        if (arriving && endOfArrivals - wakeAt < 0) {
          wakeAt = endOfArrivals;
        }
        long waitNanos = wakeAt - System.nanoTime();
        if (waitNanos <= 0) {
          selector.selectNow(onReady);
        } else {
          selector.select(onReady, Math.max(1, (waitNanos + 999_999) / 1_000_000));
        }
      }
    } catch (IOException | RuntimeException | Error failed) {
      failure = failed;
    } finally {
      while (activeCount > 0) {
        finish(active[activeCount - 1], Outcome.ERROR, 0);
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // Nothing is left to release.
      }
    }
  }

  /** The gap to the next arrival: exponential with the mean of the rate. */
  private long gap() {
    return Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * meanGapNanos));
  }

  private void launch(long scheduledNanos, long now) {
    arrivals++;
    if (freeCount == 0) {
      // Open loop: an arrival never waits for a connection; with none free it fails at once.
      errors++;
      return;
    }
    Slot slot = free[--freeCount];
    slot.reset(scheduledNanos, now + timeoutNanos, resourceAt.applyAsInt(scheduledNanos - startNanos));
    slot.request.put(requests[slot.resource]).flip();
    slot.index = activeCount;
    active[activeCount++] = slot;
    try {
      SocketChannel channel = SocketChannel.open();
      slot.channel = channel;
      channel.configureBlocking(false);
      boolean connected = channel.connect(target);
      slot.key = channel.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, slot);
    } catch (IOException | RuntimeException refused) {
      finish(slot, Outcome.ERROR, now);
    }
  }

  private void onReady(SelectionKey key) {
    Slot slot = (Slot) key.attachment();
    if (slot == null || slot.key != key || !key.isValid()) {
      return;
    }
    try {
      if (key.isConnectable()) {
        if (!slot.channel.finishConnect()) {
          return;
        }
        key.interestOps(SelectionKey.OP_WRITE);
      }
      if (key.isWritable() || slot.request.hasRemaining()) {
        bytesSent += slot.channel.write(slot.request);
        if (!slot.request.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ);
        }
        return;
      }
      if (key.isReadable()) {
        read(slot);
      }
    } catch (IOException | RuntimeException broken) {
      finish(slot, Outcome.ERROR, System.nanoTime());
    }
  }

  private void read(Slot slot) throws IOException {
    while (true) {
      int n = slot.channel.read(slot.reply);
      if (n == 0) {
        return;
      }
      if (n > 0) {
        bytesReceived += n;
      }
      if (n < 0) {
        // The server closed: complete without a Content-Length, truncated with one.
        boolean complete = slot.headerEnd >= 0 && (slot.contentLength < 0 || slot.bodySeen >= slot.contentLength);
        finish(slot, complete ? slot.verdict() : Outcome.ERROR, System.nanoTime());
        return;
      }
      ByteBuffer reply = slot.reply;
      int from = 0;
      if (slot.headerEnd < 0) {
        int end = headerEnd(reply);
        if (end < 0) {
          if (!reply.hasRemaining()) {
            finish(slot, Outcome.ERROR, System.nanoTime());
            return;
          }
          continue;
        }
        slot.headerEnd = end;
        slot.status = status(reply);
        slot.contentLength = contentLength(reply, end);
        from = end;
      }
      byte[] prefix = prefixes[slot.resource];
      for (int i = from; i < reply.position(); i++) {
        if (slot.bodySeen < prefix.length && reply.get(i) != prefix[(int) slot.bodySeen]) {
          slot.prefixDiffers = true;
        }
        slot.bodySeen++;
      }
      // The headers are parsed and the body's prefix checked: the bytes are no longer needed.
      reply.clear();
      if (slot.contentLength >= 0 && slot.bodySeen >= slot.contentLength) {
        finish(slot, slot.verdict(), System.nanoTime());
        return;
      }
    }
  }

  /** Times out the requests past their deadline; returns the earliest deadline left. */
  private long expire(long now) {
    long earliest = now + timeoutNanos;
    for (int i = activeCount - 1; i >= 0; i--) {
      Slot slot = active[i];
      if (slot.deadlineNanos - now <= 0) {
        finish(slot, Outcome.TIMEOUT, now);
      } else if (slot.deadlineNanos - earliest < 0) {
        earliest = slot.deadlineNanos;
      }
    }
    return earliest;
  }

  private void finish(Slot slot, Outcome outcome, long now) {
    switch (outcome) {
      case CORRECT:
        correct++;
        latencyMicros.recordValue(Math.min(HIGHEST_LATENCY_MICROS, Math.max(0, (now - slot.scheduledNanos) / 1000)));
        break;
      case WRONG:
        wrongReplies++;
        break;
      case TIMEOUT:
        timeouts++;
        break;
      default:
        errors++;
    }
    SocketChannel channel = slot.channel;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing a socket we are done with: nothing to do about a failure.
      }
    }
    slot.channel = null;
    slot.key = null;
    Slot last = active[--activeCount];
    active[slot.index] = last;
    last.index = slot.index;
    active[activeCount] = null;
    free[freeCount++] = slot;
  }

  /** The index after the blank line that ends the headers, or -1 if it has not arrived. */
  private static int headerEnd(ByteBuffer reply) {
    for (int i = 3; i < reply.position(); i++) {
      if (reply.get(i) == '\n' && reply.get(i - 1) == '\r' && reply.get(i - 2) == '\n' && reply.get(i - 3) == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  /** The status code of {@code HTTP/x.y NNN ...}, or -1 if the line is not one. */
  private static int status(ByteBuffer reply) {
    for (int i = 0; i < HTTP.length; i++) {
      if (reply.get(i) != HTTP[i]) {
        return -1;
      }
    }
    int i = HTTP.length;
    while (i < reply.position() && reply.get(i) != ' ') {
      i++;
    }
    int status = 0;
    for (int digit = 1; digit <= 3; digit++) {
      byte b = i + digit < reply.position() ? reply.get(i + digit) : 0;
      if (b < '0' || b > '9') {
        return -1;
      }
      status = status * 10 + (b - '0');
    }
    return status;
  }

  /** The value of the Content-Length header among the headers before {@code end}, or -1. */
  private static long contentLength(ByteBuffer reply, int end) {
    int line = 0;
    while (line < end) {
      boolean matches = line + CONTENT_LENGTH.length <= end;
      for (int k = 0; matches && k < CONTENT_LENGTH.length; k++) {
        byte b = reply.get(line + k);
        matches = (b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b) == CONTENT_LENGTH[k];
      }
      if (matches) {
        int i = line + CONTENT_LENGTH.length;
        while (i < end && reply.get(i) == ' ') {
          i++;
        }
        long value = 0;
        int digits = 0;
        while (i < end && reply.get(i) >= '0' && reply.get(i) <= '9' && digits < 18) {
          value = value * 10 + (reply.get(i) - '0');
          i++;
          digits++;
        }
        return digits == 0 ? -1 : value;
      }
      while (line < end && reply.get(line) != '\n') {
        line++;
      }
      line++;
    }
    return -1;
  }

  private enum Outcome { CORRECT, WRONG, ERROR, TIMEOUT }

  /** One connection's state and buffers, reused from request to request. */
  private final class Slot {
    final ByteBuffer request;
    final ByteBuffer reply = ByteBuffer.allocateDirect(MAX_HEADER_BYTES);
    @Nullable SocketChannel channel;
    @Nullable SelectionKey key;
    int index;
    int resource;
    long scheduledNanos;
    long deadlineNanos;
    int headerEnd;
    int status;
    long contentLength;
    long bodySeen;
    boolean prefixDiffers;

    Slot(int requestCapacity) {
      request = ByteBuffer.allocateDirect(requestCapacity);
    }

    void reset(long scheduled, long deadline, int resourceIndex) {
      if (resourceIndex < 0 || resourceIndex >= requests.length) {
        throw new IllegalStateException("resource index " + resourceIndex + " outside [0, " + requests.length + ")");
      }
      scheduledNanos = scheduled;
      deadlineNanos = deadline;
      resource = resourceIndex;
      request.clear();
      reply.clear();
      headerEnd = -1;
      status = -1;
      contentLength = -1;
      bodySeen = 0;
      prefixDiffers = false;
    }

    Outcome verdict() {
      if (status < 0) {
        return Outcome.ERROR;
      }
      boolean body = !prefixDiffers && bodySeen >= prefixes[resource].length;
      return status == 200 && body ? Outcome.CORRECT : Outcome.WRONG;
    }
  }

  /** Configures a {@link LoadGenerator}; every setter validates its argument. */
  public static final class Builder {
    /** The most connections in flight a generator may be given. */
    public static final int MAX_IN_FLIGHT = 4096;

    private final InetSocketAddress target;
    private double ratePerSecond = 5;
    private Duration duration = Duration.ofMinutes(1);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxInFlight = 256;
    private long seed = 1;
    private List<HttpResource> resources = List.of(HttpResource.DETERMINISTIC);
    private LongToIntFunction resourceAt = elapsed -> 0;

    private Builder(InetSocketAddress target) {
      this.target = Objects.requireNonNull(target, "target");
      if (target.isUnresolved()) {
        throw new IllegalArgumentException("target must be resolved, was " + target);
      }
    }

    /** Mean arrivals per second, in (0, 100000]; default 5. */
    public Builder rate(double perSecond) {
      if (!(perSecond > 0) || perSecond > 100_000) {
        throw new IllegalArgumentException("rate must be > 0 and at most 100000 per second, was " + perSecond);
      }
      this.ratePerSecond = perSecond;
      return this;
    }

    /** How long requests arrive, {@code > 0}; default 1 min. */
    public Builder duration(Duration duration) {
      this.duration = positive("duration", duration);
      return this;
    }

    /** How long a request may wait for its complete reply, {@code > 0}; default 10 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /** Connections in flight at most, in [1, {@value #MAX_IN_FLIGHT}]; default 256. */
    public Builder maxInFlight(int connections) {
      if (connections < 1 || connections > MAX_IN_FLIGHT) {
        throw new IllegalArgumentException(
            "maxInFlight must be between 1 and " + MAX_IN_FLIGHT + ", was " + connections);
      }
      this.maxInFlight = connections;
      return this;
    }

    /** The seed of the arrival process; default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * What to request: {@code resourceAt} maps the arrival's offset from the start (nanoseconds)
     * to an index into {@code resources}; it runs on the generator's thread and must not block.
     * Default: {@link HttpResource#DETERMINISTIC} always.
     */
    public Builder resources(List<HttpResource> resources, LongToIntFunction resourceAt) {
      if (resources.isEmpty()) {
        throw new IllegalArgumentException("resources must hold at least one resource, was empty");
      }
      this.resources = List.copyOf(resources);
      this.resourceAt = Objects.requireNonNull(resourceAt, "resourceAt");
      return this;
    }

    /**
     * Builds the generator and starts its arrivals.
     *
     * @throws UncheckedIOException if no selector can be opened
     */
    public LoadGenerator start() {
      try {
        return new LoadGenerator(this).start();
      } catch (IOException noSelector) {
        throw new UncheckedIOException("cannot open a selector for the load generator", noSelector);
      }
    }

    private static Duration positive(String name, Duration value) {
      if (value == null || value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be > 0, was " + value);
      }
      return value;
    }
  }
}
