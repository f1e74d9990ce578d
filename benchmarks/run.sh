#!/usr/bin/env bash
# Builds the benchmarks jar and runs the JMH benchmarks with settings that fit a 2-core machine,
# or the many-VM scale harness, writing the results into benchmarks/results/.
#
#   benchmarks/run.sh [filter]        JMH: 1 fork, 3 warm-up + 5 measurement iterations of 1 s,
#                                     -prof gc; filter is a JMH regexp (e.g. ControllerUpdate).
#   benchmarks/run.sh --scale [args]  the scale harness (default: 1,000 and 10,000 loops, 60 s
#                                     each); args go to ScaleHarness (--loops, --seconds, ...).
#   benchmarks/run.sh --agent-scale [args]
#                                     the host agent supervising 500 fake QEMUs (AgentScale):
#                                     attach time, CPU and memory over 60 s, a reconnect storm;
#                                     args go to AgentScale (--vms, --seconds, --no-storm, ...).
#   benchmarks/run.sh --smoke         every benchmark once for 100 ms, a 3 s scale run and a
#                                     20-VM agent run, so a broken benchmark fails CI; results go
#                                     to target/ only.
#   benchmarks/run.sh --calibrate --qmp SOCKET --http URL [--seconds S] [--experiments pause,...]
#                                     the testbed calibration (TestbedCalibration) on a live pair
#                                     started by testbed/start.sh.
#   benchmarks/run.sh --faults --runs N --seed S --out DIR [--kinds K,...]
#                                     the fault campaign (FaultCampaign) on fresh testbed pairs,
#                                     about 30 s a run; needs the testbed (build-qemu.sh,
#                                     build-guest.sh). Exits 1 if a run failed a check.
#   --no-build                        use benchmarks/target/benchmarks.jar as it is (CI builds it
#                                     in `mvn verify` just before).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"

build=1
mode=jmh
args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --smoke) mode=smoke ;;
    --scale) mode=scale ;;
    --agent-scale) mode=agent-scale ;;
    --calibrate) mode=calibrate ;;
    --faults) mode=faults ;;
    *) args+=("$arg") ;;
  esac
done

if [[ $build == 1 ]]; then
  # -am builds the modules benchmarked from this checkout instead of whatever ~/.m2 holds.
  (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi
if [[ ! -f $jar ]]; then
  echo "no $jar: build it with 'mvn -B -pl benchmarks -am package' or drop --no-build" >&2
  exit 2
fi

# The machine the figures come from, before and after, beside each result file.
describe_machine() {
  echo "cores: $(nproc)"
  echo "java: $(java -version 2>&1 | head -n 2 | tail -n 1)"
  echo "load before: $(uptime)"
}

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
case "$mode" in
  jmh)
    mkdir -p "$here/results"
    filter="${args[0]:-.}"
    name="jmh-$stamp$( [[ $filter == . ]] || echo "-${filter//[^A-Za-z0-9]/_}")"
    describe_machine > "$here/results/$name.env"
    java -jar "$jar" "${args[@]:-.}" -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc -foe true \
      -rf json -rff "$here/results/$name.json" | tee "$here/results/$name.txt"
    echo "load after: $(uptime)" >> "$here/results/$name.env"
    echo "results: benchmarks/results/$name.json"
    ;;
  scale)
    mkdir -p "$here/results"
    name="scale-$stamp"
    describe_machine > "$here/results/$name.env"
    java -Xms1g -Xmx1g -cp "$jar" org.hybridft.bench.ScaleHarness \
      --json "$here/results/$name.json" "${args[@]}" | tee "$here/results/$name.txt"
    echo "load after: $(uptime)" >> "$here/results/$name.env"
    ;;
  agent-scale)
    mkdir -p "$here/results"
    name="agent-scale-$stamp"
    describe_machine > "$here/results/$name.env"
    # The agent's JVM as its systemd unit starts it; the fake QEMUs run in a child JVM.
    java -Xms32m -Xmx256m -XX:+UseSerialGC -cp "$jar" org.hybridft.bench.AgentScale \
      --json "$here/results/$name.json" "${args[@]}" | tee "$here/results/$name.txt"
    echo "load after: $(uptime)" >> "$here/results/$name.env"
    ;;
  calibrate)
    mkdir -p "$here/results"
    name="testbed-calibration-$stamp"
    describe_machine > "$here/results/$name.env"
    java -cp "$jar" org.hybridft.bench.TestbedCalibration --out "$here/results/$name.csv" "${args[@]}" \
      | tee "$here/results/$name.txt"
    echo "load after: $(uptime)" >> "$here/results/$name.env"
    ;;
  faults)
    java -Dhybridft.testbed="$root/testbed" -cp "$jar" org.hybridft.bench.FaultCampaign "${args[@]}"
    ;;
  smoke)
    mkdir -p "$here/target/smoke"
    log="$here/target/smoke/smoke.log"
    # One fork as in the real runs (a forked run is what can break), one 100 ms iteration each,
    # no warm-up; -foe makes any benchmark's exception fail this script. The output goes to a log
    # so CI's own output stays readable; it is printed when something failed.
    # The full comparison shrinks to 1 run of 1 simulated minute per configuration.
    if ! { java -jar "$jar" -f 1 -wi 0 -i 1 -r 100ms -prof gc -foe true -p runs=1 -p minutes=1 \
             -rf json -rff "$here/target/smoke/jmh.json" &&
           java -Xmx1g -cp "$jar" org.hybridft.bench.ScaleHarness --loops 1000,10000 \
             --seconds 3 --warmup-seconds 1 --json "$here/target/smoke/scale.json" &&
           java -Xms32m -Xmx256m -XX:+UseSerialGC -cp "$jar" org.hybridft.bench.AgentScale --vms 20 \
             --seconds 3 --warmup-seconds 1 --storm-goal-seconds 10 \
             --json "$here/target/smoke/agent-scale.json"; } >"$log" 2>&1
    then
      tail -n 80 "$log" >&2
      echo "benchmark smoke run FAILED (full log: $log)" >&2
      exit 1
    fi
    ran=$(grep -c '"benchmark"' "$here/target/smoke/jmh.json" || true)
    echo "benchmark smoke run: $ran JMH benchmarks, the scale harness and the agent at scale ran (log: $log)"
    ;;
esac
