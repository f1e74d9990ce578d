package org.hybridft.evaluation.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An open-loop load of writes to the testbed guest's {@code /cgi-bin/append}: requests arrive as a
 * Poisson process and each is sent when it arrives, to wherever the service is at that moment
 * (the primary's forward, the secondary's after a failover), whether or not earlier ones were
 * answered. Every write has its own slot ({@code id}) and a random value; a write counts as
 * acknowledged only when the reply says it stored exactly that record.
 *
 * <p>Threads: one schedules the arrivals ({@value #THREAD_PREFIX}-arrivals), a bounded pool
 * ({@value #MAX_IN_FLIGHT} at most, {@value #THREAD_PREFIX}-N) sends them; an arrival that finds
 * the pool full is counted as not sent. {@link #close()} ends the arrivals and waits for the
 * requests in flight.
 */
public final class WriteLoad implements AutoCloseable {
  /** The prefix of the load's thread names. */
  public static final String THREAD_PREFIX = "hybrid-ft-fault-writes";
  /** Requests in flight at most. */
  public static final int MAX_IN_FLIGHT = 48;

  private static final Pattern LOG_LINE = Pattern.compile("^(\\d+) ([A-Za-z0-9]+)$", Pattern.MULTILINE);

  private final Supplier<InetSocketAddress> target;
  private final double ratePerSecond;
  private final Duration timeout;
  private final SplittableRandom random;
  private final ThreadPoolExecutor senders;
  private final Thread arrivals;
  private final ConcurrentLinkedQueue<AcknowledgedWrite> acknowledged = new ConcurrentLinkedQueue<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final AtomicLong notSent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean stop;

  private WriteLoad(Supplier<InetSocketAddress> target, double ratePerSecond, long seed, Duration timeout) {
    this.target = target;
    this.ratePerSecond = ratePerSecond;
    this.timeout = timeout;
    this.random = new SplittableRandom(seed);
    AtomicInteger count = new AtomicInteger();
    this.senders = new ThreadPoolExecutor(0, MAX_IN_FLIGHT, 5, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread thread = new Thread(r, THREAD_PREFIX + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.arrivals = new Thread(this::arrive, THREAD_PREFIX + "-arrivals");
    this.arrivals.setDaemon(true);
  }

  /**
   * Starts writing.
   *
   * @param target where the service is now; asked at each arrival
   * @param ratePerSecond mean writes per second, in (0, 100]
   * @param seed of the arrival times and the values
   * @param timeout how long a write may take, connection included
   */
  public static WriteLoad start(Supplier<InetSocketAddress> target, double ratePerSecond, long seed, Duration timeout) {
    if (!(ratePerSecond > 0) || ratePerSecond > 100) {
      throw new IllegalArgumentException("ratePerSecond must be in (0, 100], was " + ratePerSecond);
    }
    WriteLoad load = new WriteLoad(target, ratePerSecond, seed, timeout);
    load.arrivals.start();
    return load;
  }

  private void arrive() {
    long next = System.nanoTime();
    while (!stop) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
        } catch (InterruptedException interrupted) {
          return;
        }
        continue;
      }
      int id = nextId.getAndIncrement();
      String value = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
      try {
        senders.execute(() -> write(id, value));
      } catch (RejectedExecutionException full) {
        notSent.incrementAndGet();
      }
      next += Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * 1e9 / ratePerSecond));
    }
  }

  private void write(int id, String value) {
    InetSocketAddress at = target.get();
    long sent = System.nanoTime();
    try {
      String reply = get(at, "/cgi-bin/append?id=" + id + "&value=" + value, timeout);
      if (reply.startsWith("HTTP/1.0 200") && reply.contains("hybrid-ft testbed: stored " + id + " " + value + "\n")) {
        acknowledged.add(new AcknowledgedWrite(id, value, sent, System.nanoTime(), at.getPort()));
        return;
      }
    } catch (IOException noReply) {
      // Not acknowledged: the client saw no reply, so the write may or may not have happened.
    }
    failed.incrementAndGet();
  }

  /** One {@code GET} on a connection of its own; the whole reply, status line first. */
  static String get(InetSocketAddress at, String path, Duration timeout) throws IOException {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket socket = new Socket()) {
      socket.connect(at, millis);
      socket.setSoTimeout(millis);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: " + at.getHostString() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder reply = new StringBuilder();
      byte[] buffer = new byte[8192];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        reply.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("no complete reply from " + at + path + " within " + timeout);
        }
        socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      return reply.toString();
    }
  }

  /**
   * The records stored in slots {@code [0, slots)} of the guest's disk, read through {@code at}'s
   * {@code /cgi-bin/log}: slot to value.
   *
   * @throws IOException if the guest did not answer, or not with its log
   */
  public static Map<Integer, String> readLog(InetSocketAddress at, int slots, Duration timeout) throws IOException {
    String reply = get(at, "/cgi-bin/log?slots=" + slots, timeout);
    int body = reply.indexOf("\r\n\r\n");
    if (!reply.startsWith("HTTP/1.0 200") || body < 0 || !reply.startsWith("hybrid-ft testbed: log", body + 4)) {
      String first = reply.lines().findFirst().orElse("nothing");
      throw new IOException("GET /cgi-bin/log from " + at + " answered " + first);
    }
    Map<Integer, String> log = new TreeMap<>();
    Matcher line = LOG_LINE.matcher(reply.substring(body + 4));
    while (line.find()) {
      log.put(Integer.parseInt(line.group(1)), line.group(2));
    }
    return log;
  }

  /** The writes acknowledged so far. */
  public List<AcknowledgedWrite> acknowledged() {
    return new ArrayList<>(acknowledged);
  }

  /** The highest id handed out so far. */
  public int maxId() {
    return nextId.get() - 1;
  }

  /**
   * When the first write sent at or after {@code sinceNanos} was acknowledged, as nanoseconds after
   * {@code sinceNanos}; empty if none has been.
   */
  public OptionalLong firstAcknowledgedSince(long sinceNanos) {
    long best = Long.MAX_VALUE;
    for (AcknowledgedWrite write : acknowledged) {
      if (write.sentNanos() - sinceNanos >= 0) {
        best = Math.min(best, write.ackedNanos() - sinceNanos);
      }
    }
    return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
  }

  /** Arrivals that found every sender busy. */
  public long notSent() {
    return notSent.get();
  }

  /** Writes sent but not acknowledged (no reply, an error, a wrong reply). */
  public long failed() {
    return failed.get();
  }

  /** Ends the arrivals and waits for the writes in flight (each bounded by its timeout). */
  @Override
  public void close() throws InterruptedException {
    stop = true;
    arrivals.join(timeout.toMillis() + 1_000);
    senders.shutdown();
    if (!senders.awaitTermination(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
      senders.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d acknowledged, %d failed, %d not sent of %d",
        acknowledged.size(), failed.get(), notSent.get(), maxId());
  }
}
