#!/usr/bin/env bash
# Ends the COLO pair that start.sh started in DIR: exactly the processes named by its pid files
# (the two QEMUs and, with --link-proxy, the link proxy; with --link shaped, the two link relays
# and then the pair's network namespaces), and only while they are still the
# processes started with those pid files; with --libvirt, the primary's domain named in
# DIR/primary.libvirt is destroyed through libvirt.
#
#   stop.sh --dir DIR
set -euo pipefail
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) [[ $# -ge 2 ]] || { echo "stop.sh: --dir needs a directory" >&2; exit 2; }; dir="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "stop.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$dir" ]] || { echo "stop.sh: --dir DIR is required (the directory start.sh printed)" >&2; exit 2; }
[[ -d "$dir" ]] || { echo "stop.sh: $dir is not a directory" >&2; exit 1; }
# start.sh wrote absolute pid file paths into QEMU's command line: compare with the same form.
dir="$(cd "$dir" && pwd)"
# ours PID PIDFILE: PID is alive and is the process started with PIDFILE (a zombie is not).
ours() {
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qxF -- "$2"
}
# zombie PID: PID has ended and waits for its parent to reap it.
zombie() { [[ "$(sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)" == Z ]]; }
status=0
if [[ -s "$dir/primary.libvirt" ]]; then
  { read -r uri; read -r domain; } <"$dir/primary.libvirt"
  if virsh -q -c "$uri" domstate "$domain" >/dev/null 2>"$dir/stop.err"; then
    if virsh -q -c "$uri" destroy "$domain" >/dev/null 2>"$dir/stop.err"; then
      echo "stopped primary (libvirt domain $domain)"
      rm -f "$dir/primary.libvirt"
    else
      echo "stop.sh: libvirt could not destroy the primary $domain: $(head -n 1 "$dir/stop.err")" >&2; status=1
    fi
  elif grep -q "failed to get domain" "$dir/stop.err"; then
    rm -f "$dir/primary.libvirt"   # gone already
  else
    # libvirt unreachable: the domain may run; keep the record so that a later stop.sh ends it.
    echo "stop.sh: cannot ask libvirt at $uri about the primary $domain: $(head -n 1 "$dir/stop.err")" >&2; status=1
  fi
  rm -f "$dir/stop.err"
fi
for role in secondary primary link-proxy link-primary link-secondary; do
  pidfile="$dir/$role.pid"
  [[ -s "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  if ! [[ "$pid" =~ ^[0-9]+$ ]]; then
    echo "stop.sh: $pidfile does not hold a pid ('$pid'); left as it is" >&2; status=1; continue
  fi
  # Only a QEMU started with this pid file: a reused pid of another program is left alone, before
  # each signal, since the QEMU may end (and its pid be reused) while we wait.
  if ours "$pid" "$pidfile"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do ours "$pid" "$pidfile" || break; sleep 0.1; done
    if ours "$pid" "$pidfile"; then kill -9 "$pid" 2>/dev/null || true; fi
    for _ in $(seq 50); do ours "$pid" "$pidfile" || break; sleep 0.1; done
    if ours "$pid" "$pidfile"; then
      echo "stop.sh: $role (pid $pid) did not end; logs: $dir/$role.log" >&2; status=1; continue
    fi
    # Gone for the caller too: its parent (init, once start.sh has exited) reaps it in a moment.
    for _ in $(seq 50); do zombie "$pid" || break; sleep 0.1; done
    echo "stopped $role (pid $pid)"
  fi
  rm -f "$pidfile"
done
# --link shaped: the pair's network namespaces, once their relays have ended (the veth pair and
# its shaping go with them).
if [[ -s "$dir/link.netns" ]]; then
  left=()
  while read -r ns; do
    [[ "$ns" =~ ^hft-[0-9]+-[ps]$ ]] || { echo "stop.sh: $dir/link.netns names '$ns', not a pair's namespace; left as it is" >&2; status=1; continue; }
    if ip netns list 2>/dev/null | grep -q "^$ns\b"; then
      if ip netns del "$ns" 2>"$dir/stop.err"; then
        echo "deleted network namespace $ns"
      else
        echo "stop.sh: cannot delete network namespace $ns: $(head -n 1 "$dir/stop.err")" >&2; status=1; left+=("$ns")
      fi
    fi
  done <"$dir/link.netns"
  rm -f "$dir/stop.err"
  if (( ${#left[@]} == 0 )); then rm -f "$dir/link.netns"; else printf '%s\n' "${left[@]}" >"$dir/link.netns"; fi
fi
exit "$status"
