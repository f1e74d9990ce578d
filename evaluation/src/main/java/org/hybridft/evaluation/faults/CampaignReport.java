package org.hybridft.evaluation.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * What a fault campaign found, per kind of fault: tries, failovers (and those that were not the
 * one COLO's documentation calls for), acknowledged writes checked and lost, the time to serve
 * again (p50, p99, max, from an HdrHistogram in milliseconds), and every try where the loop's
 * report was wrong, something was left running, or the try itself failed.
 *
 * <p>{@link #write(Path, String)} writes {@code report.md}, {@code tries.csv} (one row per try) and
 * {@code report.json} (the summary and every try).
 */
public final class CampaignReport {
  private static final long MAX_MILLIS = 3_600_000;

  private final List<TryResult> tries;

  /** A report of these tries. */
  public CampaignReport(List<TryResult> tries) {
    this.tries = List.copyOf(tries);
  }

  /** The tries, in order. */
  public List<TryResult> tries() {
    return tries;
  }

  /**
   * One kind's figures.
   *
   * @param kind the fault
   * @param tries how many were run
   * @param injected in how many the fault struck
   * @param failovers how many ended in a failover
   * @param wrongFailovers how many failed over other than COLO's documentation says
   * @param acknowledged acknowledged writes checked on the survivors
   * @param lost acknowledged writes missing there
   * @param serviceDown tries where the survivor did not answer
   * @param serveAgainP50Ms median time to serve again, NaN without one
   * @param serveAgainP99Ms its 99th percentile
   * @param serveAgainMaxMs its maximum
   * @param wrongLoopReports tries where the loop's report was wrong
   * @param leftovers tries that left a thread or process
   * @param problems tries that failed to run
   */
  public record KindSummary(FaultKind kind, int tries, int injected, int failovers, int wrongFailovers,
      long acknowledged, long lost, int serviceDown, double serveAgainP50Ms, double serveAgainP99Ms,
      double serveAgainMaxMs, int wrongLoopReports, int leftovers, int problems) {}

  /** The figures per kind, for the kinds tried, in the enum's order. */
  public List<KindSummary> summaries() {
    Map<FaultKind, List<TryResult>> byKind = new EnumMap<>(FaultKind.class);
    for (TryResult t : tries) {
      byKind.computeIfAbsent(t.kind(), k -> new ArrayList<>()).add(t);
    }
    List<KindSummary> summaries = new ArrayList<>();
    for (Map.Entry<FaultKind, List<TryResult>> entry : byKind.entrySet()) {
      Histogram serveAgain = new Histogram(MAX_MILLIS, 3);
      int injected = 0;
      int failovers = 0;
      int wrongFailovers = 0;
      long acknowledged = 0;
      long lost = 0;
      int serviceDown = 0;
      int wrongLoop = 0;
      int leftovers = 0;
      int problems = 0;
      for (TryResult t : entry.getValue()) {
        if (t.problem() != null) {
          problems++;
        }
        if (!t.injected()) {
          continue;
        }
        injected++;
        failovers += t.failover() == Failover.NONE ? 0 : 1;
        wrongFailovers += t.failoverRight() ? 0 : 1;
        acknowledged += t.acknowledged();
        lost += t.lost().size();
        serviceDown += t.serviceAnswers() ? 0 : 1;
        wrongLoop += t.loopRight() ? 0 : 1;
        leftovers += t.leftovers().isEmpty() ? 0 : 1;
        if (!Double.isNaN(t.serveAgainMillis())) {
          serveAgain.recordValue(Math.min(MAX_MILLIS, Math.max(0, Math.round(t.serveAgainMillis()))));
        }
      }
      boolean any = serveAgain.getTotalCount() > 0;
      summaries.add(new KindSummary(entry.getKey(), entry.getValue().size(), injected, failovers, wrongFailovers,
          acknowledged, lost, serviceDown,
          any ? serveAgain.getValueAtPercentile(50) : Double.NaN,
          any ? serveAgain.getValueAtPercentile(99) : Double.NaN,
          any ? serveAgain.getMaxValue() : Double.NaN,
          wrongLoop, leftovers, problems));
    }
    return summaries;
  }

  /** Acknowledged writes lost over the whole campaign. */
  public long lost() {
    return tries.stream().mapToLong(t -> t.lost().size()).sum();
  }

  /** The report as markdown; {@code command} is the command that made it. */
  public String markdown(String command) {
    StringBuilder md = new StringBuilder();
    long acknowledged = tries.stream().mapToLong(TryResult::acknowledged).sum();
    long passed = tries.stream().filter(TryResult::passed).count();
    md.append("# Fault campaign\n\n");
    md.append("```\n").append(command).append("\n```\n\n");
    md.append(String.format(Locale.ROOT, "%d tries, %d passed every check; %d acknowledged writes checked on the "
        + "survivors, %d lost.%n%n", tries.size(), passed, acknowledged, lost()));
    md.append("| fault | tries | struck | failovers | wrong failovers | acked writes | lost | service down "
        + "| serve again p50 ms | p99 ms | max ms | wrong loop reports | left running | failed to run |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (KindSummary s : summaries()) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s | %d | %d | %d |%n",
          s.kind().label(), s.tries(), s.injected(), s.failovers(), s.wrongFailovers(), s.acknowledged(), s.lost(),
          s.serviceDown(), millis(s.serveAgainP50Ms()), millis(s.serveAgainP99Ms()), millis(s.serveAgainMaxMs()),
          s.wrongLoopReports(), s.leftovers(), s.problems()));
    }
    md.append("\nWhat each fault is and what must follow it:\n\n");
    md.append("| fault | what | failover expected | loop must report |\n|---|---|---|---|\n");
    for (KindSummary s : summaries()) {
      FaultKind k = s.kind();
      md.append("| ").append(k.label()).append(" | ").append(k.description()).append(" | ")
          .append(k.expectedFailover().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" | ")
          .append(k.expectedLoopOutcome().text()).append(" |\n");
    }
    List<TryResult> notPassed = tries.stream().filter(t -> !t.passed()).toList();
    md.append("\n## Tries that did not pass every check\n\n");
    if (notPassed.isEmpty()) {
      md.append("None.\n");
    }
    for (TryResult t : notPassed) {
      md.append(String.format(Locale.ROOT, "- try %d, %s (seed %d), %s:", t.index(), t.kind().label(), t.seed(),
          t.moment()));
      if (t.problem() != null) {
        md.append(" failed to run: ").append(firstLine(t.problem())).append(';');
      }
      if (!t.injected()) {
        md.append(" the fault did not strike;");
      }
      if (!t.lost().isEmpty()) {
        md.append(" lost ").append(t.lost()).append(';');
      }
      if (!t.serviceAnswers()) {
        md.append(" the survivor did not answer;");
      }
      if (!t.failoverRight()) {
        md.append(" failover ").append(t.failover()).append(" (").append(t.failoverReason()).append("), expected ")
            .append(t.expectedFailover()).append(';');
      }
      if (!t.loopRight()) {
        md.append(" the loop reported ").append(loopReport(t)).append(", expected ").append(t.loopExpected())
            .append(';');
      }
      if (!t.leftovers().isEmpty()) {
        md.append(" left ").append(t.leftovers()).append(';');
      }
      md.setLength(md.length() - 1);
      md.append('\n');
    }
    md.append("\n## Every try\n\n| try | fault | moment | failover | acked | lost | serve again ms | loop |\n"
        + "|---:|---|---|---|---:|---:|---:|---|\n");
    for (TryResult t : tries) {
      md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %d | %d | %s | %s |%n", t.index(), t.kind().label(),
          t.moment(), t.failover().name().toLowerCase(Locale.ROOT), t.acknowledged(), t.lost().size(),
          millis(t.serveAgainMillis()), loopReport(t).replace("|", "/")));
    }
    return md.toString();
  }

  /** One row per try. */
  public String csv() {
    StringBuilder csv = new StringBuilder("try,fault,seed,injected,expected_failover,failover,acknowledged,lost,"
        + "writes_failed,serve_again_ms,service_answers,loop_right,loop_states,loop_end_reason,loop_fail_safe,"
        + "loop_errors,loop_switches,leftovers,problem,seconds,moment\n");
    for (TryResult t : tries) {
      csv.append(String.format(Locale.ROOT, "%d,%s,%d,%b,%s,%s,%d,%d,%d,%s,%b,%b,%s,%s,%s,%d,%d,%d,%s,%.1f,%s%n",
          t.index(), t.kind().label(), t.seed(), t.injected(), t.expectedFailover(), t.failover(), t.acknowledged(),
          t.lost().size(), t.writesFailed(), Double.isNaN(t.serveAgainMillis()) ? "" : String.format(Locale.ROOT,
              "%.0f", t.serveAgainMillis()), t.serviceAnswers(), t.loopRight(), quote(t.loopStates()),
          quote(t.loopEndReason()), quote(t.loopFailSafe()), t.loopErrors(), t.loopSwitches(), t.leftovers().size(),
          quote(t.problem() == null ? null : firstLine(t.problem())), t.seconds(), quote(t.moment())));
    }
    return csv.toString();
  }

  /** The summary and every try, as JSON. */
  public String json(String command) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("command", command);
    root.put("tries", tries.size());
    root.put("lost", lost());
    ArrayNode kinds = root.putArray("kinds");
    for (KindSummary s : summaries()) {
      ObjectNode k = kinds.addObject();
      k.put("fault", s.kind().label());
      k.put("tries", s.tries());
      k.put("struck", s.injected());
      k.put("failovers", s.failovers());
      k.put("wrongFailovers", s.wrongFailovers());
      k.put("acknowledged", s.acknowledged());
      k.put("lost", s.lost());
      k.put("serviceDown", s.serviceDown());
      number(k, "serveAgainP50Ms", s.serveAgainP50Ms());
      number(k, "serveAgainP99Ms", s.serveAgainP99Ms());
      number(k, "serveAgainMaxMs", s.serveAgainMaxMs());
      k.put("wrongLoopReports", s.wrongLoopReports());
      k.put("leftovers", s.leftovers());
      k.put("failedToRun", s.problems());
    }
    ArrayNode all = root.putArray("runs");
    for (TryResult t : tries) {
      ObjectNode r = all.addObject();
      r.put("try", t.index());
      r.put("fault", t.kind().label());
      r.put("seed", t.seed());
      r.put("struck", t.injected());
      r.put("moment", t.moment());
      r.put("expectedFailover", t.expectedFailover().name());
      r.put("failover", t.failover().name());
      r.put("failoverReason", t.failoverReason());
      t.failedSteps().forEach(r.putArray("failedFailoverSteps")::add);
      r.put("acknowledged", t.acknowledged());
      t.lost().forEach(r.putArray("lost")::add);
      r.put("writesFailed", t.writesFailed());
      number(r, "serveAgainMs", t.serveAgainMillis());
      r.put("serviceAnswers", t.serviceAnswers());
      r.put("loopExpected", t.loopExpected());
      r.put("loopStates", t.loopStates());
      r.put("loopEndReason", t.loopEndReason());
      r.put("loopFailSafe", t.loopFailSafe());
      r.put("loopErrors", t.loopErrors());
      r.put("loopSwitches", t.loopSwitches());
      r.put("loopRight", t.loopRight());
      t.leftovers().forEach(r.putArray("leftovers")::add);
      r.put("problem", t.problem());
      r.put("seconds", t.seconds());
    }
    try {
      return mapper.writeValueAsString(root) + "\n";
    } catch (IOException impossible) {
      throw new IllegalStateException("a JSON tree of strings and numbers always serializes", impossible);
    }
  }

  /** Writes {@code report.md}, {@code tries.csv} and {@code report.json} into {@code dir}. */
  public void write(Path dir, String command) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.md"), markdown(command), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("tries.csv"), csv(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("report.json"), json(command), StandardCharsets.UTF_8);
  }

  private static String loopReport(TryResult t) {
    String states = t.loopStates().isEmpty() ? "nothing" : t.loopStates();
    return t.loopEndReason() != null ? states + " (" + t.loopEndReason() + ")"
        : t.loopFailSafe() != null ? states + " (fail-safe: " + t.loopFailSafe() + ")" : states;
  }

  private static void number(ObjectNode node, String field, double value) {
    if (Double.isNaN(value)) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }

  private static String millis(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f", value);
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static String quote(@Nullable String text) {
    if (text == null) {
      return "";
    }
    return "\"" + text.replace("\"", "\"\"").replace('\n', ' ') + "\"";
  }
}
