#!/usr/bin/env bash
# The controllers with their defaults on a live testbed pair, as a matrix of workloads and
# checkpoint periods: for each cell a fresh pair (testbed/start.sh), `hybrid-ft evaluate` with
# every controller and no controller option but --checkpoint-period, then the pair stopped.
#
#   benchmarks/real-matrix.sh --out DIR [--cells CELL,...] [--rate R] [--base-port N]
#
# Cells (workload, stretch, checkpoint period, minutes per controller):
#   phased30s-500ms phased30s-1s   phased, 30 s stretches, 3 minutes (6 stretches) per controller
#   phased3m-500ms  phased3m-1s    phased, 3 min stretches, 6 minutes (2 stretches) per controller
#   nondet-500ms    nondet-1s      non-deterministic replies only, 2 minutes per controller
#   det-500ms                      deterministic replies only, 2 minutes per controller
# All seven take about 2 h 10 min. A cell whose DIR/CELL/results.csv exists is skipped, so a run
# that was cut off resumes where it stopped. Needs the testbed (testbed/build-qemu.sh,
# testbed/build-guest.sh) and the hybrid-ft command built (./hybrid-ft builds it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

out=""
cells="phased30s-500ms,phased30s-1s,nondet-500ms,nondet-1s,det-500ms,phased3m-500ms,phased3m-1s"
rate=5
base_port=27000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --cells) cells="${2:?--cells needs a list}"; shift 2 ;;
    --rate) rate="${2:?--rate needs a number}"; shift 2 ;;
    --base-port) base_port="${2:?--base-port needs a port}"; shift 2 ;;
    *) echo "real-matrix.sh: unknown argument '$1' (allowed: --out DIR, --cells LIST, --rate R, --base-port N)" >&2; exit 2 ;;
  esac
done
[[ -n $out ]] || { echo "real-matrix.sh: --out DIR is required" >&2; exit 2; }
mkdir -p "$out"

cell_args() {
  case "$1" in
    phased30s-500ms) echo "--workload phased --stretch 30s --checkpoint-period 500ms --minutes 3" ;;
    phased30s-1s)    echo "--workload phased --stretch 30s --checkpoint-period 1s --minutes 3" ;;
    phased3m-500ms)  echo "--workload phased --stretch 3m --checkpoint-period 500ms --minutes 6" ;;
    phased3m-1s)     echo "--workload phased --stretch 3m --checkpoint-period 1s --minutes 6" ;;
    nondet-500ms)    echo "--workload nondeterministic --checkpoint-period 500ms --minutes 2" ;;
    nondet-1s)       echo "--workload nondeterministic --checkpoint-period 1s --minutes 2" ;;
    det-500ms)       echo "--workload deterministic --checkpoint-period 500ms --minutes 2" ;;
    *) return 1 ;;
  esac
}

IFS=',' read -r -a cell_list <<< "$cells"
for cell in "${cell_list[@]}"; do
  cell_args "$cell" > /dev/null || { echo "real-matrix.sh: unknown cell '$cell'" >&2; exit 2; }
done

{
  echo "started: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$root" rev-parse HEAD)"
  echo "cores: $(nproc)"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "command: benchmarks/real-matrix.sh --out $out --cells $cells --rate $rate --base-port $base_port"
} >> "$out/env.txt"

for cell in "${cell_list[@]}"; do
  if [[ -f $out/$cell/results.csv ]]; then
    echo "== $cell: done before, skipped"
    continue
  fi
  pair="$(mktemp -d)"
  echo "== $cell: $(date -u +%T) starting the pair in $pair"
  "$root/testbed/start.sh" --dir "$pair" --base-port "$base_port" > "$pair/start.out"
  status=0
  # shellcheck disable=SC2046 # the cell's arguments are words by design
  "$root/hybrid-ft" evaluate --qmp "$pair/primary.qmp" --secondary-qmp "$pair/secondary.qmp" \
    --http "http://127.0.0.1:$((base_port + 7))/" --rate "$rate" \
    --controllers checkpoint,colo,threshold,pi,learning $(cell_args "$cell") \
    --out "$out/$cell.partial" > "$out/$cell.log" 2>&1 || status=$?
  "$root/testbed/stop.sh" --dir "$pair" > /dev/null 2>&1 || true
  echo "   $cell: $(date -u +%T) evaluate exit $status"
  if [[ $status == 0 ]]; then
    rm -rf "$out/$cell"
    mv "$out/$cell.partial" "$out/$cell"
    mv "$out/$cell.log" "$out/$cell/table.txt"
  fi
done
echo "finished: $(date -u +%FT%TZ)" >> "$out/env.txt"
