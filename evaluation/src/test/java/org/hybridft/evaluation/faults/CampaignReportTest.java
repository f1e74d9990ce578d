package org.hybridft.evaluation.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignReportTest {
  private static TryResult run(int index, FaultKind kind, Failover failover, int acknowledged, List<String> lost,
      double serveAgain, boolean loopRight) {
    return new TryResult(index, kind, 7, true, "1.0 s after the start", kind.expectedFailover(), failover, "why",
        List.of(), acknowledged, lost, 0, serveAgain, true, kind.expectedLoopOutcome().text(), "RUNNING > ENDED",
        "QMP connection lost: gone", null, 0, 2, loopRight, List.of(), null, 30);
  }

  @Test
  void summariesCountLostWritesWrongFailoversAndWrongLoopReportsPerKind() {
    CampaignReport report = new CampaignReport(List.of(
        run(0, FaultKind.PRIMARY_KILL, Failover.TO_SECONDARY, 40, List.of(), 100, true),
        run(1, FaultKind.PRIMARY_KILL, Failover.NONE, 30, List.of("7 abc"), 300, false),
        run(2, FaultKind.QMP_CLOSED, Failover.NONE, 50, List.of(), Double.NaN, true)));

    CampaignReport.KindSummary kill = report.summaries().get(0);
    assertThat(kill.kind()).isEqualTo(FaultKind.PRIMARY_KILL);
    assertThat(kill.tries()).isEqualTo(2);
    assertThat(kill.failovers()).isEqualTo(1);
    assertThat(kill.wrongFailovers()).isEqualTo(1);
    assertThat(kill.acknowledged()).isEqualTo(70);
    assertThat(kill.lost()).isEqualTo(1);
    assertThat(kill.wrongLoopReports()).isEqualTo(1);
    assertThat(kill.serveAgainP50Ms()).isEqualTo(100);
    assertThat(kill.serveAgainMaxMs()).isBetween(299.0, 301.0);
    assertThat(report.summaries().get(1).serveAgainP50Ms()).isNaN();
    assertThat(report.lost()).isEqualTo(1);
  }

  @Test
  void theMarkdownNamesEveryRunThatFailedACheckAndWhy() {
    CampaignReport report = new CampaignReport(List.of(
        run(0, FaultKind.PRIMARY_KILL, Failover.TO_SECONDARY, 40, List.of(), 100, true),
        run(1, FaultKind.PRIMARY_KILL, Failover.NONE, 30, List.of("7 abc"), 300, false)));

    String md = report.markdown("the command");

    assertThat(md).contains("the command", "2 tries, 1 passed every check", "70 acknowledged writes", "1 lost")
        .contains("- try 1, primary-kill (seed 7)", "lost [7 abc]", "failover NONE (why), expected TO_SECONDARY",
            "expected ended: QMP connection lost")
        .doesNotContain("- try 0,");
  }

  @Test
  void csvHasOneRowPerRunAndJsonHoldsTheSummaryAndTheRuns() throws Exception {
    CampaignReport report = new CampaignReport(List.of(
        run(0, FaultKind.LINK_CUT, Failover.PRIMARY_ALONE, 40, List.of(), 100, true),
        run(1, FaultKind.QMP_SLOW, Failover.NONE, 30, List.of(), Double.NaN, true)));

    assertThat(report.csv().lines()).hasSize(3);
    assertThat(report.csv().lines().skip(2).findFirst().orElseThrow()).startsWith("1,qmp-slow,7,true,NONE,NONE,30,0,0,,");
    JsonNode json = new ObjectMapper().readTree(report.json("cmd"));
    assertThat(json.path("kinds")).hasSize(2);
    assertThat(json.path("runs").get(1).path("serveAgainMs").isNull()).isTrue();
    assertThat(json.path("lost").asLong()).isZero();
  }

  @Test
  void loopOutcomesAreJudgedByTheEndReasonAndTheFailSafe() {
    assertThat(FaultKind.LoopOutcome.RUNNING.matches(null, false)).isTrue();
    assertThat(FaultKind.LoopOutcome.RUNNING.matches(null, true)).isFalse();
    assertThat(FaultKind.LoopOutcome.FAIL_SAFE.matches(null, true)).isTrue();
    assertThat(FaultKind.LoopOutcome.FAIL_SAFE.matches("QMP connection lost: x", true)).isFalse();
    assertThat(FaultKind.LoopOutcome.ENDED_CONNECTION_LOST.matches("QMP connection lost: x", true)).isTrue();
    assertThat(FaultKind.LoopOutcome.ENDED_CONNECTION_LOST.matches("COLO_EXIT mode=primary", false)).isFalse();
    assertThat(FaultKind.LoopOutcome.ENDED_COLO_EXIT.matches("COLO_EXIT mode=primary reason=error", false)).isTrue();
    assertThat(FaultKind.LoopOutcome.ENDED_COLO_EXIT.matches(null, false)).isFalse();
  }

  @Test
  void kindsParseFromTheirLabelsAndAWrongOneNamesTheChoices() {
    assertThat(FaultKind.parse("primary-kill-in-switch")).isEqualTo(FaultKind.PRIMARY_KILL_IN_SWITCH);
    assertThat(FaultKind.parse("LINK_CUT")).isEqualTo(FaultKind.LINK_CUT);
    assertThatThrownBy(() -> FaultKind.parse("meteor"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'meteor'").hasMessageContaining("qmp-slow");
  }
}
