#!/usr/bin/env bash
# Ends the COLO pair that start.sh started in DIR: exactly the processes named by its pid files.
#
#   stop.sh --dir DIR
set -euo pipefail
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "stop.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$dir" ]] || { echo "stop.sh: --dir DIR is required (the directory start.sh printed)" >&2; exit 2; }
for role in secondary primary; do
  pidfile="$dir/$role.pid"
  [[ -s "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  # Only a QEMU started with this pid file: a reused pid of another program is left alone.
  if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-pidfile $pidfile"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "stopped $role (pid $pid)"
  fi
  rm -f "$pidfile"
done
