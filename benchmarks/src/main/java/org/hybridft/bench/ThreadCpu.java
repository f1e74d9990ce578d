package org.hybridft.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU time of every live thread at one instant, by thread id, with each thread's group: its
 * name without a trailing number ({@code hybrid-ft-agent-loop-2} is in {@code
 * hybrid-ft-agent-loop}).
 */
final class ThreadCpu {
  private final Map<Long, Long> nanosById = new HashMap<>();
  private final Map<Long, String> groupById = new HashMap<>();

  private ThreadCpu() {}

  /** Every live thread's CPU time now. */
  static ThreadCpu now() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ThreadCpu snapshot = new ThreadCpu();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue; // ended since the ids were listed
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      if (nanos >= 0) {
        snapshot.nanosById.put(info.getThreadId(), nanos);
        snapshot.groupById.put(info.getThreadId(), info.getThreadName().replaceAll("[-#]?\\d+$", ""));
      }
    }
    return snapshot;
  }

  /**
   * Each group's CPU time since {@code before} over {@code wallNanos}, by group name (groups under
   * 0.001 % left out); a thread started since counts from zero, a thread ended since is missing.
   */
  Map<String, Double> shareSince(ThreadCpu before, long wallNanos) {
    Map<String, Double> shares = new TreeMap<>();
    nanosById.forEach((id, nanos) -> {
      long used = nanos - before.nanosById.getOrDefault(id, 0L);
      shares.merge(groupById.get(id), (double) used / wallNanos, Double::sum);
    });
    shares.values().removeIf(share -> share < 0.00001);
    return shares;
  }
}
